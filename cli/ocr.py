"""`main.py ocr FILE... [--lang chi_sim+eng] [--json]`: OCR images and PDFs, list fields found.

Every page of every file goes through the same cleanup and OCR pipeline the GUI
uses. A file that cannot be read is reported (naming the file) and the others go
on; the exit status is 1 if any file or page failed.
"""
from __future__ import annotations

import sys

from cli import emit
from forms import config
from forms.errors import ImageError
from scanner import imageio
from scanner.fields import KIND_LABELS
from scanner.ocr import DEFAULT_LANGS, check_languages
from scanner.pipeline import process_pages
from scanner.sources.base import AcquiredPage


def add_parser(subparsers) -> None:
    """Register the ocr subcommand."""
    p = subparsers.add_parser("ocr", help="识别图片或 PDF 中的文字，提取证件号码等字段",
                              description="识别图片（JPEG/PNG/TIFF/BMP）或 PDF 中的文字，"
                                          "提取身份证、营业执照、户口簿上的字段并校验号码。")
    p.add_argument("files", nargs="+", metavar="FILE", help="要识别的图片或 PDF 文件")
    p.add_argument("--lang", default=DEFAULT_LANGS,
                   help=f"Tesseract 识别语言，多种用 + 连接（默认 {DEFAULT_LANGS}）")
    p.add_argument("--workers", type=int, default=None, help="并行识别的进程数（默认每核一个）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象：{\"pages\": [...]}")
    p.set_defaults(func=run, needs_db=False)


def _field_entry(field) -> dict:
    entry = {"kind": field.kind, "value": field.value, "valid": field.valid}
    if field.corrected_from:
        entry["corrected_from"] = field.corrected_from
    return entry


def _describe(entry: dict) -> str:
    if "page" not in entry:
        return f"== {entry['file']}：{entry['error']}"
    head = f"== {entry['file']} 第 {entry['page']} 页"
    if "error" in entry:
        return f"{head}：{entry['error']}"
    lines = [f"{head}（置信度 {entry['confidence']:.0f}）"]
    if entry["text"]:
        lines.append(entry["text"])
    for f in entry["fields"]:
        check = {True: "校验通过", False: "校验未通过", None: ""}[f["valid"]]
        fixed = f"，由 {f['corrected_from']} 纠正" if f.get("corrected_from") else ""
        note = f"（{check}{fixed}）" if check or fixed else ""
        lines.append(f"字段：{KIND_LABELS.get(f['kind'], f['kind'])} {f['value']}{note}")
    lines.extend(f"提示：{w}" for w in entry["warnings"])
    return "\n".join(lines)


def run(args) -> int:
    """OCR every page of args.files; print text/fields (or one JSON object); 1 if anything failed."""
    check_languages(args.lang)
    origins: list[tuple[int, int]] = []       # (file index, page in file) of each page sent
    failures: dict[int, str] = {}

    def pages():
        for number, name in enumerate(args.files):
            try:
                for loaded in imageio.load_pages(name):
                    origins.append((number, loaded.page_in_file))
                    yield AcquiredPage(image=loaded.image, source="file", index=loaded.page_in_file,
                                       dpi=loaded.dpi, file=name, page_in_file=loaded.page_in_file,
                                       warnings=list(loaded.warnings))
            except ImageError as e:
                failures[number] = str(e)

    live = sys.stderr.isatty()       # one updating line on a terminal, a line per page in a log

    def progress(done, total, what):
        if not args.json:
            count = f"已识别 {done}{'/' + str(total) if total else ''} 页"
            sys.stderr.write(f"\r{count}" if live else f"{count}\n")
            sys.stderr.flush()

    with config.work_folder("ocr") as job_dir:
        results = list(process_pages(pages(), progress=progress, langs=args.lang,
                                     workers=args.workers, job_dir=job_dir))
    if results and not args.json and live:
        sys.stderr.write("\n")

    by_file: dict[int, list[dict]] = {}
    for (number, page_in_file), page in zip(origins, results):
        entry = {"file": args.files[number], "page": page_in_file}
        if page.error:
            entry["error"] = page.error
        else:
            entry.update(text=page.text, confidence=page.confidence, blank=page.blank,
                         fields=[_field_entry(f) for f in page.fields], warnings=list(page.warnings))
        by_file.setdefault(number, []).append(entry)
    entries = []
    for number, name in enumerate(args.files):
        entries.extend(by_file.get(number, []))
        if number in failures:
            entries.append({"file": name, "error": failures[number]})
    emit(args, {"pages": entries}, "\n\n".join(_describe(e) for e in entries))
    return 1 if any("error" in e for e in entries) else 0
