"""A hall-sized database, generated: eight windows, years of cases, built once and cached.

``sqlite_hall(cases, cache)`` returns the path of an SQLite database holding ``cases``
cases, made through forms.db.open_database (every migration, the demo catalog and
its partners), then filled by bulk inserts: executemany in one transaction with
``journal_mode=OFF``, the triggers of migration 0003 keeping the trigram tables as
they would in use. The file is cached under bench/.cache, named by the case count,
the migrations present and ``GENERATOR``, so a new migration or generator builds
a new one. ``fill_postgres(url, cases)`` loads the same rows into a PostgreSQL
database (emptied first) with COPY.

What a hall holds, per case, received 08:30-17:30 on working days back from
``TODAY``, 480 a day across the windows: an applicant (15 % come back, 8 % are
enterprises), an agent for one in ten, the item's first four materials, the
shipments a case of its age has had (S10 numbers, unique), one OCR'd page (the
application form: name, ID number, address and catalog sentences, ~250 characters;
``words`` left empty, which makes page.ocr far smaller than the app's), and the five
events reports read (receive, accept, ship, decide, archive; not all ten). Status
follows age: today's cases are still at the window, a month's are with the home
side, older ones archived, and one in five thousand never closed (overdue).
"""
from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar

from bench.pages import SURNAMES, GIVEN, resident_id, sentences

GENERATOR = 1
TODAY = date(2026, 6, 16)               # a Tuesday; CLERK_FAKE_NOW pins the app to it
NOW = datetime.combine(TODAY, time(10, 30))
PER_DAY = 480
WINDOWS = ["DZTQ01"] + [f"DZTQ{n:02d}" for n in range(2, 9)]
CLERKS_PER_WINDOW = 5
FLOW = ["received", "accepted", "verified", "scanned", "packaged", "shipped", "home_received",
        "decided", "result_returned", "delivered", "archived"]
EVENTS = {"accepted": "accept", "shipped": "ship", "decided": "decide", "archived": "archive"}
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
STREETS = "人民路 解放路 建设街 新华路 东风路 胜利街 和平路 文化路 中山路 长江路".split()
FIRMS = "示例 华信 博远 恒通 瑞丰 德源 金桥 新程 鼎盛 泰和".split()
TRADES = "科技 商贸 建材 物流 餐饮 文化传媒 农业 机械".split()


def schema_key() -> str:
    """Names the migrations as they are now: a changed or new one means a new database."""
    folder = Path(__file__).resolve().parent.parent / "forms" / "migrations"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("m*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return f"g{GENERATOR}-{digest.hexdigest()[:10]}"


def working_days_back(count: int) -> list[date]:
    """The last ``count`` working days up to TODAY, oldest first."""
    days, d = [], TODAY
    while len(days) < count:
        if chinese_calendar.is_workday(d) if d.year <= 2026 else d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def s10(serial: int) -> str:
    digits = f"{serial % 10 ** 8:08d}"
    r = sum(int(c) * w for c, w in zip(digits, S10_WEIGHTS)) % 11
    prefix = "E" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[serial // 10 ** 8 % 26]
    return f"{prefix}{digits}{ {0: 5, 1: 0}.get(r, 11 - r)}CN"


def _status(age: int, promised: int, rng: random.Random) -> str:
    """Where a case received ``age`` working days ago stands now (its item promises ``promised``)."""
    if age == 0:
        return rng.choices(["received", "correction", "accepted", "verified", "scanned", "packaged",
                            "refused"], [10, 5, 10, 10, 15, 45, 5])[0]
    if age <= 10 and rng.random() < 0.04:
        return "correction"
    if age <= 2:
        return rng.choices(["packaged", "shipped"], [25, 75])[0]
    # The home side decides within its promise, now and then a little late.
    decided = max(3, round(promised * rng.uniform(0.4, 0.95 if rng.random() > 0.03 else 1.15)))
    if age < decided:
        return "shipped" if age < 5 else "home_received"
    if age < decided + 4:
        return rng.choice(["decided", "result_returned", "delivered"])
    if rng.random() < 0.0002:
        return rng.choice(["shipped", "home_received"])          # never closed: overdue for ever
    if age < decided + 15:
        return rng.choices(["delivered", "archived"], [60, 40])[0]
    return rng.choices(["archived", "delivered", "refused"], [90, 8, 2])[0]


class Generator:
    """Rows for every table, case by case, in the order they would have been written."""

    def __init__(self, base: dict, cases: int, seed: int = 11):
        self.rng = random.Random(seed)
        self.base = base
        self.cases = cases
        self.pool = sentences()
        self.party_id = base["max_party"]
        self.case_id = self.page_id = self.event_id = self.material_id = self.shipment_id = 0
        self.serial = 10_000_000
        self.recent_parties: list[tuple] = []      # (id, kind, name, id_type, id_number, phone, ...)

    def person(self) -> tuple:
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        address = f"山东省德州市{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        phone = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
        return "person", name, "resident_id", resident_id(rng), phone, address, ""

    def enterprise(self) -> tuple:
        rng = self.rng
        name = f"德州{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司"
        code = f"91371400{rng.randint(0, 10 ** 9 - 1):09d}{rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY')}"
        phone = f"0534{rng.randint(0, 9999999):07d}"
        rep = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        return "enterprise", name, "uscc", code, phone, f"德州市{rng.choice(STREETS)}{rng.randint(1, 99)}号", rep

    def new_party(self, rows: dict) -> int:
        kind = self.enterprise() if self.rng.random() < 0.08 else self.person()
        self.party_id += 1
        row = (self.party_id, *kind)
        rows["party"].append(row)
        self.recent_parties.append(row)
        if len(self.recent_parties) > 50_000:
            del self.recent_parties[:10_000]
        return row

    def page_text(self, party: tuple) -> str:
        rng = self.rng
        body = "".join(rng.choice(self.pool) + "。" for _ in range(rng.randint(3, 6)))
        return f"申请人{party[1]}\n公民身份号码{party[3]}\n住址{party[5]}\n联系电话{party[4]}\n{body}"

    def days(self) -> list[tuple[date, int]]:
        """(day, cases that day) from the first day to TODAY; today has the morning's share."""
        today_share = PER_DAY // 4
        full = max(0, -(-(self.cases - today_share) // PER_DAY))
        out = [(d, PER_DAY) for d in working_days_back(full + 1)[:-1]]
        out.append((TODAY, today_share))
        surplus = sum(n for _, n in out) - self.cases
        if surplus > 0:
            d0, n0 = out[0]
            out[0] = (d0, n0 - surplus)
        return [(d, n) for d, n in out if n > 0]

    def chunks(self, size: int = 20_000):
        """Yield {table: [rows]} every ``size`` cases."""
        rows = self._empty()
        all_days = self.days()
        day_index = {d: i for i, (d, _) in enumerate(all_days)}
        last_index = len(all_days) - 1
        for day, count in all_days:
            age = last_index - day_index[day]
            limit_hour = 10.5 if day == TODAY else 17.5
            stamps = sorted(self.rng.uniform(8.5, limit_hour) for _ in range(count))
            seqs = {w: 0 for w in self.base["windows"]}
            for hour in stamps:
                self.one_case(rows, day, hour, age, seqs)
                if self.case_id % size == 0:
                    yield rows
                    rows = self._empty()
            for w, n in seqs.items():
                if n:
                    rows["case_number_counter"].append((w, day.isoformat(), n))
        yield rows

    @staticmethod
    def _empty() -> dict:
        return {t: [] for t in ("party", "case", "case_material", "shipment", "page", "case_event",
                                "case_number_counter")}

    def one_case(self, rows: dict, day: date, hour: float, age: int, seqs: dict) -> None:
        rng, base = self.rng, self.base
        window = rng.choice(base["windows"])
        seqs[window] += 1
        self.case_id += 1
        cid = self.case_id
        received = datetime.combine(day, time()) + timedelta(hours=hour)
        received = received.replace(microsecond=0)
        item = rng.choices(base["items"], base["item_weights"])[0]
        if self.recent_parties and rng.random() < 0.15:
            party = rng.choice(self.recent_parties)
        else:
            party = self.new_party(rows)
        applicant = party[0]
        agent = self.new_party(rows)[0] if rng.random() < 0.10 else None
        status = _status(age, item["promised_days"], rng)
        accepted = status not in ("received", "correction", "refused")
        due = legal = None
        if accepted:
            due = (day + timedelta(days=item["promised_days"] * 7 // 5 + 1)).isoformat()
            legal = (day + timedelta(days=item["legal_days"] * 7 // 5 + 1)).isoformat()
        updated = received + timedelta(days=min(age, 40) * 1.3, minutes=rng.randint(5, 300))
        updated = min(updated, NOW).replace(microsecond=0)
        clerk = rng.choice(base["clerks"][window])
        delivery = "ems" if rng.random() < 0.7 else "window"
        case_no = f"{base['window_codes'][window]}-{day:%Y%m%d}-{seqs[window]:04d}"
        rows["case"].append((
            cid, case_no, window, item["id"], item["case_type"], rng.choice(base["partners"]), applicant,
            agent, "", status, "approved" if status in FLOW[FLOW.index("decided"):] else "", delivery, "",
            received.isoformat(sep=" "),
            received.isoformat(sep=" ") if accepted else None,
            (day + timedelta(days=10)).isoformat() if status == "correction" else None,
            due, legal, None, "材料不齐且无法补正" if status == "refused" else "", clerk,
            updated.isoformat(sep=" ")))
        for seq, (req_id, name) in enumerate(item["materials"][:4], 1):
            self.material_id += 1
            state = "provided" if accepted or rng.random() < 0.7 else "missing"
            rows["case_material"].append((self.material_id, cid, req_id, seq, name, state, "", 1 if state ==
                                          "provided" else 0, None, None, 0))
        reached = FLOW.index(status) if status in FLOW else 0
        if delivery == "ems" and reached >= FLOW.index("shipped"):
            self.add_shipment(rows, cid, "out", received + timedelta(hours=20))
        if delivery == "ems" and reached >= FLOW.index("result_returned"):
            self.add_shipment(rows, cid, "back", received + timedelta(days=25))
        if accepted:
            self.page_id += 1
            text = self.page_text(party[1:])
            ocr = json.dumps({"image_path": f"pages/{cid}/p1.png", "width": 2480, "height": 3508,
                              "dpi": 300, "words": [], "text": text, "confidence": 88.0, "fields": [],
                              "warnings": [], "blank": False, "error": None},
                             ensure_ascii=False, sort_keys=True)
            rows["page"].append((self.page_id, cid, None, 1, f"pages/{cid}/p1.png", f"{cid:064x}",
                                 2480, 3508, 300, "居民身份证", ocr, 0, received.isoformat(sep=" ")))
        seq = 0
        for state in ["received"] + FLOW[1:reached + 1] + (["refused"] if status == "refused" else []):
            action = "receive" if state == "received" else EVENTS.get(state)
            if state == "refused":
                action = "refuse"
            if action is None:
                continue
            seq += 1
            self.event_id += 1
            at = min(received + timedelta(days=FLOW.index(state) * 2.5 if state in FLOW else 0), NOW)
            at = at.replace(microsecond=0)
            rows["case_event"].append((self.event_id, cid, seq, at.isoformat(sep=" "), clerk, action, "",
                                       state, "{}"))

    def add_shipment(self, rows: dict, cid: int, direction: str, at: datetime) -> None:
        self.serial += 1
        self.shipment_id += 1
        rows["shipment"].append((self.shipment_id, cid, direction, "EMS", s10(self.serial), 800, 1,
                                 min(at, NOW).isoformat(sep=" "), None))


COLUMNS = {
    "party": "id, kind, name, id_type, id_number, phone, address, legal_rep",
    "case": "id, case_no, window_id, item_id, case_type, home_id, applicant_id, agent_id, "
            "agent_authorization, status, outcome, delivery_method, delivery_address, received_at, "
            "accepted_at, correction_due, due_date, legal_due_date, deadline_warning, refusal_reason, "
            "created_by_id, updated_at",
    "case_material": "id, case_id, requirement_id, seq, name, state, reason, copies, "
                     "original_verified_by_id, original_verified_at, original_enclosed",
    "shipment": "id, case_id, direction, carrier, tracking_number, weight_g, originals, shipped_at, "
                "received_at",
    "page": "id, case_id, material_id, seq, file_path, sha256, width, height, dpi, source, ocr, blank, "
            "created_at",
    "case_event": "id, case_id, seq, at, clerk_id, action, from_status, to_status, details",
    "case_number_counter": "window_code, day, last_seq",
}


def _prepare_base(database) -> dict:
    """The windows, clerks, items and partners the cases point to (created in ``database``)."""
    from peewee import fn

    from forms import accounts
    from forms.models import MaterialRequirement, Partner, Party, ServiceItem, Window
    from forms.workflow import Right
    first = Window.get(Window.code == WINDOWS[0])
    windows = {first.id: first.code}
    with database.atomic():
        for code in WINDOWS[1:]:
            w = Window.create(code=code, name=f"德州天衢新区政务服务中心第{code[-2:]}号通办窗口",
                              region_code=first.region_code, level="county")
            windows[w.id] = w.code
        clerks = {}
        for wid, code in windows.items():
            clerks[wid] = [accounts.create_clerk(f"c{code.lower()}{i}", f"窗口{code[-2:]}工作人员{i}",
                                                 Window.get_by_id(wid), rights={r: None for r in Right}).id
                           for i in range(1, CLERKS_PER_WINDOW + 1)]
    items = []
    for item in ServiceItem.select().where(ServiceItem.current == True).order_by(ServiceItem.id):  # noqa: E712
        mats = [(m.id, m.name) for m in MaterialRequirement.select().where(MaterialRequirement.item == item)
                .order_by(MaterialRequirement.seq)]
        items.append({"id": item.id, "case_type": (item.case_types or ["异地代收代办"])[0],
                      "promised_days": item.promised_days or 10, "legal_days": item.legal_days or 20,
                      "materials": mats})
    weights = [1.0 / (i + 1) for i in range(len(items))]        # a few items make most cases
    random.Random(3).shuffle(weights)
    return {"windows": list(windows), "window_codes": windows, "clerks": clerks, "items": items,
            "item_weights": weights, "partners": [p.id for p in Partner.select()],
            "max_party": Party.select(fn.MAX(Party.id)).scalar() or 0}


def sqlite_hall(cases: int, cache: Path, log=print) -> Path:
    """The cached SQLite hall database of ``cases`` cases (built on first use)."""
    path = cache / f"hall-{cases}-{schema_key()}.db"
    if path.exists():
        return path
    for old in cache.glob(f"hall-{cases}-*.db*"):
        old.unlink()                                    # made by an older schema or generator
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    log(f"building a {cases:,}-case SQLite database (once; cached as {path.name}) ...")
    from forms import db as dbmod
    database = dbmod.open_database(f"sqlite:///{part}")
    base = _prepare_base(database)
    database.close()
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    con = sqlite3.connect(part, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    con.execute("BEGIN")
    done = 0
    for rows in Generator(base, cases).chunks():
        for table, values in rows.items():
            if values:
                marks = ", ".join("?" * len(values[0]))
                con.executemany(f'INSERT INTO "{table}" ({COLUMNS[table]}) VALUES ({marks})', values)
        done += len(rows["case"])
        if done % 200_000 < len(rows["case"]):
            log(f"  {done:,} cases")
    con.execute("COMMIT")
    for fts in ("party_name_fts", "case_no_fts", "page_text_fts"):
        con.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    part.rename(path)
    return path


def fill_postgres(url: str, cases: int, log=print) -> dict:
    """Empty the PostgreSQL database at ``url``, migrate it and load ``cases`` cases with COPY."""
    from playhouse.db_url import connect
    from forms import db as dbmod
    from forms.migrations import m0003_search
    scratch = connect(url)
    scratch.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    scratch.close()
    database = dbmod.open_database(url)
    base = _prepare_base(database)
    log(f"loading {cases:,} cases into PostgreSQL ...")
    # Indexes are cheaper built once than kept row by row: drop the trigram ones, reload, rebuild.
    for name in ("party_name_trgm", "case_case_no_trgm", "page_text_trgm"):
        database.execute_sql(f"DROP INDEX IF EXISTS {name}")
    cursor = database.connection().cursor()
    for rows in Generator(base, cases).chunks(50_000):
        for table, values in rows.items():
            if values:
                buf = io.StringIO()
                for row in values:
                    buf.write("\t".join(_pg_text(v) for v in row) + "\n")
                buf.seek(0)
                cursor.copy_expert(f'COPY "{table}" ({COLUMNS[table]}) FROM STDIN', buf)
    for table in ("party", "case", "case_material", "shipment", "page", "case_event"):
        database.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                             f"(SELECT MAX(id) FROM \"{table}\"))")
    database.commit() if not database.in_transaction() else None
    m0003_search.apply(database, None)
    database.execute_sql("ANALYZE")
    database.close()
    return base


def _pg_text(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
