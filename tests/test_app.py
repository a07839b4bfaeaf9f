"""The demo process serves four centres, each under its prefix, each in its own look."""
import pytest
from webtest import TestApp

from tests.conftest import DEMO_CENTRES, build, make_settings

TITLES = {
    "jincheng": "晋城市住房公积金管理中心",
    "shaoguan": "韶关市住房公积金管理中心",
    "kaifeng": "开封市住房公积金管理中心",
    "shaanxi": "陕西省住房资金管理中心",
}


def test_landing_page_links_every_centre(web):
    page = web.get("/")
    links = {a.attrs["href"] for a in page.html.select("ul.centres a")}
    assert links == {f"http://localhost/{name}/" for name in DEMO_CENTRES}
    for name in DEMO_CENTRES:
        assert page.click(TITLES[name]).status_code == 200


@pytest.mark.parametrize("name", DEMO_CENTRES)
def test_each_centre_answers_in_its_theme(web, name):
    page = web.get(f"/{name}/")
    assert page.status_code == 200
    assert page.html.select_one(".centre-title").text == TITLES[name]
    assert f"theme-{name}" in page.html.body["class"]
    # static assets resolve under the centre's own prefix
    for link in page.html.select("link[rel=stylesheet]"):
        assert web.get(link["href"]).status_code == 200
    assert web.get(f"/{name}/_health").json == {"centre": name, "database": "ok"}


def test_template_override_stays_in_its_centre(web):
    # Jincheng's theme replaces footer.pt; the others keep core's, in the same process.
    assert "建议使用 1366×768" in web.get("/jincheng/").text
    for name in ("shaoguan", "kaifeng", "shaanxi"):
        assert "建议使用 1366×768" not in web.get(f"/{name}/").text
        assert "技术支持：OpenGJJ" in web.get(f"/{name}/").text


def test_prefix_without_slash_redirects_and_unknown_paths_404(web):
    assert web.get("/jincheng").location.endswith("/jincheng/")
    web.get("/nowhere/", status=404)
    web.get("/jincheng/nowhere", status=404)


def test_centre_bound_to_a_host(tmp_path):
    settings = make_settings(tmp_path, centres=("jincheng", "kaifeng"),
                             **{"opengjj.centre.jincheng.host": "gjj.jincheng.example",
                                "opengjj.centre.jincheng.prefix": "/"})
    web = TestApp(build(settings))
    page = web.get("/", extra_environ={"HTTP_HOST": "gjj.jincheng.example"})
    assert page.html.select_one(".centre-title").text == TITLES["jincheng"]
    # other hosts still get the portal and Kaifeng under its prefix
    assert web.get("/").html.select("ul.centres a")
    assert web.get("/kaifeng/").html.select_one(".centre-title").text == TITLES["kaifeng"]


def test_home_page_counts_only_its_own_centre(tmp_path):
    from core.models import Unit

    app = build(make_settings(tmp_path, centres=("jincheng", "kaifeng")))
    with app.runtimes["jincheng"].session() as db:
        db.add(Unit(unit_no="1401999999", name="只属于晋城的单位"))
    web = TestApp(app)
    assert web.get("/jincheng/").html.select_one(".unit-count").text == "1"
    assert web.get("/kaifeng/").html.select_one(".unit-count").text == "0"
