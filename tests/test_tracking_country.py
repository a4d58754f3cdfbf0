"""Rule 8 (issue 10): an S10 tracking number must end in an ISO 3166-1 alpha-2 country code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forms import identifiers
from forms.identifiers.countries import ISO_3166_ALPHA2
from tests.idgen import s10

ROOT = Path(__file__).resolve().parents[1]


def check_id_cli(value, data_dir):
    env = {**os.environ, "CLERK_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "check-id", value, "--kind", "tracking",
                           "--json"], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("country", ["XX", "ZZ", "QQ", "UK", "EU", "AA"])
def test_made_up_country_code_is_refused_even_with_a_right_check_digit(country):
    number = s10("EA", "12345678", country)     # check digit 5 is right
    r = identifiers.check(number, "tracking")
    assert (r.valid, r.error) == (False, f"邮件号末尾的国家代码 {country} 不是有效的国家/地区代码")


@pytest.mark.parametrize("number,country", [
    ("RB123456785GB", "GB"), ("EA123456785CN", "CN"), (s10("CP", "31415926", "HK"), "HK"),
    (s10("RR", "10086001", "JE"), "JE"), (s10("LX", "20315678", "US"), "US"),
    (s10("EE", "00000000", "DE"), "DE"), (s10("RA", "88888888", "MO"), "MO"),
])
def test_real_country_codes_stay_valid(number, country):
    r = identifiers.check(number, "tracking")
    assert r.valid is True and r.error is None and r.info["country"] == country


def test_the_country_list_is_the_full_iso_list():
    assert len(ISO_3166_ALPHA2) == 249
    assert {"CN", "GB", "HK", "MO", "TW", "US", "JE", "GG", "IM", "AX", "CW", "SX", "BQ", "SS"} <= ISO_3166_ALPHA2
    assert not {"XX", "ZZ", "QQ", "UK", "EU", "AN", "YU", "XK"} & ISO_3166_ALPHA2
    assert all(len(c) == 2 and c.isascii() and c.isupper() for c in ISO_3166_ALPHA2)


def test_detected_kind_also_checks_the_country():
    r = identifiers.check("EA123456785XX")
    assert r.kind == "tracking" and r.valid is False and "XX" in r.error


def test_command_line_refuses_xx_with_the_chinese_reason(tmp_path):
    proc = check_id_cli("EA123456785XX", tmp_path / "data")
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert out["valid"] is False
    assert out["error"] == "邮件号末尾的国家代码 XX 不是有效的国家/地区代码"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("number", ["RB123456785GB", "EA123456785CN"])
def test_command_line_accepts_real_numbers(tmp_path, number):
    proc = check_id_cli(number, tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["valid"], out["normalized"], out["country"]) == (True, number, number[-2:])
