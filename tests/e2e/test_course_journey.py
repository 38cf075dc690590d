"""A customs officer enrols in a course, reads every module and sees progress reach 100%."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

if not (Path(__file__).parent / "conftest.py").exists():  # the live_server and page fixtures
    pytest.skip("tests/e2e/conftest.py (live_server, page) is not here yet",
                allow_module_level=True)

COURSE = "Trade controls for customs officers"


def test_enrol_read_every_module_and_complete_the_course(page, live_server):
    live_server.flask("content", "sync")  # the shipped library (a second run changes nothing)
    email = "amina.diallo@douanes.example.ml"
    live_server.flask("users", "create", "--email", email, "--name", "Amina Diallo",
                      "--password", "niger river customs", "--country", "ML")

    # The home page lists the themes; the catalogue, the courses.
    page.goto("/")
    page.get_by_role("link", name="Customs and trade-related issues").click()
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("heading", name=COURSE, level=1).wait_for()

    # Enrolling needs an account: sign in, come back to the course.
    page.get_by_role("link", name="Sign in to enrol").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("niger river customs")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=COURSE, level=1).wait_for()
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_text("You are enrolled.").wait_for()
    expect(page.get_by_text("Progress: 0%", exact=True)).to_be_visible()
    modules = page.locator("ol.module-list > li").count()
    assert modules >= 3

    # Read every module in order: "Mark complete", then "Next".
    page.locator("ol.module-list a").first.click()
    for number in range(1, modules + 1):
        page.get_by_text(f"Module {number} of {modules}").wait_for()
        page.get_by_role("button", name="Mark complete").click()
        page.get_by_text("You have completed this module.").wait_for()
        percent = 100 * number // modules
        expect(page.get_by_text(f"Progress: {percent}%", exact=True)).to_be_visible()
        next_link = page.get_by_role("link", name=re.compile(r"^Next: "))
        if number < modules:
            next_link.click()
        else:
            assert next_link.count() == 0
    expect(page.get_by_text("You have completed every module of this course.")).to_be_visible()
    # The course page and "My learning" agree.
    page.get_by_role("link", name="Back to the course").click()
    expect(page.get_by_text("Progress: 100%", exact=True)).to_be_visible()
    assert page.locator("ol.module-list .badge.done").count() == modules
    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_text("Progress: 100%", exact=True)).to_be_visible()
    expect(page.get_by_text("All modules completed")).to_be_visible()
