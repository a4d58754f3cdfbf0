"""What the window remembers between days, stored as Setting rows (key ``gui.*``).

Window geometry, last partner, scanner, camera, printers, label size, OCR
languages. Tiny reads and writes: fine on the Tk thread.
"""
from __future__ import annotations

import logging

from forms.models import Setting

log = logging.getLogger(__name__)

DEFAULTS = {
    "geometry": "1366x740+0+0",
    "last_partner": "",
    "scanner": "",             # SANE device name
    "scan_source": "flatbed",
    "scan_resolution": 300,
    "camera": "",
    "printer_a4": "",          # "" = the system default printer
    "printer_label": "",
    "label_size": "100x150",   # 100x150 | 76x130 | a4
    "ocr_langs": "chi_sim+eng",
    "theme": "bootstrap-light",
}


class Prefs:
    """Remembered preferences; ``get`` falls back to DEFAULTS."""

    PREFIX = "gui."

    def get(self, key: str, default=None):
        """The stored value, else ``default``, else the built-in default."""
        try:
            row = Setting.get_or_none(Setting.key == self.PREFIX + key)
        except Exception:   # a broken settings row must not keep the window from opening
            log.exception("cannot read setting %s", key)
            row = None
        if row is not None and row.value not in (None, ""):
            return row.value
        return default if default is not None else DEFAULTS.get(key)

    def set(self, key: str, value) -> None:
        """Store ``value`` (JSON-serialisable)."""
        Setting.insert(key=self.PREFIX + key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}).execute()

    def all(self) -> dict:
        """Every preference with defaults filled in."""
        return {k: self.get(k) for k in DEFAULTS}
