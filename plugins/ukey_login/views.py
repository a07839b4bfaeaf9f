"""The plugin's pages: the challenge the login page's script asks for, and the counter
page where a clerk binds a unit's UKey certificate and revokes it."""
from __future__ import annotations

from datetime import UTC, datetime

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.models import UKeyCertificate, Unit
from core.web.security import audit
from plugins.ukey_login import crypto
from plugins.ukey_login.login import issue_challenge, live_certificate

COUNTER_PAGE = "plugins:templates/ukey_counter.pt"


@view_config(route_name="ukey_challenge", request_method="POST", renderer="json", permission="view",
             require_csrf=True)
def challenge(request):
    from plugins.ukey_login.login import lifetime

    request.response.headers["Cache-Control"] = "no-store"
    return {"challenge": issue_challenge(request),
            "expires_in": int(lifetime(request.registry.runtime.centre).total_seconds())}


@view_config(route_name="ukey_certificates", request_method="GET", renderer=COUNTER_PAGE, permission="counter")
def certificates(request):
    return _page(request, request.params.get("unit_no", "").strip())


@view_config(route_name="ukey_certificates", request_method="POST", renderer=COUNTER_PAGE, permission="counter")
def bind(request):
    unit_no = request.POST.get("unit_no", "").strip()
    material = request.POST.get("certificate", "")
    upload = request.POST.get("certificate_file")
    if getattr(upload, "file", None) is not None:
        material = upload.file.read(20000)
    db = request.db
    unit = db.scalars(select(Unit).where(Unit.unit_no == unit_no)).one_or_none() if unit_no else None
    problem = None
    if unit is None:
        problem = "请输入正确的单位账号"
    elif not material:
        problem = "请粘贴或上传UKey证书（PEM格式）"
    elif live_certificate(db, unit.id) is not None:
        problem = "该单位已有有效的UKey证书，请先注销原证书（一个单位只能登记一个UKey）"
    if problem is None:
        try:
            key = crypto.load(material)
        except crypto.CertificateRefused as refused:
            problem = str(refused)
    if problem is None and db.scalars(select(UKeyCertificate.id).where(
            UKeyCertificate.fingerprint == key.fingerprint)).first() is not None:
        problem = "该证书已登记过（或已注销），不能重复登记"
    if problem is not None:
        return _page(request, unit_no, problem=problem, material=material if isinstance(material, str) else "")
    row = UKeyCertificate(unit_id=unit.id, algorithm=key.algorithm, material=key.pem, public_key=key.point.hex(),
                          fingerprint=key.fingerprint, subject=(key.subject or "")[:300] or None,
                          not_after=key.not_after, registered_at=datetime.now(UTC),
                          registered_by=f"clerk:{request.user.id}")
    db.add(row)
    try:
        db.flush()
    except IntegrityError:  # another clerk bound one at the same moment
        raise HTTPSeeOther(request.route_url("ukey_certificates", _query={"unit_no": unit_no})) from None
    audit(request, "ukey.bind", entity="ukey_certificate", entity_id=row.id, unit_id=unit.id,
          details={"algorithm": key.algorithm, "fingerprint": key.fingerprint})
    request.session.flash(f"已为单位{unit.unit_no}登记UKey证书")
    return HTTPSeeOther(request.route_url("ukey_certificates", _query={"unit_no": unit.unit_no}))


@view_config(route_name="ukey_revoke", request_method="POST", permission="counter")
def revoke(request):
    try:
        row = request.db.get(UKeyCertificate, int(request.matchdict["id"]))
    except ValueError:
        row = None
    if row is None:
        raise HTTPNotFound()
    unit = request.db.get(Unit, row.unit_id)
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = datetime.now(UTC), f"clerk:{request.user.id}"
        audit(request, "ukey.revoke", entity="ukey_certificate", entity_id=row.id, unit_id=row.unit_id,
              details={"fingerprint": row.fingerprint})
        request.session.flash(f"已注销单位{unit.unit_no}的UKey证书")
    return HTTPSeeOther(request.route_url("ukey_certificates", _query={"unit_no": unit.unit_no}))


def _page(request, unit_no: str, problem: str | None = None, material: str = "") -> dict:
    query = (select(UKeyCertificate, Unit).join(Unit, Unit.id == UKeyCertificate.unit_id)
             .order_by(UKeyCertificate.registered_at.desc()).limit(100))
    if unit_no:
        query = query.where(Unit.unit_no == unit_no)
    rows = request.db.execute(query).all()
    return {"rows": rows, "unit_no": unit_no, "problem": problem, "material": material,
            "titles": crypto.ALGORITHM_TITLES}
