"""Rule 9: no full ID, passport or phone number or applicant name in a log line; private modes.

The log checks read the real log file and the real --verbose stderr, tracebacks
included, as someone handed the log for a bug report would see it.
"""
from __future__ import annotations

import logging
import os
import stat
import sys
import threading

import pytest

from forms import config, privacy

ID = "37010219850315123X"
MOBILE = "13800138000"
NAME = "张𪚥"                       # 𪚥 is outside the BMP (CJK Ext B)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def clean_state():
    """Nothing remembered before or after; the umask wide open so modes cannot come from it."""
    privacy.forget_all()
    old = os.umask(0)
    yield
    os.umask(old)
    privacy.forget_all()


@pytest.fixture
def fresh_logging(monkeypatch):
    """setup_logging as at a fresh start; the handlers it adds are removed and closed after."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    monkeypatch.setattr(config, "_configured", False)
    yield root
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.parametrize("line, expected", [
    (f"公民身份号码：{ID}。", "公民身份号码：370102********123X。"),
    ("id=110101199003071234 ok", "id=110101********1234 ok"),
    ("NO110101199013071234", "NO110101********1234"),            # a typo in the date is still an ID
    ("旧证 110101900307123", "旧证 110101*****7123"),
    (f"电话{MOBILE}，或 +86 139-1234-5678", "电话138****8000，或 +86 139****5678"),
    ("固话0531-86001234、(010)62345678", "固话0531-****1234、(010)****5678"),
    ("护照E12345678 EA1234567 DE1234567 回乡证H1234567890",
     "护照E1*****78 EA*****67 DE*****67 回乡证H1*******90"),
    # Public or harmless numbers stay whole: credit codes, case and mail numbers, times, files.
    ("USCC 91110108MA01ABCD2X 914403001922038216", "USCC 91110108MA01ABCD2X 914403001922038216"),
    ("W3701020101-20250304-0007 EA123456785CN 2025-03-04 10:00:01,234 page-0001.png 3.1415926",
     "W3701020101-20250304-0007 EA123456785CN 2025-03-04 10:00:01,234 page-0001.png 3.1415926"),
])
def test_redact_masks_numbers_with_a_shape(line, expected):
    assert privacy.redact(line) == expected


def test_remembered_names_and_addresses_are_masked_longest_first():
    privacy.remember(NAME, "张𪚥明", "山东省济南市历下区泉城路1号", "王", "", None, "  ")
    text = privacy.redact(f"申请人{NAME}，代理人张𪚥明，住山东省济南市历下区泉城路1号，经办王")
    assert text == "申请人张*，代理人张**，住山" + "*" * 13 + "，经办王"
    assert privacy.mask_name(NAME) == "张*"


def test_memory_is_bounded_and_a_name_seen_again_stays(monkeypatch):
    monkeypatch.setattr(privacy, "MAX_REMEMBERED", 3)
    privacy.remember("赵一一", "钱二二", "孙三三")
    privacy.remember("赵一一")                     # seen again: now the newest
    privacy.remember("李四四")                     # pushes out the oldest, 钱二二
    assert privacy.redact("赵一一 钱二二 孙三三 李四四") == "赵** 钱二二 孙** 李**"


def test_remember_and_redact_from_many_threads():
    errors = []

    def work(n):
        try:
            for i in range(300):
                privacy.remember(f"名{n}字{i}")
                assert f"名{n}字{i}" not in privacy.redact(f"办件 名{n}字{i} 已保存")
        except Exception as e:  # noqa: BLE001 - collected for the assertion below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_display_masks():
    assert privacy.mask_id(ID) == "370102********123X"
    assert privacy.mask_phone(MOBILE) == "138****8000"
    assert privacy.mask_phone("+86 138 0013 8000") == "138****8000"
    assert privacy.mask_phone("0531-86001234") == "0531-****1234"
    assert privacy.mask_phone("(010)62345678转801") == "010-****5678"


def _log_an_error_with_personal_data():
    privacy.remember(NAME)
    log = logging.getLogger("desk.reception")
    try:
        raise ValueError(f"保存失败：申请人{NAME} 身份证{ID} 手机{MOBILE}")
    except ValueError:
        log.exception("办件 W01-20250304-0001 申请人 %s（%s）保存失败", NAME, ID)
    log.warning("回拨 %s", MOBILE, stack_info=True)


def test_log_file_holds_no_id_phone_or_name_not_even_in_the_traceback(fresh_logging):
    config.setup_logging()
    _log_an_error_with_personal_data()
    for handler in fresh_logging.handlers:
        handler.flush()
    text = config.log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "ValueError: 保存失败" in text
    assert "Stack (most recent call last)" in text
    for secret in (ID, MOBILE, NAME, "𪚥"):
        assert secret not in text
    assert "申请人 张*（370102********123X）保存失败" in text
    assert "ValueError: 保存失败：申请人张* 身份证370102********123X 手机138****8000" in text
    assert "W01-20250304-0001" in text


def test_verbose_console_is_redacted_too(fresh_logging, capsys):
    config.setup_logging(verbose=True)
    _log_an_error_with_personal_data()
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "138****8000" in err
    for secret in (ID, MOBILE, NAME):
        assert secret not in err


def test_log_files_are_0600_rotated_ones_too_and_folders_0700(fresh_logging, private_data_dir):
    config.setup_logging()
    logging.getLogger("t").info("一行")
    handler = next(h for h in fresh_logging.handlers if isinstance(h, config._PrivateRotatingFileHandler))
    handler.doRollover()
    logging.getLogger("t").info("又一行")
    logs = config.log_path().parent
    assert sorted(os.listdir(logs)) == ["clerk.log", "clerk.log.1"]
    assert mode(logs / "clerk.log") == 0o600 and mode(logs / "clerk.log.1") == 0o600
    assert mode(private_data_dir) == 0o700 and mode(logs) == 0o700       # the app made both
    assert mode(config.sub_dir("pages")) == 0o700
    config.database_url()
    assert mode(private_data_dir / "clerk.db") == 0o600


def test_an_existing_open_data_folder_is_left_as_it_is_and_warned_about(tmp_path, monkeypatch, caplog):
    named = tmp_path / "hall-share"
    named.mkdir()
    os.chmod(named, 0o755)
    (named / "pages").mkdir()
    os.chmod(named / "pages", 0o755)                      # as an older version left it
    monkeypatch.setenv("CLERK_DATA_DIR", str(named))
    monkeypatch.setattr(config, "_warned", set())
    with caplog.at_level(logging.WARNING):
        assert config.data_dir() == named
        config.data_dir()
    assert mode(named) == 0o755                            # the user's folder: not changed
    text = config.data_dir_warning()
    assert text == (f"数据目录 {named} 其他用户可以读取（权限 0755），其中含有身份证号码和扫描件，"
                    f"建议改为 0700（chmod 700 {named}）")
    assert [r.getMessage() for r in caplog.records if r.name == "forms.config"] == [text]   # once
    assert mode(config.sub_dir("pages")) == 0o700          # the app's own subfolder is closed
    assert mode(config.sub_dir("keys")) == 0o700
    os.chmod(named, 0o750)
    assert "同组用户可以读取（权限 0750）" in config.data_dir_warning()
    os.chmod(named, 0o700)
    assert config.data_dir_warning() is None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_named_data_folder_not_there_yet_is_created_0700(tmp_path, monkeypatch):
    named = tmp_path / "new" / "clerk"
    monkeypatch.setenv("CLERK_DATA_DIR", str(named))
    assert config.data_dir() == named
    assert mode(named) == 0o700 and mode(named.parent) == 0o700
    assert config.data_dir_warning() is None
