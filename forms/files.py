"""The one way the app writes a file it keeps: temp file, fsync, rename, fsync the folder.

Pages, documents, packages, keys, catalog and holiday exports all go through
``atomic_path`` (or its two shorthands), so a crash or a full disk leaves either
the old file or the new one, never half of one. Files are created 0600 and
folders 0700: they hold ID numbers and scans of personal documents.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Iterator

from forms.errors import ClerkError, ExportError

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700; an existing folder is left as it is."""
    path = Path(path)
    if not path.is_dir():
        old = os.umask(0o077)
        try:
            path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        finally:
            os.umask(old)
    return path


def fsync_dir(folder) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(dest, mode: int = FILE_MODE, what: str = "文件") -> Iterator[Path]:
    """Yield a temp path beside ``dest``; when the block succeeds, the file is fsynced,
    renamed onto ``dest`` and the folder fsynced. On any failure the temp file is removed
    and ``dest`` is untouched; a non-ClerkError becomes an ExportError naming the file."""
    dest = Path(dest)
    private_dir(dest.parent)
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.part"
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
    except OSError as e:
        raise ExportError(f"无法写入 {dest}（{e.strerror or e}）") from e
    done = False
    try:
        yield tmp
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.replace(tmp, dest)
        except PermissionError as e:
            raise ExportError(f"{what} {dest.name} 正被其他程序占用或无权写入，请关闭后重试") from e
        done = True
        fsync_dir(dest.parent)
    except ClerkError:
        raise
    except OSError as e:
        raise ExportError(f"{what} {dest.name} 写入失败（{e.strerror or e}）") from e
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_bytes(dest, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``dest`` atomically."""
    with atomic_path(dest, mode) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return Path(dest)


def write_text(dest, text: str, mode: int = FILE_MODE, encoding: str = "utf-8") -> Path:
    return write_bytes(dest, text.encode(encoding), mode)


def copy_file(src, dest, mode: int = FILE_MODE) -> Path:
    """Copy ``src`` to ``dest`` atomically (the source is never changed)."""
    with atomic_path(dest, mode) as tmp:
        shutil.copyfile(src, tmp)
    return Path(dest)
