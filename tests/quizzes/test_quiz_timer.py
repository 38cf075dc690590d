"""The quiz timer for everyone: the time left is text, said when the page loads (it leads
the page title), and the deadline is shown as a clock time, so nobody depends on a
counter that moves (the page has no script and does not update itself)."""

from __future__ import annotations

import re
from html import unescape

from tests.quizzes.test_quiz_pages import start


def title_and_timer(client, attempt_id: int) -> tuple[str, str, str]:
    html = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    title = unescape(re.search(r"<title>([^<]*)</title>", html).group(1))
    timer = re.search(r'<p class="timer" ([^>]*)>([^<]*)</p>', html)
    return title, timer.group(1), unescape(timer.group(2))


def test_the_time_left_leads_the_title_and_the_deadline_is_a_clock_time(
        client, db, quiz_course, enrolled, login, clock):
    login(enrolled(timezone="Asia/Kathmandu"))
    attempt = start(client, db)
    title, attributes, timer = title_and_timer(client, attempt.id)
    assert title == "Time left: 20 minutes · Quiz: Trade controls · elearn"
    assert 'role="timer"' in attributes and 'aria-live="polite"' in attributes
    # 07:30 UTC + 20 minutes, in Kathmandu (UTC+05:45).
    assert timer == "Time left: 20 minutes — deadline 1:35\u202fPM (Asia/Kathmandu)"

    clock.advance(19.5)
    title, _attributes, timer = title_and_timer(client, attempt.id)
    assert title.startswith("Time left: less than a minute · ")
    assert timer.endswith("deadline 1:35\u202fPM (Asia/Kathmandu)")

    # The quiz's page, left and come back to, says when the attempt ends too.
    overview = unescape(client.get("/courses/customs-quiz/quiz").get_data(as_text=True))
    assert "Time left: less than a minute — deadline 1:35\u202fPM (Asia/Kathmandu)" in overview


def test_an_attempt_without_a_time_limit_has_no_timer(client, db, quiz_course, enrolled,
                                                      login, clock):
    quiz_course.time_limit_minutes = None
    db.session.commit()
    login(enrolled())
    attempt = start(client, db)
    html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert 'role="timer"' not in html and "Time left" not in html
    assert "<title>Quiz: Trade controls · elearn</title>" in html
