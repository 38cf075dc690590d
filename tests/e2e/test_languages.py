"""The learner's and the trainee's journeys in each of the six UN languages, chosen with the
language switcher:
every page passes axe, weighs under 50 KB with its stylesheet, and Arabic lays out
right-to-left.

The catalogues may still be incomplete, so the pages' text is not checked, except for a
few strings of the French interface that have long been translated."""

from __future__ import annotations

import pytest

from tests.e2e.a11y import PAGE_BUDGET, PASSWORD, Weigher, assert_accessible

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh"]


def check_page(page, weigher: Weigher, language: str, label: str) -> None:
    """The page is in ``language``, in its direction, light, and axe finds nothing."""
    page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("lang") == language, (label, page.url)
    rtl = language == "ar"
    assert html.get_attribute("dir") == ("rtl" if rtl else "ltr"), label
    assert page.evaluate("getComputedStyle(document.body).direction") == \
        ("rtl" if rtl else "ltr"), label
    # The header reads from the start side: the site's name first, at the right in Arabic.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".lang-switch").bounding_box()
    if rtl:
        assert brand["x"] + brand["width"] > width / 2 > switch["x"], (label, brand, switch)
    else:
        assert brand["x"] < width / 2 < switch["x"] + switch["width"], (label, brand, switch)
    assert weigher.total < PAGE_BUDGET, f"{label} in {language}: {weigher.report()}"
    assert_accessible(page, f"{label} in {language}")
    weigher.reset()


def switch_to(page, language: str) -> None:
    """Choose the language with the switcher in the page's header."""
    page.select_option("#lang-select", language)
    with page.expect_navigation():
        page.locator(".lang-switch button").click()


@pytest.mark.parametrize("language", LANGUAGES)
def test_learner_journey_in_each_language(axe, world, live_server, language):
    email = f"polyglot.{language}@example.org"
    live_server.flask("users", "create", "--email", email, "--name", f"Polyglot {language}",
                      "--password", PASSWORD, "--country", "EG", "--timezone", "Africa/Cairo")
    context = world.context()
    try:
        page = context.new_page()
        weigher = Weigher(page)

        # A visitor picks the language with the switcher (a form, no script) and signs up...
        page.goto("/")
        switch_to(page, language)
        weigher.reset()
        page.goto("/")
        check_page(page, weigher, language, "home")
        page.locator("nav a[href='/signup']").click()
        check_page(page, weigher, language, "sign-up")

        # ...or, having an account, signs in: the page stays in the chosen language.
        page.locator("nav a[href^='/login']").click()
        check_page(page, weigher, language, "sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        # The profile's language (English) now applies; the switcher changes it for good.
        switch_to(page, language)
        check_page(page, weigher, language, "home, signed in")
        if language == "fr":
            assert page.get_by_role("link", name="Mon compte").is_visible()
            assert page.get_by_role("button", name="Se déconnecter").is_visible()

        page.locator("nav a[href='/courses/']").click()
        check_page(page, weigher, language, "catalogue")
        page.locator("main a[href='/courses/customs-trade']").first.click()
        check_page(page, weigher, language, "course")
        page.locator("form[action$='/enrol'] button").click()
        check_page(page, weigher, language, "course, enrolled")
        page.locator("ol.module-list a").first.click()
        check_page(page, weigher, language, "module")
        if language == "fr":  # the course has a French text; the module page shows it
            assert page.locator("article.prose").get_attribute("lang") == "fr"
        page.locator("form[action$='/complete'] button").click()
        check_page(page, weigher, language, "module, completed")

        page.goto("/courses/customs-trade")
        page.locator("main a[href$='/quiz']").click()
        check_page(page, weigher, language, "quiz")
        page.locator("form[action$='/quiz/start'] button").click()
        page.wait_for_url("**/quiz/attempts/*")
        check_page(page, weigher, language, "quiz attempt")
        radios = page.locator("fieldset.quiz-question input[type=radio]")
        if radios.count():
            radios.first.check()
        page.locator("button[name=submit]").click()
        page.wait_for_url("**/review")
        check_page(page, weigher, language, "quiz review")

        page.locator("nav a[href='/webinars/']").click()
        check_page(page, weigher, language, "webinars")
        page.locator(".webinar-list h2 a").first.click()
        check_page(page, weigher, language, "webinar")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_trainee_journey_in_each_language(axe, world, live_server, language):
    """A trainee without an account registers for a webinar and opens the manage page."""
    context = world.context()
    try:
        page = context.new_page()
        weigher = Weigher(page)
        page.goto("/")
        switch_to(page, language)
        weigher.reset()
        page.locator("nav a[href='/webinars/']").click()
        check_page(page, weigher, language, "webinars")
        page.locator(".webinar-list h2 a").first.click()
        check_page(page, weigher, language, "webinar")
        page.locator("main a[href$='/register']").first.click()
        check_page(page, weigher, language, "guest registration")
        page.fill("#name", f"Trainee {language}")
        page.fill("#email", f"trainee.{language}@example.org")
        page.select_option("#country", "KE")
        page.fill("#organisation", "Kenya Revenue Authority")
        page.select_option("#language", language)
        page.select_option("#timezone", "Africa/Nairobi")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/webinars/manage/*")
        check_page(page, weigher, language, "registration, manage page")
    finally:
        context.close()
