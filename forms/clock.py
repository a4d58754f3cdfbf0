"""The one place that reads the wall clock, so tests can pin 'today'.

``CLERK_FAKE_NOW=2026-09-30T10:00:00`` pins the time for scripted runs and tests.
"""
from __future__ import annotations

import os
from datetime import date, datetime


def now() -> datetime:
    """Local wall-clock time (naive, the window's time zone), seconds precision."""
    fake = os.environ.get("CLERK_FAKE_NOW")
    if fake:
        return datetime.fromisoformat(fake)
    return datetime.now().replace(microsecond=0)


def today() -> date:
    return now().date()
