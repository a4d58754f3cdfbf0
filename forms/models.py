"""Database models (peewee), bound at start to SQLite or PostgreSQL by URL.

Models never name a database class: ``db_proxy`` is initialised by forms.db.
The schema is created by the numbered migrations in forms/migrations, never
by ``create_tables`` in production; a test checks that both give one schema.
"""
from __future__ import annotations

import json

from peewee import (
    BooleanField, CharField, DatabaseProxy, DateField, DateTimeField, ForeignKeyField,
    IntegerField, Model, TextField,
)

from forms import clock

db_proxy = DatabaseProxy()


class JSONField(TextField):
    """JSON stored as text: portable across SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db_proxy
        legacy_table_names = False


# --- this window, partners, clerks -------------------------------------------------

class Window(BaseModel):
    """A receiving window (专窗). Several share one database in a hall."""
    code = CharField(max_length=16, unique=True)          # part of every case number
    name = CharField()
    region_code = CharField(max_length=6)
    level = CharField(max_length=16, default="county")    # county | township
    address = CharField(default="")
    postcode = CharField(max_length=6, default="")
    phone = CharField(default="")
    created_at = DateTimeField(default=clock.now)


class Partner(BaseModel):
    """A partner jurisdiction (alliance member) whose items this window receives."""
    code = CharField(max_length=32, unique=True)
    name = CharField()
    region_code = CharField(max_length=6)
    alliance = CharField(default="")
    receiving_window = CharField(default="")
    department = CharField(default="")
    address = CharField(default="")
    postcode = CharField(max_length=6, default="")
    contact = CharField(default="")
    phone = CharField(default="")
    agreement_start = DateField(null=True)
    agreement_end = DateField(null=True)
    active = BooleanField(default=True)


class Clerk(BaseModel):
    username = CharField(max_length=64, unique=True)
    name = CharField()
    window = ForeignKeyField(Window, backref="clerks", on_delete="RESTRICT")
    password_hash = CharField(default="")
    is_admin = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=clock.now)


class ClerkRight(BaseModel):
    """One of the four 授权信任 rights, granted per partner (partner NULL = every partner)."""
    clerk = ForeignKeyField(Clerk, backref="rights", on_delete="CASCADE")
    partner = ForeignKeyField(Partner, null=True, backref="granted_rights", on_delete="CASCADE")
    right = CharField(max_length=16)   # receive | notify | verify | deliver

    class Meta:
        indexes = ((("clerk", "partner", "right"), True),)


# --- catalog ------------------------------------------------------------------------

class ServiceItem(BaseModel):
    """One version of a service item (事项); a case keeps the version it was received under."""
    code = CharField(max_length=64, index=True)
    version = IntegerField(default=1)
    current = BooleanField(default=True, index=True)
    name = CharField(index=True)
    department = CharField(default="")
    scope = CharField(default="")                # 跨省通办 | 全省通办 | ...
    case_types = JSONField(default=list)         # 全程网办 / 异地代收代办 / 多地联办
    promised_days = IntegerField(default=0)      # 承诺时限, working days
    legal_days = IntegerField(default=0)         # 法定时限, working days
    fees = TextField(default="")
    basis = TextField(default="")                # 设定依据
    special_stages = JSONField(default=list)     # [{"name", "limit"}], not counted in the limit
    review_points = TextField(default="")        # 审查要点
    keywords = JSONField(default=list)
    source = TextField(default="")
    created_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("code", "version"), True),)


class MaterialRequirement(BaseModel):
    item = ForeignKeyField(ServiceItem, backref="materials", on_delete="CASCADE")
    seq = IntegerField()
    name = CharField()
    form = CharField(max_length=8, default="复印件")   # 原件 | 复印件 | 电子
    copies = IntegerField(default=1)
    required = BooleanField(default=True)
    condition = TextField(null=True)                   # text of the condition when conditional
    verify_original = BooleanField(default=False)
    forward_original = BooleanField(default=False)     # original collected and mailed home
    e_license_ok = BooleanField(default=False)         # 电子证照 accepted instead
    rongque_ok = BooleanField(default=False)           # 容缺 allowed
    note = TextField(default="")

    class Meta:
        indexes = ((("item", "seq"), True),)


class PartnerItem(BaseModel):
    """Items signed with a partner, by item code (every version of it)."""
    partner = ForeignKeyField(Partner, backref="signed_items", on_delete="CASCADE")
    item_code = CharField(max_length=64)

    class Meta:
        indexes = ((("partner", "item_code"), True),)


class HolidayOverride(BaseModel):
    """Editable holiday/workday table; wins over the chinese_calendar library."""
    day = DateField(unique=True)
    kind = CharField(max_length=8)     # holiday | workday
    name = CharField(default="")
    source = CharField(default="")


class Setting(BaseModel):
    key = CharField(max_length=64, unique=True)
    value = JSONField(null=True)


# --- cases --------------------------------------------------------------------------

class Party(BaseModel):
    """An applicant or agent: a person or an enterprise."""
    kind = CharField(max_length=12, default="person")   # person | enterprise
    name = CharField(index=True)
    id_type = CharField(max_length=24, default="resident_id")
    id_number = CharField(max_length=32, default="", index=True)
    phone = CharField(max_length=32, default="", index=True)
    address = CharField(default="")
    legal_rep = CharField(default="")                   # enterprise: 法定代表人


class CaseNumberCounter(BaseModel):
    """Last sequence used per window and day; numbers are never reused."""
    window_code = CharField(max_length=16)
    day = DateField()
    last_seq = IntegerField(default=0)

    class Meta:
        indexes = ((("window_code", "day"), True),)


class Case(BaseModel):
    case_no = CharField(max_length=40, unique=True)
    window = ForeignKeyField(Window, backref="cases", on_delete="RESTRICT")
    item = ForeignKeyField(ServiceItem, backref="cases", on_delete="RESTRICT")
    case_type = CharField(max_length=16)
    home = ForeignKeyField(Partner, backref="cases", on_delete="RESTRICT")
    applicant = ForeignKeyField(Party, backref="cases_applied", on_delete="RESTRICT")
    agent = ForeignKeyField(Party, null=True, backref="cases_as_agent", on_delete="RESTRICT")
    agent_authorization = TextField(default="")         # 授权委托书 description
    status = CharField(max_length=24, index=True)
    outcome = CharField(max_length=16, default="")      # approved | rejected
    delivery_method = CharField(max_length=8, default="ems")   # ems | window
    delivery_address = CharField(default="")
    received_at = DateTimeField(default=clock.now, index=True)
    accepted_at = DateTimeField(null=True)
    correction_due = DateField(null=True)               # by when to supply 补正 materials
    due_date = DateField(null=True)                     # committed (承诺) deadline
    legal_due_date = DateField(null=True)               # 法定 deadline
    deadline_warning = TextField(null=True)
    refusal_reason = TextField(default="")
    refusal_clause = CharField(max_length=16, null=True)   # not_required | not_competent | None (行政许可法 §32(1))
    refusal_authority = TextField(null=True)            # not_competent: where to apply instead
    created_by = ForeignKeyField(Clerk, backref="cases_created", on_delete="RESTRICT")
    updated_at = DateTimeField(default=clock.now)
    intake_key = CharField(max_length=64, null=True, unique=True)   # same intake run twice: one case

    class Meta:
        # The home board and the day ledger (migration 0003 creates the same indexes).
        indexes = ((("window", "received_at"), False), (("status", "window"), False))


class CaseMaterial(BaseModel):
    """A material of the checklist as brought for this case."""
    case = ForeignKeyField(Case, backref="materials", on_delete="CASCADE")
    requirement = ForeignKeyField(MaterialRequirement, null=True, on_delete="RESTRICT")
    seq = IntegerField()
    name = CharField()
    state = CharField(max_length=16, default="missing")  # provided | missing | deficient | rongque | e_license | not_needed
    reason = TextField(default="")                       # why missing / deficient
    copies = IntegerField(default=0)
    original_verified_by = ForeignKeyField(Clerk, null=True, on_delete="RESTRICT")
    original_verified_at = DateTimeField(null=True)
    original_enclosed = BooleanField(default=False)

    class Meta:
        indexes = ((("case", "seq"), True),)


class Page(BaseModel):
    """A scanned or imported page image, stored under the data folder."""
    case = ForeignKeyField(Case, backref="pages", on_delete="CASCADE")
    material = ForeignKeyField(CaseMaterial, null=True, backref="pages", on_delete="SET NULL")
    seq = IntegerField()
    file_path = CharField()            # relative to the data folder
    sha256 = CharField(max_length=64)
    width = IntegerField(default=0)
    height = IntegerField(default=0)
    dpi = IntegerField(default=300)
    source = CharField(default="")     # file name or device
    ocr = JSONField(null=True)         # forms.ocrdata.OcrPage.to_dict()
    blank = BooleanField(default=False)
    created_at = DateTimeField(default=clock.now)


class Shipment(BaseModel):
    case = ForeignKeyField(Case, backref="shipments", on_delete="CASCADE")
    direction = CharField(max_length=8, default="out")   # out (to home) | back (result) | applicant
    carrier = CharField(max_length=16, default="EMS")
    tracking_number = CharField(max_length=32, unique=True)   # one number, one parcel
    weight_g = IntegerField(default=0)
    originals = IntegerField(default=0)
    shipped_at = DateTimeField(default=clock.now)
    received_at = DateTimeField(null=True)


class CaseDocument(BaseModel):
    """A document printed for a case, kept so it can be reprinted."""
    case = ForeignKeyField(Case, backref="documents", on_delete="CASCADE")
    kind = CharField(max_length=24)    # notification | receipt | refusal | transmittal | package_pdf | ...
    file_path = CharField()            # relative to the data folder
    sha256 = CharField(max_length=64, default="")
    created_at = DateTimeField(default=clock.now)


class CaseEvent(BaseModel):
    """Append-only timeline entry: who did what, when, with which details."""
    case = ForeignKeyField(Case, backref="events", on_delete="CASCADE")
    seq = IntegerField()
    at = DateTimeField(default=clock.now)
    clerk = ForeignKeyField(Clerk, null=True, on_delete="RESTRICT")
    action = CharField(max_length=24)
    from_status = CharField(max_length=24, default="")
    to_status = CharField(max_length=24, default="")
    details = JSONField(default=dict)

    class Meta:
        indexes = ((("case", "seq"), True),)

    def save(self, *args, **kwargs):
        if self._pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("case events are append-only")
        return super().save(*args, **kwargs)


ALL_MODELS = [
    Window, Partner, Clerk, ClerkRight, ServiceItem, MaterialRequirement, PartnerItem,
    HolidayOverride, Setting, Party, CaseNumberCounter, Case, CaseMaterial, Page,
    Shipment, CaseDocument, CaseEvent,
]
