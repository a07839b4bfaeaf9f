"""Three Jincheng (晋城) items walked in a real headless Chromium against a real server,
click by click as the manual (seed 000) describes them, screenshots kept as
tests/artifacts/screenshots/jincheng-<item>-<step>.png:

* 6  个人账户设立 — a 清册 imported from the downloaded template, its 登记表 printed and
  fixed before submitting, 发起即办结;
* 7  个人账户封存 — a row, a material, the 封存清册 printed, the counter approves;
* 11 缴存单位汇缴办理 — its three vouchers printed and fixed, 发起即办结, each PDF read.
"""
from __future__ import annotations

import io
import random
import re
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from core.codes import AccountState
from core.codes import ApplicationStatus as S
from core.demo import DEMO_PASSWORD, id_number
from core.invariants import check_ledgers
from core.models import Account, Application, Person, RemittanceVerification, Unit
from tests.support.browser import chromium, screenshot, serve
from tests.support.jincheng import app, runtime, template  # noqa: F401 (fixtures)
from tests.support.web import demo_facts
from tests.test_materials import image_bytes
from tests.test_vouchers import text_of

PERSONS = ("缴存单位业务关联方", "缴存单位", "汇补缴人员调整")
DEPOSITS = ("缴存单位业务关联方", "缴存单位", "汇补缴")




@pytest.fixture
def site(app):
    """The centre served on a loopback port, and a Chromium to look at it."""
    base, server = serve(app)
    driver = chromium()
    driver.set_window_size(1366, 900)
    yield base + "/jincheng", driver
    driver.quit()
    server.close()


# --- helpers: what a person does in the browser --------------------------------------------

def wait_for(driver, css: str, text: str | None = None, timeout: float = 15):
    """The element once it is on the page (holding ``text`` when given); a page still
    navigating may replace it under our hands, so stale lookups are retried."""
    condition = EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text) if text \
        else EC.presence_of_element_located((By.CSS_SELECTOR, css))
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    return driver.find_element(By.CSS_SELECTOR, css)


def loaded(driver) -> None:
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    wait_for(driver, "footer")


def click(driver, element) -> None:
    """Click something that loads a new page, and wait until the new page is fully there
    (a half-loaded page's elements may vanish under the next lookup)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda d: gone(old))
    loaded(driver)


def gone(element) -> bool:
    """The old page's element is gone; while the document is being swapped Chromium may
    answer a lookup with an inspector error instead of a stale reference: gone too."""
    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException among them
        return True
    return False


def shot(driver, name: str) -> Path:
    """The whole page: the window grown to the document's height."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, height + 140))
    path = screenshot(driver, name)
    driver.set_window_size(1366, 900)
    return path


def sign_in(driver, url: str, fields: dict[str, str]) -> None:
    driver.delete_all_cookies()
    driver.get(url)
    for name, value in fields.items():
        driver.find_element(By.NAME, name).send_keys(value)
    click(driver, driver.find_element(By.CSS_SELECTOR, ".login-form button"))


def hall_login(driver, base: str, demo) -> None:
    """The operator signs in with the ID number and the password."""
    sign_in(driver, base + "/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
    assert wait_for(driver, ".unit-no").text == demo.unit_no


def open_from_menu(driver, base: str, path: tuple[str, ...], title: str) -> None:
    """Down the hall's business menu, group by group, to the item's link."""
    driver.get(base + "/hall")
    xpath = "//nav[contains(@class, 'menu')]" + "".join(
        f"//li[span[@class='menu-group' and normalize-space()='{group}']]" for group in path) + \
        f"//a[@class='menu-item' and normalize-space()='{title}']"
    click(driver, driver.find_element(By.XPATH, xpath))
    assert wait_for(driver, "main .panel h1").text == title


def application_id(driver) -> int:
    found = re.search(r"application=(\d+)", driver.current_url) or \
        re.search(r"/applications/(\d+)", driver.current_url)
    assert found, driver.current_url
    return int(found.group(1))


def save_draft(driver) -> int:
    click(driver, driver.find_element(By.CSS_SELECTOR, "button[name=save_draft]"))
    assert "已暂存" in driver.find_element(By.TAG_NAME, "body").text
    return application_id(driver)


def open_application(driver, base: str, number: int) -> None:
    driver.get(f"{base}/hall/applications/{number}")
    wait_for(driver, "section.application .status")


def voucher_row(driver, title: str):
    rows = driver.find_elements(By.CSS_SELECTOR, "#vouchers tr.voucher:not(.superseded)")
    return next(row for row in rows if row.find_element(By.CSS_SELECTOR, "td").text == title)


def print_voucher(driver, title: str) -> None:
    """打印凭证 on the application page: the print is fixed (固化) among the materials."""
    click(driver, voucher_row(driver, title).find_element(By.CSS_SELECTOR, "form.print-voucher button"))
    assert f"{title}已生成并固化" in driver.find_element(By.TAG_NAME, "body").text
    assert voucher_row(driver, title).find_element(By.CSS_SELECTOR, ".voucher-status").text == "已固化"
    fixed = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#materials tr.slot.fixed")
             if row.find_elements(By.CSS_SELECTOR, ".fixed-mark")]
    assert any(title in text for text in fixed), fixed


def upload_material(driver, path: Path) -> None:
    form = driver.find_element(By.CSS_SELECTOR, "form#upload-material")
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    click(driver, form.find_element(By.CSS_SELECTOR, "button"))
    assert f"已上传：{path.name}" in driver.find_element(By.TAG_NAME, "body").text


def submit_from_draft(driver) -> None:
    """From the application page: 继续办理 (a readable button) → 提交 → 提交成功."""
    resume = driver.find_element(By.CSS_SELECTOR, "section.application .actions a.btn-primary")
    assert resume.text == "继续办理"
    assert resume.value_of_css_property("color") == "rgba(255, 255, 255, 1)"  # white on the red button
    click(driver, resume)
    click(driver, wait_for(driver, "button[name=submit]"))
    assert wait_for(driver, ".alert-success.submitted").text == "提交成功"


def fetch(driver, url: str) -> bytes:
    """A file the page links to, fetched with the browser's own session cookie."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookies}), timeout=15) as reply:
        return reply.read()


def resident(seed: int, born: date) -> str:
    """A valid ID number the demo does not hold."""
    return id_number(random.Random(seed), "140502", born, "1")


def status_of(runtime, number: int) -> str:
    with runtime.session() as db:
        return db.get(Application, number).status


def mine_lists(driver, base: str, title: str, status: str) -> None:
    """查看已发 lists the application with its status."""
    driver.get(base + "/hall/tasks/mine")
    assert wait_for(driver, "main h1").text.startswith("已发")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.tasks tr")]
    assert any(title in row and status in row for row in rows), rows


# --- 6 个人账户设立: an imported 清册, 发起即办结 ----------------------------------------------

def test_open_accounts_with_an_imported_list(site, runtime, tmp_path):
    base, driver = site
    demo = demo_facts(runtime)
    hall_login(driver, base, demo)
    shot(driver, "jincheng-open_accounts-1-hall")
    open_from_menu(driver, base, PERSONS, "个人账户设立")
    assert "发起即办结" in driver.find_element(By.CSS_SELECTOR, ".chain-note").text

    # 6.2 下载模板, fill it in, 批量导入
    template = fetch(driver, driver.find_element(By.CSS_SELECTOR, "a.template").get_attribute("href"))
    book = load_workbook(io.BytesIO(template))
    sheet = book["清册"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["姓名", "证件类型", "证件号码"] and "缴存基数" in headers
    people = [("秦导入", resident(601, date(1992, 5, 6)), "5200"), ("晋导入", resident(602, date(1993, 7, 8)), "4800.50")]
    for row, (name, id_no, base_amount) in enumerate(people, start=2):
        values = {"姓名": name, "证件类型": "身份证", "证件号码": id_no, "缴存基数": base_amount}
        for column, header in enumerate(headers, start=1):
            if header in values:
                sheet.cell(row=row, column=column, value=values[header])
    workbook = tmp_path / "个人账户设立清册.xlsx"
    book.save(workbook)
    form = driver.find_element(By.CSS_SELECTOR, "form#import-form")
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(workbook))
    click(driver, form.find_element(By.CSS_SELECTOR, "button[name=import]"))
    assert wait_for(driver, ".imported-count").text == "2"
    listed = driver.find_element(By.CSS_SELECTOR, "table#rows").text
    assert all(name in listed and id_no in listed for name, id_no, _ in people)
    shot(driver, "jincheng-open_accounts-2-imported")

    # 6.2 暂存
    number = save_draft(driver)
    assert status_of(runtime, number) == S.DRAFT

    # 6.4 打印: the 登记表 printed on the application page and fixed among the materials
    open_application(driver, base, number)
    print_voucher(driver, "住房公积金个人账户设立登记表")
    shot(driver, "jincheng-open_accounts-3-printed")

    # 6.5 提交: 发起即办结
    submit_from_draft(driver)
    assert driver.find_element(By.CSS_SELECTOR, ".status").text == "已办结"
    shot(driver, "jincheng-open_accounts-4-submitted")
    shown = driver.find_element(By.CSS_SELECTOR, "dl.result").text  # 办理结果
    mine_lists(driver, base, "个人账户设立", "已办结")

    # the effect: one new normal account per imported row, in the unit, at the typed base,
    # their numbers shown in 办理结果
    with runtime.session() as db:
        assert len(db.get(Application, number).result["accounts"]) == len(people)
        for account_no in db.get(Application, number).result["accounts"]:
            assert account_no in shown
        for name, id_no, base_amount in people:
            person = db.scalar(select(Person).where(Person.id_no == id_no))
            assert person is not None and person.name == name
            account = db.scalar(select(Account).where(Account.person_id == person.id))
            assert account.unit_id == demo.unit_id and account.state == AccountState.NORMAL.value
            assert account.base == Decimal(base_amount)
        assert check_ledgers(db) == []


# --- 7 个人账户封存: a row, a material, the 封存清册, the counter approves ------------------------

def test_seal_with_counter_approval(site, runtime, tmp_path):
    base, driver = site
    demo = demo_facts(runtime)
    sealed = demo.accounts[0]
    hall_login(driver, base, demo)
    open_from_menu(driver, base, PERSONS, "个人账户封存")

    # 7.2 增加: 个人账号 + 封存原因
    row = driver.find_element(By.CSS_SELECTOR, "#row-entry form")
    row.find_element(By.NAME, "account_no").send_keys(sealed)
    row.find_element(By.CSS_SELECTOR, "select[name=reason] option[value='离职']").click()
    click(driver, row.find_element(By.CSS_SELECTOR, "button[name=add_row]"))
    assert sealed in wait_for(driver, "table#rows").text and "离职" in driver.find_element(By.ID, "rows").text
    number = save_draft(driver)

    # 7.3 材料: a scanned PNG
    open_application(driver, base, number)
    scan = tmp_path / "封存申请表.png"
    scan.write_bytes(image_bytes())
    upload_material(driver, scan)

    # 7.4 打印: 个人账户封存清册, fixed among the materials
    print_voucher(driver, "个人账户封存清册")
    shot(driver, "jincheng-seal-1-draft")

    # 7.5 提交, seen in 已发
    submit_from_draft(driver)
    assert driver.find_element(By.CSS_SELECTOR, ".status").text != "已办结"
    waiting = driver.find_element(By.CSS_SELECTOR, ".status").text
    mine_lists(driver, base, "个人账户封存", waiting)
    shot(driver, "jincheng-seal-2-mine")

    # 7.6 审批: clerk1 opens it from the queue, sees the materials, approves
    sign_in(driver, base + "/counter/login", {"login_name": "clerk1", "password": DEMO_PASSWORD})
    click(driver, wait_for(driver, ".queue-first_review a"))
    click(driver, driver.find_element(By.LINK_TEXT, str(number)))
    materials = wait_for(driver, "ul.materials").text
    assert "封存申请表.png" in materials and "个人账户封存清册" in materials and "已固化" in materials
    buttons = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#review button[name=action]")]
    assert "审批通过" in buttons and "办理中" not in buttons
    driver.find_element(By.CSS_SELECTOR, "#review [name=opinion]").send_keys("离职证明齐全，同意封存")
    shot(driver, "jincheng-seal-3-counter")
    click(driver, driver.find_element(By.CSS_SELECTOR, "button.action-approve"))
    assert wait_for(driver, ".status").text == "已办结"

    # the effect: the account is sealed
    with runtime.session() as db:
        assert db.scalar(select(Account.state).where(Account.account_no == sealed)) == AccountState.SEALED.value
        assert check_ledgers(db) == []

    # 7.7 缴存人封存/启封记录流水 lists it
    hall_login(driver, base, demo)
    click(driver, driver.find_element(By.XPATH, "//nav[contains(@class,'menu')]//a[normalize-space()='缴存人封存/启封记录流水']"))
    assert wait_for(driver, "main h1").text == "缴存人封存/启封记录流水"
    assert sealed in driver.find_element(By.CSS_SELECTOR, "main").text
    field = driver.find_element(By.CSS_SELECTOR, "#filters input[name=account_no]")
    field.send_keys(sealed)
    click(driver, driver.find_element(By.CSS_SELECTOR, "#filters button"))
    shown = driver.find_element(By.CSS_SELECTOR, "main").text
    assert sealed in shown and "离职" in shown
    shot(driver, "jincheng-seal-4-query")


# --- 11 缴存单位汇缴办理: three vouchers, 发起即办结 ----------------------------------------------

REMITTANCE_VOUCHERS = ("住房公积金汇缴书", "缴存单位汇缴办理清册", "住房公积金汇缴变更清册")


def test_remittance_with_its_three_vouchers(site, runtime, tmp_path):
    base, driver = site
    demo = demo_facts(runtime)
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        unit_name, paid_to = unit.name, unit.paid_to
    assert paid_to == "2026-10"
    hall_login(driver, base, demo)
    open_from_menu(driver, base, DEPOSITS, "缴存单位汇缴办理")

    # 11.1 申请: 起始核定年月 2026-11, one month
    for name, value in (("month", "2026-11"), ("count", "1")):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    number = save_draft(driver)

    # 11.4 打印: the three vouchers, each fixed among the materials
    open_application(driver, base, number)
    for title in REMITTANCE_VOUCHERS:
        print_voucher(driver, title)
    shot(driver, "jincheng-remittance-1-vouchers")

    # 11.5 提交: 发起即办结
    submit_from_draft(driver)
    assert wait_for(driver, ".status", "已办结").text == "已办结"
    shot(driver, "jincheng-remittance-2-done")
    mine_lists(driver, base, "缴存单位汇缴办理", "已办结")

    # each voucher's PDF, opened from the application page, carries its title and the unit's name
    open_application(driver, base, number)
    for title in REMITTANCE_VOUCHERS:
        link = voucher_row(driver, title).find_element(By.CSS_SELECTOR, "a.view-voucher").get_attribute("href")
        text = text_of(fetch(driver, link), tmp_path)
        flat = re.sub(r"\s+", "", text)
        assert title in flat and unit_name in flat, (title, text[:300])

    # the effect: November 2026 verified (核定) for the unit, the amount shown in 办理结果
    with runtime.session() as db:
        application = db.get(Application, number)
        assert application.status == S.COMPLETED
        [verified] = db.scalars(select(RemittanceVerification).where(
            RemittanceVerification.unit_id == demo.unit_id, RemittanceVerification.month == "2026-11")).all()
        assert verified.amount == Decimal(application.result["amount"]) > 0
        assert verified.amount == verified.unit_amount + verified.personal_amount
        assert check_ledgers(db) == []
    assert f"{verified.amount:.2f}" in driver.find_element(By.CSS_SELECTOR, "dl.result").text
