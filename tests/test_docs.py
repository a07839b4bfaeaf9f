"""The hook contract is documented, and the generated reference is up to date.

Like datasette's tests/test_docs.py: a hook nobody documented, or a reference nobody
regenerated, fails here rather than surprising a plugin author.
"""
from __future__ import annotations

import re
import types
from pathlib import Path

import pluggy
import pytest

from core import docs, hookspecs

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
HOOK_NAMES = [func.__name__ for func in docs.hookspec_functions()]


def assert_hooks_documented(module=None) -> None:
    """Every hookspec says when it is Called, what it Returns, and whether it is firstresult."""
    missing = docs.undocumented_hooks(module)
    details = "; ".join(f"{name} lacks {', '.join(map(repr, docs.missing_words(getattr(module or hookspecs, name))))}"
                        for name in missing)
    assert not missing, (
        f"hookspec docstrings must say when the hook is called ('Called'), what it returns "
        f"('Return') and whether it is 'firstresult': {details}")


def test_core_hookspecs_exist():
    assert "opengjj_theme" in HOOK_NAMES
    assert len(HOOK_NAMES) == len(set(HOOK_NAMES)) >= 10


def test_every_hookspec_is_documented():
    assert_hooks_documented()


def _fake_hookspecs() -> types.ModuleType:
    """A hookspec module as a careless plugin author might write it."""
    hookspec = pluggy.HookspecMarker("opengjj")
    module = types.ModuleType("fake_hookspecs")

    def opengjj_documented(centre):
        """Do something.

        Called once per centre at start-up. Return a list. Collected (not firstresult).
        """

    def opengjj_silent(centre):
        pass

    def opengjj_vague(centre):
        """Called sometimes. Return something."""

    def opengjj_not_a_hookspec(centre):
        pass

    module.opengjj_documented = hookspec(opengjj_documented)
    module.opengjj_silent = hookspec(opengjj_silent)
    module.opengjj_vague = hookspec(firstresult=True)(opengjj_vague)
    module.opengjj_not_a_hookspec = opengjj_not_a_hookspec  # unmarked: not a hookspec
    module.hookspec = hookspec
    return module


def test_checker_reports_hookspecs_without_docstrings():
    fake = _fake_hookspecs()
    assert docs.undocumented_hooks(fake) == ["opengjj_silent", "opengjj_vague"]
    assert docs.missing_words(fake.opengjj_silent) == ["Called", "Return", "firstresult"]
    assert docs.missing_words(fake.opengjj_vague) == ["firstresult"]
    with pytest.raises(AssertionError, match="opengjj_silent lacks 'Called', 'Return', 'firstresult'"):
        assert_hooks_documented(fake)


def test_checker_sees_every_marked_hookspec():
    hookspec = pluggy.HookspecMarker("opengjj")
    fake = types.ModuleType("fake_hookspecs")

    def opengjj_only(centre):
        """Called at start-up. Return None. firstresult: yes."""

    fake.opengjj_only = hookspec(opengjj_only)
    assert [f.__name__ for f in docs.hookspec_functions(fake)] == ["opengjj_only"]
    assert docs.undocumented_hooks(fake) == []


def test_hooks_reference_is_up_to_date():
    path = DOCS / "hooks.md"
    assert path.exists(), "docs/hooks.md is missing: run `python -m core.docs`"
    assert path.read_text(encoding="utf-8") == docs.render(), (
        "docs/hooks.md is stale (core/hookspecs.py or core/contract.py changed): "
        "run `python -m core.docs` and commit docs/hooks.md")


def test_render_is_deterministic_and_covers_every_hook():
    text = docs.render()
    assert text == docs.render()
    assert text.endswith("\n") and not text.endswith("\n\n")
    for func in docs.hookspec_functions():
        assert f"### `{func.__name__}(" in text
    # The firstresult flag comes from pluggy's hookspec options, not from prose.
    section = text.split("### `opengjj_theme(centre)`", 1)[1].split("### ", 1)[0]
    assert "**firstresult**" in section
    section = text.split("### `opengjj_menu(centre, items)`", 1)[1].split("### ", 1)[0]
    assert "**Collected**" in section
    # Every contract type is listed with its fields.
    assert "### `DepositPolicy`" in text
    assert "- `base_floor: Decimal`" in text


def test_docstring_literal_blocks_and_roles_become_markdown():
    doc = '''Do a thing.

    Return a :class:`core.contract.Theme` or ``None``; see :func:`opengjj_menu`
    and :data:`core.contract.ROUNDING_MODES`.

    Example::

        @hookimpl
        def opengjj_theme(centre):
            if centre.name == "x":
                return None

    After the example.
    '''
    markdown = docs.docstring_markdown(doc, hook_names=["opengjj_menu"], type_names=["Theme"])
    assert markdown == (
        "Do a thing.\n"
        "\n"
        "Return a [`core.contract.Theme`](#theme) or `None`; see [`opengjj_menu`](#opengjj-menu)\n"
        "and `core.contract.ROUNDING_MODES`.\n"
        "\n"
        "Example:\n"
        "\n"
        "```python\n"
        "@hookimpl\n"
        "def opengjj_theme(centre):\n"
        "    if centre.name == \"x\":\n"
        "        return None\n"
        "```\n"
        "\n"
        "After the example.\n"
    )


def test_check_command_reports_a_stale_reference(tmp_path, capsys):
    target = tmp_path / "hooks.md"
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "python -m core.docs" in capsys.readouterr().err
    assert docs.main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == docs.render()
    assert docs.main(["--check", "--output", str(target)]) == 0
    target.write_text(docs.render().replace("firstresult", "first result", 1), encoding="utf-8")
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "is stale" in capsys.readouterr().err


def _headings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # no '#' comments of code blocks
    return [line for line in text.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_has_a_heading_in_the_docs(name):
    headings = _headings(DOCS / "plugin-guide.md") + _headings(DOCS / "hooks.md")
    assert any(name in heading for heading in headings), (
        f"{name} appears in no heading of docs/plugin-guide.md or docs/hooks.md: "
        f"run `python -m core.docs`")


def test_plugin_guide_mentions_only_real_hooks():
    text = (DOCS / "plugin-guide.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bopengjj_[a-z_]+\b", text))
    # the example package and the deliberate typo of "When start-up fails"
    assert named <= set(HOOK_NAMES) | {"opengjj_foocity", "opengjj_thme"}, sorted(named - set(HOOK_NAMES))
