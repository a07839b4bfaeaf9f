"""An item's page in the hall: its form, its 清册 or 待变更清册, 暂存 and 提交.

Rows and staged changes live in the application's draft on the server (so nothing is
lost between requests, and 暂存 is the same draft); the page posts one action at a
time and is redirected back to the draft. Every refusal shows the form again with the
messages beside their fields and rolls the request's transaction back.
"""
from __future__ import annotations

import uuid

import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from core.codes import ApplicationStatus as S
from core.contract import BusinessItem
from core.models import Application, Unit
from core.money.errors import BusinessError
from core.web import forms
from core.web.applications import attempt
from core.web.security import HallRoot
from core.workflow import FormErrors, Workflow

ACTIONS = ("submit", "save_draft", "add_row", "delete_row", "stage", "cancel_change")


class Page:
    """What one request to an item page works on."""

    def __init__(self, request, item: BusinessItem):
        self.request, self.item = request, item
        self.unit = request.db.get(Unit, request.user.unit_id)
        self.application = self._application()
        self.initial = forms.item_initial(request, item, self.unit)
        stored = self.application.data if self.application else None
        self.data: dict = dict(stored if stored else self.initial)
        self.rows: list[dict] = [dict(r.data) for r in self.application.rows] if self.application else []
        self.submit_key = (self.application.submit_key if self.application else None) \
            or request.POST.get("submit_key") or uuid.uuid4().hex
        buttons = [("stage", "确定")] if item.kind == "change" else [("save_draft", "暂存"), ("submit", "提交")]
        self.form = forms.form(request, item.schema, buttons, unit=self.unit) if item.schema else None
        self.row_form = forms.form(request, item.row_schema, [("add_row", "添加到清册")], unit=self.unit,
                                   formid="row") if item.kind == "list" and item.row_schema else None
        self.errors: list[str] = []

    def _application(self) -> Application | None:
        wanted = self.request.params.get("application")
        if not wanted:
            return None
        application = self.request.db.get(Application, int(wanted)) if wanted.isdigit() else None
        if application is None or application.unit_id != self.request.user.unit_id \
                or application.item_code != self.item.code:
            raise HTTPNotFound()
        if application.status not in (S.DRAFT, S.RETURNED):
            raise HTTPSeeOther(self.request.route_url("hall_application", id=application.id))
        return application

    @property
    def hidden(self) -> list[tuple[str, object]]:
        fields = [("submit_key", self.submit_key)]
        if self.application is not None:
            fields += [("application", self.application.id), ("version", self.application.version)]
        return fields

    def workflow(self) -> Workflow:
        return Workflow(self.request.registry.runtime, self.request.db, self.request.actor, self.request.tm)

    def keyword(self) -> dict:
        version = self.request.POST.get("version", "")
        return {"submit_key": self.submit_key, "application_id": self.application.id if self.application else None,
                "version": int(version) if version.isdigit() else None}

    def back_to_draft(self, application: Application) -> HTTPSeeOther:
        return HTTPSeeOther(self.request.route_url("hall_item", code=self.item.code,
                                                   _query={"application": application.id}))


def _posted_main(page: Page) -> dict:
    return forms.posted(page.request, page.form, fixed=page.initial) if page.form else {}


def _changes(page: Page, cstruct: dict) -> list[dict]:
    """The 待变更清册: one row per editable field whose value differs from now."""
    titles = {child.name: child.title for child in page.form.children}
    readonly = forms.readonly_names(page.form)
    return [{"field": name, "label": titles[name], "before": page.initial.get(name, ""), "after": value}
            for name, value in cstruct.items()
            if name not in readonly and name in titles and str(value or "") != str(page.initial.get(name) or "")]


def _act(page: Page, action: str):
    request, workflow, kw = page.request, page.workflow(), page.keyword()
    if action == "add_row":
        cstruct = forms.posted(request, page.row_form)
        forms.validate(page.row_form, cstruct)
        application = workflow.save_draft(page.item.code, page.data, page.rows + [cstruct], **kw)
        return page.back_to_draft(application)
    if action in ("delete_row", "cancel_change"):
        number = int(request.POST.get("row", "0") or 0)
        if not 1 <= number <= len(page.rows):
            raise BusinessError("没有这一行", field="row")
        removed = page.rows.pop(number - 1)
        if action == "cancel_change":
            page.data[removed["field"]] = page.initial.get(removed["field"], "")
        return page.back_to_draft(workflow.save_draft(page.item.code, page.data, page.rows, **kw))
    if action == "stage":
        cstruct = _posted_main(page)
        forms.validate(page.form, cstruct)
        return page.back_to_draft(workflow.save_draft(page.item.code, cstruct, _changes(page, cstruct), **kw))
    data = page.data if page.item.kind == "change" else _posted_main(page)
    if action == "save_draft":
        application = workflow.save_draft(page.item.code, data, None, **kw)
        request.session.flash("已暂存，可在“我发起的”中继续办理")
        return page.back_to_draft(application)
    if page.form is not None and page.item.kind != "change":
        forms.validate(page.form, data)
    application = workflow.submit(page.item.code, data, None, **kw)
    return HTTPSeeOther(request.route_url("hall_application", id=application.id, _query={"submitted": 1}))


@view_config(route_name="hall_item", context=HallRoot, permission="hall", renderer="core.web:templates/hall/item.pt")
def item_page(request):
    item = request.registry.runtime.catalogue.items.get(request.matchdict["code"])
    if item is None:
        raise HTTPNotFound()
    page = Page(request, item)
    if request.method == "POST":
        action = next((a for a in ACTIONS if a in request.POST), None)
        try:
            if action is None:
                raise BusinessError("请选择要执行的操作")
            with attempt(request):
                return _act(page, action)
        except deform.ValidationFailure:
            pass
        except FormErrors as error:
            page.errors += forms.show_errors(page.form, error.fields) if page.form else list(error.fields.values())
            page.errors += [f"第{n}行：{'；'.join(e.values())}" for n, e in error.rows.items()]
        except BusinessError as error:
            page.errors.append(error.for_people)
    return render(page)


def render(page: Page) -> dict:
    request = page.request
    main_cstruct = page.form.cstruct if page.form is not None and page.form.error else page.data
    last_return = None
    if page.application is not None and page.application.status == S.RETURNED:
        last_return = next((h for h in reversed(page.application.history) if h.action == "return"), None)
    return {
        "item": page.item, "application": page.application, "errors": page.errors,
        "form": forms.render(request, page.form, main_cstruct, page.hidden) if page.form else None,
        "row_form": forms.render(request, page.row_form, page.row_form.cstruct if page.row_form.error else {},
                                 page.hidden) if page.row_form else None,
        "rows": page.rows, "row_titles": _row_titles(page), "hidden": page.hidden, "last_return": last_return,
    }


def _row_titles(page: Page) -> list[tuple[str, str]]:
    if page.item.kind == "change":
        return [("label", "变更项目"), ("before", "变更前"), ("after", "变更后")]
    if page.row_form is None:
        return []
    return [(child.name, child.title) for child in page.row_form.children]
