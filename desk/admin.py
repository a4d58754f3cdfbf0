"""Administration at the window: clerks and their rights, this window's details, the catalog,
partners, the holiday table. Only an administrator may change these; each call is one
transaction (the catalog import and holiday file are all-or-nothing already).
"""
from __future__ import annotations

from datetime import date

from forms import accounts, catalog, deadlines, textcheck
from forms.errors import InvalidInput, MissingRight, NotFound
from forms.models import Clerk, ClerkRight, HolidayOverride, Partner, Window
from forms.workflow import Right

from desk import tx

WINDOW_FIELDS = {"name": ("窗口名称", 60), "address": ("地址", 200), "postcode": ("邮政编码", 6),
                 "phone": ("联系电话", 32)}
HOLIDAY_KINDS = {"holiday": "放假", "workday": "调休上班"}


def require_admin(clerk: Clerk, what: str) -> None:
    if not (clerk.active and clerk.is_admin):
        raise MissingRight(clerk=clerk.name, partner="本窗口", right="管理员权限", action=what)


def _clerk(clerk_id: int) -> Clerk:
    c = Clerk.get_or_none(Clerk.id == clerk_id)
    if c is None:
        raise NotFound(f"工作人员 {clerk_id}")
    return c


def create_clerk(admin: Clerk, username: str, name: str, password: str = "", is_admin: bool = False) -> Clerk:
    require_admin(admin, "新增工作人员")
    username = textcheck.check_text(username, "账号", 32)
    name = textcheck.check_text(name, "工作人员姓名", 50)
    if password and len(password) < 6:
        raise InvalidInput("密码至少 6 位")
    with tx.action():
        return accounts.create_clerk(username, name, admin.window, password=password, is_admin=is_admin)


def set_password(admin: Clerk, clerk_id: int, password: str) -> None:
    """An administrator sets a password, or a clerk their own."""
    target = _clerk(clerk_id)
    if target.id != admin.id:
        require_admin(admin, "设置密码")
    with tx.action():
        accounts.set_password(target, password)


def set_active(admin: Clerk, clerk_id: int, active: bool) -> Clerk:
    require_admin(admin, "停用或启用账号")
    target = _clerk(clerk_id)
    if target.id == admin.id and not active:
        raise InvalidInput("不能停用自己的账号")
    with tx.action():
        Clerk.update(active=active).where(Clerk.id == target.id).execute()
    return Clerk.get_by_id(target.id)


def grant(admin: Clerk, clerk_id: int, right: Right, partner: Partner | None) -> None:
    require_admin(admin, "授权")
    with tx.action():
        accounts.grant(_clerk(clerk_id), Right(right), None if partner is None else [partner])


def revoke(admin: Clerk, right_id: int) -> None:
    require_admin(admin, "收回授权")
    row = ClerkRight.get_or_none(ClerkRight.id == right_id)
    if row is None:
        raise NotFound("该授权")
    with tx.action():
        accounts.revoke(row.clerk, Right(row.right), row.partner)


def update_window(admin: Clerk, window_id: int, values: dict) -> Window:
    """This window's name, address, postcode and phone (printed on every document)."""
    require_admin(admin, "修改窗口信息")
    clean = {k: textcheck.check_text(values.get(k, ""), label, n) for k, (label, n) in WINDOW_FIELDS.items()}
    if not clean["name"]:
        raise InvalidInput("请填写窗口名称")
    if clean["postcode"] and not (len(clean["postcode"]) == 6 and clean["postcode"].isdigit()):
        raise InvalidInput("邮政编码应为 6 位数字")
    with tx.action():
        Window.update(**clean).where(Window.id == window_id).execute()
    return Window.get_by_id(window_id)


def import_catalog(admin: Clerk | None, data: dict):
    """Items and partners from a catalog file or the editor; all rows or none.

    ``admin`` None is the command line run by the PC's own user (who owns the database file)."""
    if admin is not None:
        require_admin(admin, "导入事项清单")
    with tx.action():
        return catalog.import_catalog(data)


def import_catalog_file(admin: Clerk | None, path):
    if admin is not None:
        require_admin(admin, "导入事项清单")
    return import_catalog(admin, catalog.read_file(path))


def set_holiday(admin: Clerk, day: date, kind: str, name: str = "", source: str = "窗口手工录入") -> None:
    require_admin(admin, "修改节假日安排")
    if kind not in HOLIDAY_KINDS:
        raise InvalidInput("类型应为放假（holiday）或调休上班（workday）")
    name = textcheck.check_text(name, "名称", 30)
    with tx.action():
        HolidayOverride.insert(day=day, kind=kind, name=name, source=source).on_conflict(
            conflict_target=[HolidayOverride.day],
            update={HolidayOverride.kind: kind, HolidayOverride.name: name}).execute()


def delete_holiday(admin: Clerk, day: date) -> None:
    require_admin(admin, "修改节假日安排")
    with tx.action():
        HolidayOverride.delete().where(HolidayOverride.day == day).execute()


def import_holidays(admin: Clerk | None, path) -> int:
    """A holiday/workday file (the State Council's notice as JSON/CSV); all rows or none.

    ``admin`` None is the command line run by the PC's own user (who owns the database file)."""
    if admin is not None:
        require_admin(admin, "导入节假日安排")
    with tx.action():
        return deadlines.import_overrides(path)


def this_window() -> Window:
    """The window this PC works as (from this PC's own file, never the shared database)."""
    from forms import seed
    window = seed.this_window()
    if window is None:
        raise NotFound("本机窗口（数据库中还没有任何窗口）")
    return window


def use_window(code: str) -> Window:
    """Make this PC work as window ``code``: a choice about this PC, kept in its local file."""
    from forms import seed
    return seed.set_this_window(textcheck.check_text(code, "窗口编码", 16))
