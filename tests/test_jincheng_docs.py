"""docs/cities/jincheng.md maps every numbered section of the Jincheng manual to code and
a test that exists: a section the manual adds, or a test renamed, fails here."""
from __future__ import annotations

import re
from pathlib import Path

from cities.jincheng.items import ITEMS

REPO = Path(__file__).resolve().parent.parent
MANUAL = REPO.parent / "shared" / "seeds" / "000_b9296f7d07472550.txt"
DOC = (REPO / "docs" / "cities" / "jincheng.md").read_text(encoding="utf-8")


def manual_sections() -> list[str]:
    text = MANUAL.read_text(encoding="utf-8")
    tasks = text[text.index("二、任务项"):]
    return sorted(set(re.findall(r"^\s*(\d+\.\d)", tasks, flags=re.M)), key=lambda s: tuple(map(int, s.split("."))))


def test_every_numbered_section_of_the_manual_is_mapped():
    sections = manual_sections()
    assert len(sections) == 16 * 7  # items 1–15 and 17, seven parts each
    missing = [s for s in sections if f"| {s} |" not in DOC]
    assert missing == []
    for number in range(1, 5):  # 一、登录 1–4
        assert f"| {number} |" in DOC


def test_the_doc_names_every_item_the_city_declares_and_tests_that_exist():
    for item in ITEMS:
        assert f"### {item.number}、{item.title} — core item `{item.code}`" in DOC
    for module, number in re.findall(r"`(tests/test_jincheng_\w+\.py)::test_item_(\d+)_\*`", DOC):
        source = (REPO / module).read_text(encoding="utf-8")
        assert re.search(rf"^def test_item_{number}_\w+", source, flags=re.M), (module, number)
    assert "def test_login" in (REPO / "tests/test_jincheng_person_items.py").read_text(encoding="utf-8")
