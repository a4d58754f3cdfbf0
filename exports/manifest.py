"""Case package manifest, the signed transfer zip and its verification.

Zip layout (names are ASCII; Chinese names live in the manifest)::

    <case_no>.pdf              the package PDF
    pages/m01-p001.jpg ...     each page image as embedded (.jpg/.tif/.png)
    window_public_key.pem      the sending window's Ed25519 public key
    manifest.json              UTF-8 JSON, see build_manifest
    manifest.sig               base64 Ed25519 signature over manifest.json's bytes

manifest.json::

    {"format": "tongban-case-package/1",
     "case": {"case_no", "item", "home", "window"},
     "materials": [{"name", "pages", "files": [zip paths]}],
     "pages": [{"index", "material", "file", "encoding", "width_px", "height_px",
                "dpi", "verified", "ocr_chars"}],
     "page_count": int,
     "files": [{"path", "sha256", "bytes"}],     # every zip member but manifest.*
     "public_key_fingerprint": str,
     "software_version": str, "created_at": ISO 8601 with UTC offset}

``verify_package_zip`` re-hashes every member, checks the signature (against
the key in the zip, or a trusted key when given) and returns a report whose
problems are Chinese sentences naming the file at fault.

Writing the zip into place is the caller's (exports.package, through
forms.files.atomic_path). Any thread.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from exports import signing
from forms.errors import ExportError

FORMAT = "tongban-case-package/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
PUBLIC_KEY_NAME = "window_public_key.pem"
_CHUNK = 1 << 20


class PackageVerificationFailed(ExportError):
    message = "材料包校验未通过：{}"


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def build_manifest(case: dict, materials: list[dict], pages: list[dict],
                   files: list[dict], fingerprint: str, software_version: str,
                   created_at: dt.datetime | None = None) -> dict:
    """Assemble the manifest dict (see the module docstring for its fields)."""
    created_at = created_at or dt.datetime.now().astimezone()
    return {
        "format": FORMAT,
        "case": dict(case),
        "materials": list(materials),
        "pages": list(pages),
        "page_count": len(pages),
        "files": list(files),
        "public_key_fingerprint": fingerprint,
        "software_version": software_version,
        "created_at": created_at.isoformat(timespec="seconds"),
    }


def manifest_bytes(manifest: dict) -> bytes:
    """The exact bytes that are stored and signed: pretty UTF-8 JSON, Chinese unescaped."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def file_entry(arcname: str, source) -> dict:
    """A manifest 'files' entry for a zip member given as a path or bytes."""
    if isinstance(source, (bytes, bytearray)):
        return {"path": arcname, "sha256": sha256_bytes(bytes(source)), "bytes": len(source)}
    return {"path": arcname, "sha256": sha256_file(source), "bytes": os.path.getsize(source)}


def write_package_zip(zip_path, members: list[tuple[str, object]], manifest_data: bytes,
                      signature: bytes) -> None:
    """Write members (arcname, path|bytes), manifest.json and manifest.sig to ``zip_path``."""
    with zipfile.ZipFile(zip_path, "w", allowZip64=True) as zf:
        for arcname, source in members:
            # Images and PDFs are already compressed; deflating them wastes time.
            packed = arcname.endswith((".pem", ".json", ".txt"))
            kind = zipfile.ZIP_DEFLATED if packed else zipfile.ZIP_STORED
            if isinstance(source, (bytes, bytearray)):
                zf.writestr(arcname, bytes(source), compress_type=kind)
            else:
                zf.write(source, arcname, compress_type=kind)
        zf.writestr(MANIFEST_NAME, manifest_data, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(SIGNATURE_NAME, signing.encode_signature(signature),
                    compress_type=zipfile.ZIP_DEFLATED)


@dataclass
class VerifyReport:
    ok: bool
    problems: list[str] = field(default_factory=list)   # Chinese, one per fault
    warnings: list[str] = field(default_factory=list)
    manifest: dict | None = None
    fingerprint: str = ""                                # of the key in the zip
    files_checked: int = 0

    def raise_if_failed(self) -> None:
        """Raise PackageVerificationFailed listing the problems, if any."""
        if not self.ok:
            raise PackageVerificationFailed("；".join(self.problems))


def _read_member(zf: zipfile.ZipFile, name: str, problems: list[str]) -> bytes | None:
    try:
        return zf.read(name)
    except KeyError:
        problems.append(f"材料包中缺少文件 {name}")
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        problems.append(f"文件 {name} 已损坏（压缩包校验失败）")
    return None


def verify_package_zip(zip_path, trusted_public_key=None) -> VerifyReport:
    """Check every SHA-256 and the manifest signature of a package zip; never raises for tampering."""
    problems: list[str] = []
    warnings: list[str] = []
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as e:
        return VerifyReport(False, [f"{Path(zip_path).name} 不是有效的材料包压缩文件（{e}）"])
    with zf:
        data = _read_member(zf, MANIFEST_NAME, problems)
        sig_text = _read_member(zf, SIGNATURE_NAME, problems)
        pem = _read_member(zf, PUBLIC_KEY_NAME, problems)
        manifest, fingerprint = None, ""
        if data is not None:
            try:
                manifest = json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                problems.append(f"{MANIFEST_NAME} 不是有效的 JSON 清单")
        if pem is not None:
            try:
                embedded = signing.load_public_key_pem(pem)
                fingerprint = signing.public_key_fingerprint(embedded)
            except signing.SignatureInvalid as e:
                problems.append(f"{PUBLIC_KEY_NAME}：{e}")
                embedded = None
        else:
            embedded = None
        key = embedded
        if trusted_public_key is not None:
            key = trusted_public_key
            if embedded is not None and signing.public_key_fingerprint(trusted_public_key) != fingerprint:
                problems.append("材料包中的窗口公钥与受信任的公钥不一致（指纹不同）")
        else:
            warnings.append("未提供受信任的公钥，仅用包内公钥校验签名")
        if data is not None and sig_text is not None and key is not None:
            try:
                signing.verify_manifest(data, signing.decode_signature(sig_text), key)
            except signing.SignatureInvalid as e:
                problems.append(str(e))
        checked = 0
        if isinstance(manifest, dict):
            checked = _check_files(zf, manifest, problems)
    return VerifyReport(not problems, problems, warnings, manifest, fingerprint, checked)


def _check_files(zf: zipfile.ZipFile, manifest: dict, problems: list[str]) -> int:
    listed = {}
    for entry in manifest.get("files", []):
        listed[entry.get("path", "")] = entry
    checked = 0
    for name, entry in listed.items():
        content = _read_member(zf, name, problems)
        if content is None:
            continue
        checked += 1
        if sha256_bytes(content) != entry.get("sha256"):
            problems.append(f"文件 {name} 的 SHA-256 校验值与清单不符，文件已被改动或损坏")
    for name in zf.namelist():
        if name not in listed and name not in (MANIFEST_NAME, SIGNATURE_NAME) and not name.endswith("/"):
            problems.append(f"材料包中有清单未列出的文件 {name}")
    return checked
