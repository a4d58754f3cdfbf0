"""Clerk accounts, passwords and the four rights per partner."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from forms.errors import AuthError, InvalidInput, NotFound
from forms.models import Clerk, ClerkRight, Partner, Window, db_proxy
from forms.workflow import Right

_SCRYPT = dict(n=2 ** 14, r=8, p=1, dklen=32)


def hash_password(password: str) -> str:
    """scrypt (stdlib) with a random salt, stored as ``scrypt$salt$hash``."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(got, base64.b64decode(digest))


def create_clerk(username: str, name: str, window: Window, password: str = "", is_admin: bool = False,
                 rights: dict | None = None) -> Clerk:
    """Create a clerk; ``rights`` maps a Right to a list of partners (None = every partner)."""
    username = username.strip()
    if not username or not name.strip():
        raise InvalidInput("请填写工作人员账号和姓名")
    if Clerk.select().where(Clerk.username == username).exists():
        raise InvalidInput(f"账号 {username} 已存在")
    with db_proxy.obj.atomic():
        clerk = Clerk.create(username=username, name=name.strip(), window=window, is_admin=is_admin,
                             password_hash=hash_password(password) if password else "")
        for right, partners in (rights or {}).items():
            grant(clerk, Right(right), partners)
    return clerk


def grant(clerk: Clerk, right: Right, partners=None) -> None:
    """Grant ``right`` for each partner given, or for every partner when None."""
    for partner in (partners if partners is not None else [None]):
        ClerkRight.get_or_create(clerk=clerk, partner=partner, right=right.value)


def revoke(clerk: Clerk, right: Right, partner: Partner | None = None) -> None:
    q = ClerkRight.delete().where(ClerkRight.clerk == clerk, ClerkRight.right == right.value)
    q = q.where(ClerkRight.partner.is_null() if partner is None else ClerkRight.partner == partner)
    q.execute()


def clerk_by_username(username: str) -> Clerk:
    clerk = Clerk.get_or_none(Clerk.username == (username or "").strip())
    if clerk is None:
        raise NotFound(f"工作人员账号 {username}")
    return clerk


def login(username: str, password: str) -> Clerk:
    """Check a clerk's password; an account with no password yet accepts an empty one."""
    clerk = Clerk.get_or_none(Clerk.username == (username or "").strip())
    if clerk is None or not clerk.active:
        raise AuthError("账号或密码不正确")
    if clerk.password_hash and not check_password(password, clerk.password_hash):
        raise AuthError("账号或密码不正确")
    if not clerk.password_hash and password:
        raise AuthError("该账号尚未设置密码，请留空密码登录后立即设置")
    return clerk


def set_password(clerk: Clerk, password: str) -> None:
    if len(password) < 6:
        raise InvalidInput("密码至少 6 位")
    clerk.password_hash = hash_password(password)
    clerk.save()
