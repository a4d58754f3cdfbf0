"""First start: the demo catalog, this window and an administrator account; which window this PC is.

Which window a PC works as is the PC's own business (a hall of windows shares one
database), so its code lives in ``forms.localstate`` under ``window_code``. The
Setting row ``this_window`` that older versions wrote is read once, on a PC that
has no code yet, and copied there; the row itself is left for PCs not yet upgraded.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from forms import accounts, catalog, localstate
from forms.errors import ClerkError, NotFound
from forms.models import ServiceItem, Setting, Window, db_proxy
from forms.workflow import Right

log = logging.getLogger(__name__)
DEMO_CATALOG = Path(__file__).parent / "data" / "demo_catalog.json"
DEFAULT_WINDOW = {"code": "DZTQ01", "name": "德州天衢新区政务服务中心跨域通办专窗", "region_code": "371400",
                  "level": "county", "address": "", "postcode": "253000", "phone": ""}
WINDOW_KEY = "window_code"          # in forms.localstate
LEGACY_SETTING = "this_window"      # the Setting row of versions that kept it in the database


def seed_if_empty() -> bool:
    """Load the demo catalog and create the window and admin on an empty database."""
    if ServiceItem.select().exists() or Window.select().exists():
        return False
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8")) if DEMO_CATALOG.exists() else {}
    with db_proxy.obj.atomic():
        window_data = {**DEFAULT_WINDOW, **(data.get("window") or {})}
        window = Window.create(**{k: window_data.get(k, "") for k in DEFAULT_WINDOW})
        if data.get("items"):
            catalog.import_catalog(data)
        accounts.create_clerk("admin", "系统管理员", window, is_admin=True,
                              rights={r: None for r in Right})
    log.info("seeded a new database with the demo catalog")
    try:
        localstate.set(WINDOW_KEY, window.code)
    except ClerkError:
        # this_window() still finds the only window; the clerk can choose it again later.
        log.exception("cannot record window %s as this PC's window", window.code)
    return True


def this_window() -> Window | None:
    """The window this PC works as: the code in the local file, else the old Setting row
    (copied into the local file once), else the first window; None on an empty database."""
    code = localstate.get(WINDOW_KEY)
    if code:
        window = Window.get_or_none(Window.code == code)
        if window is not None:
            return window
        log.warning("this PC's window %s is not in the database; using another", code)
    row = Setting.get_or_none(Setting.key == LEGACY_SETTING)
    if row is not None and row.value:
        window = Window.get_or_none(Window.code == row.value)
        if window is not None:
            if not code:
                _remember_legacy(window.code)
            return window
    return Window.select().order_by(Window.id).first()


def set_this_window(code: str) -> Window:
    """Make this PC work as the window ``code`` (stored in the local file, not the database)."""
    code = (code or "").strip()
    window = Window.get_or_none(Window.code == code) if code else None
    if window is None:
        raise NotFound(f"窗口编码“{code}”，请先在数据库中建立该窗口")
    localstate.set(WINDOW_KEY, window.code)
    log.info("this PC now works as window %s", window.code)
    return window


def _remember_legacy(code: str) -> None:
    try:
        # keep_existing: another process on this PC may have chosen a window meanwhile.
        localstate.update({WINDOW_KEY: code}, keep_existing=True)
        log.info("window %s copied from the database setting into this PC's local file", code)
    except ClerkError:
        log.exception("cannot copy window %s into this PC's local file", code)
