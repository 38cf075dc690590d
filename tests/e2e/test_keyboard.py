"""Keyboard only, no mouse: sign up, register for a webinar as a guest, take a quiz.

Every step moves with Tab (checking that focus goes through the page in reading order),
types into the focused field, and activates links with Enter and buttons with Enter or
Space. The focused element always shows the focus ring."""

from __future__ import annotations

import re

import pytest

from tests.e2e.a11y import PASSWORD

pytestmark = pytest.mark.e2e


def active(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || '',
                href: e.getAttribute('href') || '', name: e.name || '',
                text: (e.innerText || e.value || '').trim().slice(0, 80)};
    }""")


def assert_focus_visible(page) -> None:
    """The focused element has the stylesheet's focus ring: a 3px outline and a ring
    around it, in colours that differ from the page."""
    style = page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                colour: s.outlineColor, shadow: s.boxShadow,
                visible: document.activeElement.matches(':focus-visible')};
    }""")
    assert style["visible"], active(page)
    assert style["outline"] == "solid" and style["width"] >= 3, (style, active(page))
    assert style["colour"] == "rgb(242, 169, 0)" and "6px" in style["shadow"], style


def tab_to(page, selector: str, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab until the focus is on ``selector``; the element reached."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert_focus_visible(page)
            return active(page)
    raise AssertionError(f"Tab never reached {selector}; focus is on {active(page)}")


def next_field(page, field_id: str) -> None:
    """One Tab lands on the field that comes next on screen."""
    page.keyboard.press("Tab")
    assert active(page)["id"] == field_id, (field_id, active(page))
    assert_focus_visible(page)


def test_sign_up_with_the_keyboard_alone(page, live_server):
    page.goto("/")
    # The first Tab shows the skip link; Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    assert active(page)["href"] == "#main"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    reached = tab_to(page, "main a[href='/signup']")
    assert reached["text"]  # the link has a name
    page.keyboard.press("Enter")
    page.wait_for_url("**/signup")

    # First an attempt with mistakes: the summary links to the field to correct.
    tab_to(page, "#name")
    page.keyboard.type("Aminata Keita")
    next_field(page, "email")
    page.keyboard.type("aminata.keita@douanes.example.ml")
    next_field(page, "password")
    page.keyboard.type("baobab and mangroves")
    next_field(page, "confirm")
    page.keyboard.type("baobab and mangrove")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(".error-summary").wait_for()
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
        ["#confirm", "#country"]  # in the order of the page
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert active(page)["id"] == "confirm"
    assert page.locator("#confirm").get_attribute("aria-invalid") == "true"
    assert "confirm-error" in page.locator("#confirm").get_attribute("aria-describedby")

    # Passwords are not kept: type them again, then the rest of the form, in order.
    tab_to(page, "#password", backwards=True)
    page.keyboard.type("baobab and mangroves")
    next_field(page, "confirm")
    page.keyboard.type("baobab and mangroves")
    next_field(page, "country")
    page.keyboard.type("Mali")  # a closed select picks the option typed
    assert page.locator("#country").input_value() == "ML"
    next_field(page, "organisation")
    page.keyboard.type("Direction générale des douanes")
    next_field(page, "locale")
    page.keyboard.type("English")
    next_field(page, "timezone")
    page.keyboard.type("Africa/Bamako")
    assert page.locator("#timezone").input_value() == "Africa/Bamako"
    page.keyboard.press("Tab")
    assert active(page)["tag"] == "button"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert [m for m in live_server.mail_to("aminata.keita@douanes.example.ml")]


def test_register_for_a_webinar_as_a_guest_with_the_keyboard(page, world):
    page.goto(f"/webinars/{world.ids['webinar']}")
    tab_to(page, f"main a[href='/webinars/{world.ids['webinar']}/register']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/register")
    tab_to(page, "#name")
    page.keyboard.type("Nguyen Thi Lan")
    next_field(page, "email")
    page.keyboard.type("lan.nguyen@monre.example.vn")
    next_field(page, "country")
    page.keyboard.type("Viet")
    assert page.locator("#country").input_value() == "VN"
    next_field(page, "organisation")
    page.keyboard.type("Viet Nam Environment Administration")
    next_field(page, "language")
    page.keyboard.type("English")
    next_field(page, "timezone")
    page.keyboard.type("Asia/Ho_Chi_Minh")
    assert page.locator("#timezone").input_value() == "Asia/Ho_Chi_Minh"
    page.keyboard.press("Tab")
    assert active(page)["tag"] == "button"
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/webinars/manage/"))
    assert "confirmed" in page.locator("main").inner_text()


def test_take_a_quiz_with_the_keyboard(page, live_server):
    email = "keyboard.learner@example.org"
    live_server.flask("users", "create", "--email", email, "--name", "Keyboard Learner",
                      "--password", PASSWORD, "--country", "NP", "--timezone", "Asia/Kathmandu")
    page.goto("/login")
    tab_to(page, "#email")
    page.keyboard.type(email)
    next_field(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # Enter in a field sends its form
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto("/courses/customs-trade")
    tab_to(page, "form[action$='/enrol'] button")
    page.keyboard.press("Space")
    page.locator(".flash").wait_for()
    tab_to(page, "main a[href$='/quiz']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz")
    tab_to(page, "form[action$='/quiz/start'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))

    # The time left is text, with the deadline as a clock time.
    timer = page.get_by_role("timer")
    assert re.search(r"\d{1,2}:\d\d", timer.inner_text())

    # Walk the form with Tab, answering each control as it comes.
    answered = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        element = active(page)
        if element["name"] == "save":
            break
        if not element["name"].startswith("q"):
            continue
        assert_focus_visible(page)
        slot = element["name"].split("-")[0]
        if element["type"] in ("radio", "checkbox"):
            page.keyboard.press("Space")  # Tab reaches a radio group once; Space picks
        elif element["tag"] == "select":
            page.keyboard.press("ArrowDown")  # the first option after "Choose…"
        else:
            page.keyboard.type("60")
        answered.add(slot)
    else:
        raise AssertionError("Tab never reached the Save button")
    assert len(answered) == page.locator("fieldset.quiz-question").count() == 10

    page.keyboard.press("Tab")
    assert active(page)["name"] == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url("**/review")
    page.get_by_text("Your attempt has been submitted.").wait_for()
    assert page.get_by_text("Not answered").count() == 0
