"""The watch folder: complete files only, each file once, across restarts."""
import hashlib
import json
import os
import threading
import time

import pytest
from PIL import Image

from forms.errors import ScanError
from scanner.sources import WatchFolder, is_temporary


@pytest.fixture
def folders(tmp_path):
    inbox, state = tmp_path / "shared", tmp_path / "state"
    inbox.mkdir()
    return inbox, state


def jpeg_bytes(tmp_path, colour="white", size=(400, 500)):
    path = tmp_path / f"tmp-{colour}.bin"
    Image.new("RGB", size, colour).save(path, format="JPEG", dpi=(300, 300))
    return path.read_bytes()


def names(pages):
    return [os.path.basename(p.file) for p in pages]


def test_a_file_is_taken_after_two_stable_polls_and_only_once(folders, tmp_path):
    inbox, state = folders
    (inbox / "scan001.jpg").write_bytes(jpeg_bytes(tmp_path))
    watch = WatchFolder(inbox, state)
    assert watch.poll_once() == []                     # first sight: may still be growing
    pages = watch.poll_once()
    assert names(pages) == ["scan001.jpg"]
    assert (pages[0].index, pages[0].source, pages[0].dpi, pages[0].image.size) == (1, "watch", 300, (400, 500))
    assert watch.poll_once() == []
    # A restart remembers it through the state file.
    again = WatchFolder(inbox, state)
    assert again.poll_once() == [] and again.poll_once() == []
    saved = json.loads((state / "watch-state.json").read_text(encoding="utf-8"))
    entry = saved["files"][str(inbox / "scan001.jpg")]
    assert entry["sha256"] == hashlib.sha256((inbox / "scan001.jpg").read_bytes()).hexdigest()
    assert entry["size"] == (inbox / "scan001.jpg").stat().st_size and entry["error"] is None


def test_a_growing_file_waits_until_it_is_complete(folders, tmp_path):
    inbox, state = folders
    data = jpeg_bytes(tmp_path, "gray")
    target = inbox / "scan002.jpg"
    target.write_bytes(data[: len(data) // 2])
    watch = WatchFolder(inbox, state)
    assert watch.poll_once() == []
    assert watch.poll_once() == []                     # stable, but no JPEG end marker yet
    with open(target, "ab") as f:
        f.write(data[len(data) // 2:])
    os.utime(target, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert watch.poll_once() == []                     # it changed: look again next time
    assert names(watch.poll_once()) == ["scan002.jpg"]
    assert watch.errors == []


def test_temporary_names_are_ignored_until_renamed(folders, tmp_path):
    inbox, state = folders
    data = jpeg_bytes(tmp_path)
    for name in ("scan.tmp", "~scan.jpg", ".scan.jpg", "scan.jpg.part", "scan.jpg.crdownload"):
        (inbox / name).write_bytes(data)
    watch = WatchFolder(inbox, state)
    assert [watch.poll_once() for _ in range(3)] == [[], [], []]
    os.replace(inbox / "scan.jpg.part", inbox / "scan003.jpg")
    assert watch.poll_once() == []
    assert names(watch.poll_once()) == ["scan003.jpg"]
    assert is_temporary("扫描件.TMP") and not is_temporary("扫描件.jpg")


def test_same_content_again_is_not_taken_twice_but_new_content_is(folders, tmp_path):
    inbox, state = folders
    data = jpeg_bytes(tmp_path, "white")
    (inbox / "a.jpg").write_bytes(data)
    watch = WatchFolder(inbox, state)
    watch.poll_once()
    assert names(watch.poll_once()) == ["a.jpg"]
    (inbox / "copy of a.jpg").write_bytes(data)                  # a copy under another name
    os.utime(inbox / "a.jpg", ns=(time.time_ns(), time.time_ns() + 5_000_000))   # touched
    assert watch.poll_once() == [] and watch.poll_once() == []
    (inbox / "a.jpg").write_bytes(jpeg_bytes(tmp_path, "black"))  # the scanner reused the name
    assert watch.poll_once() == []
    pages = watch.poll_once()
    assert names(pages) == ["a.jpg"] and pages[0].image.getpixel((10, 10)) == (0, 0, 0)
    assert pages[0].index == 2


def test_a_broken_file_is_reported_once_after_waiting(folders, tmp_path):
    inbox, state = folders
    (inbox / "note.jpg").write_text("hello", encoding="utf-8")
    (inbox / "ok.png").write_bytes(b"")
    Image.new("L", (300, 300), 0).save(inbox / "good.png")
    reported = []
    watch = WatchFolder(inbox, state, give_up_polls=3, on_error=reported.append)
    taken = [names(watch.poll_once()) for _ in range(6)]
    assert taken == [[], ["good.png"], [], [], [], []]
    assert [str(e) for e in watch.errors] == [
        "无法读取文件 note.jpg：不是有效的图片（内容无法识别，可能不是图片、与扩展名不符或已损坏）",
        "无法读取文件 ok.png：文件是空的（0 字节）",
    ]
    assert reported == watch.errors


def test_since_skips_old_files_and_a_missing_folder_is_an_error(folders, tmp_path):
    inbox, state = folders
    (inbox / "yesterday.jpg").write_bytes(jpeg_bytes(tmp_path))
    hour_ago = time.time() - 3600
    os.utime(inbox / "yesterday.jpg", (hour_ago, hour_ago))
    (inbox / "now.jpg").write_bytes(jpeg_bytes(tmp_path, "red"))
    watch = WatchFolder(inbox, state, since=time.time() - 60)
    watch.poll_once()
    assert names(watch.poll_once()) == ["now.jpg"]
    with pytest.raises(ScanError) as err:
        WatchFolder(tmp_path / "gone", state).poll_once()
    assert str(err.value) == f"扫描失败：监视文件夹不存在或无法访问：{tmp_path / 'gone'}"


def test_the_iterator_yields_as_files_arrive_and_stops_on_the_event(folders, tmp_path):
    inbox, state = folders
    data = jpeg_bytes(tmp_path)
    stop = threading.Event()
    watch = WatchFolder(inbox, state)

    def scanner_saves_later():
        time.sleep(0.1)
        (inbox / "late.jpg").write_bytes(data)

    threading.Thread(target=scanner_saves_later).start()
    started = time.monotonic()
    got = []
    for page in watch.pages(cancel=stop, interval=0.05):
        got.append(page)
        stop.set()
    assert names(got) == ["late.jpg"]
    assert time.monotonic() - started < 5
