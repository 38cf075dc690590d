"""A customs officer takes the customs course's quiz: answers, reloads, submits, reviews."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

if not (Path(__file__).parent / "conftest.py").exists():  # the live_server and page fixtures
    pytest.skip("tests/e2e/conftest.py (live_server, page) is not here yet",
                allow_module_level=True)

COURSE = "Trade controls for customs officers"
SCREENSHOTS = os.environ.get("ELEARN_E2E_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_take_the_customs_quiz_resume_after_reload_submit_and_review(page, live_server):
    live_server.flask("content", "sync")
    email = "kwame.mensah@gra.example.gh"
    live_server.flask("users", "create", "--email", email, "--name", "Kwame Mensah",
                      "--password", "volta lake customs", "--country", "GH",
                      "--timezone", "Africa/Accra")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("volta lake customs")
    page.get_by_role("button", name="Sign in").click()

    # The quiz asks for enrolment first, and offers it.
    page.goto("/courses/customs-trade")
    page.get_by_role("link", name="Go to the quiz").click()
    page.get_by_text("Enrol in this course to take its quiz.").wait_for()
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_text("You are enrolled.").wait_for()
    page.get_by_role("link", name="Go to the quiz").click()
    page.get_by_text("10 questions, drawn at random for each attempt").wait_for()
    page.get_by_role("button", name="Start attempt 1").click()

    # The attempt: ten questions, the time left worked out by the server, in Accra time.
    page.get_by_role("heading", name=f"Quiz: {COURSE}").wait_for()
    questions = page.locator("fieldset.quiz-question")
    assert questions.count() == 10
    timer = page.get_by_role("timer")
    assert re.fullmatch(r"Time left: 20 minutes — deadline \d{1,2}:\d\d\s?[AP]M "
                        r"\(Africa/Accra\)", timer.inner_text())
    shot(page, "quiz-take")

    # Answer what the draw gave: the first option of every radio question, a number or
    # a word in text boxes, the second option of every drop-down list.
    radios = page.locator("fieldset.quiz-question:has(input[type=radio])")
    texts = page.locator("fieldset.quiz-question input[type=text]")
    selects = page.locator("fieldset.quiz-question select")
    assert radios.count() + texts.count() + selects.count() > 0
    for i in range(radios.count()):
        radios.nth(i).locator("input[type=radio]").first.check()
    for i in range(texts.count()):
        texts.nth(i).fill("60")
    chosen = []
    for i in range(selects.count()):
        selects.nth(i).select_option(index=1)
        chosen.append(selects.nth(i).input_value())
    page.get_by_role("button", name="Save answers").click()
    page.get_by_text("Your answers are saved").wait_for()

    # A lost connection, a reload: the saved answers are all there.
    page.reload()
    for i in range(radios.count()):
        assert radios.nth(i).locator("input[type=radio]").first.is_checked()
    for i in range(texts.count()):
        assert texts.nth(i).input_value() == "60"
    assert [selects.nth(i).input_value() for i in range(selects.count())] == chosen
    # The page holds no answer key (the first option is not always the right one).
    html = page.content()
    assert "Correct." not in html and "####" not in html

    page.get_by_role("button", name="Submit").click()
    page.get_by_role("heading", name="Review of attempt 1").wait_for()
    page.get_by_text("Your attempt has been submitted.").wait_for()
    result = page.locator("section.result").inner_text()
    assert re.search(r"Score\s+\d+(\.\d+)? %", result)
    assert re.search(r"Passed|Not passed \(80 % needed\)", result)
    # Feedback and the right answers, as the course's settings allow.
    assert page.locator(".outcome").count() == 10
    assert page.get_by_text(re.compile(r"^The right answers? (is|are):")).count() > 0
    assert page.locator(".outcome .feedback").count() > 0
    shot(page, "quiz-review")

    page.get_by_role("link", name="Quiz", exact=True).click()
    page.get_by_role("link", name="Review attempt 1").wait_for()
    expect(page.get_by_role("button", name="Start attempt 2")).to_be_visible()
