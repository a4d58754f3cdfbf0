"""Shared fixtures: a private data folder and a fresh database per test."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESOURCES = Path(__file__).parent / "resources"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Every test gets its own CLERK_DATA_DIR: no test ever touches a real one."""
    data = tmp_path / "clerk-data"
    monkeypatch.setenv("CLERK_DATA_DIR", str(data))
    monkeypatch.delenv("CLERK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLERK_FAKE_NOW", raising=False)
    return data


@pytest.fixture
def resources() -> Path:
    return RESOURCES


@pytest.fixture
def db(private_data_dir):
    """A migrated SQLite database with the small test catalog (no demo seeding)."""
    from forms import catalog, db as dbmod
    from forms.models import Setting, Window
    # CLERK_TEST_DATABASE_URL runs the same tests on a real server (PostgreSQL for a hall).
    url = os.environ.get("CLERK_TEST_DATABASE_URL") or f"sqlite:///{private_data_dir / 'test.db'}"
    if not url.startswith("sqlite"):
        from playhouse.db_url import connect
        scratch = connect(url)
        scratch.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        scratch.close()
    database = dbmod.open_database(url, seed=False)
    data = json.loads((RESOURCES / "catalog_small.json").read_text(encoding="utf-8"))
    with database.atomic():
        window = Window.create(**data["window"])
        Setting.create(key="this_window", value=window.code)
        catalog.import_catalog(data)
    yield database
    database.close()


@pytest.fixture
def window(db):
    from forms.models import Window
    return Window.get(Window.code == "TEST01")


@pytest.fixture
def clerks(window):
    """Clerks with different rights: full, receive-only, verify-only, none, and one for 台前 only."""
    from forms import accounts
    from forms.models import Partner
    from forms.workflow import Right
    taiqian = Partner.get(Partner.code == "410927")
    return {
        "full": accounts.create_clerk("wang", "王芳", window, rights={r: None for r in Right}),
        "receiver": accounts.create_clerk("li", "李强", window, rights={Right.RECEIVE: None}),
        "verifier": accounts.create_clerk("zhao", "赵敏", window, rights={Right.VERIFY: None}),
        "none": accounts.create_clerk("sun", "孙立", window),
        "taiqian_only": accounts.create_clerk("zhou", "周杰", window,
                                              rights={r: [taiqian] for r in Right}),
    }


pytest_plugins = [p for p in ("tests.sane_fixtures", "tests.cups_fixture", "tests.gui_fixtures")
                  if (Path(__file__).parent / (p.split(".")[1] + ".py")).exists()]
