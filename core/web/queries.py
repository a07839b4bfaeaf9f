"""Record queries in the hall (查询): the list, one query's page, .xlsx, PDF, 分享.

Every hall route runs for the signed-in operator's unit only; the shared page
(``/shared/{token}``) needs no login and shows one unit's result for the filters its
signed token names, read-only, until the token expires.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from core import queries
from core.models import Unit
from core.queries import export, share
from core.queries.format import filter_summary, numeric, text
from core.queries.types import RecordQuery
from core.web.display import local_time
from core.web.security import HallRoot, Public, audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTRY_KEY = "opengjj.queries"


def centre_queries(request) -> dict[str, RecordQuery]:
    return request.registry[REGISTRY_KEY]


def _query(request) -> RecordQuery:
    found = centre_queries(request).get(request.matchdict["code"])
    if found is None:
        raise HTTPNotFound()
    return found


def _page_number(request) -> int:
    value = request.params.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


def _setting(request, name: str, default: str) -> str:
    return request.registry.runtime.centre.setting(name) or request.registry.settings.get(name) or default


class Links:
    """The URLs a result's rows link to (查看详情, 查看已办任务), for the hall only."""

    def __init__(self, request, query: RecordQuery):
        self.request, self.query = request, query
        self.known = centre_queries(request)

    def detail(self, row) -> str | None:
        link = self.query.detail(row) if self.query.detail else None
        if link is None or link.query not in self.known:
            return None
        return self.request.route_url("hall_query", code=link.query, _query=[(k, v) for k, v in link.values if v])

    def application(self, row) -> str | None:
        application_id = row.get("application_id")
        return self.request.route_url("hall_application", id=application_id) if application_id else None


def _view(request, query: RecordQuery, result, **extra) -> dict:
    return {"query": query, "result": result, "values": result.values, "text": text, "numeric": numeric,
            "conditions": filter_summary(query, result.values), **extra}


def _unit(request, unit_id: int) -> Unit:
    return request.db.get(Unit, unit_id)


@view_config(route_name="hall_queries", context=HallRoot, permission="hall",
             renderer="core.web:templates/queries/list.pt")
def query_list(request):
    groups: dict[tuple[str, ...], list[RecordQuery]] = {}
    for query in centre_queries(request).values():
        groups.setdefault(query.menu_path, []).append(query)
    return {"groups": groups}


@view_config(route_name="hall_query", context=HallRoot, permission="hall",
             renderer="core.web:templates/queries/query.pt")
def query_page(request):
    query = _query(request)
    values = queries.clean(query, request.params)
    result = queries.run(request.db, request.registry.runtime, query, request.user.unit_id, values,
                         page=_page_number(request))
    return _view(request, query, result, links=Links(request, query), share_url=None, share_expires=None)


def _export_name(query: RecordQuery, extension: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    name = quote(f"{query.title}_{stamp}.{extension}")
    return f"attachment; filename=\"{query.code}_{stamp}.{extension}\"; filename*=UTF-8''{name}"


def _totals(request, query, unit_id, values):
    return queries.run(request.db, request.registry.runtime, query, unit_id, values, page=1, per_page=1)


@view_config(route_name="hall_query_export", context=HallRoot, permission="hall")
def query_export(request):
    query = _query(request)
    unit_id = request.user.unit_id
    values = queries.clean(query, request.params)
    head = _totals(request, query, unit_id, values)
    rows = queries.stream(request.db, request.registry.runtime, query, unit_id, values)
    body = export.xlsx(query, rows, head.totals,
                       heading=f"{_unit(request, unit_id).name} {query.title}（{filter_summary(query, values)}）")
    audit(request, "query.export", entity="query", details={"query": query.code, "filters": values})
    return Response(body=body, content_type=XLSX, content_disposition=_export_name(query, "xlsx"))


def _pdf(request, query, unit_id, values) -> bytes:
    runtime = request.registry.runtime
    head = _totals(request, query, unit_id, values)
    limit = int(_setting(request, "queries.print_max_rows", str(export.PRINT_MAX_ROWS)))
    rows = queries.stream(request.db, runtime, query, unit_id, values, limit=limit)
    return export.pdf(query, rows, unit_name=_unit(request, unit_id).name,
                      centre_title=runtime.catalogue.theme.title or runtime.centre.title, values=values,
                      totals=head.totals, total_count=head.total, summary=head.summary,
                      printed_at=local_time(datetime.now(timezone.utc)),
                      font=request.registry.settings.get("opengjj.vouchers.font"), limit=limit)


@view_config(route_name="hall_query_print", context=HallRoot, permission="hall")
def query_print(request):
    query = _query(request)
    values = queries.clean(query, request.params)
    body = _pdf(request, query, request.user.unit_id, values)
    return Response(body=body, content_type="application/pdf",
                    content_disposition=_export_name(query, "pdf").replace("attachment", "inline", 1))


@view_config(route_name="hall_query_share", context=HallRoot, permission="hall", request_method="POST",
             renderer="core.web:templates/queries/query.pt")
def query_share(request):
    query = _query(request)
    values = queries.clean(query, request.POST)
    days = float(_setting(request, "queries.share_days", str(share.DEFAULT_DAYS)))
    token, expires = share.make_token(request.registry.settings["opengjj.session_secret"],
                                      request.registry.runtime.centre.name, query.code, request.user.unit_id,
                                      values, days=days)
    audit(request, "query.share", entity="query", details={"query": query.code, "filters": values,
                                                              "expires": expires})
    result = queries.run(request.db, request.registry.runtime, query, request.user.unit_id, values)
    return _view(request, query, result, links=Links(request, query),
                 share_url=request.route_url("query_shared", token=token),
                 share_expires=local_time(datetime.fromtimestamp(expires, timezone.utc)))


@view_config(route_name="query_shared", context=Public, permission="view",
             renderer="core.web:templates/queries/shared.pt")
def shared(request):
    runtime = request.registry.runtime
    try:
        found = share.read_token(request.registry.settings["opengjj.session_secret"], runtime.centre.name,
                                 request.matchdict["token"])
    except share.ShareRefused as refused:
        request.response.status = 403
        request.override_renderer = "core.web:templates/message.pt"
        return {"title": str(refused), "text": "该分享链接已过期或无效，请联系分享人重新分享。"}
    query = centre_queries(request).get(found.query)
    unit = request.db.get(Unit, found.unit_id)
    if query is None or unit is None:
        raise HTTPNotFound()
    values = queries.clean(query, found.values)
    result = queries.run(request.db, runtime, query, found.unit_id, values, page=_page_number(request))
    return _view(request, query, result, unit=unit,
                 expires=local_time(datetime.fromtimestamp(found.expires, timezone.utc)))


def includeme(config) -> None:
    runtime = config.registry.runtime
    config.registry[REGISTRY_KEY] = queries.collect(runtime.centre, runtime.pm)
    config.add_route("hall_queries", "/hall/queries", factory=HallRoot)
    config.add_route("hall_query_export", "/hall/queries/{code}/export.xlsx", factory=HallRoot)
    config.add_route("hall_query_print", "/hall/queries/{code}/print.pdf", factory=HallRoot)
    config.add_route("hall_query_share", "/hall/queries/{code}/share", factory=HallRoot)
    config.add_route("hall_query", "/hall/queries/{code}", factory=HallRoot)
    config.add_route("query_shared", "/shared/{token}", factory=Public)
    config.scan("core.web.queries")
