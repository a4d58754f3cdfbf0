"""The one way the app writes a file it keeps: temp file, fsync, rename, fsync the folder.

Pages, documents, packages, keys, catalog and holiday exports all go through
``atomic_path`` (or its shorthands), so a crash or a full disk leaves either
the old file or the new one, never half of one. Files are created 0600 and
folders 0700: they hold ID numbers and scans of personal documents.
``write_new`` is the same dance for a file that must never be replaced once
it exists (the window's signing key: the first writer wins).

Any thread. The process umask is never touched: it is shared by every thread.
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
# The temp name is ".<name>.<12 hex>.part"; file systems allow 255 bytes a name.
_MAX_NAME_BYTES = 200


def private_dir(path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700; an existing folder is left as it is."""
    path = Path(path)
    if path.is_dir():
        return path
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue                      # another thread or process made it first
        # mkdir's mode passes through the umask; chmod makes it exactly 0700.
        os.chmod(folder, DIR_MODE)
        fsync_dir(folder.parent)
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


def _new_temp(dest: Path, mode: int) -> Path:
    """An empty private file beside ``dest``, in its folder (created 0700 if missing)."""
    name = dest.name
    while len(name.encode("utf-8", "surrogateescape")) > _MAX_NAME_BYTES:
        name = name[:-1]
    tmp = dest.parent / f".{name}.{secrets.token_hex(6)}.part"
    try:
        private_dir(dest.parent)
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode & FILE_MODE))
    except OSError as e:
        raise ExportError(f"无法写入 {dest}（{e.strerror or e}）") from e
    return tmp


def _seal(tmp: Path, mode: int) -> None:
    """Give the finished temp file its mode and push its bytes to the disk."""
    os.chmod(tmp, mode)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())


@contextlib.contextmanager
def _temp_beside(dest: Path, mode: int, what: str) -> Iterator[Path]:
    """A private temp file beside ``dest``, removed at the end whatever happens;
    an OSError inside becomes an ExportError naming ``dest``."""
    tmp = _new_temp(dest, mode)
    try:
        yield tmp
    except ClerkError:
        raise
    except OSError as e:
        raise ExportError(f"{what} {dest.name} 写入失败（{e.strerror or e}）") from e
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)            # gone already when it was renamed into place


@contextlib.contextmanager
def atomic_path(dest, mode: int = FILE_MODE, what: str = "文件") -> Iterator[Path]:
    """Yield a temp path beside ``dest``; when the block succeeds, the file is fsynced,
    renamed onto ``dest`` and the folder fsynced. On any failure the temp file is removed
    and ``dest`` is untouched; an OSError becomes an ExportError naming the file,
    other exceptions pass through unchanged."""
    dest = Path(dest)
    with _temp_beside(dest, mode, what) as tmp:
        yield tmp
        _seal(tmp, mode)
        try:
            os.replace(tmp, dest)
        except PermissionError as e:
            # Windows refuses to replace a file another program holds open.
            raise ExportError(f"{what} {dest.name} 正被其他程序占用或无权写入，请关闭后重试") from e
        fsync_dir(dest.parent)


def write_bytes(dest, data: bytes, mode: int = FILE_MODE, what: str = "文件") -> Path:
    """Write ``data`` to ``dest`` atomically."""
    with atomic_path(dest, mode, what) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return Path(dest)


def write_text(dest, text: str, mode: int = FILE_MODE, encoding: str = "utf-8",
               what: str = "文件") -> Path:
    """Write ``text`` to ``dest`` atomically, line ends as given (no translation)."""
    return write_bytes(dest, text.encode(encoding), mode, what)


def copy_file(src, dest, mode: int = FILE_MODE, what: str = "文件") -> Path:
    """Copy ``src`` to ``dest`` atomically (the source is never changed)."""
    with atomic_path(dest, mode, what) as tmp:
        shutil.copyfile(src, tmp)
    return Path(dest)


def write_new(dest, data: bytes, mode: int = FILE_MODE, what: str = "文件") -> bool:
    """Create ``dest`` holding ``data`` unless it exists; True if this call created it.

    The finished temp file is hard-linked into place, which fails when another
    thread or process got there first: theirs stays, so two windows started at
    once never end up with different keys.
    """
    dest = Path(dest)
    with _temp_beside(dest, mode, what) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
        _seal(tmp, mode)
        try:
            os.link(tmp, dest)
        except FileExistsError:
            return False
        except (AttributeError, NotImplementedError, OSError):
            # No hard links (FAT, some network shares): replace is atomic too,
            # only the rare simultaneous first start is then last-writer-wins.
            if dest.exists():
                return False
            os.replace(tmp, dest)
        fsync_dir(dest.parent)
        return True
