"""What a desk call returns: plain, frozen data the window and the command line present."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from forms import materials as mat
from forms.models import Case
from forms.workflow import Status


@dataclass(frozen=True)
class CaseResult:
    """A case as an action left it, with what the clerk must read next."""

    case_no: str
    case_id: int
    status: str
    status_label: str
    outcome: str = ""                       # notified | accepted | saved | refused | changed | ...
    due_date: date | None = None
    legal_due_date: date | None = None
    correction_due: date | None = None
    deadline_warning: str = ""
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    documents: dict[str, Path] = field(default_factory=dict)


def case_result(case: Case, outcome: str = "", warnings=(), documents: dict | None = None) -> CaseResult:
    """Read ``case`` back from the database and describe it."""
    case = Case.get_by_id(case.id)
    return CaseResult(
        case_no=case.case_no, case_id=case.id, status=case.status, status_label=Status(case.status).label,
        outcome=outcome, due_date=case.due_date, legal_due_date=case.legal_due_date,
        correction_due=case.correction_due, deadline_warning=case.deadline_warning or "",
        missing=tuple(m.name for m in mat.missing_materials(case)),
        warnings=tuple(dict.fromkeys(warnings)), documents=dict(documents or {}))


@dataclass(frozen=True)
class PageResult:
    case_no: str
    page_id: int
    seq: int
    material: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShipmentResult:
    case_no: str
    tracking_number: str
    weight_g: int
    waybill: Path | None = None
    transmittal: Path | None = None     # the 流转单 again, now with the EMS number and date sent


@dataclass(frozen=True)
class PackagedResult:
    """What 打包 made: the searchable PDF, the signed transfer zip and the 流转单 printed alone."""

    case_no: str
    pdf_path: Path
    zip_path: Path
    transmittal_pdf: Path
    pages: int
    bytes: int
    fingerprint: str

    @property
    def documents(self) -> dict[str, Path]:
        return {"transmittal": self.transmittal_pdf, "package_pdf": self.pdf_path, "package_zip": self.zip_path}
