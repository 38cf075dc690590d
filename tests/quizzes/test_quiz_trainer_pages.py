"""Trainers' quiz pages: results, per-question statistics, CSV, essay marking."""

from __future__ import annotations

import csv
import io

from elearn.quizzes import attempts
from elearn.signals import quiz_passed
from tests.quizzes.quiz_helpers import right_responses, slot_of


def take(db, user, course, clock, *, drop=(), essay=True):
    """A submitted attempt with the right answers, except for the questions in ``drop``."""
    attempt, _ = attempts.start_attempt(user, course, now=clock.now)
    responses = right_responses(attempt)
    for name in drop + (() if essay else ("ESSAY",)):
        responses.pop(slot_of(attempt, name))
    attempts.save_answers(attempt, responses, now=clock.now)
    attempts.submit_attempt(attempt, now=clock.advance(3))
    db.session.commit()
    return attempt


def test_results_are_for_trainers_only(client, db, quiz_course, enrolled, login):
    urls = ["/trainer/courses/customs-quiz/quiz", "/trainer/courses/customs-quiz/quiz/results.csv"]
    login(enrolled())
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.get("/trainer/attempts/1/grade").status_code == 403
    assert client.post("/trainer/attempts/1/grade", data={"grade-1": "100"}).status_code == 403


def test_results_page_and_csv(client, db, quiz_course, enrolled, make_user, login, clock):
    amina = enrolled(name="Amina Diallo", email="amina@douanes.example.sn", country="SN")
    boris = enrolled(name="=HYPERLINK(\"x\")", email="boris@example.org", country="RU")
    take(db, amina, quiz_course, clock, essay=False)  # 7 of 8 (blank essay: 0): 87.5 %
    take(db, boris, quiz_course, clock, drop=("MR", "SA", "NUM"), essay=False)  # 4 of 8
    open_attempt, _ = attempts.start_attempt(amina, quiz_course, now=clock.now)
    db.session.commit()
    login(make_user(role="trainer"))
    page = client.get("/trainer/courses/customs-quiz/quiz").get_data(as_text=True)
    assert "Amina Diallo" in page and "amina@douanes.example.sn" in page
    assert "87.5 %" in page and "50 %" in page and "In progress" in page
    # Per question, hardest first: the blank essays, then what Boris left out.
    stats = page[page.index("<h2>Questions</h2>"):]
    assert stats.index("<td>ESSAY") < stats.index("<td>SA") < stats.index("<td>MC")
    assert "<td>ESSAY</td>\n      <td>2</td>\n      <td>0 %</td>" in stats
    assert "<td>SA</td>\n      <td>2</td>\n      <td>50 %</td>" in stats
    assert "<td>MC</td>\n      <td>2</td>\n      <td>100 %</td>" in stats

    response = client.get("/trainer/courses/customs-quiz/quiz/results.csv")
    assert response.mimetype == "text/csv"
    assert "customs-quiz-quiz-results.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["name"], r["number"], r["state"], r["score"], r["passed"]) for r in rows] == [
        ("'=HYPERLINK(\"x\")", "1", "graded", "50.00", "no"),
        ("Amina Diallo", "1", "graded", "87.50", "yes"),
        ("Amina Diallo", "2", "in_progress", "", ""),
    ]
    assert rows[1]["country"] == "SN" and rows[1]["submitted_at"].endswith("+00:00")
    assert open_attempt.is_open


def test_essay_marking_updates_the_score_and_sends_quiz_passed(client, db, quiz_course,
                                                               enrolled, make_user, login,
                                                               clock):
    passes = []

    def receiver(sender, **kwargs):
        passes.append(kwargs["attempt"].id)

    quiz_passed.connect(receiver)
    try:
        learner = enrolled(name="Chen Wei")
        attempt = take(db, learner, quiz_course, clock, drop=("MC",))
        assert attempt.state == "needs_grading"
        login(make_user(role="trainer", name="Tatiana Trainer"))
        results = client.get("/trainer/courses/customs-quiz/quiz").get_data(as_text=True)
        assert f'href="/trainer/attempts/{attempt.id}/grade">Grade essays' in results
        page = client.get(f"/trainer/attempts/{attempt.id}/grade").get_data(as_text=True)
        essay = slot_of(attempt, "ESSAY")
        assert "Check the documents, the labels, and take samples." in page
        assert f'name="grade-{essay}"' in page
        bad = client.post(f"/trainer/attempts/{attempt.id}/grade",
                          data={f"grade-{essay}": "120"})
        assert bad.status_code == 422 and "Give a grade from 0 to 100." in bad.get_data(
            as_text=True)
        done = client.post(f"/trainer/attempts/{attempt.id}/grade",
                           data={f"grade-{essay}": "50", f"comment-{essay}": "Add sampling."},
                           follow_redirects=True)
        assert "Score of the attempt: 81.25 %" in done.get_data(as_text=True)
        db.session.expire_all()
        assert attempt.state == "graded" and attempt.passed and attempt.score == 81.25
        assert passes == [attempt.id]
        # Grading again (lower) changes the score but never sends the signal twice.
        client.post(f"/trainer/attempts/{attempt.id}/grade", data={f"grade-{essay}": "0"})
        client.post(f"/trainer/attempts/{attempt.id}/grade", data={f"grade-{essay}": "100"})
        db.session.expire_all()
        assert attempt.score == 87.5 and passes == [attempt.id]
        client.post("/logout")
        login(learner)
        review = client.get(f"/quiz/attempts/{attempt.id}/review").get_data(as_text=True)
        assert "87.5 %" in review and "Passed" in review
    finally:
        quiz_passed.disconnect(receiver)


def test_an_open_attempt_cannot_be_graded(client, db, quiz_course, enrolled, make_user, login,
                                          clock):
    attempt, _ = attempts.start_attempt(enrolled(), quiz_course, now=clock.now)
    db.session.commit()
    login(make_user(role="trainer"))
    page = client.get(f"/trainer/attempts/{attempt.id}/grade").get_data(as_text=True)
    assert "still in progress" in page and "Save grades" not in page
    assert client.get("/trainer/attempts/999/grade").status_code == 404
