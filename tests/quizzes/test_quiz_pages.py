"""Learners' quiz pages: overview, taking (no key in the page), saving, deadline, review."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from elearn.quizzes.models import QuizAttempt
from tests.quizzes.quiz_helpers import SECRETS, key_of, right_responses, slot_of


def the_attempt(db) -> QuizAttempt:
    db.session.expire_all()
    return db.session.execute(db.select(QuizAttempt)).scalar_one()


def start(client, db) -> QuizAttempt:
    response = client.post("/courses/customs-quiz/quiz/start")
    assert response.status_code == 302
    attempt = the_attempt(db)
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt.id}")
    return attempt


def form_data(attempt, responses: dict[int, object]) -> dict:
    """What the browser would post for ``responses`` (slot -> screen keys or text)."""
    data: dict[str, object] = {}
    for slot, value in responses.items():
        if isinstance(value, dict):
            data.update({f"q{slot}-{item}": str(choice) for item, choice in value.items()})
        elif isinstance(value, list):
            data[f"q{slot}"] = [str(v) for v in value]
        else:
            data[f"q{slot}"] = str(value)
    return data


def test_visitors_sign_in_and_outsiders_are_offered_enrolment(client, db, quiz_course,
                                                              make_user, login):
    assert client.get("/courses/customs-quiz/quiz").status_code == 302
    login(make_user())
    page = client.get("/courses/customs-quiz/quiz").get_data(as_text=True)
    assert "Enrol in this course to take its quiz." in page
    assert 'action="/courses/customs-quiz/enrol"' in page
    refused = client.post("/courses/customs-quiz/quiz/start", follow_redirects=True)
    assert "Enrol in this course before you take its quiz." in refused.get_data(as_text=True)
    assert db.session.execute(db.select(QuizAttempt)).first() is None
    assert client.get("/courses/nope/quiz").status_code == 404


def test_quiz_page_hides_the_key(client, db, quiz_course, enrolled, login, clock):
    login(enrolled())
    overview = client.get("/courses/customs-quiz/quiz").get_data(as_text=True)
    assert "8 questions, drawn at random" in overview and "20 minutes" in overview
    attempt = start(client, db)
    response = client.get(f"/quiz/attempts/{attempt.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    css = Path(__file__).parents[2] / "elearn" / "static" / "style.css"
    assert len(response.get_data()) + css.stat().st_size < 50_000  # the page budget
    text = unescape(html)
    for secret in SECRETS:
        assert secret not in text, secret
    for word in ("fraction", "feedback", "correct", "weight", "%50%", "-100"):
        assert word not in html.lower(), word
    # The options are there, with opaque keys as values.
    assert "Dieldrin" in text and "Unintentional production" in text
    values = set(re.findall(r'name="q\d+(?:-\d+)?" value="([^"]*)"', html))
    assert values <= {str(n) for n in range(10)} | {""}
    # Time left, worked out on the server in the learner's zone (10:30 + 20 min).
    timer = re.search(r'<p class="timer" role="timer" aria-live="polite">([^<]*)</p>', html)
    assert unescape(timer.group(1)) == (
        "Time left: 20 minutes — deadline 10:50\u202fAM (Africa/Nairobi)")


def test_save_reload_and_submit(client, db, quiz_course, enrolled, login, clock):
    login(enrolled())
    attempt = start(client, db)
    responses = right_responses(attempt)
    clock.advance(6)
    saved = client.post(f"/quiz/attempts/{attempt.id}",
                        data={**form_data(attempt, responses), "save": "1"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(
        f"/quiz/attempts/{attempt.id}")
    page = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert "Your answers are saved" in page
    assert "Time left: 14 minutes" in page
    mc, sa = slot_of(attempt, "MC"), slot_of(attempt, "SA")
    assert f'name="q{mc}" value="{key_of(attempt, "MC", "DDT")}" checked' in page
    assert f'name="q{sa}" value="geneva"' in page
    assert "Check the documents, the labels, and take samples.</textarea>" in page
    match = slot_of(attempt, "MATCH")
    item = key_of(attempt, "MATCH", "Annex B", item=True)
    select = re.search(rf'<select id="q{match}-{item}".*?</select>', page, re.S).group(0)
    assert re.search(r'selected>Restriction</option>', select)
    mw = slot_of(attempt, "MW")
    select = re.search(rf'<select name="q{mw}".*?</select>', page, re.S).group(0)
    assert re.search(r'selected>B</option>', select)

    # Change one answer and submit: the answers on the page are saved, then graded.
    data = form_data(attempt, {**responses, mc: key_of(attempt, "MC", "Water")})
    done = client.post(f"/quiz/attempts/{attempt.id}", data={**data, "submit": "1"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/review")
    review = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Your attempt has been submitted." in review
    assert "A trainer has still to grade your written answers" in review
    assert "No, water is harmless." in review  # feedback of the chosen answer
    assert "The right answer is: <span class=\"right-answer\">DDT</span>" in review
    assert "DDT is the best known POP." in review  # general feedback
    assert the_attempt(db).state == "needs_grading"
    # The submitted attempt refuses answers, and its page leads to the review.
    again = client.post(f"/quiz/attempts/{attempt.id}", data={**data, "save": "1"},
                        follow_redirects=True)
    assert "its answers can no longer be changed" in again.get_data(as_text=True)


def test_review_honours_the_course_settings(client, db, quiz_course, enrolled, login, clock):
    quiz_course.show_feedback = False
    quiz_course.show_correct_answers = False
    db.session.commit()
    login(enrolled())
    attempt = start(client, db)
    mc = slot_of(attempt, "MC")
    client.post(f"/quiz/attempts/{attempt.id}",
                data={f"q{mc}": str(key_of(attempt, "MC", "Water")), "submit": "1"})
    review = unescape(client.get(f"/quiz/attempts/{attempt.id}/review").get_data(as_text=True))
    assert "Score" in review and "12.5 %" not in review  # 0 of 8
    assert "0 %" in review and "Not passed (80 % needed)" in review
    for secret in SECRETS:
        assert secret not in review, secret
    assert "The right answer" not in review


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_graded(client, db,
                                                                        quiz_course, enrolled,
                                                                        login, clock):
    login(enrolled())
    attempt = start(client, db)
    mc, sa = slot_of(attempt, "MC"), slot_of(attempt, "SA")
    clock.advance(10)
    client.post(f"/quiz/attempts/{attempt.id}",
                data={f"q{mc}": str(key_of(attempt, "MC", "DDT")), "save": "1"})
    clock.advance(11)
    late = client.post(f"/quiz/attempts/{attempt.id}",
                       data={f"q{mc}": str(key_of(attempt, "MC", "DDT")), f"q{sa}": "Geneva",
                             "submit": "1"})
    assert late.status_code == 303 and late.headers["Location"].endswith("/review")
    review = client.get(late.headers["Location"]).get_data(as_text=True)
    assert "The time limit has passed" in review and "were not saved" in review
    assert "closed at the time limit" in review
    attempt = the_attempt(db)
    assert attempt.state == "graded" and attempt.score == 12.5
    assert next(a for a in attempt.answers if a.slot == sa).response is None


def test_opening_an_expired_attempt_closes_it(client, db, quiz_course, enrolled, login, clock):
    login(enrolled())
    attempt = start(client, db)
    clock.advance(30)
    response = client.get(f"/quiz/attempts/{attempt.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/review")
    assert the_attempt(db).closed_by_deadline


def test_tampered_form_is_refused_and_nothing_saved(client, db, quiz_course, enrolled, login,
                                                    clock):
    login(enrolled())
    attempt = start(client, db)
    sa, mc = slot_of(attempt, "SA"), slot_of(attempt, "MC")
    response = client.post(f"/quiz/attempts/{attempt.id}",
                           data={f"q{sa}": "Geneva", f"q{mc}": "42", "save": "1"})
    assert response.status_code == 400
    assert "Some answers were not valid; nothing was saved." in response.get_data(as_text=True)
    assert all(a.response is None for a in the_attempt(db).answers)


def test_another_users_attempt_is_404(client, db, quiz_course, enrolled, login, make_user,
                                      clock):
    login(enrolled())
    attempt = start(client, db)
    client.post("/logout")
    login(enrolled())
    for url in (f"/quiz/attempts/{attempt.id}", f"/quiz/attempts/{attempt.id}/review"):
        assert client.get(url).status_code == 404
    assert client.post(f"/quiz/attempts/{attempt.id}", data={"submit": "1"}).status_code == 404
    client.post("/logout")
    login(make_user(role="trainer"))  # trainers look at attempts on their own pages
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 404


def test_resume_and_attempt_limit_on_the_overview(client, db, quiz_course, enrolled, login,
                                                  clock):
    login(enrolled())
    first = start(client, db)
    again = client.post("/courses/customs-quiz/quiz/start", follow_redirects=True)
    assert "it continues where you left it" in again.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(QuizAttempt.id))).scalar_one() == 1
    overview = client.get("/courses/customs-quiz/quiz").get_data(as_text=True)
    assert "Continue your attempt" in overview
    client.post(f"/quiz/attempts/{first.id}", data={"submit": "1"})
    client.post("/courses/customs-quiz/quiz/start")
    second = db.session.execute(
        db.select(QuizAttempt).where(QuizAttempt.number == 2)).scalar_one()
    client.post(f"/quiz/attempts/{second.id}", data={"submit": "1"})
    overview = client.get("/courses/customs-quiz/quiz").get_data(as_text=True)
    assert "You have used all 2 attempts at this quiz." in overview
    assert "Review attempt 2" in overview
    refused = client.post("/courses/customs-quiz/quiz/start", follow_redirects=True)
    assert "You have used all 2 attempts" in refused.get_data(as_text=True)


def test_the_course_page_links_to_the_quiz(client, db, quiz_course, enrolled, login):
    login(enrolled())
    page = client.get("/courses/customs-quiz").get_data(as_text=True)
    assert 'href="/courses/customs-quiz/quiz"' in page
    assert db.session.execute(db.select(QuizAttempt)).first() is None


def test_time_left_counts_whole_minutes_up(client, db, quiz_course, enrolled, login, clock):
    login(enrolled())
    attempt = start(client, db)

    def timer() -> str:
        html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
        return unescape(re.search(r'role="timer" aria-live="polite">([^<]*)<', html).group(1))

    clock.advance(0.5)
    assert timer().startswith("Time left: 20 minutes — deadline 10:50")
    clock.advance(18.25)  # 75 seconds left
    assert timer().startswith("Time left: 2 minutes — ")
    clock.advance(0.25)
    assert timer().startswith("Time left: 1 minute — ")
    clock.advance(0.25)
    assert timer().startswith("Time left: less than a minute — ")
