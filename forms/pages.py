"""Page edits at the window: move to a material, delete, reorder (every change an event)."""
from __future__ import annotations

from pathlib import Path

from forms import workflow
from forms.casework import absolute
from forms.errors import InvalidInput, NotFound
from forms.models import Case, CaseMaterial, Clerk, Page, db_proxy
from forms.workflow import Status

_PAGE_STATES = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


def check_open(case: Case) -> None:
    """Pages may change only until the case is packaged."""
    if Status(case.status) not in _PAGE_STATES:
        raise InvalidInput(f"办件已{Status(case.status).label}，页面不能再修改")


def move_page(page: Page, material_name: str | None, clerk: Clerk) -> Page:
    """Attach a page to another material of the same case (None: unassigned)."""
    page = Page.get_by_id(page.id)
    case = page.case
    check_open(case)
    material = None
    if material_name:
        material = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == material_name)
        if material is None:
            raise NotFound(f"材料“{material_name}”")
    old = page.material.name if page.material_id else ""
    with db_proxy.obj.atomic():
        page.material = material
        page.save()
        workflow.record_event(case, clerk, "page_move", case.status, case.status,
                              {"page": page.seq, "from": old, "to": material_name or ""})
    return page


def delete_page(page: Page, clerk: Clerk) -> None:
    """Remove a page and its image (a wrong or blank page)."""
    page = Page.get_by_id(page.id)
    case = page.case
    check_open(case)
    path = absolute(page.file_path)
    with db_proxy.obj.atomic():
        workflow.record_event(case, clerk, "page_delete", case.status, case.status,
                              {"page": page.seq, "material": page.material.name if page.material_id else ""})
        page.delete_instance()
    Path(path).unlink(missing_ok=True)


def move_within(page: Page, step: int, clerk: Clerk) -> Page:
    """Swap the page with its neighbour in the case's order (step −1 earlier, +1 later)."""
    page = Page.get_by_id(page.id)
    case = page.case
    check_open(case)
    order = list(Page.select().where(Page.case == case).order_by(Page.seq))
    i = next(k for k, p in enumerate(order) if p.id == page.id)
    j = i + (1 if step > 0 else -1)
    if not 0 <= j < len(order):
        return page
    other = order[j]
    with db_proxy.obj.atomic():
        page.seq, other.seq = other.seq, page.seq
        page.save()
        other.save()
        workflow.record_event(case, clerk, "page_order", case.status, case.status,
                              {"page": other.seq, "now": page.seq})
    return page
