"""Text resized to 200 % and a 320-pixel-wide window (WCAG 1.4.4 and 1.4.10): every main
page still fits its width, so nothing needs scrolling sideways, and nothing is cut off."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/signup"),
    ("anonymous", "/courses/"),
    ("anonymous", "/courses/{course}"),
    ("anonymous", "/courses/{course}/modules/{module}"),
    ("anonymous", "/webinars/"),
    ("anonymous", "/webinars/{webinar}"),
    ("anonymous", "/webinars/{webinar}/register"),
    ("anonymous", "/verify/{code}"),
    ("learner", "/courses/{course}/quiz"),
    ("learner", "/quiz/attempts/{open_attempt}"),
    ("learner", "/quiz/attempts/{done_attempt}/review"),
    ("learner", "/my-learning"),
    ("learner", "/account"),
    ("trainer", "/author/courses/{course}"),
    ("trainer", "/webinars/{webinar}/registrants"),
    ("admin", "/admin/users"),
]

#: Elements whose content is cut off: wider or taller than their box, overflow hidden.
CLIPPED = """() => [...document.querySelectorAll('body *')].filter(e => {
    const s = getComputedStyle(e);
    if (e.closest('.visually-hidden, .skip-link')) return false;
    const hides = v => v === 'hidden' || v === 'clip';
    return (hides(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
        || (hides(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
}).map(e => e.tagName + (e.className ? '.' + e.className : ''))"""


def check_fits(page, label: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{label}: {overflow} px wider than the window"
    assert page.evaluate(CLIPPED) == [], label


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_text_at_200_percent_and_a_320_pixel_window(world, role, path):
    context = world.context(role, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(world.path(path))
        # Text zoom only (what a browser's "text size" setting does): rem and em grow.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        check_fits(page, f"{path} with text at 200 %")
        body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert body == 32
        page.set_viewport_size({"width": 320, "height": 640})
        page.evaluate("document.documentElement.style.fontSize = ''")
        check_fits(page, f"{path} 320 px wide")
    finally:
        context.close()
