"""Plugins are found through entry points, per centre, and checked at start-up."""
import json
import subprocess
import sys

import pytest
from webtest import TestApp

from core.centres import ConfigurationError
from core.cli import main as gjj
from core.plugins import PluginNotInstalled, installed_plugins
from tests.conftest import REPO, build, make_settings, write_centre


def test_bundled_plugins_are_entry_points_of_the_opengjj_distribution():
    installed = installed_plugins()
    for name in ("jincheng", "shaoguan", "kaifeng", "shaanxi", "password_login"):
        assert installed[name].dist.name == "opengjj"


def centre_with_testcity(tmp_path, city="testcity", plugins="password_login"):
    config_dir = tmp_path / "config"
    write_centre(config_dir, "testcity", title="测试中心", city=city, plugins=plugins, prefix="/test")
    write_centre(config_dir, "kaifeng", title="开封市住房公积金管理中心", city="kaifeng",
                 plugins="password_login", prefix="/kaifeng")
    return make_settings(tmp_path, centres=("testcity", "kaifeng"), **{"opengjj.centre_dir": str(config_dir)})


def test_a_pip_installed_plugin_distribution_is_discovered(plugin_dist, tmp_path):
    assert installed_plugins()["testcity"].dist.name == "opengjj-testcity"
    app = build(centre_with_testcity(tmp_path))
    runtime = app.runtimes["testcity"]
    assert runtime.catalogue.theme.title == "测试市住房公积金管理中心"
    assert "annual_check" in runtime.catalogue.items
    web = TestApp(app)
    assert web.get("/test/").html.select_one(".centre-title").text == "测试市住房公积金管理中心"
    # the plugin's includeme wired its view into its own centre only
    assert web.get("/test/testcity/hello").text == "testcity plugin view for testcity"
    web.get("/kaifeng/testcity/hello", status=404)
    assert "annual_check" not in app.runtimes["kaifeng"].catalogue.items


def test_missing_plugin_fails_at_start_up_naming_it(tmp_path):
    with pytest.raises(PluginNotInstalled) as error:
        build(centre_with_testcity(tmp_path, city="nanjing"))
    message = str(error.value)
    assert "'testcity' needs the plugin 'nanjing'" in message
    assert "pip install" in message and "jincheng" in message  # how to fix, and what is there


def test_missing_plugin_message_from_the_command_line(tmp_path):
    settings = centre_with_testcity(tmp_path, plugins="password_login sms_gateway_x")
    ini = tmp_path / "app.ini"
    ini.write_text("[app:main]\nuse = egg:opengjj\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    result = subprocess.run([sys.executable, "-m", "core.cli", "-c", str(ini), "plugins"],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert "needs the plugin 'sms_gateway_x', which is not installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_misspelled_hook_implementation_is_refused(plugin_dist, tmp_path):
    with pytest.raises(Exception, match="opengjj_thme"):
        build(centre_with_testcity(tmp_path, plugins="testcity_misspelled"))


def test_a_plugin_view_clashing_with_core_stops_start_up(plugin_dist, tmp_path):
    with pytest.raises(ConfigurationError, match="plugin opengjj_testcity.clashing replaces .*views"):
        build(centre_with_testcity(tmp_path, plugins="testcity_clashing"))


def test_gjj_plugins_lists_plugins_versions_and_hooks(plugin_dist, tmp_path, capsys):
    settings = centre_with_testcity(tmp_path)
    ini = tmp_path / "app.ini"
    ini.write_text("[app:main]\nuse = egg:opengjj\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    assert gjj(["-c", str(ini), "plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["testcity", "kaifeng"]
    testcity = {p["name"]: p for p in report["testcity"]}
    assert testcity["testcity"]["distribution"] == "opengjj-testcity"
    assert testcity["testcity"]["version"] == "0.3.1"
    assert "opengjj_deposit_policy" in testcity["testcity"]["hooks"]
    assert testcity["password_login"]["hooks"] == ["opengjj_login_methods"]
    assert testcity["core.builtin.theme"]["hooks"] == ["opengjj_theme"]
    # registration order: core's built-ins, then the generic plugins, then the city
    assert list(testcity)[-2:] == ["password_login", "testcity"]
    assert "testcity" not in {p["name"] for p in report["kaifeng"]}

    assert gjj(["-c", str(ini), "plugins"]) == 0
    text = capsys.readouterr().out
    assert "testcity:\n" in text
    assert "  testcity (opengjj-testcity 0.3.1): opengjj_business_items" in text


def test_centre_settings_errors_are_clear(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        build(make_settings(tmp_path, centres=("atlantis",)))
    config_dir = tmp_path / "config"
    write_centre(config_dir, "alpha", title="A", city="kaifeng", prefix="/same")
    write_centre(config_dir, "beta", title="B", city="kaifeng", prefix="/same/")
    with pytest.raises(ConfigurationError, match="'alpha' and 'beta' share the address"):
        build(make_settings(tmp_path, centres=("alpha", "beta"), **{"opengjj.centre_dir": str(config_dir)}))
    write_centre(config_dir, "gamma", title="C", prefix="/c")
    with pytest.raises(ConfigurationError, match="does not name its city plugin"):
        build(make_settings(tmp_path, centres=("gamma",), **{"opengjj.centre_dir": str(config_dir)}))
