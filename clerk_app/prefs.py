"""What this PC's window remembers between days, in the local file (``forms.localstate``, keys ``gui.*``).

Window geometry, last partner, last account, scanner, camera, printers, label size,
OCR languages, theme. They belong to the PC, not to the hall's shared database:
each window has its own screen and printers. Older versions kept them as Setting
rows; those are copied into the local file once, on the first use after an upgrade,
and left in the database for PCs not yet upgraded. Tiny reads and writes of a local
file: fine on the Tk thread.
"""
from __future__ import annotations

import logging

from forms import localstate

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
IMPORTED = "prefs_imported_from_database"   # localstate key: the Setting rows were copied once


class Prefs:
    """Remembered preferences; ``get`` falls back to DEFAULTS."""

    PREFIX = "gui."

    def __init__(self):
        self._imported = False

    def get(self, key: str, default=None):
        """The stored value, else ``default``, else the built-in default."""
        self._import_once()
        try:
            value = localstate.get(self.PREFIX + key)
        except Exception:   # an unusable data folder must not keep the window from opening
            log.exception("cannot read preference %s", key)
            value = None
        if value not in (None, ""):
            return value
        return default if default is not None else DEFAULTS.get(key)

    def set(self, key: str, value) -> None:
        """Store ``value`` (JSON-serialisable)."""
        self._import_once()
        localstate.set(self.PREFIX + key, value)

    def all(self) -> dict:
        """Every preference with defaults filled in."""
        return {k: self.get(k) for k in DEFAULTS}

    def _import_once(self) -> None:
        """Copy an older version's Setting rows ``gui.*`` into the local file, once per PC."""
        if self._imported:
            return
        try:
            if not localstate.get(IMPORTED):
                from forms.models import Setting
                rows = {r.key: r.value for r in Setting.select().where(Setting.key.startswith(self.PREFIX))
                        if r.key.startswith(self.PREFIX)}    # LIKE ignores case on some databases
                # keep_existing: a value set on this PC since the upgrade is newer than the row.
                localstate.update({**rows, IMPORTED: True}, keep_existing=True)
                if rows:
                    log.info("copied %d window preferences from the database into this PC's local file",
                             len(rows))
        except Exception:   # no database yet, or a broken row: defaults now, try again next start
            log.exception("cannot copy the old window preferences from the database")
        self._imported = True
