"""Where a case's files live in the data folder, and how they are named and hashed (read side).

Files are written only through forms.files (atomic, 0600); this module says where.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from forms import config
from forms.files import private_dir
from forms.models import Case, CaseMaterial, Page


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def case_folder(case: Case, kind: str) -> Path:
    """Per-case folder under the data folder: pages/, documents/, packages/ (0700)."""
    return private_dir(config.sub_dir(kind) / case.case_no)


def relative(path) -> str:
    return str(Path(path).resolve().relative_to(config.data_dir().resolve()))


def absolute(rel: str) -> Path:
    return config.data_dir() / rel


def pages_of(material: CaseMaterial) -> list[Page]:
    return list(Page.select().where(Page.material == material).order_by(Page.seq))
