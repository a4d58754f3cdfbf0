"""``python main.py scan`` against SANE's real ``test`` backend."""
import json
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from tests.sane_fixtures import ROOT

pytestmark = pytest.mark.timeout(120)


def test_list_shows_both_test_scanners(run_main):
    done = run_main("scan", "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["扫描仪 test:0：Noname frontend-tester（virtual device）",
                                            "扫描仪 test:1：Noname frontend-tester（virtual device）"]
    listed = json.loads(run_main("scan", "--list", "--json").stdout)
    assert [d["name"] for d in listed["devices"]] == ["test:0", "test:1"]


def test_flatbed_scan_writes_one_png_at_the_chosen_dpi(run_main, tmp_path):
    out = tmp_path / "pages"
    done = run_main("scan", "--device", "test:0", "--mode", "gray", "--resolution", "200", "--raw",
                    "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload == {"device": "test:0", "source": "flatbed", "out": str(out), "error": None,
                       "pages": [{"file": str(out / "page-0001.png"),
                                  "width": 629, "height": 787, "dpi": 200}]}
    with Image.open(out / "page-0001.png") as im:
        assert im.size == (629, 787)          # 80 x 100 mm at 200 dpi
        assert im.mode == "L"
        assert [round(v) for v in im.info["dpi"]] == [200, 200]


def test_feeder_scan_writes_ten_numbered_pages(run_main, tmp_path):
    out = tmp_path / "batch"
    done = run_main("scan", "--device", "test:0", "--source", "adf", "--resolution", "100", "--raw",
                    "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"page-{i:04d}.png" for i in range(1, 11)]
    assert done.stdout.splitlines()[0] == "已保存 page-0001.png（314×393 像素，100 dpi）"
    assert done.stdout.splitlines()[-1] == f"共 10 页，保存在 {out}"


def test_jam_exits_non_zero_and_keeps_the_pages_on_disk(sane_env, tmp_path):
    out = tmp_path / "jammed"
    # The fourth sheet jams: after page 3 is saved, the device reports a jam on the next read.
    code = textwrap.dedent(f"""
        import sys
        from scanner.sources import sane_source
        real_pages = sane_source.SaneSource.pages
        def pages(self, *args, **kwargs):
            for page in real_pages(self, *args, **kwargs):
                yield page
                if page.index == 3:
                    self.device.read_return_value = "SANE_STATUS_JAMMED"
        sane_source.SaneSource.pages = pages
        from cli import main
        sys.exit(main(["scan", "--device", "test:0", "--source", "adf", "--resolution", "100",
                       "--out", {str(out)!r}, "--json"]))      # cleaned (the default)
    """)
    done = subprocess.run([sys.executable, "-c", code], env=sane_env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "卡纸：已保留前 3 页，请清除卡纸后继续扫描"
    payload = json.loads(done.stdout)
    assert payload["error"] == "卡纸：已保留前 3 页，请清除卡纸后继续扫描"
    assert [p["file"] for p in payload["pages"]] == [str(out / f"page-{i:04d}.png") for i in (1, 2, 3)]
    assert sorted(p.name for p in out.iterdir()) == ["page-0001.png", "page-0002.png", "page-0003.png"]


def test_jam_on_the_first_sheet(run_main, tmp_path):
    out = tmp_path / "none"
    done = run_main("scan", "--device", "test:0", "--source", "adf", "--out", str(out),
                    "--option", "read-return-value=SANE_STATUS_JAMMED")
    assert done.returncode == 1
    assert done.stderr.strip() == "卡纸：尚未扫描到任何页面，请清除卡纸后继续扫描"
    assert not out.exists()


def test_unplugged_scanner_and_missing_device_argument(run_main, tmp_path):
    done = run_main("scan", "--device", "fujitsu:fi-7160:99", "--out", str(tmp_path / "x"), "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"] == (
        "找不到扫描仪“fujitsu:fi-7160:99”：设备未连接、已断开或名称有误，请检查电源和数据线后重试")
    done = run_main("scan")
    assert done.returncode == 1
    assert done.stderr.strip() == "请用 --device 指定扫描仪（用 --list 查看可用设备）"


def test_duplex_on_a_simplex_scanner_and_reused_output_folder(run_main, tmp_path):
    done = run_main("scan", "--device", "test:0", "--duplex", "--out", str(tmp_path / "d"))
    assert done.returncode == 1
    assert done.stderr.strip() == "扫描设置无效：扫描仪“test:0”不支持双面扫描"
    out = tmp_path / "used"
    out.mkdir()
    (out / "page-0001.png").write_bytes(b"an earlier scan")
    done = run_main("scan", "--device", "test:0", "--out", str(out))
    assert done.returncode == 1
    assert done.stderr.strip() == f"文件夹 {out} 里已有扫描页面，请换一个文件夹，以免覆盖"
    assert (out / "page-0001.png").read_bytes() == b"an earlier scan"


def test_clean_marks_a_white_sheet_blank_and_keeps_the_scan_dpi(run_main, tmp_path):
    rows = {}
    for picture in ("Solid white", "Grid"):
        out = tmp_path / picture.replace(" ", "-")
        done = run_main("scan", "--device", "test:0", "--mode", "gray", "--resolution", "150",
                        "--option", f"test-picture={picture}", "--out", str(out), "--json")
        assert done.returncode == 0, done.stderr
        rows[picture], = json.loads(done.stdout)["pages"]
        with Image.open(rows[picture]["file"]) as im:
            assert im.mode == "L"                                   # cleanup keeps grey pages
            assert im.size == (rows[picture]["width"], rows[picture]["height"])
            assert [round(v) for v in im.info["dpi"]] == [150, 150]
    assert rows["Solid white"]["blank"] is True
    assert rows["Grid"]["blank"] is False


def test_colour_scan_is_cleaned_but_keeps_its_colour_and_raw_skips_cleanup(run_main, tmp_path):
    """Red seals are evidence: a colour page goes through crop/deskew and stays RGB."""
    out = tmp_path / "colour"
    done = run_main("scan", "--device", "test:0", "--mode", "color", "--resolution", "150",
                    "--option", "test-picture=Color pattern", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    row, = json.loads(done.stdout)["pages"]
    assert row["file"] == str(out / "page-0001.png") and "blank" in row
    with Image.open(row["file"]) as im:
        assert im.mode == "RGB" and im.size == (row["width"], row["height"])
        assert len(im.convert("RGB").resize((64, 64)).getcolors(4096) or []) > 8   # still in colour
    raw = tmp_path / "raw"
    done = run_main("scan", "--device", "test:0", "--mode", "color", "--resolution", "150",
                    "--raw", "--option", "test-picture=Color pattern", "--out", str(raw), "--json")
    assert done.returncode == 0, done.stderr
    row, = json.loads(done.stdout)["pages"]
    assert "blank" not in row
