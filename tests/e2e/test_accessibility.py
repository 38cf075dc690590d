"""Every main page, audited in Chromium: axe-core finds no WCAG 2.1 A/AA violation, the page
needs no script, and the page with its stylesheet weighs less than 50 KB."""

from __future__ import annotations

import pytest

from tests.e2e.a11y import (
    PAGE_BUDGET,
    PHONE,
    PHONE_TAGS,
    Weigher,
    assert_accessible,
    axe_violations,
)

pytestmark = pytest.mark.e2e

#: (name, who looks, path): the main pages of every feature.
PAGES = [
    ("home", "anonymous", "/"),
    ("sign-up", "anonymous", "/signup"),
    ("sign-in", "anonymous", "/login"),
    ("password reset", "anonymous", "/reset-password"),
    ("password reset link expired", "anonymous", "/reset-password/not-a-token"),
    ("catalogue", "anonymous", "/courses/"),
    ("catalogue search", "anonymous", "/courses/?q=customs&lang=en"),
    ("course", "anonymous", "/courses/{course}"),
    ("module", "anonymous", "/courses/{course}/modules/{module}"),
    ("webinar list", "anonymous", "/webinars/"),
    ("webinar", "anonymous", "/webinars/{webinar}"),
    ("guest registration", "anonymous", "/webinars/{webinar}/register"),
    ("registration manage page", "anonymous", "/webinars/manage/{token}"),
    ("certificate lookup", "anonymous", "/verify"),
    ("certificate verification", "anonymous", "/verify/{code}"),
    ("not found", "anonymous", "/courses/no-such-course"),
    ("account", "learner", "/account"),
    ("course, enrolled", "learner", "/courses/{course}"),
    ("module, enrolled", "learner", "/courses/{course}/modules/{module}"),
    ("mark complete, from the offline file", "learner",
     "/courses/{course}/modules/{module}/complete"),
    ("my learning", "learner", "/my-learning"),
    ("quiz start page", "learner", "/courses/{course}/quiz"),
    ("quiz attempt", "learner", "/quiz/attempts/{open_attempt}"),
    ("quiz review", "learner", "/quiz/attempts/{done_attempt}/review"),
    ("webinar, signed in", "learner", "/webinars/{webinar}"),
    ("my certificates", "learner", "/certificates"),
    ("authoring", "trainer", "/author/"),
    ("course edit", "trainer", "/author/courses/{course}"),
    ("course settings", "trainer", "/author/courses/{course}/settings"),
    ("course text edit", "trainer", "/author/courses/{course}/text/en"),
    ("new course", "trainer", "/author/courses/new"),
    ("new module", "trainer", "/author/courses/{course}/modules/new"),
    ("module edit", "trainer", "/author/courses/{course}/modules/{module}/en"),
    ("module revisions", "trainer", "/author/courses/{course}/modules/{module}/en/revisions"),
    ("module revision", "trainer", "/author/courses/{course}/modules/{module}/en/revisions/1"),
    ("question banks", "trainer", "/trainer/banks"),
    ("question bank", "trainer", "/trainer/banks/{bank}"),
    ("bank import", "trainer", "/trainer/banks/import"),
    ("quiz results", "trainer", "/trainer/courses/{course}/quiz"),
    ("new webinar", "trainer", "/webinars/new"),
    ("webinar edit", "trainer", "/webinars/{webinar}/edit"),
    ("webinar registrants", "trainer", "/webinars/{webinar}/registrants"),
    ("webinar follow-up", "trainer", "/webinars/{webinar}/followup"),
    ("admin users", "admin", "/admin/users"),
    ("admin certificates", "admin", "/admin/certificates/"),
    ("admin certificate", "admin", "/admin/certificates/{code}"),
]
IDS = [name for name, _role, _path in PAGES]
#: Pages that answer with an error status on purpose (and must be accessible all the same).
STATUS = {"not found": 404, "password reset link expired": 400}


def open_page(world, role: str, path: str, **options):
    context = world.context(role, **options)
    page = context.new_page()
    weigher = Weigher(page)
    response = page.goto(world.path(path))
    return context, page, weigher, response


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=IDS)
def test_axe_finds_no_violation(axe, world, name, role, path):
    context, page, _weigher, response = open_page(world, role, path)
    try:
        assert response.status == STATUS.get(name, 200), page.url
        assert_accessible(page, name)
    finally:
        context.close()


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=IDS)
def test_axe_finds_no_violation_on_a_phone(axe, world, name, role, path):
    """360 CSS pixels wide: nothing overflows unreachably, targets are big enough to tap."""
    context, page, _weigher, _response = open_page(world, role, path, **PHONE)
    try:
        assert_accessible(page, f"{name} on a phone", PHONE_TAGS)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: the page is {overflow} px wider than a phone"
    finally:
        context.close()


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=IDS)
def test_page_needs_no_script_and_weighs_under_50_kb(world, name, role, path):
    context, page, weigher, _response = open_page(world, role, path)
    try:
        assert "<script" not in weigher.html().lower(), f"{name} carries a script"
        assert page.locator("script").count() == 0
        assert any(url.endswith(".css") for url in weigher.sizes), weigher.report()
        assert weigher.total < PAGE_BUDGET, f"{name}: {weigher.total} B: {weigher.report()}"
    finally:
        context.close()


def test_forms_with_errors_tie_each_message_to_its_field(axe, world):
    """The sign-up form sent with mistakes: the summary and every message are announced
    with their field, and axe still finds nothing."""
    context = world.context()
    try:
        page = context.new_page()
        page.goto("/signup")
        page.fill("#name", "Amina Diallo")
        page.fill("#email", "not an address@")
        page.fill("#password", "short")
        page.fill("#confirm", "different")
        page.fill("#organisation", "Douanes")
        page.locator("main form").evaluate("form => form.noValidate = true")
        page.locator("main form button[type=submit]").click()
        page.locator(".error-summary").wait_for()
        invalid = page.locator("[aria-invalid=true]")
        assert invalid.count() >= 2
        for i in range(invalid.count()):
            field = invalid.nth(i)
            described = field.get_attribute("aria-describedby").split()
            errors = [d for d in described if d.endswith("-error")]
            assert errors, field.get_attribute("id")
            assert page.locator(f"#{errors[0]}").inner_text().strip()
        assert_accessible(page, "sign-up with errors")
    finally:
        context.close()


def test_the_audit_catches_a_violation(axe, world):
    """axe is really run: a page with an unlabelled field and an image without text fails."""
    context = world.context()
    try:
        page = context.new_page()
        page.goto("/healthz")
        page.set_content('<!doctype html><html lang="en"><title>t</title><main>'
                         '<input type="text"><img src="data:,"></main></html>')
        found = {v["id"] for v in axe_violations(page)}
        assert {"label", "image-alt"} <= found
    finally:
        context.close()
