"""The exercise pages keep their in-page self-check (issue 14): in a notebook a
question is a Markdown prompt answered in a code cell, and the book puts the
question's form in place of each prompt (``_ext/labtools_book.py``), so the page
shows every question once, as a form, and no answer cell."""

from __future__ import annotations

import json

import pytest
from sitelib import REPO, Site

BANKS = sorted((REPO / "exercises" / "questions").glob("*.json"))


@pytest.mark.parametrize("bank_path", BANKS, ids=lambda p: p.stem)
def test_exercise_page_has_one_self_check_form_per_question(site: Site, bank_path):
    bank = json.loads(bank_path.read_text(encoding="utf-8"))
    page = f"exercises/{bank['exercise']}.html"
    assert page in site.pages, f"{page} is not in the built site"
    main = site.soup(page).select_one("main") or site.soup(page)
    boxes = main.select(".labtools-quiz")
    assert len(boxes) == len(bank["questions"]), (page, len(boxes))
    text = " ".join(main.get_text(" ").split())
    for q, box in zip(bank["questions"], boxes, strict=True):
        legend = box.select_one("legend") or box.select_one("p")
        assert legend.get_text(" ").startswith(f"{q['key']}. "), (page, legend.get_text())
        # a graded variant's page form is its public practice version, which checks itself
        shown = q["practice"] if q["kind"] == "variant" else q
        if shown["kind"] in ("choice", "numeric", "classify"):
            form = box.select_one("form")
            assert form is not None and form.select_one("button[type=submit]"), (page, q["key"])
            scripts = box.find_next_sibling("script")
            assert scripts is not None and "labtoolsQuiz.attach" in scripts.get_text(), (
                f"{page} {q['key']}: the form has no script to check it")
        # once: the notebook's Markdown prompt does not show beside the form
        prompt = " ".join(shown["prompt"].split())
        assert text.count(prompt) == 1, (page, q["key"], text.count(prompt))
    assert "*Answer:*" not in text and "Answer: set" not in text, page
    assert f"{bank['questions'][0]['name']} =" not in text, f"{page} shows an answer cell"
