"""Jincheng's (晋城) hall in its own look, through the theme mechanism only: its header,
navigation, login page and footer; the look stays in its centre (others in the same
process keep core's); a real Chromium shows the login and hall pages (screenshots kept)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from webtest import TestApp

from core.demo import DEMO_PASSWORD, load_demo
from tests.conftest import build, make_settings
from tests.support.browser import chromium, screenshot, serve
from tests.support.web import demo_facts

TITLE = "晋城市住房公积金管理中心"
OTHERS = ("shaoguan", "kaifeng", "shaanxi")


@pytest.fixture
def app(tmp_path):
    """The four demo centres in one process, Jincheng's demo data loaded."""
    app = build(make_settings(tmp_path))
    load_demo(app.runtimes["jincheng"])
    return app


def sign_in(web: TestApp, app) -> None:
    form = web.get("/jincheng/login").forms[0]
    form["id_no"], form["password"] = demo_facts(app.runtimes["jincheng"]).operator_id_no, DEMO_PASSWORD
    assert form.submit().location.endswith("/jincheng/hall")


def test_login_page_carries_the_centres_header_nav_and_footer(app):
    web = TestApp(app)
    page = web.get("/jincheng/login")
    header = page.html.select_one("header.site-header")
    assert header.select_one(".centre-title").text == TITLE
    assert header.select_one(".hall-title").text == "单位网上服务大厅"
    assert header.select_one("svg.jc-emblem")  # the mark is drawn inline, no image to fetch
    assert not page.html.select("img")
    assert "12329" in header.text
    # the Jincheng stylesheet is linked and served under the centre's prefix
    sheets = [link["href"] for link in page.html.select("link[rel=stylesheet]")]
    assert any(href.endswith("/jincheng/theme/theme.css") for href in sheets)
    css = web.get("/jincheng/theme/theme.css")
    assert ".theme-jincheng .jc-nav" in css.text and "var(--accent)" in css.text
    assert "--primary: #b22222" in page.text  # Jincheng's deep red from the theme hook
    nav = [(a.text, "active" in a.get("class", [])) for a in page.html.select("nav.jc-nav a")]
    assert nav[:2] == [("网厅首页", False), ("单位登录", True)]
    # the login form itself is core's: ID number and password, 忘记密码
    form = page.html.select_one("form.login-form")
    assert [i["name"] for i in form.select("input:not([type=hidden])")] == ["id_no", "password"]
    assert page.html.select_one("a.forgot-link").text == "忘记密码"
    footer = page.html.select_one("footer.site-footer")
    assert TITLE in footer.text and "服务热线" in footer.text and "12329" in footer.text
    assert "晋ICP备" in footer.text and "联系地址" in footer.text and "建议使用 1366×768" in footer.text


def test_home_and_hall_pages_in_the_look_after_signing_in(app):
    web = TestApp(app)
    home = web.get("/jincheng/")
    assert home.html.select_one(".jc-masthead .centre-title").text == TITLE
    assert home.html.select_one(".unit-count")  # core's home content, untouched
    sign_in(web, app)
    hall = web.get("/jincheng/hall")
    operator = hall.html.select_one(".user-bar .user-name").text
    assert operator and hall.html.select_one("form#logout button").text == "退出系统"
    assert hall.html.select_one(".user-bar a.change-password").text == "修改密码"
    active = hall.html.select("nav.jc-nav a.active")
    assert [a.text for a in active] == ["网厅首页"]
    # the business menu is on the page (laid out as the left column by theme.css)
    assert hall.html.select_one("main.content > nav.menu a.menu-item")
    tasks = web.get("/jincheng/hall/tasks/todo")
    assert [a.text for a in tasks.html.select("nav.jc-nav a.active")] == ["单位任务"]
    # signing out still works through the header's form
    out = hall.forms["logout"].submit()
    assert out.status_code in (302, 303)


def test_the_look_stays_in_its_centre(app):
    web = TestApp(app)
    assert web.get("/jincheng/").html.select_one(".jc-masthead")
    for name in OTHERS:
        for path in ("/", "/login"):
            page = web.get(f"/{name}{path}")
            assert not page.html.select(".jc-masthead, .jc-nav, svg.jc-emblem, .jincheng-footer")
            assert "晋ICP备" not in page.text and TITLE not in page.text
            # core's header and footer, the centre's own stylesheet
            assert page.html.select_one("header.site-header > .brand > .centre-title")
            assert "技术支持：OpenGJJ" in page.html.select_one("footer.site-footer").text
            sheets = [link["href"] for link in page.html.select("link[rel=stylesheet]")]
            assert not any("jincheng" in href for href in sheets)
    # and Jincheng keeps its own after the others were rendered
    assert web.get("/jincheng/login").html.select_one(".jc-masthead .centre-title").text == TITLE


def full_page(driver, name: str):
    """A screenshot of the whole page: the window grown to the document's height."""
    driver.set_window_size(1366, 768)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(768, height + 140))  # + the window's own chrome
    return screenshot(driver, name)


def test_browser_login_and_hall_home(app):
    base, server = serve(app)
    driver = chromium()
    try:
        driver.set_window_size(1366, 900)
        driver.get(base + "/jincheng/")
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".unit-count")))
        full_page(driver, "jincheng-home")
        driver.get(base + "/jincheng/login")
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".login-form")))
        # the login card on the right of the banner, the Jincheng red on its button
        card = driver.find_element(By.CSS_SELECTOR, "section.login").rect
        assert card["x"] > 1366 / 2
        button = driver.find_element(By.CSS_SELECTOR, ".login-form button")
        assert button.value_of_css_property("background-color") == "rgba(178, 34, 34, 1)"
        full_page(driver, "jincheng-login")
        demo = demo_facts(app.runtimes["jincheng"])
        driver.find_element(By.NAME, "id_no").send_keys(demo.operator_id_no)
        driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, ".login-form button").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".unit-no")))
        header = driver.find_element(By.CSS_SELECTOR, ".jc-masthead")
        assert header.value_of_css_property("background-image").startswith("radial-gradient")
        assert driver.find_element(By.CSS_SELECTOR, ".centre-title").text == TITLE
        # the business menu sits left of the panels, the panels on the right
        menu = driver.find_element(By.CSS_SELECTOR, "main > nav.menu").rect
        summary = driver.find_element(By.CSS_SELECTOR, "main > .summary").rect
        assert menu["x"] + menu["width"] <= summary["x"] and menu["y"] == summary["y"]
        full_page(driver, "jincheng-hall-home")
        driver.find_element(By.CSS_SELECTOR, "nav.menu a.menu-item").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main .panel h1")))
        full_page(driver, "jincheng-hall-item")
    finally:
        driver.quit()
        server.close()
