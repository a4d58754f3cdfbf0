"""SaneSource against SANE's real ``test`` backend, each run in its own process.

The test device scans an 80 x 100 mm area; its feeder holds 10 sheets; its
``read-return-value`` option makes sane_read() report a jam, an empty feeder or
an I/O error (what an unplugged USB scanner gives) from that page on.
"""
import textwrap

import pytest

from scanner.sources import sane_source

pytestmark = pytest.mark.timeout(120)

PRELUDE = textwrap.dedent("""
    import json, threading
    import numpy as np
    from scanner.sources import SaneSource, ScanSettings, ScanInterrupted
    from forms.errors import ClerkError

    def run(settings, after=None, cancel=None):
        src = SaneSource(settings)
        pages, calls, error = [], [], None
        try:
            for page in src.pages(progress=lambda *a: calls.append(list(a)), cancel=cancel):
                pages.append({"index": page.index, "size": list(page.image.size), "mode": page.image.mode,
                              "dpi": page.dpi, "side": page.side, "source": page.source,
                              "info_dpi": list(page.image.info["dpi"])})
                if after:
                    after(src, page)
        except ClerkError as e:
            error = {"type": type(e).__name__, "text": str(e), "kept": getattr(e, "pages_kept", None)}
        return {"pages": pages, "error": error, "calls": calls}
""")


def grid_edges(line):
    """Positions where a row/column of the Grid picture changes colour."""
    import numpy as np
    return [int(i) + 1 for i in np.flatnonzero(np.diff(line.astype(int)) != 0)]


def test_flatbed_page_has_the_size_and_grid_of_the_chosen_dpi(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        grid = {}
        def keep(src, page):
            a = np.asarray(page.image.convert("L"))
            grid["row"] = [int(i) + 1 for i in np.flatnonzero(np.diff(a[59].astype(int)) != 0)]
        result = run(ScanSettings("test:0", "flatbed", "color", 300, options={"test-picture": "Grid"}), keep)
        result["row"] = grid["row"]
        print(json.dumps(result))
    """))
    assert out["error"] is None
    assert len(out["pages"]) == 1
    page = out["pages"][0]
    # 80 x 100 mm at 300 dpi: 80 / 25.4 * 300 = 944.9 and 100 / 25.4 * 300 = 1181.1 pixels
    assert page["size"] == [944, 1181]
    assert page["mode"] == "RGB" and page["dpi"] == 300 and page["info_dpi"] == [300, 300]
    assert page["side"] is None and page["source"] == "sane:test:0" and page["index"] == 1
    # the test picture's squares are 10 mm: an edge every 118.1 pixels at 300 dpi
    assert len(out["row"]) == 7
    for k, edge in enumerate(out["row"], start=1):
        assert abs(edge - k * 300 / 2.54) <= 2
    assert out["calls"] == [[0, 1, "正在扫描第 1 页"], [1, 1, "已扫描 1 页"], [1, 1, "扫描完成，共 1 页"]]


def test_feeder_yields_its_ten_sheets_then_ends_normally(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        print(json.dumps(run(ScanSettings("test:0", "adf", "gray", 100))))
    """))
    assert out["error"] is None
    assert [p["index"] for p in out["pages"]] == list(range(1, 11))
    assert {tuple(p["size"]) for p in out["pages"]} == {(314, 393)}   # 80 x 100 mm at 100 dpi
    assert {p["mode"] for p in out["pages"]} == {"L"}
    assert out["calls"][-2:] == [[10, None, "正在扫描第 11 页"], [10, 10, "扫描完成，共 10 页"]]


def test_jam_keeps_the_pages_already_scanned(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        def jam_after_third(src, page):
            if page.index == 3:   # the next sheet jams in the feeder
                src.device.read_return_value = "SANE_STATUS_JAMMED"
        print(json.dumps(run(ScanSettings("test:0", "adf", "gray", 100), jam_after_third)))
    """))
    assert [p["index"] for p in out["pages"]] == [1, 2, 3]
    assert out["error"] == {"type": "PaperJam", "kept": 3,
                            "text": "卡纸：已保留前 3 页，请清除卡纸后继续扫描"}


def test_cable_pulled_mid_batch_keeps_pages_and_says_so(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        def unplug_after_second(src, page):
            if page.index == 2:
                src.device.read_return_value = "SANE_STATUS_IO_ERROR"
        print(json.dumps(run(ScanSettings("test:0", "adf", "gray", 100), unplug_after_second)))
    """))
    assert len(out["pages"]) == 2
    assert out["error"] == {"type": "DeviceGone", "kept": 2,
                            "text": "扫描仪连接中断：已保留前 2 页，请检查电源和数据线，重新连接后继续扫描"}


def test_empty_feeder_and_open_cover_before_the_first_page(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        results = [run(ScanSettings("test:0", "adf", "gray", 100,
                                    options={"read-return-value": status}))
                   for status in ("SANE_STATUS_NO_DOCS", "SANE_STATUS_COVER_OPEN")]
        print(json.dumps(results))
    """))
    empty, cover = out
    assert empty["pages"] == [] and cover["pages"] == []
    assert empty["error"]["text"] == "进纸器中没有纸：尚未扫描到任何页面，请放入材料后再扫描"
    assert cover["error"]["text"] == "扫描仪盖板未合上：尚未扫描到任何页面，请合上盖板后继续扫描"


def test_unknown_device_gives_a_chinese_message(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        print(json.dumps(run(ScanSettings("epson2:libusb:001:099"))))
    """))
    assert out["pages"] == []
    assert out["error"]["type"] == "DeviceNotFound"
    assert out["error"]["text"] == ("找不到扫描仪“epson2:libusb:001:099”："
                                    "设备未连接、已断开或名称有误，请检查电源和数据线后重试")


def test_duplex_is_refused_clearly_on_a_simplex_device(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        from scanner.sources import capabilities
        caps = capabilities("test:0")
        result = run(ScanSettings("test:0", "adf", "gray", 100, duplex=True))
        result["caps"] = caps.__dict__
        print(json.dumps(result))
    """))
    assert out["caps"] == {"name": "test:0", "sources": ["flatbed", "adf"], "duplex": False,
                           "modes": ["color", "gray", "lineart"],
                           "resolutions": [150, 200, 240, 300, 400, 600]}
    assert out["pages"] == []
    assert out["error"]["text"] == "扫描设置无效：扫描仪“test:0”不支持双面扫描"


def test_lineart_is_pure_black_and_white_and_16_bit_is_scaled(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        levels = {}
        for mode, opts in (("gray", {}), ("lineart", {}), ("gray", {"depth": "16"})):
            src = SaneSource(ScanSettings("test:0", "flatbed", mode, 100,
                                          options={"test-picture": "Color pattern", **opts}))
            page = next(src.pages())
            a = np.asarray(page.image)
            levels[mode + opts.get("depth", "")] = [page.image.mode, len(np.unique(a)), int(a.max())]
        print(json.dumps(levels))
    """))
    assert out["gray"][0] == "L" and out["gray"][1] > 100      # a smooth ramp
    assert out["lineart"] == ["L", 2, 255]                     # 1-bit: black and white only
    assert out["gray16"][0] == "L" and out["gray16"][1] > 100 and out["gray16"][2] > 200


def test_cancel_stops_at_the_page_boundary_without_error(run_sane):
    out = run_sane(PRELUDE + textwrap.dedent("""
        stop = threading.Event()
        def stop_after_second(src, page):
            if page.index == 2:
                stop.set()
        print(json.dumps(run(ScanSettings("test:0", "adf", "gray", 100), stop_after_second, stop)))
    """))
    assert out["error"] is None
    assert [p["index"] for p in out["pages"]] == [1, 2]


def test_list_devices_sees_both_test_scanners(run_sane):
    out = run_sane(textwrap.dedent("""
        import json
        from scanner.sources import list_devices
        print(json.dumps([[d.name, d.vendor, d.model, d.label] for d in list_devices()]))
    """))
    assert out == [["test:0", "Noname", "frontend-tester", "Noname frontend-tester（test:0）"],
                   ["test:1", "Noname", "frontend-tester", "Noname frontend-tester（test:1）"]]


@pytest.mark.parametrize("offered, want, expected", [
    (["Flatbed", "ADF Front", "ADF Back", "ADF Duplex"], "adf", "ADF Front"),        # fujitsu
    (["Flatbed", "ADF Front", "ADF Back", "ADF Duplex"], "flatbed", "Flatbed"),
    (["FlatBed", "Automatic Document Feeder(left aligned)",
      "Automatic Document Feeder(left aligned,Duplex)"], "adf", "Automatic Document Feeder(left aligned)"),
    (["Flatbed", "Transparency Adapter"], "adf", None),                              # genesys
    (["Platen", "ADF"], "flatbed", "Platen"),                                         # hpaio
])
def test_source_names_of_real_backends_are_understood(offered, want, expected):
    assert sane_source._match_source(offered, want) == expected


def test_settings_are_checked_before_opening_the_device():
    with pytest.raises(sane_source.ScanSettingsError) as err:
        sane_source.SaneSource(sane_source.ScanSettings("test:0", "flatbed", duplex=True))
    assert str(err.value) == "扫描设置无效：双面扫描只能使用进纸器（请选择进纸器）"


def test_unset_source_and_mode_take_the_usual_defaults():
    duplex = sane_source.SaneSource(sane_source.ScanSettings("test:0", source=None, mode=None, duplex=True))
    plain = sane_source.SaneSource(sane_source.ScanSettings("test:0", source=None, mode=None))
    assert (duplex.settings.source, duplex.settings.mode) == ("adf", "color")
    assert (plain.settings.source, plain.settings.mode) == ("flatbed", "color")


@pytest.mark.parametrize("status, text", [
    # sane_strstatus() texts, as the test backend returned them for each read-return-value
    ("Document feeder jammed", "卡纸：已保留前 4 页，请清除卡纸后继续扫描"),
    ("Document feeder out of documents", "进纸器中没有纸：已保留前 4 页，请放入材料后再扫描"),
    ("Scanner cover is open", "扫描仪盖板未合上：已保留前 4 页，请合上盖板后继续扫描"),
    ("Error during device I/O", "扫描仪连接中断：已保留前 4 页，请检查电源和数据线，重新连接后继续扫描"),
    ("Device busy", "扫描仪正忙（可能有其他程序在使用）：已保留前 4 页，请稍后再试"),
    ("Out of memory", "扫描仪报告错误（扫描仪内存不足）：已保留前 4 页，请检查扫描仪后重试"),
    ("Access to resource has been denied",
     "扫描仪报告错误（无权访问扫描仪，请检查设备权限）：已保留前 4 页，请检查扫描仪后重试"),
    ("Operation was canceled", "扫描仪报告错误（扫描仪上按了取消）：已保留前 4 页，请检查扫描仪后重试"),
    ("Invalid argument", "扫描仪报告错误（扫描参数无效）：已保留前 4 页，请检查扫描仪后重试"),
])
def test_every_sane_status_reads_as_chinese(status, text):
    error = sane_source._interruption(status, 4)
    assert str(error) == text and error.pages_kept == 4
