"""Rule 11: every kept file is written by forms.files — whole or not at all, 0600, fsynced.

The builders are the real ones (notices, waybill, signing key, package, holiday
export, watch-folder state); a person checks the same things with ``ls -l``
and by pulling the plug: the old file or the new one, and nobody else can read it.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
import threading

import pytest
from PIL import Image, ImageDraw, ImageFont

from exports import layout, notices, signing, waybill
from exports.manifest import verify_package_zip
from exports.package import PackageInfo, PackageMaterial, PackagePage, build_package
from forms import files, workdays
from forms.errors import ExportError
from scanner.sources import WatchFolder
from tests.test_documents import sample_case

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """The most permissive umask: the modes below must not come from the umask."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def fsyncs(monkeypatch):
    """Record (inode, is_folder) of everything fsynced, then really fsync it."""
    calls = []
    real = os.fsync

    def record(fd):
        st = os.fstat(fd)
        calls.append((st.st_ino, stat.S_ISDIR(st.st_mode)))
        return real(fd)

    monkeypatch.setattr(os, "fsync", record)
    return calls


def test_a_failing_block_leaves_the_old_file_and_no_part_file(tmp_path):
    target = tmp_path / "清单.json"
    files.write_bytes(target, b"old")
    with pytest.raises(RuntimeError, match="died"):
        with files.atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("died")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["清单.json"]
    # An OSError mid-write (full disk, pulled USB stick) is a Chinese error naming the file.
    with pytest.raises(ExportError, match="清单.json 写入失败"):
        with files.atomic_path(target, what="清单") as tmp:
            tmp.write_bytes(b"half")
            raise OSError(28, "No space left on device")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["清单.json"]
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["清单.json"]


def test_new_files_are_0600_and_new_folders_0700_whatever_the_umask(tmp_path):
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    dest = existing / "a" / "b" / "page-0001.png"
    files.write_bytes(dest, b"png")
    assert mode(dest) == 0o600
    assert mode(existing / "a") == 0o700 and mode(existing / "a" / "b") == 0o700
    assert mode(existing) == 0o755            # a folder that was there is left alone
    files.copy_file(dest, existing / "copy.png")
    assert mode(existing / "copy.png") == 0o600
    files.write_text(existing / "a" / "t.txt", "张𪚥\r\n")
    assert (existing / "a" / "t.txt").read_bytes() == "张𪚥\r\n".encode()


def test_the_file_and_then_its_folder_are_fsynced(tmp_path, fsyncs):
    dest = tmp_path / "docs" / "bz.pdf"
    files.write_bytes(dest, b"%PDF")
    file_ino, folder_ino = os.stat(dest).st_ino, os.stat(dest.parent).st_ino
    assert (file_ino, False) in fsyncs and (folder_ino, True) in fsyncs
    assert fsyncs.index((file_ino, False)) < fsyncs.index((folder_ino, True))


def test_a_long_chinese_name_still_gets_a_temp_file(tmp_path):
    dest = tmp_path / ("补正材料一次性告知书" * 8 + ".pdf")      # 243 bytes in UTF-8
    files.write_bytes(dest, b"x")
    assert dest.read_bytes() == b"x" and os.listdir(tmp_path) == [dest.name]


def test_write_new_lets_the_first_writer_win(tmp_path, fsyncs):
    dest = tmp_path / "keys" / "k.pem"
    assert files.write_new(dest, b"first") is True
    assert files.write_new(dest, b"second") is False
    assert dest.read_bytes() == b"first" and mode(dest) == 0o600
    assert os.listdir(dest.parent) == ["k.pem"]
    assert (os.stat(dest).st_ino, False) in fsyncs and (os.stat(dest.parent).st_ino, True) in fsyncs


def test_window_key_is_0600_in_a_0700_folder_and_one_key_wins_a_race(tmp_path):
    key_dir = tmp_path / "keys"
    keys, barrier = [], threading.Barrier(4)

    def start():
        barrier.wait()
        keys.append(signing.public_key_fingerprint(signing.load_or_create_window_key(key_dir)))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1                          # every window signs with the same key
    assert os.listdir(key_dir) == [signing.KEY_FILE_NAME]
    assert mode(key_dir / signing.KEY_FILE_NAME) == 0o600 and mode(key_dir) == 0o700
    again = signing.load_or_create_window_key(key_dir)
    assert signing.public_key_fingerprint(again) == keys[0]


def test_notices_and_waybill_are_0600_and_fsynced(tmp_path, fsyncs):
    out = tmp_path / "documents"
    notice = notices.build_correction_notice(sample_case(), out / "bz.pdf")
    label = waybill.build_waybill(sample_case(), "EA123456785CN", out / "ems.pdf")
    for pdf in (notice, label):
        assert pdf.read_bytes().startswith(b"%PDF") and mode(pdf) == 0o600
        assert (os.stat(pdf).st_ino, False) in fsyncs
    assert mode(out) == 0o700
    assert sorted(os.listdir(out)) == ["bz.pdf", "ems.pdf"]


def test_a_drawing_failure_names_the_document_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "hz.pdf"
    out.write_bytes(b"old")
    with pytest.raises(ExportError, match=r"受理回执 hz.pdf 生成失败（ValueError: bad glyph）"):
        with layout.atomic_output(out, "受理回执") as tmp:
            assert isinstance(tmp, str)
            raise ValueError("bad glyph")
    assert out.read_bytes() == b"old" and os.listdir(tmp_path) == ["hz.pdf"]


def test_package_pdf_zip_and_manifest_are_0600(tmp_path):
    page = tmp_path / "page.png"
    img = Image.new("L", (1240, 1754), "white")
    ImageDraw.Draw(img).text((100, 100), "户口簿 首页", font=ImageFont.truetype(FONT, 50), fill=0)
    img.save(page, dpi=(150, 150))
    transmittal = layout.build_document(tmp_path / "lz.pdf", [layout.para("跨域通办材料流转单")],
                                        "材料流转单")
    key = signing.load_or_create_window_key(tmp_path / "keys")
    result = build_package(PackageInfo("TB-2024-000123", "居民身份证换领", "历下区通办专窗",
                                       "天津市和平区", "0.1.0"),
                           transmittal, [PackageMaterial("户口簿", [PackagePage(page)])],
                           tmp_path / "packages", key)
    for path in (result.pdf_path, result.zip_path, result.manifest_path):
        assert mode(path) == 0o600, path
    assert mode(tmp_path / "packages") == 0o700
    assert sorted(os.listdir(tmp_path / "packages")) == [
        "TB-2024-000123.manifest.json", "TB-2024-000123.pdf", "TB-2024-000123.zip"]
    assert verify_package_zip(result.zip_path, key.public_key()).ok


def test_holiday_export_and_watch_state_are_0600(tmp_path):
    days = [workdays.DayOverride(dt.date(2027, 2, 6), workdays.HOLIDAY, "春节")]
    workdays.dump_overrides_file(days, tmp_path / "holidays.csv")
    assert mode(tmp_path / "holidays.csv") == 0o600
    assert [o.name for o in workdays.load_overrides_file(tmp_path / "holidays.csv")] == ["春节"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    Image.new("L", (200, 300), "white").save(inbox / "scan1.png")
    watch = WatchFolder(inbox, tmp_path / "state")
    assert [watch.poll_once() for _ in range(3)][1]      # taken at the second stable look
    assert mode(tmp_path / "state" / "watch-state.json") == 0o600
    assert mode(tmp_path / "state") == 0o700
