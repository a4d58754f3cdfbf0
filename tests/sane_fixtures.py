"""Fixtures for SANE's real ``test`` backend, as a pytest plugin.

Registered in tests/conftest.py through ``pytest_plugins``. SANE reads its configuration
once per process, in ``sane.init()``, so every scanning run happens in a
subprocess whose ``SANE_CONFIG_DIR`` names only the ``test`` backend.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


@pytest.fixture(scope="session")
def sane_config_dir(tmp_path_factory) -> Path:
    """A SANE config folder whose dll.conf loads only the ``test`` backend (test:0, test:1)."""
    folder = tmp_path_factory.mktemp("sane.d")
    (folder / "dll.conf").write_text("test\n", encoding="ascii")
    assert SYSTEM_TEST_CONF.exists(), "sane-utils/libsane1 missing: run tools/setup.sh"
    shutil.copy(SYSTEM_TEST_CONF, folder / "test.conf")
    return folder


@pytest.fixture
def sane_env(sane_config_dir, tmp_path) -> dict:
    """Environment for a child process: private SANE config and data folder, project on path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANE_")}
    env["SANE_CONFIG_DIR"] = str(sane_config_dir)     # no trailing colon: no system backends
    env["CLERK_DATA_DIR"] = str(tmp_path / "clerk-data")
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def run_sane(sane_env, tmp_path):
    """Run Python ``code`` in a fresh process against the test backend; returns its JSON line.

    The code must print one JSON object as its last stdout line.
    """
    def run(code: str, timeout: float = 60) -> dict:
        done = subprocess.run([sys.executable, "-c", code], env=sane_env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])
    return run


@pytest.fixture
def run_main(sane_env, tmp_path):
    """Run ``python main.py ARGS`` against the test backend; returns the CompletedProcess."""
    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=sane_env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    return run
