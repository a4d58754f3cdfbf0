"""First start: the demo catalog, this window and an administrator account."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from forms import accounts, catalog
from forms.models import ServiceItem, Setting, Window, db_proxy
from forms.workflow import Right

log = logging.getLogger(__name__)
DEMO_CATALOG = Path(__file__).parent / "data" / "demo_catalog.json"
DEFAULT_WINDOW = {"code": "DZTQ01", "name": "德州天衢新区政务服务中心跨域通办专窗", "region_code": "371400",
                  "level": "county", "address": "", "postcode": "253000", "phone": ""}


def seed_if_empty() -> bool:
    """Load the demo catalog and create the window and admin on an empty database."""
    if ServiceItem.select().exists() or Window.select().exists():
        return False
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8")) if DEMO_CATALOG.exists() else {}
    with db_proxy.obj.atomic():
        window_data = {**DEFAULT_WINDOW, **(data.get("window") or {})}
        window = Window.create(**{k: window_data.get(k, "") for k in DEFAULT_WINDOW})
        Setting.create(key="this_window", value=window.code)
        if data.get("items"):
            catalog.import_catalog(data)
        accounts.create_clerk("admin", "系统管理员", window, is_admin=True,
                              rights={r: None for r in Right})
    log.info("seeded a new database with the demo catalog")
    return True


def this_window() -> Window:
    """The window this installation works as (Setting 'this_window', else the first)."""
    row = Setting.get_or_none(Setting.key == "this_window")
    if row is not None:
        w = Window.get_or_none(Window.code == row.value)
        if w is not None:
            return w
    return Window.select().order_by(Window.id).first()

