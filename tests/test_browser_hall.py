"""The hall and the counter in a real headless Chromium, against a real server, with
jobs on real Redis: what a person sees, click by click (screenshots kept)."""
from __future__ import annotations

import pytest
from rq import SimpleWorker
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from core.demo import DEMO_PASSWORD
from core.jobs.worker import run_worker
from tests.support.browser import chromium, screenshot, serve
from tests.support.web import demo_facts, make_centre_app


@pytest.fixture
def site(tmp_path, redis_url):
    app = make_centre_app(tmp_path, **{"opengjj.jobs.backend": "rq", "opengjj.redis_url": redis_url})
    base, server = serve(app)
    driver = chromium()
    yield app, base + "/c", driver
    driver.quit()
    server.close()


def wait_for(driver, css: str, text: str | None = None, timeout: float = 10):
    condition = EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text) if text \
        else EC.presence_of_element_located((By.CSS_SELECTOR, css))
    WebDriverWait(driver, timeout).until(condition)
    return driver.find_element(By.CSS_SELECTOR, css)


def sign_in(driver, url, fields: dict[str, str]):
    driver.delete_all_cookies()
    driver.get(url)
    for name, value in fields.items():
        driver.find_element(By.NAME, name).send_keys(value)
    driver.find_element(By.CSS_SELECTOR, ".login-form button").click()


def test_ratio_adjustment_from_the_menu_to_the_counter_and_back(site):
    app, base, driver = site
    demo = demo_facts(app.runtimes["testhall"])
    sign_in(driver, base + "/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
    wait_for(driver, ".unit-no", demo.unit_no)
    screenshot(driver, "hall-home")
    driver.find_element(By.LINK_TEXT, "缴存比例调整").click()
    form = wait_for(driver, "form#deform")
    labels = [label.text for label in form.find_elements(By.CSS_SELECTOR, "label")]
    assert "*单位缴存比例" in labels  # required, marked *
    for name, value in (("unit_ratio", "10"), ("personal_ratio", "10"), ("effective_month", "2026-12")):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "button[name=submit]").click()
    assert wait_for(driver, ".alert-success").text == "提交成功"
    application = driver.current_url.split("?")[0].rsplit("/", 1)[1]
    screenshot(driver, "hall-submitted")

    sign_in(driver, base + "/counter/login", {"login_name": "clerk1", "password": DEMO_PASSWORD})
    assert wait_for(driver, ".queue-first_review .count").text == "1"
    driver.find_element(By.LINK_TEXT, "柜面初审").click()
    driver.find_element(By.LINK_TEXT, application).click()
    wait_for(driver, "#review").find_element(By.NAME, "opinion").send_keys("材料齐全，同意")
    screenshot(driver, "counter-review")
    driver.find_element(By.CSS_SELECTOR, "button.action-approve").click()
    assert wait_for(driver, ".status").text == "已办结"

    sign_in(driver, base + "/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
    wait_for(driver, "#tasks-messages", "已办结")
    driver.find_element(By.CSS_SELECTOR, "#tasks-done li a").click()
    assert "材料齐全，同意" in wait_for(driver, "table.history").text  # the opinion in the flow's history
    assert driver.find_elements(By.CSS_SELECTOR, ".flow-step.done")
    screenshot(driver, "hall-done-flow")


def test_a_background_job_shows_its_progress_then_its_result(site):
    app, base, driver = site
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    sign_in(driver, base + "/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
    wait_for(driver, ".unit-no")
    driver.get(base + "/hall/items/remittance")
    wait_for(driver, "form#deform")
    driver.find_element(By.CSS_SELECTOR, "button[name=submit]").click()  # the suggested month
    bar = wait_for(driver, ".progress .progress-bar")
    assert wait_for(driver, ".status").text == "办理中"
    screenshot(driver, "hall-job-waiting")
    # the browser keeps polling on its own while this process works the queue
    run_worker([runtime], burst=True, worker_class=SimpleWorker)
    # the page polls and reloads itself once the job is done
    assert wait_for(driver, ".status", "已办结", timeout=15).text == "已办结"
    assert bar is not None and not driver.find_elements(By.CSS_SELECTOR, ".progress")
    screenshot(driver, "hall-job-done")
