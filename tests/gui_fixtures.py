"""GUI test fixtures: a private Xvfb display for the session and a driven clerk window per test.

Register in tests/conftest.py as ``tests.gui_fixtures``. ``xvfb`` starts
``Xvfb -screen 0 1366x768x24`` on a free display (Xvfb picks it: ``-displayfd``),
points DISPLAY at it and stops it at the end of the session. ``gui`` opens the
real ClerkApp on the test's database, with dialogs in test mode, and gives the
test helpers to pump the event loop, wait for workers and take screenshots
(saved under the test's tmp folder and copied to /tmp/gui_shots/<test>/).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SCREEN = "1366x768x24"
SHOTS_COPY = Path("/tmp/gui_shots")


def start_xvfb(screen: str = SCREEN, dpi: int | None = None) -> tuple[subprocess.Popen, str]:
    """A new Xvfb on a free display (it picks one: -displayfd); (process, ":N")."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt package xvfb)")
    read_fd, write_fd = os.pipe()
    extra = ["-dpi", str(dpi)] if dpi else []
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, *extra,
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 15
    with os.fdopen(read_fd, "rb") as r:
        while time.monotonic() < deadline and not number.endswith(b"\n"):
            chunk = r.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        pytest.fail("Xvfb did not report a display number")
    return proc, f":{number.decode().strip()}"


def stop_xvfb(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def xvfb():
    """A running Xvfb; yields its DISPLAY string (":N")."""
    proc, display = start_xvfb()
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    yield display
    stop_xvfb(proc)
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old


class GuiDriver:
    """Drives a ClerkApp the way a clerk would, on real widgets."""

    def __init__(self, app, shots_dir: Path, copy_dir: Path):
        self.app = app
        self.root = app.root
        self.shots_dir = shots_dir
        self.copy_dir = copy_dir
        self.shots: list[Path] = []

    def pump(self, seconds: float = 0.1) -> None:
        """Run the Tk loop for ``seconds`` (after() callbacks, redraws)."""
        end = time.monotonic() + seconds
        while True:
            self.root.update()
            if time.monotonic() >= end:
                return
            time.sleep(0.01)

    def wait_for(self, predicate, timeout: float = 120.0, what: str = "") -> None:
        """Pump until ``predicate()`` is true; fail with ``what`` after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > end:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
            self.pump(0.05)

    def idle(self, timeout: float = 180.0) -> None:
        """Wait until no background task is running."""
        self.wait_for(lambda: not self.app.services.tasks, timeout, "background tasks")
        self.pump(0.2)

    def login(self, username: str, password: str = "") -> None:
        self.app.login.username.set(username)
        self.app.login.password.set(password)
        self.app.login.pass_entry.focus_set()
        self.key(self.app.login.pass_entry, "Return")
        self.pump(0.3)

    def key(self, widget, keysym: str, **kw) -> None:
        """Send a key press to ``widget`` as the keyboard would (focus first)."""
        widget.focus_force()
        self.pump(0.05)
        # "Control-s", "Alt-Right": modifiers spelled out; "Return", "v": a plain key press.
        widget.event_generate(f"<{keysym}>" if "-" in keysym else f"<KeyPress-{keysym}>", **kw)
        self.pump(0.1)

    def type(self, widget, text: str) -> None:
        """Type ``text`` into an entry, character by character (a barcode scanner does the same)."""
        widget.focus_force()
        self.pump(0.02)
        for ch in text:
            widget.insert("insert", ch)
        self.pump(0.05)

    def shot(self, name: str) -> Path:
        """Screenshot of the whole display, saved as NN-name.png (and copied for people to look at)."""
        from PIL import ImageGrab
        self.pump(0.4)
        path = self.shots_dir / f"{len(self.shots) + 1:02d}-{name}.png"
        ImageGrab.grab(xdisplay=os.environ["DISPLAY"]).save(path)
        self.shots.append(path)
        self.copy_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, self.copy_dir / path.name)
        return path

    def dialog_messages(self) -> list[str]:
        from clerk_app import dialogs
        return [d.message for d in dialogs.SHOWN]

    def close_dialogs(self) -> None:
        from clerk_app import dialogs
        dialogs.close_all()
        self.pump(0.1)

    def previews(self) -> list:
        """Open PDF preview windows."""
        from clerk_app.pdf_preview import PdfPreview
        return [w for w in self.root.winfo_children() if isinstance(w, PdfPreview) and w.winfo_exists()]

    def close_previews(self) -> None:
        for w in self.previews():
            w.destroy()
        self.pump(0.1)


@pytest.fixture
def gui(xvfb, db, tmp_path, request):
    """The clerk window on the test database (not yet logged in); torn down after the test."""
    from clerk_app import dialogs
    from clerk_app.app import ClerkApp
    dialogs.TEST_MODE = True
    dialogs.SHOWN.clear()
    dialogs.ANSWERS.clear()
    shots = tmp_path / "screens"
    shots.mkdir()
    app = ClerkApp()
    driver = GuiDriver(app, shots, SHOTS_COPY / request.node.name)
    driver.wait_for(app.preloaded.is_set, 60, "modules loaded while the login screen shows")
    yield driver
    for task in list(app.services.tasks):
        task.cancel()
    for task in list(app.services.tasks):
        task.join(30)
    dialogs.close_all()
    dialogs.SHOWN.clear()
    dialogs.ANSWERS.clear()
    try:
        app.root.destroy()
    except Exception:  # noqa: BLE001 - already gone
        pass
    dialogs.TEST_MODE = False
