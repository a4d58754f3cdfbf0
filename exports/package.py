"""Compose the case package: one PDF, a signed manifest and the transfer zip.

    build_package(info: PackageInfo, transmittal_pdf, materials: list[PackageMaterial],
                  out_dir, key: Ed25519PrivateKey, progress=None, cancel=None) -> PackageResult

* ``PackageInfo(case_no, item_name, window_name, home_name, software_version)``
* ``PackageMaterial(name, pages: list[PackagePage])`` in catalog order;
* ``PackagePage(image_path, ocr: OcrPage | None = None, verified_mark: VerifiedMark | None = None)``;
  ``VerifiedMark(item_name, clerk_name, verified_on: date)`` is from exports.stamps;
* ``progress(done, total, what)`` is called from the calling thread with a Chinese ``what``;
* ``cancel`` is a threading.Event or a callable returning True to stop (raises Cancelled);
* ``PackageResult(pdf_path, zip_path, manifest_path, pages, bytes, material_pages,
  zip_bytes, fingerprint)``: ``pages`` counts every PDF page, ``bytes`` is the PDF size.

The PDF holds the transmittal's pages, then each material's pages. Every
material page is its compressed image (exports.pageimages, embedded as-is),
an invisible OCR text layer (exports.textlayer) and, on a verified copy, the
原件核验 mark (exports.stamps). Bookmarks: "流转单", then "1. 居民身份证（3 页）" ...

Outputs in ``out_dir``: ``<case_no>.pdf``, ``<case_no>.manifest.json`` and
``<case_no>.zip`` (layout in exports.manifest). Each is written by
forms.files.atomic_path (temp file, fsync, rename; 0600), the zip last, so a
zip present means a whole package. Intermediate files go to a per-job temp
folder that is removed.
Run on a worker thread: it takes seconds per page.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import A4

from exports import fonts, manifest, signing, stamps, textlayer
from exports.pageimages import EncodedPage, encode_page
from exports.stamps import VerifiedMark
from forms import config, files
from forms.errors import Cancelled, ExportError
from forms.ocrdata import OcrPage

__all__ = ["PackageInfo", "PackagePage", "PackageMaterial", "PackageResult",
           "VerifiedMark", "build_package", "bookmark_title"]


@dataclass
class PackageInfo:
    case_no: str
    item_name: str
    window_name: str           # the receiving window (this one)
    home_name: str             # the home jurisdiction (属地)
    software_version: str


@dataclass
class PackagePage:
    image_path: str | Path
    ocr: OcrPage | None = None
    verified_mark: VerifiedMark | None = None


@dataclass
class PackageMaterial:
    name: str
    pages: list[PackagePage] = field(default_factory=list)


@dataclass
class PackageResult:
    pdf_path: Path
    zip_path: Path
    manifest_path: Path
    pages: int                 # all PDF pages, transmittal included
    bytes: int                 # size of the PDF
    material_pages: int = 0
    zip_bytes: int = 0
    fingerprint: str = ""      # of the signing window's public key


def bookmark_title(index: int, material: PackageMaterial) -> str:
    """Outline title of a material, e.g. '1. 居民身份证（3 页）'."""
    return f"{index}. {material.name}（{len(material.pages)} 页）"


def safe_file_stem(case_no: str) -> str:
    """case_no made safe as a file name on Linux and Windows."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", case_no).strip(" .")
    return stem or "case"


def _check_cancel(cancel) -> None:
    if cancel is None:
        return
    stop = cancel.is_set() if hasattr(cancel, "is_set") else cancel()
    if stop:
        raise Cancelled()


def _check_inputs(info: PackageInfo, transmittal_pdf, materials) -> None:
    if not materials:
        raise ExportError("材料包中没有任何材料")
    empty = [m.name for m in materials if not m.pages]
    if empty:
        raise ExportError(f"以下材料没有页面：{'、'.join(empty)}")
    if not Path(transmittal_pdf).is_file():
        raise ExportError(f"找不到流转单文件 {transmittal_pdf}")
    if not info.case_no.strip():
        raise ExportError("办件编号为空")


def _encode_all(materials, report, cancel) -> list[EncodedPage]:
    encoded = []
    total = sum(len(m.pages) for m in materials)
    for m in materials:
        for page in m.pages:
            _check_cancel(cancel)
            report(f"压缩第 {len(encoded) + 1}/{total} 页（{m.name}）")
            dpi = page.ocr.dpi if page.ocr is not None and page.ocr.dpi else 300
            encoded.append(encode_page(page.image_path, default_dpi=dpi))
    return encoded


def _write_overlay(path: Path, pages: list[PackagePage], encoded: list[EncodedPage]) -> None:
    """One reportlab page per material page: the invisible text layer and the verified mark."""
    canvas = fonts.make_canvas(str(path), A4)
    for page, enc in zip(pages, encoded):
        w, h = enc.size_pt
        canvas.setPageSize((w, h))
        if page.ocr is not None:
            textlayer.draw_text_layer(canvas, page.ocr, w, h)
        if page.verified_mark is not None:
            mask = stamps.ink_mask(page.image_path)
            stamps.draw_verified_mark(canvas, page.verified_mark, w, h, mask)
        canvas.showPage()
    canvas.save()


def _assemble_pdf(target: Path, info: PackageInfo, transmittal_pdf, overlay: Path,
                  encoded: list[EncodedPage], materials) -> int:
    try:
        pdf = pikepdf.open(transmittal_pdf)
    except pikepdf.PdfError as e:
        raise ExportError(f"流转单文件无法读取：{Path(transmittal_pdf).name}") from e
    with pdf, pikepdf.open(overlay) as layer:
        first_material_page = len(pdf.pages)
        for enc, src in zip(encoded, layer.pages):
            pdf.pages.append(src)
            page = pdf.pages[-1]
            _put_image_under(pdf, page, enc)
        with pdf.open_outline() as outline:
            outline.root.clear()
            outline.root.append(pikepdf.OutlineItem("流转单", 0))
            at = first_material_page
            for i, m in enumerate(materials, 1):
                outline.root.append(pikepdf.OutlineItem(bookmark_title(i, m), at))
                at += len(m.pages)
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = f"{info.case_no} {info.item_name} 材料包"
            meta["xmp:CreatorTool"] = f"通办收件台 {info.software_version}"
        pdf.docinfo["/Title"] = f"{info.case_no} {info.item_name} 材料包"
        pdf.docinfo["/Creator"] = f"通办收件台 {info.software_version}"
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        pages = len(pdf.pages)
        pdf.save(target, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return pages


def _put_image_under(pdf: pikepdf.Pdf, page: pikepdf.Page, enc: EncodedPage) -> None:
    """Paint the page image first, under the overlay's text layer and mark."""
    w, h = enc.size_pt
    name = page.add_resource(enc.pdf_image(pdf), pikepdf.Name.XObject, prefix="Scan")
    draw = f"q {w:.4f} 0 0 {h:.4f} 0 0 cm {name} Do Q\n".encode()
    page.contents_add(pdf.make_stream(draw), prepend=True)


def _page_records(materials, encoded, first_pdf_page: int, page_files: list[str]) -> list[dict]:
    records = []
    flat = [(m, p) for m in materials for p in m.pages]
    for i, ((m, p), enc, arc) in enumerate(zip(flat, encoded, page_files)):
        records.append({
            "index": i + 1, "pdf_page": first_pdf_page + i + 1, "material": m.name,
            "file": arc, "encoding": enc.kind, "width_px": enc.width,
            "height_px": enc.height, "dpi": round(enc.dpi, 2),
            "verified": p.verified_mark is not None,
            "ocr_chars": len(p.ocr.text) if p.ocr is not None else 0,
        })
    return records


def build_package(info: PackageInfo, transmittal_pdf, materials: list[PackageMaterial],
                  out_dir, key, progress=None, cancel=None) -> PackageResult:
    """Build <case_no>.pdf, .manifest.json and the signed .zip in out_dir; worker thread."""
    _check_inputs(info, transmittal_pdf, materials)
    total = sum(len(m.pages) for m in materials) + 3
    done = [0]

    def report(what: str) -> None:
        if progress is not None:
            progress(done[0], total, what)
        done[0] += 1

    out_dir = Path(out_dir)
    stem = safe_file_stem(info.case_no)
    pdf_path = out_dir / f"{stem}.pdf"
    zip_path = out_dir / f"{stem}.zip"
    manifest_path = out_dir / f"{stem}.manifest.json"
    encoded = _encode_all(materials, report, cancel)
    all_pages = [p for m in materials for p in m.pages]
    with config.work_folder("package") as work, \
            contextlib.ExitStack() as outputs:
        # Entered zip first so that it is moved into place last.
        zip_tmp = outputs.enter_context(files.atomic_path(zip_path, what="材料包"))
        pdf_tmp = outputs.enter_context(files.atomic_path(pdf_path, what="材料包 PDF"))
        manifest_tmp = outputs.enter_context(files.atomic_path(manifest_path, what="材料包清单"))
        _check_cancel(cancel)
        report("生成文字层与原件核验章")
        overlay = Path(work) / "overlay.pdf"
        _write_overlay(overlay, all_pages, encoded)
        _check_cancel(cancel)
        report("合成 PDF")
        pdf_pages = _assemble_pdf(pdf_tmp, info, transmittal_pdf, overlay, encoded, materials)
        _check_cancel(cancel)
        report("生成清单、签名并打包")
        data, signature = _manifest_and_members(
            info, materials, encoded, pdf_pages, stem, pdf_tmp, key, zip_tmp)
        manifest_tmp.write_bytes(data)
    if progress is not None:
        progress(total, total, "材料包已生成")
    return PackageResult(pdf_path, zip_path, manifest_path, pdf_pages, pdf_path.stat().st_size,
                         len(all_pages), zip_path.stat().st_size,
                         signing.public_key_fingerprint(key.public_key()))


def _manifest_and_members(info, materials, encoded, pdf_pages, stem, pdf_tmp, key, zip_tmp):
    page_files, mat_entries, k = [], [], 0
    for mi, m in enumerate(materials, 1):
        arcnames = []
        for pi in range(1, len(m.pages) + 1):
            arcnames.append(f"pages/m{mi:02d}-p{pi:03d}{encoded[k].file_ext}")
            k += 1
        page_files += arcnames
        mat_entries.append({"name": m.name, "pages": len(m.pages), "files": arcnames})
    pem = signing.public_key_pem(key)
    members = [(f"{stem}.pdf", pdf_tmp)]
    members += [(arc, enc.file_bytes) for arc, enc in zip(page_files, encoded)]
    members.append((manifest.PUBLIC_KEY_NAME, pem))
    case = {"case_no": info.case_no, "item": info.item_name,
            "home": info.home_name, "window": info.window_name}
    first = pdf_pages - len(encoded)
    doc = manifest.build_manifest(
        case, mat_entries, _page_records(materials, encoded, first, page_files),
        [manifest.file_entry(arc, src) for arc, src in members],
        signing.public_key_fingerprint(key.public_key()), info.software_version)
    data = manifest.manifest_bytes(doc)
    signature = signing.sign_manifest(data, key)
    manifest.write_package_zip(zip_tmp, members, data, signature)
    return data, signature
