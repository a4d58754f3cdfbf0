"""Window keys, the signed manifest and verification of a received package zip."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
import zipfile

import pytest
from PIL import Image, ImageDraw, ImageFont

from exports import fonts, manifest, signing
from exports.package import PackageInfo, PackageMaterial, PackagePage, build_package
from forms.errors import ExportError

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
INFO = PackageInfo("TB-2024-000456", "户口迁移", "济南市历下区通办专窗", "天津市和平区", "1.2.3")


def test_window_key_is_created_once_with_mode_0600_and_reloaded(tmp_path):
    key = signing.load_or_create_window_key(tmp_path / "keys")
    path = tmp_path / "keys" / signing.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = signing.load_or_create_window_key(tmp_path / "keys")
    assert signing.public_key_fingerprint(again) == signing.public_key_fingerprint(key)
    assert [p.name for p in (tmp_path / "keys").iterdir()] == [signing.KEY_FILE_NAME]


def test_windows_starting_together_end_up_with_one_key(tmp_path):
    prints, barrier = [], threading.Barrier(4)

    def start():
        barrier.wait()
        prints.append(signing.public_key_fingerprint(
            signing.load_or_create_window_key(tmp_path / "keys")))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    on_disk = signing.load_or_create_window_key(tmp_path / "keys")
    assert set(prints) == {signing.public_key_fingerprint(on_disk)}
    assert len(os.listdir(tmp_path / "keys")) == 1


def test_fingerprint_is_sixteen_groups_of_four_hex_digits(tmp_path):
    fp = signing.public_key_fingerprint(signing.load_or_create_window_key(tmp_path))
    groups = fp.split(" ")
    assert len(groups) == 16 and all(len(g) == 4 for g in groups)
    assert all(c in "0123456789ABCDEF" for c in "".join(groups))


def test_signature_verifies_and_any_change_is_refused_in_chinese(tmp_path):
    key = signing.load_or_create_window_key(tmp_path)
    data = manifest.manifest_bytes({"case": {"case_no": "TB-1", "item": "户口迁移"}})
    assert "户口迁移".encode("utf-8") in data          # stored unescaped
    sig = signing.sign_manifest(data, key)
    assert len(sig) == 64
    signing.verify_manifest(data, sig, key.public_key())
    signing.verify_manifest(data, sig, signing.public_key_pem(key))
    with pytest.raises(signing.SignatureInvalid, match="签名与窗口公钥不符"):
        signing.verify_manifest(data.replace(b"TB-1", b"TB-2"), sig, key.public_key())
    other = signing.load_or_create_window_key(tmp_path / "other")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_manifest(data, sig, other.public_key())
    assert signing.decode_signature(signing.encode_signature(sig)) == sig


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    root = tmp_path_factory.mktemp("pkg")
    pages = []
    for i, text in enumerate(["户口簿 首页", "户口簿 本人页"]):
        img = Image.new("L", (1240, 1754), "white")
        ImageDraw.Draw(img).text((100, 100), text, font=ImageFont.truetype(FONT, 50), fill=0)
        img.save(root / f"p{i}.png", dpi=(150, 150))
        pages.append(PackagePage(root / f"p{i}.png"))
    photo = Image.blend(Image.linear_gradient("L").resize((600, 800)),
                        Image.effect_noise((600, 800), 60), 0.3)
    photo.save(root / "photo.jpg", quality=80, dpi=(200, 200))
    c = fonts.make_canvas(str(root / "t.pdf"), (595.27, 841.89))
    fonts.draw_string(c, 72, 760, "流转单", 18)
    c.showPage()
    c.save()
    key = signing.load_or_create_window_key(root / "keys")
    materials = [PackageMaterial("户口簿", pages),
                 PackageMaterial("迁入地同意迁入证明", [PackagePage(root / "photo.jpg")])]
    result = build_package(INFO, root / "t.pdf", materials, root / "out", key)
    return result, key


def test_zip_holds_pdf_pages_key_and_signed_manifest(package):
    result, key = package
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
        doc = json.loads(zf.read("manifest.json"))
        assert zf.read("manifest.json") == result.manifest_path.read_bytes()
        assert zf.read("TB-2024-000456.pdf") == result.pdf_path.read_bytes()
        assert zf.read("window_public_key.pem") == signing.public_key_pem(key)
        signing.verify_manifest(zf.read("manifest.json"),
                                signing.decode_signature(zf.read("manifest.sig")), key.public_key())
        for entry in doc["files"]:
            assert manifest.sha256_bytes(zf.read(entry["path"])) == entry["sha256"]
            assert len(zf.read(entry["path"])) == entry["bytes"]
    assert names == ["TB-2024-000456.pdf", "pages/m01-p001.tif", "pages/m01-p002.tif",
                     "pages/m02-p001.jpg", "window_public_key.pem", "manifest.json", "manifest.sig"]
    assert doc["case"] == {"case_no": "TB-2024-000456", "item": "户口迁移",
                           "home": "天津市和平区", "window": "济南市历下区通办专窗"}
    assert doc["materials"] == [
        {"name": "户口簿", "pages": 2, "files": ["pages/m01-p001.tif", "pages/m01-p002.tif"]},
        {"name": "迁入地同意迁入证明", "pages": 1, "files": ["pages/m02-p001.jpg"]}]
    assert [e["path"] for e in doc["files"]] == names[:5]
    assert doc["page_count"] == 3 and [p["pdf_page"] for p in doc["pages"]] == [2, 3, 4]
    assert [p["encoding"] for p in doc["pages"]] == ["bilevel-g4", "bilevel-g4", "gray-jpeg"]
    assert doc["software_version"] == "1.2.3"
    assert doc["public_key_fingerprint"] == result.fingerprint
    created = dt.datetime.fromisoformat(doc["created_at"])
    assert created.tzinfo is not None
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 300


def test_untouched_package_verifies_with_the_trusted_key(package):
    result, key = package
    report = manifest.verify_package_zip(result.zip_path, key.public_key())
    assert report.ok and report.problems == [] and report.files_checked == 5
    assert report.fingerprint == result.fingerprint
    assert manifest.verify_package_zip(result.zip_path).warnings == [
        "未提供受信任的公钥，仅用包内公钥校验签名"]


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info.filename)))


def test_a_flipped_byte_in_a_page_file_fails_naming_the_file(package, tmp_path):
    result, key = package
    bad = tmp_path / "bad.zip"

    def flip(name, data):
        if name == "pages/m01-p002.tif":
            data = bytearray(data)
            data[len(data) // 2] ^= 0x01
            return bytes(data)
        return data

    _rewrite(result.zip_path, bad, flip)
    report = manifest.verify_package_zip(bad, key.public_key())
    assert not report.ok
    assert report.problems == [
        "文件 pages/m01-p002.tif 的 SHA-256 校验值与清单不符，文件已被改动或损坏"]
    with pytest.raises(manifest.PackageVerificationFailed, match="pages/m01-p002.tif") as info:
        report.raise_if_failed()
    assert isinstance(info.value, ExportError)


def test_a_flipped_byte_in_the_zip_itself_is_caught_too(package, tmp_path):
    result, key = package
    data = bytearray(result.zip_path.read_bytes())
    with zipfile.ZipFile(result.zip_path) as zf:
        info = zf.getinfo("pages/m02-p001.jpg")
    # Local header: 30 bytes + name + extra, then the stored (uncompressed) data.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    report = manifest.verify_package_zip(bad, key.public_key())
    assert not report.ok
    assert any("pages/m02-p001.jpg" in p for p in report.problems)


def test_edited_manifest_or_foreign_key_fails_the_signature(package, tmp_path):
    result, key = package
    bad = tmp_path / "edited.zip"
    _rewrite(result.zip_path, bad, lambda n, d: d.replace("天津市和平区".encode(), "北京市东城区".encode())
             if n == "manifest.json" else d)
    report = manifest.verify_package_zip(bad, key.public_key())
    assert report.problems == ["签名校验失败：清单 manifest.json 的签名与窗口公钥不符，文件可能被篡改"]
    stranger = signing.load_or_create_window_key(tmp_path / "stranger").public_key()
    report = manifest.verify_package_zip(result.zip_path, stranger)
    assert "材料包中的窗口公钥与受信任的公钥不一致（指纹不同）" in report.problems


def test_extra_or_missing_files_are_reported(package, tmp_path):
    result, key = package
    extra = tmp_path / "extra.zip"
    _rewrite(result.zip_path, extra, lambda n, d: d)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("pages/evil.exe", b"MZ")
    assert manifest.verify_package_zip(extra, key.public_key()).problems == [
        "材料包中有清单未列出的文件 pages/evil.exe"]
    missing = tmp_path / "missing.zip"
    with zipfile.ZipFile(result.zip_path) as zin, zipfile.ZipFile(missing, "w") as zout:
        for info in zin.infolist():
            if info.filename != "pages/m01-p001.tif":
                zout.writestr(info, zin.read(info.filename))
    assert manifest.verify_package_zip(missing, key.public_key()).problems == [
        "材料包中缺少文件 pages/m01-p001.tif"]
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"hello")
    assert not manifest.verify_package_zip(not_zip).ok
