"""The clerk window, started as main.py starts it and driven from inside its own Tk loop.

    python bench/gui_probe.py start           # env BENCH_T0 (time.time() at spawn), CLERK_DATABASE_URL
    python bench/gui_probe.py stall FILE...   # a fresh data folder; the files are imported as pages

Run by bench/gui_bench.py under Xvfb; prints one JSON line on stdout.

* start: main.run([]) (logging, database opened and migrated, then the window), with
  clerk_app.run_gui replaced by a driver that signs in as admin as soon as the sign-in
  screen is drawn and stops when the home board has been filled and drawn. Reports
  seconds from spawn to each.
* stall: the same start on an empty data folder; a verified case is written straight
  into the tables (so the probe does not depend on the desk's functions, which are
  being moved), the wizard continues it at the pages step, and the files are imported
  into its first material while a 10 ms ``after`` tick measures every gap of the
  real main loop, as tests/test_gui_stall.py does.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TICK_MS = 10


def pump(root, seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        root.update()
        if time.monotonic() >= end:
            return
        time.sleep(0.01)


def wait_for(root, predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit(f"gui_probe: timed out waiting for {what}")
        pump(root, 0.02)


def sign_in(app, username: str = "admin") -> None:
    app.login.username.set(username)
    app.login.password.set("")
    app.login.submit()


def drive_start(out: dict) -> int:
    from clerk_app.app import ClerkApp
    t0 = float(os.environ["BENCH_T0"])
    app = ClerkApp()
    root = app.root

    def login_ready():
        login = getattr(app, "login", None)
        if login is None or not login.winfo_ismapped():
            root.after(2, login_ready)
            return
        root.update_idletasks()
        out["login_s"] = time.time() - t0
        sign_in(app)
        root.after(1, home_ready)

    def home_ready():
        home = app.views.get("home")
        if home is None or home.stale or not home.winfo_ismapped():
            root.after(2, home_ready)
            return
        root.update_idletasks()
        out["home_s"] = time.time() - t0
        out["rows"] = {k: len(t.get_children()) for k, t in home.tables.items()}
        root.quit()

    root.after(0, login_ready)
    root.mainloop()
    return 0


def verified_case():
    """A case ready for scanning, written straight into the tables (status 原件核验)."""
    from forms import clock
    from forms.models import Case, CaseMaterial, Clerk, MaterialRequirement, Partner, Party, ServiceItem
    from forms.seed import this_window
    from bench.pages import resident_id
    import random
    window, admin, now = this_window(), Clerk.get(Clerk.username == "admin"), clock.now()
    item = next(i for i in ServiceItem.select().where(ServiceItem.current == True)  # noqa: E712
                .order_by(ServiceItem.id) if i.materials.count() >= 2)
    party = Party.create(name="张伟民", id_number=resident_id(random.Random(1)), phone="13800000000")
    case = Case.create(case_no=f"{window.code}-{now:%Y%m%d}-9001", window=window, item=item,
                       case_type=(item.case_types or ["异地代收代办"])[0], home=Partner.select().first(),
                       applicant=party, status="verified", delivery_method="window", received_at=now,
                       accepted_at=now, created_by=admin, updated_at=now)
    for req in MaterialRequirement.select().where(MaterialRequirement.item == item):
        CaseMaterial.create(case=case, requirement=req, seq=req.seq, name=req.name, state="provided",
                            copies=1, original_verified_by=admin, original_verified_at=now)
    return case


def drive_stall(out: dict, files: list[Path]) -> int:
    from clerk_app.app import ClerkApp
    app = ClerkApp()
    root = app.root
    wait_for(root, app.preloaded.is_set, 60, "modules preloaded")
    case = verified_case()
    sign_in(app)
    pump(root, 0.3)
    app.services.post("<<ContinueCase>>", case_no=case.case_no)
    pump(root, 0.5)
    wizard = app.views["wizard"]
    pages = wizard.steps[3]
    wait_for(root, lambda: bool(pages.materials.get_children()), 30, "the pages step")
    pages.materials.selection_set(pages.materials.get_children()[0])
    pump(root, 1.0)                       # the workers warmed at sign-in have started
    gaps: list[float] = []
    task = pages.import_files(files)
    last = [time.monotonic()]

    def tick():
        now = time.monotonic()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
        if task.finished:
            root.quit()
        else:
            root.after(TICK_MS, tick)

    root.after(TICK_MS, tick)
    started = time.monotonic()
    root.mainloop()
    out.update(elapsed_s=time.monotonic() - started, ticks=len(gaps), max_stall_ms=max(gaps),
               error=str(task.error) if task.error else None, files=len(files))
    from forms.models import Page
    out["pages_stored"] = Page.select().where(Page.case == case).count()
    return 0


def main(argv: list[str]) -> int:
    import clerk_app
    import main as entry
    out: dict = {}
    mode = argv[0]
    if mode == "start":
        clerk_app.run_gui = lambda: drive_start(out)
    else:
        files = [Path(f) for f in argv[1:]]
        clerk_app.run_gui = lambda: drive_stall(out, files)
    code = entry.run([])
    print(json.dumps(out), flush=True)
    # Exit at once: the OCR pool and the preload thread need no orderly end for a probe.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
