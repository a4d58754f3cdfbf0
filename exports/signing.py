"""Ed25519 keys of a window and signatures over a case package manifest.

Each window has one private key, kept as an unencrypted PKCS#8 PEM file with
mode 0600 in its key folder. The package zip carries the window's public key
(``window_public_key.pem``), the manifest (``manifest.json``) and the raw
64-byte signature over the manifest bytes, base64 encoded (``manifest.sig``).
The home window verifies the signature against a public key it trusts; the
fingerprint (SHA-256 of the raw 32-byte public key, hex in groups of four) is
what two clerks read to each other to confirm a key.

All functions may be called from any thread.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from forms import files
from forms.errors import ExportError

KEY_FILE_NAME = "window_ed25519.pem"


class WindowKeyError(ExportError):
    message = "窗口签名密钥有误：{}"


class SignatureInvalid(ExportError):
    message = "签名校验失败：{}"


def load_or_create_window_key(key_dir) -> Ed25519PrivateKey:
    """Load the window's Ed25519 key from key_dir, creating it (0600, folder 0700, atomically) if absent."""
    key_dir = Path(key_dir)
    path = key_dir / KEY_FILE_NAME
    if path.exists():
        return _load_private_key(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # First writer wins (forms.files.write_new): two windows started at once
    # never end up signing with different keys.
    if not files.write_new(path, pem, what="窗口签名密钥"):
        return _load_private_key(path)
    return key


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as e:
        raise WindowKeyError(f"无法读取 {path}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise WindowKeyError(f"{path} 不是 Ed25519 私钥")
    return key


def public_key_pem(key) -> bytes:
    """PEM (SubjectPublicKeyInfo) bytes of a private or public Ed25519 key's public half."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key_pem(data: bytes) -> Ed25519PublicKey:
    """Parse a PEM public key; raise SignatureInvalid if it is not an Ed25519 key."""
    try:
        pub = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as e:
        raise SignatureInvalid("公钥文件无法解析") from e
    if not isinstance(pub, Ed25519PublicKey):
        raise SignatureInvalid("公钥不是 Ed25519 公钥")
    return pub


def public_key_fingerprint(pub) -> str:
    """SHA-256 of the raw public key as 16 groups of 4 upper-case hex digits."""
    if isinstance(pub, Ed25519PrivateKey):
        pub = pub.public_key()
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def sign_manifest(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """Raw 64-byte Ed25519 signature over the exact manifest bytes."""
    return key.sign(manifest_bytes)


def verify_manifest(manifest_bytes: bytes, signature: bytes, public_key) -> None:
    """Return None if the signature is valid, else raise SignatureInvalid."""
    if isinstance(public_key, (bytes, bytearray)):
        public_key = load_public_key_pem(bytes(public_key))
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature as e:
        raise SignatureInvalid("清单 manifest.json 的签名与窗口公钥不符，文件可能被篡改") from e


def encode_signature(signature: bytes) -> bytes:
    """Base64 text of a signature, as stored in manifest.sig."""
    return base64.b64encode(signature) + b"\n"


def decode_signature(text: bytes) -> bytes:
    """Inverse of encode_signature; raise SignatureInvalid on malformed input."""
    try:
        sig = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError) as e:
        raise SignatureInvalid("manifest.sig 不是有效的 Base64 文本") from e
    if len(sig) != 64:
        raise SignatureInvalid("manifest.sig 长度不对")
    return sig
