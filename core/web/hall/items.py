"""An item's page in the hall: its form, its 清册 or 待变更清册, 暂存 and 提交.

Rows and staged changes live in the application's draft on the server (so nothing is
lost between requests, and 暂存 is the same draft); the page posts one action at a
time and is redirected back to the draft. Every refusal shows the form again with the
messages beside their fields and rolls the request's transaction back.

A 清册 row can be added (the row form then stays open, empty: 继续添加), edited (loaded
into the row form and saved back to its number), deleted and shown in detail; an
item's fillers add rows at once (查询可封存账户, 获取单位缴存人); the Excel routes
download the template, export the 清册 (or a filler's rows, to edit and import back),
import a file (in a job above ``excel.import_job_threshold`` rows) and give back the
error file; the look-up fills a row's other fields from one of name, account number or
ID number of the unit's own persons. The page offers only the 清册 buttons in the item's
``row_actions`` and the views refuse the others (403): a filler's export and the error
file belong to 导入. An item's ``exports`` (汇缴's three 清册) are downloaded one by one.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from urllib.parse import quote

import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from core import excel
from core.codes import AccountState
from core.codes import ApplicationStatus as S
from core.contract import BusinessItem
from core.excel import staging
from core.models import Account, Application, Department, Person, Unit
from core.money.errors import BusinessError
from core.passwords import CHINA
from core.web import forms
from core.web.applications import attempt
from core.web.security import HallRoot
from core.workflow import FormErrors, Workflow
from core.workflow.engine import unit_may_edit
from core.workflow.forms import bind

ACTIONS = ("submit", "submit_row", "save_draft", "add_row", "save_row", "delete_row", "fill", "stage",
           "cancel_change")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: session keys: the error files and import jobs this session may read back
FILES, JOBS = "excel.files", "excel.jobs"
#: the 清册 buttons, as the page names them
ROW_ACTION_TITLES = {"add": "增加", "import": "导入", "export": "导出", "edit": "修改", "delete": "删除",
                     "detail": "详情"}
#: the page's posted actions that are 清册 buttons
POSTED_ROW_ACTIONS = {"add_row": "add", "save_row": "edit", "delete_row": "delete"}


class NotOffered(Exception):
    """A 清册 action the item's page does not offer (not in its ``row_actions``)."""

    def __init__(self, action: str):
        super().__init__(action)
        self.message = f"本业务的清册不提供“{ROW_ACTION_TITLES[action]}”功能"


def offers(item: BusinessItem, action: str) -> bool:
    """Whether the item's page offers this 清册 button (only a 清册 item has them)."""
    return item.kind == "list" and action in item.row_actions


def require(item: BusinessItem, action: str) -> None:
    if not offers(item, action):
        raise NotOffered(action)


def _number(text) -> int | None:
    text = str(text or "")
    return int(text) if text.isdigit() else None


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
        editing = request.params.get("edit") if request.method == "GET" else \
            (request.POST.get("row") if "save_row" in request.POST else None)
        self.editing = _number(editing) if item.kind == "list" and offers(item, "edit") else None
        if self.editing is not None and not 1 <= self.editing <= len(self.rows):
            self.editing = None
        row_buttons = [("save_row", "保存修改")] if self.editing else [("add_row", "添加到清册")]
        self.row_form = forms.form(request, item.row_schema, row_buttons, unit=self.unit,
                                   formid="row") if item.kind == "list" and item.row_schema else None
        #: the row form is shown to add a row, or to edit one
        self.show_row_form = self.row_form is not None and offers(item, "edit" if self.editing else "add")
        self.errors: list[str] = []
        #: 单笔提交 (Shaanxi): the centre lists the items whose rows may be submitted one by one
        singles = (request.registry.runtime.centre.setting("rows.single_submit") or "").split()
        self.single_submit = item.kind == "list" and (item.code in singles or "all" in singles)

    def _application(self) -> Application | None:
        wanted = self.request.params.get("application")
        if not wanted:
            return None
        application = self.request.db.get(Application, int(wanted)) if wanted.isdigit() else None
        if application is None or application.unit_id != self.request.user.unit_id \
                or application.item_code != self.item.code:
            raise HTTPNotFound()
        if not unit_may_edit(self.item, application):
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

    def save_rows(self, rows: list[dict]) -> Application:
        return self.workflow().save_draft(self.item.code, self.data, rows, **self.keyword())

    def back_to_draft(self, application: Application | None, anchor: str | None = None, **query) -> HTTPSeeOther:
        if application is not None:
            query["application"] = application.id
        extra = {"_anchor": anchor} if anchor else {}
        return HTTPSeeOther(self.request.route_url("hall_item", code=self.item.code, _query=query, **extra))


def _posted_main(page: Page) -> dict:
    return forms.posted(page.request, page.form, fixed=page.initial) if page.form else {}


def _changes(page: Page, cstruct: dict) -> list[dict]:
    """The 待变更清册: one row per editable field whose value differs from now."""
    titles = {child.name: child.title for child in page.form.children}
    readonly = forms.readonly_names(page.form)
    return [{"field": name, "label": titles[name], "before": page.initial.get(name, ""), "after": value}
            for name, value in cstruct.items()
            if name not in readonly and name in titles and str(value or "") != str(page.initial.get(name) or "")]


def _row_number(page: Page) -> int:
    number = _number(page.request.POST.get("row")) or 0
    if not 1 <= number <= len(page.rows):
        raise BusinessError("没有这一行", field="row")
    return number


def _fill(page: Page) -> HTTPSeeOther:
    """Append a filler's rows, leaving out accounts the 清册 already lists."""
    index = _number(page.request.POST.get("fill"))
    if index is None or index >= len(page.item.fillers):
        raise BusinessError("没有这项查询")
    title, filler = page.item.fillers[index]
    listed = {str(row.get("account_no") or "") for row in page.rows} - {""}
    found = [row for row in filler(page.request.db, page.unit)
             if not row.get("account_no") or row["account_no"] not in listed]
    page.request.session.flash(f"{title}：已添加{len(found)}条到清册" if found else f"{title}：没有可添加的记录")
    return page.back_to_draft(page.save_rows(page.rows + found) if found else page.application, "rows")


def _submit_row(page: Page) -> HTTPSeeOther:
    """单笔提交: one row becomes an application of its own; the rest stay in the draft.
    Its submit key is derived from the draft's and the row, so a double click submits once."""
    if not page.single_submit:
        raise BusinessError("本业务不支持单笔提交")
    number = _row_number(page)
    row = page.rows.pop(number - 1)
    key = hashlib.sha256(f"{page.submit_key}|{json.dumps(row, sort_keys=True)}".encode()).hexdigest()[:40]
    workflow = page.workflow()
    single = workflow.submit(page.item.code, page.data, [row], submit_key=key)
    draft = page.save_rows(page.rows)
    page.request.session.flash(f"第{number}行已单笔提交（业务编号 {single.id}），其余{len(page.rows)}行仍在清册中")
    return page.back_to_draft(draft, "rows")


def _act(page: Page, action: str):
    request, workflow, kw = page.request, page.workflow(), page.keyword()
    if action == "submit_row":
        return _submit_row(page)
    if action in ("add_row", "save_row"):
        if page.row_form is None:
            raise BusinessError("本业务没有清册")
        cstruct = forms.posted(request, page.row_form)
        forms.validate(page.row_form, cstruct)
        if action == "save_row":
            number = _row_number(page)
            page.rows[number - 1] = cstruct
            request.session.flash(f"第{number}行已修改")
            return page.back_to_draft(page.save_rows(page.rows), "rows")
        application = page.save_rows(page.rows + [cstruct])
        request.session.flash(f"已添加第{len(page.rows) + 1}行，可继续添加")
        return page.back_to_draft(application, "row")  # 继续添加: the row form, open and empty
    if action == "fill":
        return _fill(page)
    if action in ("delete_row", "cancel_change"):
        removed = page.rows.pop(_row_number(page) - 1)
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


def _item(request, listed: bool = False, offering: str | None = None) -> BusinessItem:
    """The item of the URL (a 清册 item when ``listed``); 403 when its page does not offer
    the 清册 button ``offering``."""
    item = request.registry.runtime.catalogue.items.get(request.matchdict["code"])
    if item is None or (listed and (item.kind != "list" or item.row_schema is None)):
        raise HTTPNotFound()
    if offering is not None and not offers(item, offering):
        raise HTTPForbidden()
    return item


def _refuse_unoffered_views(request, item: BusinessItem) -> None:
    """A 修改 or 详情 link the page does not offer, typed by hand: refused."""
    if request.method == "GET" and item.kind == "list":
        for param, action in (("edit", "edit"), ("detail", "detail")):
            if param in request.GET and not offers(item, action):
                raise HTTPForbidden()


@view_config(route_name="hall_item", context=HallRoot, permission="hall", renderer="core.web:templates/hall/item.pt")
def item_page(request):
    item = _item(request)
    _refuse_unoffered_views(request, item)
    page = Page(request, item)
    if request.method == "POST":
        action = next((a for a in ACTIONS if a in request.POST), None)
        try:
            if action is None:
                raise BusinessError("请选择要执行的操作")
            if action in POSTED_ROW_ACTIONS:
                require(item, POSTED_ROW_ACTIONS[action])
            with attempt(request):
                return _act(page, action)
        except NotOffered as refused:
            request.response.status = 403
            page.errors.append(refused.message)
        except deform.ValidationFailure:
            pass
        except FormErrors as error:
            page.errors += forms.show_errors(page.form, error.fields) if page.form else list(error.fields.values())
            page.errors += [f"第{n}行：{'；'.join(e.values())}" for n, e in error.rows.items()]
        except BusinessError as error:
            page.errors.append(error.for_people)
    return render(page)


# --- the page ----------------------------------------------------------------------------

def _choices(page: Page) -> dict[str, dict[str, str]]:
    if page.row_form is None:
        return {}
    # the "请选择" prompt ("") is not a value: an empty cell stays blank
    return {child.name: {code: label for code, label in child.widget.values if code}
            for child in page.row_form.children if getattr(child.widget, "values", None)}


def _shown_rows(page: Page, titles: list[tuple[str, str]]) -> list[list[str]]:
    choices = _choices(page)
    return [[str(choices.get(name, {}).get(row.get(name), row.get(name, "")) or "") for name, _ in titles]
            for row in page.rows]


def _remember(request, key: str, value: str) -> None:
    kept = [v for v in request.session.get(key, []) if v != value][-9:]
    request.session[key] = kept + [value]


def _import_summary(page: Page) -> dict | None:
    """What the last import did (from the redirect's query, or its job's result)."""
    params, request = page.request.params, page.request
    job_id = params.get("job")
    if job_id and job_id in request.session.get(JOBS, []):
        state = request.registry.runtime.jobs.state(job_id)
        if state is None:
            return None
        if not state.done:
            return {"running": True, "url": request.route_url("hall_excel_job", code=page.item.code, job=job_id)}
        result = state.result or {}
        summary = {"good": result.get("good", 0), "failed": result.get("failed", 0),
                   "refused": result.get("refused") or state.error, "file": result.get("error_file")}
    elif "imported" in params:
        summary = {"good": _number(params.get("imported")) or 0, "failed": _number(params.get("failed")) or 0,
                   "refused": None, "file": params.get("errors")}
    else:
        return None
    if summary["file"] and summary["file"] in request.session.get(FILES, []):
        summary["file_url"] = request.route_url("hall_excel_errors", code=page.item.code, digest=summary["file"])
    return summary


def _detail(page: Page, titles: list[tuple[str, str]]) -> dict | None:
    if not offers(page.item, "detail"):
        return None
    number = _number(page.request.params.get("detail")) if page.request.method == "GET" else None
    if number is None or not 1 <= number <= len(page.rows):
        return None
    return {"no": number, "fields": [(title, value) for (_, title), value in
                                     zip(titles, _shown_rows(page, titles)[number - 1])]}


def _excel_links(page: Page) -> dict | None:
    if page.item.kind != "list" or page.row_form is None:
        return None
    request, code, item = page.request, page.item.code, page.item
    draft = {"application": page.application.id} if page.application else {}
    importing = offers(item, "import")
    return {"template": request.route_url("hall_excel_template", code=code) if importing else None,
            "export": request.route_url("hall_excel_export", code=code, _query=draft)
            if offers(item, "export") else None,
            "upload": request.route_url("hall_excel_import", code=code) if importing else None,
            "fillers": [(index, title, request.route_url("hall_excel_export", code=code, _query={"filler": index})
                         if importing else None)
                        for index, (title, _) in enumerate(item.fillers)],
            "lookup": request.route_url("hall_rows_lookup")}


def _export_links(page: Page) -> list[tuple[str, str]]:
    """One 导出 button per export of the item (title, url), for the draft when there is one."""
    draft = {"application": page.application.id} if page.application else {}
    return [(title, page.request.route_url("hall_item_export", code=page.item.code, index=index, _query=draft))
            for index, (title, _) in enumerate(page.item.exports)]


def render(page: Page) -> dict:
    request = page.request
    main_cstruct = page.form.cstruct if page.form is not None and page.form.error else page.data
    last_return = None
    if page.application is not None and page.application.status == S.RETURNED:
        last_return = next((h for h in reversed(page.application.history) if h.action == "return"), None)
    row_cstruct = {}
    row_hidden = list(page.hidden)
    if page.row_form is not None:
        if page.row_form.error:
            row_cstruct = page.row_form.cstruct
        elif page.editing:
            row_cstruct = page.rows[page.editing - 1]
        if page.editing:
            row_hidden.append(("row", page.editing))
    titles = _row_titles(page)
    return {
        "item": page.item, "application": page.application, "errors": page.errors,
        "form": forms.render(request, page.form, main_cstruct, page.hidden) if page.form else None,
        "row_form": forms.render(request, page.row_form, row_cstruct, row_hidden) if page.row_form else None,
        "rows": page.rows, "row_titles": titles, "row_cells": _shown_rows(page, titles)
        if page.item.kind == "list" else [[row.get(name, "") for name, _ in titles] for row in page.rows],
        "hidden": page.hidden, "last_return": last_return, "editing": page.editing,
        "detail": _detail(page, titles) if page.item.kind == "list" else None,
        "excel": _excel_links(page), "imported": _import_summary(page), "single_submit": page.single_submit,
        "row_actions": set(page.item.row_actions) if page.item.kind == "list" else set(),
        "show_row_form": page.show_row_form, "exports": _export_links(page),
    }


def _row_titles(page: Page) -> list[tuple[str, str]]:
    if page.item.kind == "change":
        return [("label", "变更项目"), ("before", "变更前"), ("after", "变更后")]
    if page.row_form is None:
        return []
    return [(child.name, child.title) for child in page.row_form.children]


# --- Excel ---------------------------------------------------------------------------------

def _xlsx(body: bytes, filename: str) -> Response:
    disposition = f"attachment; filename=\"{quote(filename)}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body=body, content_type=XLSX, content_disposition=disposition)


def _row_schema(request, item: BusinessItem, unit: Unit):
    runtime = request.registry.runtime
    return bind(item.row_schema, request=request, centre=runtime.centre, db=request.db, unit=unit)


@view_config(route_name="hall_excel_template", context=HallRoot, permission="hall", request_method="GET")
def excel_template(request):
    item = _item(request, listed=True, offering="import")
    unit = request.db.get(Unit, request.user.unit_id)
    return _xlsx(excel.template(_row_schema(request, item, unit)), f"{item.title}导入模板.xlsx")


@view_config(route_name="hall_excel_export", context=HallRoot, permission="hall", request_method="GET")
def excel_export(request):
    """The draft's 清册 (导出), or (``filler=n``) the rows a filler finds, to edit and import
    (part of 导入)."""
    index = _number(request.params.get("filler"))
    item = _item(request, listed=True, offering="export" if index is None else "import")
    page = Page(request, item)
    if index is not None:
        if index >= len(item.fillers):
            raise HTTPNotFound()
        title, filler = item.fillers[index]
        rows, name = filler(request.db, page.unit), f"{item.title}-{title}.xlsx"
    else:
        rows, name = page.rows, f"{item.title}清册.xlsx"
    return _xlsx(excel.export(_row_schema(request, item, page.unit), rows), name)


def _import(page: Page, data: bytes) -> HTTPSeeOther:
    request, runtime = page.request, page.request.registry.runtime
    schema = _row_schema(request, page.item, page.unit)
    limits = staging.limits(runtime)
    declared = excel.inspect(data, schema, limits)
    if declared is None or declared > staging.job_threshold(runtime):
        application = page.application or page.save_rows(page.rows)
        upload = staging.storage(runtime).put(data)
        job_id = runtime.jobs.enqueue("core.excel.jobs.import_rows", page.item.code, application.id,
                                      request.user.id, upload, tm=request.tm,
                                      description=f"{page.item.title}批量导入 #{application.id}")
        _remember(request, JOBS, job_id)
        request.session.flash("文件较大，已转入后台导入，请稍候")
        return page.back_to_draft(application, "import", job=job_id)
    saved: list[Application] = []
    outcome = staging.stage(runtime, data, schema, lambda rows: saved.append(page.save_rows(page.rows + rows)))
    if outcome.error_file:
        _remember(request, FILES, outcome.error_file)
    query = {"imported": outcome.good, "failed": outcome.failed}
    if outcome.error_file:
        query["errors"] = outcome.error_file
    return page.back_to_draft(saved[0] if saved else page.application, "import", **query)


@view_config(route_name="hall_excel_import", context=HallRoot, permission="hall", request_method="POST")
def excel_import(request):
    """批量导入: good rows join the draft's 清册; the bad ones go to an error file."""
    page = Page(request, _item(request, listed=True, offering="import"))
    upload = request.POST.get("file")
    if not hasattr(upload, "file"):
        request.session.flash("请选择要导入的 Excel 文件")
        return page.back_to_draft(page.application, "import")
    limit = staging.limits(request.registry.runtime).max_bytes
    data = upload.file.read(limit + 1)
    try:
        with attempt(request):
            return _import(page, data)
    except excel.ExcelRefused as refused:
        request.session.flash(f"导入失败：{refused.message}")
    except BusinessError as error:
        request.session.flash(f"导入失败：{error.for_people}")
    return page.back_to_draft(page.application, "import")


@view_config(route_name="hall_excel_errors", context=HallRoot, permission="hall", request_method="GET")
def excel_errors(request):
    """下载报错文件: only one this session's imports made."""
    item = _item(request, listed=True, offering="import")
    digest = request.matchdict["digest"]
    if digest not in request.session.get(FILES, []):
        raise HTTPNotFound()
    try:
        body = staging.storage(request.registry.runtime).get(digest)
    except KeyError:
        raise HTTPNotFound() from None
    return _xlsx(body, f"{item.title}报错文件.xlsx")


@view_config(route_name="hall_excel_job", context=HallRoot, permission="hall", request_method="GET",
             renderer="json")
def excel_job(request):
    """What the progress bar of a background import polls."""
    item = _item(request, listed=True, offering="import")
    job_id = request.matchdict["job"]
    state = request.registry.runtime.jobs.state(job_id) if job_id in request.session.get(JOBS, []) else None
    if state is None:
        raise HTTPNotFound()
    result = state.result or {}
    if result.get("unit_id") not in (None, request.user.unit_id):
        raise HTTPNotFound()
    answer = {"status": state.status, "progress": 100 if state.done else state.progress, "done": state.done,
              "message": state.message, "label": "导入中", "good": result.get("good"),
              "failed": result.get("failed"), "refused": result.get("refused") or state.error, "error_file_url": None}
    if result.get("error_file"):
        _remember(request, FILES, result["error_file"])
        answer["error_file_url"] = request.route_url("hall_excel_errors", code=item.code,
                                                     digest=result["error_file"])
    return answer


# --- an item's exports (汇缴's three 清册) ---------------------------------------------------

@view_config(route_name="hall_item_export", context=HallRoot, permission="hall", request_method="GET")
def item_export(request):
    """One of the item's exports as .xlsx, of the operator's own unit (and draft, when
    ``application`` names one): named by its title, the unit's number and today."""
    item = _item(request)
    index = _number(request.matchdict["index"])
    if index is None or index >= len(item.exports):
        raise HTTPNotFound()
    page = Page(request, item)
    title, export = item.exports[index]
    columns, rows = export(request.db, page.unit, page.application)
    name = f"{title}-{page.unit.unit_no}-{datetime.now(CHINA):%Y%m%d}.xlsx"
    return _xlsx(excel.listing(title, columns, rows), name)


# --- the person look-up (反显) ---------------------------------------------------------------

LOOKUP_KEYS = ("account_no", "id_no", "name")


@view_config(route_name="hall_rows_lookup", context=HallRoot, permission="hall", request_method="GET",
             renderer="json")
def rows_lookup(request):
    """The unit's person found by one of name, account number or ID number, to fill a
    row's other fields back; only the operator's own unit is searched."""
    key = next((k for k in LOOKUP_KEYS if (request.params.get(k) or "").strip()), None)
    if key is None:
        return {"found": False, "message": "请输入姓名、个人账号或证件号码之一"}
    value = request.params[key].strip()
    query = select(Account, Person).join(Person, Account.person_id == Person.id).where(
        Account.unit_id == request.user.unit_id,
        Account.state.in_((AccountState.NORMAL.value, AccountState.SEALED.value)))
    if key == "account_no":
        query = query.where(Account.account_no == value)
    elif key == "id_no":
        query = query.where(Person.id_no == value.replace(" ", "").upper())
    else:
        query = query.where(Person.name == value)
    found = request.db.execute(query.order_by(Account.state, Account.id.desc()).limit(20)).all()
    people = {person.id for _, person in found}
    if not found:
        return {"found": False, "message": "本单位没有找到该职工"}
    if len(people) > 1:
        return {"found": False, "message": f"本单位有{len(people)}名职工同名，请输入个人账号或证件号码"}
    account, person = found[0]
    department = request.db.get(Department, account.department_id) if account.department_id else None
    return {"found": True, "name": person.name, "account_no": account.account_no, "id_type": person.id_type,
            "id_no": person.id_no, "phone": person.phone or "", "base": f"{account.base:.2f}",
            "state": AccountState(account.state).label, "paid_to": account.paid_to or "",
            "department": department.name if department else ""}
