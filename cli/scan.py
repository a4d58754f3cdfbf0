"""``main.py scan``: scan pages from a SANE scanner into a folder as PNG files.

Pages are written as they arrive, so a jam or an unplugged cable keeps what was
already scanned on disk; the command then exits non-zero with the Chinese reason.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from cli import emit
from forms import files
from forms.errors import InvalidInput, ScanError



def add_parser(subparsers) -> None:
    """Register the ``scan`` subcommand."""
    p = subparsers.add_parser("scan", help="用扫描仪扫描材料，保存为 PNG 页面",
                              description="用扫描仪（SANE）扫描材料，每页保存为 page-0001.png 等文件。")
    p.add_argument("--list", action="store_true", help="列出可用的扫描仪和高拍仪")
    p.add_argument("--device", help="扫描仪名称（用 --list 查看），例如 test:0")
    p.add_argument("--source", choices=["flatbed", "adf"], help="纸张来源：flatbed 平板，adf 进纸器（双面时默认 adf）")
    p.add_argument("--mode", choices=["color", "gray", "lineart"], default="color",
                   help="颜色模式：color 彩色，gray 灰度，lineart 黑白（默认彩色）")
    p.add_argument("--resolution", type=int, default=300, help="分辨率，dpi（默认 300）")
    p.add_argument("--duplex", action="store_true", help="双面扫描（需要进纸器）")
    p.add_argument("--out", help="保存页面的文件夹（默认在数据文件夹的 scans 下新建）")
    p.add_argument("--raw", action="store_true",
                   help="保存扫描原样；默认先清理页面（裁到纸边、纠偏、摆正、标出空白页，彩色扫描保留彩色）")
    p.add_argument("--option", action="append", default=[], metavar="名称=值",
                   help="扫描仪的其他后端选项（高级，可多次使用）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=run, needs_db=False)


def run(args) -> int:
    """List devices or scan; returns the exit code (1 when the scan stopped early)."""
    if args.list:
        return _list(args)
    if not args.device:
        raise InvalidInput("请用 --device 指定扫描仪（用 --list 查看可用设备）")
    from scanner.sources import SaneSource, ScanSettings
    source = args.source or ("adf" if args.duplex else "flatbed")
    settings = ScanSettings(device=args.device, source=source, mode=args.mode,
                            resolution=args.resolution, duplex=args.duplex,
                            options=_parse_options(args.option))
    out = _out_dir(args.out)
    written: list[dict] = []
    error = None
    try:
        for page in SaneSource(settings).pages():
            written.append(_save(page, out) if args.raw else _save_clean(page, out))
            if not args.json:
                row = written[-1]
                print(f"已保存 {Path(row['file']).name}（{row['width']}×{row['height']} 像素，{row['dpi']} dpi）", flush=True)
    except ScanError as e:
        error = str(e)
    payload = {"device": args.device, "source": source, "out": str(out),
               "pages": written, "error": error}
    emit(args, payload, f"共 {len(written)} 页，保存在 {out}" if written else None)
    if error:
        sys.stderr.write(error.replace("\n", "；") + "\n")
        return 1
    return 0


def _list(args) -> int:
    from scanner.sources import list_cameras, list_devices
    scanners = list_devices()
    cameras = list_cameras()
    payload = {"devices": [{"name": d.name, "vendor": d.vendor, "model": d.model, "type": d.kind}
                           for d in scanners],
               "cameras": cameras}
    lines = [f"扫描仪 {d.name}：{d.vendor} {d.model}（{d.kind}）" for d in scanners]
    lines += [f"高拍仪 {c}" for c in cameras]
    emit(args, payload, "\n".join(lines) if lines else "没有发现扫描仪或高拍仪")
    return 0


def _parse_options(items: list[str]) -> dict:
    options = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"选项“{item}”应写成 名称=值")
        options[name.strip()] = value.strip()
    return options


def _out_dir(given: str | None) -> Path:
    if given:
        out = Path(given)
    else:
        from forms import config
        out = config.sub_dir("scans") / dt.datetime.now().strftime("scan-%Y%m%d-%H%M%S")
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"{out} 是文件，不是文件夹")
    if out.is_dir() and any(out.glob("page-*.png")):
        raise InvalidInput(f"文件夹 {out} 里已有扫描页面，请换一个文件夹，以免覆盖")
    return out


def _save(page, out: Path) -> dict:
    """Write one page as scanned to page-NNNN.png; the row for the JSON output."""
    image = page.image
    name = f"page-{page.index:04d}.png"
    out.mkdir(parents=True, exist_ok=True)   # only now: a failed scan leaves no empty folder
    with files.atomic_path(out / name, what="扫描页") as tmp:
        image.save(tmp, format="PNG", dpi=(page.dpi, page.dpi))
    row = {"file": str(out / name), "width": image.width, "height": image.height, "dpi": page.dpi}
    if page.side:
        row["side"] = page.side
    return row


def _save_clean(page, out: Path) -> dict:
    """Clean one page (scanner.cleanup, at the scan's own dpi) and write it as page-NNNN.png.

    Grey and lineart pages are written as cleanup stores them; a colour page keeps its
    colour, put through the same crop, turn and deskew.
    """
    import shutil
    from forms import config
    from scanner.cleanup import CleanupContext, clean_page, same_geometry
    colour = page.image.mode not in ("1", "L")
    work = config.new_work_dir("scan") if colour else out
    try:
        ctx = CleanupContext(workdir=work, page_no=page.index, target_dpi=page.dpi, source_dpi=page.dpi,
                             jpeg_for_photos=False)     # the scan command's contract: PNG pages
        cleaned = clean_page(page.image, ctx)
        image, path = cleaned.image, cleaned.path
        if colour:
            image = same_geometry(page.image, cleaned, ctx)
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"page-{page.index:04d}.png"
            with files.atomic_path(path, what="扫描页") as tmp:
                image.save(tmp, format="PNG", dpi=(cleaned.dpi, cleaned.dpi))
    finally:
        if colour:
            shutil.rmtree(work, ignore_errors=True)
    row = {"file": str(path), "width": image.width, "height": image.height,
           "dpi": cleaned.dpi, "blank": cleaned.blank}
    if page.side:
        row["side"] = page.side
    return row
