"""One clerk action, one transaction.

SQLite: ``BEGIN IMMEDIATE`` takes the write lock when the action starts, so two
windows never both read and then both try to write (the deferred upgrade is what
failed with "database is locked"); the busy timeout makes the second one wait.
PostgreSQL: the case row is read ``FOR UPDATE`` inside the transaction
(forms.workflow), so no update is lost. An action called from inside another one
joins it as a savepoint: the outer action still does all of its work or none.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator

from peewee import InterfaceError, OperationalError, SqliteDatabase

from forms.errors import DatabaseError
from forms.models import db_proxy
from forms.workflow import locked_case  # noqa: F401 - the desk's one way to lock a case

log = logging.getLogger(__name__)


def _database():
    database = db_proxy.obj
    if database is None:
        raise DatabaseError("数据库尚未打开")
    return database


@contextlib.contextmanager
def action() -> Iterator[None]:
    """``with action():`` the body's writes commit together or not at all."""
    database = _database()
    if database.in_transaction():
        with database.atomic():
            yield
        return
    try:
        ctx = database.atomic("IMMEDIATE") if isinstance(database, SqliteDatabase) else database.atomic()
        with ctx:
            yield
    except (OperationalError, InterfaceError) as e:
        text = str(e)
        if "locked" in text or "busy" in text:
            raise DatabaseError("数据库正忙（其他窗口正在保存），请稍后重试；刚才的操作没有保存") from e
        if "server closed" in text or "could not connect" in text or "connection" in text.lower():
            raise DatabaseError("与数据库服务器的连接中断，刚才的操作没有保存；请检查网络后重试") from e
        raise
