"""Authorization, generated from the route list: every route of a centre is tried as
anonymous, as the owning unit's operator, as another unit's operator, as a clerk of
each role, and with a session from another centre. A route added without an
expectation here fails the test. Also: CSRF, session expiry, lockout, masking."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from core.models import Message
from tests.support.web import Client, demo_facts, fill, make_centre_app

PERSONAS = ("anonymous", "owner", "stranger", "first", "second", "foreign")
OK, SEE_OTHER, FORBIDDEN, NOT_FOUND = 200, 303, 403, 404


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def hall_only(owner=OK, stranger=OK):
    return {"anonymous": SEE_OTHER, "owner": owner, "stranger": stranger, "first": FORBIDDEN,
            "second": FORBIDDEN, "foreign": SEE_OTHER}


def posting(expected: dict) -> dict:
    """A POST without a session is refused outright (no redirect that would lose it)."""
    return {**expected, "anonymous": FORBIDDEN, "foreign": FORBIDDEN}


def counter_only(first=OK, second=OK):
    return {"anonymous": SEE_OTHER, "owner": FORBIDDEN, "stranger": FORBIDDEN, "first": first,
            "second": second, "foreign": SEE_OTHER}


#: route name → (path, GET status per persona); None: the route answers POST only
EXPECTED = {
    "home": ("/", everyone(OK)),
    "health": ("/_health", everyone(OK)),
    "login": ("/login", everyone(OK)),
    "counter_login": ("/counter/login", everyone(OK)),
    "logout": ("/logout", None),
    "password": ("/password", {**everyone(OK), "anonymous": SEE_OTHER, "foreign": SEE_OTHER}),
    "hall": ("/hall", hall_only()),
    "hall_tasks": ("/hall/tasks/todo", hall_only()),
    "hall_message": ("/hall/messages/{message}", hall_only(stranger=NOT_FOUND)),
    "hall_favourites": ("/hall/favourites", None),
    "hall_item": ("/hall/items/seal", hall_only()),
    "hall_jobs": ("/hall/jobs/progress", hall_only()),
    "hall_excel_template": ("/hall/items/seal/excel/template.xlsx", hall_only()),
    "hall_excel_export": ("/hall/items/supplement/excel/export.xlsx", hall_only()),
    "hall_excel_import": ("/hall/items/seal/excel/import", None),
    "hall_excel_errors": ("/hall/items/seal/excel/errors/" + "0" * 64 + ".xlsx",
                          hall_only(owner=NOT_FOUND, stranger=NOT_FOUND)),  # only this session's own files
    "hall_excel_job": ("/hall/items/seal/excel/jobs/no-such-job.json", hall_only(owner=NOT_FOUND, stranger=NOT_FOUND)),
    "hall_rows_lookup": ("/hall/rows/lookup.json", hall_only()),
    "hall_item_export": ("/hall/items/remittance/exports/0", hall_only()),
    "hall_interop": ("/hall/interop/enterprise", hall_only()),
    "hall_application": ("/hall/applications/{application}", hall_only(stranger=FORBIDDEN)),
    "hall_application_status": ("/hall/applications/{application}/status.json", hall_only(stranger=FORBIDDEN)),
    "hall_application_act": ("/hall/applications/{application}/end_process", None),
    "counter": ("/counter", counter_only()),
    "counter_queue": ("/counter/queue/first_review", counter_only(second=NOT_FOUND)),
    "counter_done": ("/counter/done", counter_only()),
    "counter_application": ("/counter/applications/{application}", counter_only()),
    "registration": ("/register", everyone(OK)),
    "registration_status": ("/register/no-such-token", everyone(NOT_FOUND)),
    "registration_queue": ("/counter/registrations", counter_only(second=FORBIDDEN)),
    "registration_review": ("/counter/registrations/999999", counter_only(first=NOT_FOUND, second=FORBIDDEN)),
    "hall_materials_upload": ("/hall/applications/{application}/materials", None),
    "hall_materials_view": ("/hall/applications/{application}/materials/999999",
                            hall_only(owner=NOT_FOUND, stranger=FORBIDDEN)),
    "hall_materials_delete": ("/hall/applications/{application}/materials/999999/delete", None),
    "counter_materials_view": ("/counter/applications/{application}/materials/999999",
                               counter_only(first=NOT_FOUND, second=NOT_FOUND)),
    "hall_vouchers_print": ("/hall/applications/{application}/vouchers/application_receipt/print", None),
    "voucher_verify": ("/v/NOSUCHCODE", everyone(NOT_FOUND)),
    "sms_outbox": ("/_outbox", everyone(OK)),  # the development outbox (opengjj.sms.backend = outbox)
    "hall_queries": ("/hall/queries", hall_only()),
    "hall_query": ("/hall/queries/unit_ledger", hall_only()),  # each unit sees its own rows
    "hall_query_export": ("/hall/queries/unit_ledger/export.xlsx", hall_only()),
    "hall_query_print": ("/hall/queries/persons/print.pdf", hall_only()),
    "hall_query_share": ("/hall/queries/unit_ledger/share", None),
    "query_shared": ("/shared/no-such-token", everyone(FORBIDDEN)),  # public, but only with a valid token
    "__static/": ("/static/core.css", everyone(OK)),
    "__deform/": ("/deform/scripts/deform.js", everyone(OK)),
}

#: route name → (path, extra form fields, POST status per persona) for the routes that change things
POSTS = {
    "hall_favourites": ("/hall/favourites", {"item": "seal", "do": "add"},
                        posting(hall_only(owner=SEE_OTHER, stranger=SEE_OTHER))),
    "hall_application_act": ("/hall/applications/{application}/end_process", {},
                             posting(hall_only(owner=OK, stranger=FORBIDDEN))),  # owner: refused (not returned)
    "counter_application": ("/counter/applications/{application}", {"action": "in_progress"},
                            posting(counter_only(first=SEE_OTHER, second=FORBIDDEN))),
    "hall_query_share": ("/hall/queries/unit_ledger/share", {"business_type": "01"},
                         posting(hall_only(owner=OK, stranger=OK))),  # a link to the poster's own unit
    "logout": ("/logout", {}, everyone(SEE_OTHER)),
    "hall_excel_import": ("/hall/items/seal/excel/import", {},
                          posting(hall_only(owner=SEE_OTHER, stranger=SEE_OTHER))),  # no file: back to the page
    "hall_materials_upload": ("/hall/applications/{application}/materials", {},
                              posting(hall_only(owner=SEE_OTHER, stranger=FORBIDDEN))),
    "hall_materials_delete": ("/hall/applications/{application}/materials/999999/delete", {},
                              posting(hall_only(owner=SEE_OTHER, stranger=FORBIDDEN))),
    "hall_vouchers_print": ("/hall/applications/{application}/vouchers/application_receipt/print", {},
                            posting(hall_only(owner=SEE_OTHER, stranger=FORBIDDEN))),
    "registration": ("/register", {}, everyone(OK)),  # the form shown again with its messages
    "registration_review": ("/counter/registrations/999999", {"action": "approve"},
                            posting(counter_only(first=NOT_FOUND, second=FORBIDDEN))),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_centre_app(tmp_path_factory.mktemp("security"))
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    owner = Client(app)
    owner.login(demo.operator_id_no).follow()
    form = fill(owner.item("unit_ratio_adjustment").forms["deform"], unit_ratio="11", personal_ratio="11",
                effective_month="2026-12")
    application = submitted(form.submit("submit"))
    with runtime.session() as db:
        message = db.scalars(select(Message.id).where(Message.application_id == application)).first()
    return app, demo, {"application": application, "message": message}


def submitted(response) -> int:
    return int(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])


def persona(app, demo, name) -> Client:
    client = Client(app)
    if name == "owner":
        client.login(demo.operator_id_no).follow()
    elif name == "stranger":
        client.login(demo.other_operator_id_no).follow()
    elif name in ("first", "second"):
        client.login_clerk("clerk1" if name == "first" else "clerk2").follow()
    elif name == "foreign":
        # an operator signed in at the other centre replays their cookie here
        other = Client(app, prefix="/o")
        other_demo = demo_facts(app.runtimes["other"])
        other.login(other_demo.operator_id_no).follow()
        client.web.set_cookie("gjj_testhall", other.web.cookies["gjj_other"])
    return client


def test_every_route_has_an_expectation(world):
    app, *_ = world
    introspector = app.runtimes["testhall"].registry.introspector
    routes = {entry["introspectable"]["name"] for entry in introspector.get_category("routes")}
    assert routes == set(EXPECTED), "give every new route its expected answers in EXPECTED (and POSTS)"
    post_only = {name for name, (_, get) in EXPECTED.items() if get is None}
    assert post_only <= set(POSTS)


@pytest.mark.parametrize("who", PERSONAS)
def test_get_every_route(world, who):
    app, demo, ids = world
    client = persona(app, demo, who)
    wrong = []
    for name, (path, expected) in EXPECTED.items():
        if expected is None:
            continue
        response = client.get(path.format(**ids), expect_errors=True)
        if response.status_int != expected[who]:
            wrong.append(f"{name} {path}: {response.status_int}, expected {expected[who]}")
        if response.status_int == SEE_OTHER and expected[who] == SEE_OTHER:
            assert "/login" in response.headers["Location"]
    assert not wrong, f"{who}: " + "; ".join(wrong)


@pytest.mark.parametrize("who", PERSONAS)
def test_post_every_changing_route(world, who):
    app, demo, ids = world
    wrong = []
    for name, (path, fields, expected) in POSTS.items():
        client = persona(app, demo, who)
        response = client.post(path.format(**ids), {**fields, "opinion": "测试"}, expect_errors=True)
        if response.status_int != expected[who]:
            wrong.append(f"{name} {path}: {response.status_int}, expected {expected[who]}")
    assert not wrong, f"{who}: " + "; ".join(wrong)


def test_a_post_without_the_csrf_token_is_refused(world):
    app, demo, ids = world
    client = persona(app, demo, "first")
    response = client.web.post(f"/c/counter/applications/{ids['application']}", {"action": "approve"},
                               expect_errors=True)
    assert response.status_int == 400 and "页面已过期" in response.text


def test_sessions_expire(tmp_path):
    app = make_centre_app(tmp_path, **{"opengjj.session_timeout": "4"})  # seconds; room for a loaded machine
    demo = demo_facts(app.runtimes["testhall"])
    client = Client(app)
    client.login(demo.operator_id_no).follow()
    assert client.get("/hall").status_int == 200
    time.sleep(4.5)
    assert "/login" in client.get("/hall").headers["Location"]


def test_five_wrong_passwords_lock_the_operator(world):
    app, demo, _ = world
    client = Client(app)
    messages = [client.login(demo.other_operator_id_no, "wrong").text for _ in range(5)]
    assert "还可尝试4次" in messages[0] and "账号已锁定" in messages[4]
    locked = client.login(demo.other_operator_id_no)  # even the right password, until the lock ends
    assert "账号已锁定" in locked.text and "/hall" not in locked.headers.get("Location", "")


def test_ids_are_masked_in_the_hall_and_whole_at_the_counter(tmp_path):
    app = make_centre_app(tmp_path)
    demo = demo_facts(app.runtimes["testhall"])
    hall = Client(app)
    hall.login(demo.operator_id_no).follow()
    page = hall.item("person_change")
    with app.runtimes["testhall"].session() as db:
        from core.models import Account, Person
        id_no = db.scalar(select(Person.id_no).join(Account, Account.person_id == Person.id)
                          .where(Account.account_no == demo.accounts[0]))
    page = fill(page.forms["row"], account_no=demo.accounts[0], phone="13912345678").submit("add_row").follow()
    application = submitted(page.forms["finish"].submit("submit"))
    assert "139****5678" in hall.get(f"/hall/applications/{application}").text
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    assert "13912345678" in desk.get(f"/counter/applications/{application}").text
    assert id_no  # the person exists; the row shows only what was changed


def test_a_password_change_ends_the_other_sessions(tmp_path):
    app = make_centre_app(tmp_path)
    demo = demo_facts(app.runtimes["testhall"])
    stolen, owner = Client(app), Client(app)
    stolen.login(demo.operator_id_no).follow()
    owner.login(demo.operator_id_no).follow()
    form = owner.get("/password").forms["password-form"]
    form["old_password"], form["new_password"], form["confirm_password"] = "Demo@2026", "Newpass#2026", "Newpass#2026"
    assert form.submit().status_int == 303
    assert "/login" in stolen.get("/hall").headers["Location"]  # the copied cookie is worthless now
    assert owner.get("/hall").status_int == 200  # the session that changed it goes on
