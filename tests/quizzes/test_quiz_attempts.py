"""The attempt services: start or resume, limits, saving, grading each type, deadlines."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from elearn.quizzes import attempts, banks, scoring
from elearn.quizzes.attempts import (
    AttemptClosed,
    AttemptLimitReached,
    InvalidAnswer,
    NotEnrolled,
    QuizUnavailable,
)
from elearn.signals import quiz_passed
from tests.quizzes.quiz_helpers import ALL_TYPES, key_of, right_responses, slot_of


def answer(attempt, name):
    return next(a for a in attempt.answers if a.question.name == name)


def start(user, course, clock):
    attempt, created = attempts.start_attempt(user, course, now=clock.now)
    return attempt


@pytest.fixture
def passes():
    """Records quiz_passed signals."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    quiz_passed.connect(receiver)
    yield seen
    quiz_passed.disconnect(receiver)


def test_only_enrolled_learners_start_and_a_second_start_resumes(db, quiz_course, make_user,
                                                                  enrolled, clock):
    outsider = make_user()
    with pytest.raises(NotEnrolled, match="Enrol in this course"):
        attempts.start_attempt(outsider, quiz_course, now=clock.now)
    learner = enrolled()
    attempt, created = attempts.start_attempt(learner, quiz_course, now=clock.now)
    db.session.commit()
    assert created and attempt.number == 1 and attempt.is_open
    assert attempt.deadline == clock.now + timedelta(minutes=20)
    assert sorted(a.question.name for a in attempt.answers) == sorted(
        ["MC", "MR", "TF", "SA", "NUM", "MATCH", "MW", "ESSAY"])
    again, created = attempts.start_attempt(learner, quiz_course, now=clock.advance(19))
    assert not created and again.id == attempt.id
    # At the deadline the open attempt is closed (and graded); starting makes attempt 2.
    newer, created = attempts.start_attempt(learner, quiz_course, now=clock.advance(1))
    assert created and newer.number == 2
    assert attempt.state == "graded" and attempt.closed_by_deadline


def test_questions_are_drawn_at_random_from_the_bank(db, quiz_course, enrolled, clock):
    quiz_course.questions_per_attempt = 3
    quiz_course.attempts_allowed = 0
    learner = enrolled()
    drawn = set()
    for seed in range(6):
        attempt, _ = attempts.start_attempt(learner, quiz_course, now=clock.now,
                                            rng=random.Random(seed))
        names = [a.question.name for a in attempt.answers]
        assert len(names) == 3 == len(set(names))
        drawn.add(tuple(names))
        attempts.submit_attempt(attempt, now=clock.now)
    assert len(drawn) > 1
    assert len(attempts.user_attempts(learner, quiz_course)) == 6  # 0: no limit


def test_attempt_limit(db, quiz_course, enrolled, clock):
    learner = enrolled()
    for _ in range(2):
        attempts.submit_attempt(start(learner, quiz_course, clock), now=clock.now)
    with pytest.raises(AttemptLimitReached, match="all 2 attempts"):
        attempts.start_attempt(learner, quiz_course, now=clock.now)
    status = attempts.quiz_status(learner, quiz_course, clock.now)
    assert status.remaining == 0 and not status.can_start


def test_a_course_without_a_loaded_bank_has_no_quiz(db, quiz_course, enrolled, clock):
    learner = enrolled()
    quiz_course.quiz_bank = "missing"
    with pytest.raises(QuizUnavailable):
        attempts.start_attempt(learner, quiz_course, now=clock.now)
    quiz_course.quiz_bank = None
    with pytest.raises(QuizUnavailable, match="no quiz"):
        attempts.start_attempt(learner, quiz_course, now=clock.now)


def test_every_type_graded_with_full_marks_and_the_essay_waits(db, quiz_course, enrolled,
                                                              clock, make_user, passes):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    attempts.save_answers(attempt, right_responses(attempt), now=clock.now)
    assert attempts.first_pass(learner, quiz_course) is None
    attempts.submit_attempt(attempt, now=clock.advance(5))
    db.session.commit()
    for name in ("MC", "MR", "TF", "SA", "NUM", "MATCH", "MW"):
        assert answer(attempt, name).fraction == 1.0, name
        assert answer(attempt, name).feedback["state"] == "correct"
    essay = answer(attempt, "ESSAY")
    assert essay.fraction is None and essay.feedback["state"] == "needs_grading"
    assert attempt.state == "needs_grading" and attempt.score is None and attempt.passed is None
    assert passes == []

    trainer = make_user(role="trainer")
    scoring.mark_essays(attempt, {essay.slot: (60, "Name the documents too.")}, trainer,
                        now=clock.now)
    db.session.commit()
    assert attempt.state == "graded"
    assert attempt.score == pytest.approx(100 * 7.6 / 8, abs=0.01)  # 95 %
    assert attempt.passed and essay.comment == "Name the documents too."
    assert [p["attempt"].id for p in passes] == [attempt.id]  # passing after manual grading


@pytest.mark.parametrize(("name", "response", "fraction", "feedback"), [
    ("MC", ("Water",), 0.0, ["No, water is harmless."]),
    ("MR", ("Aldrin",), 0.5, ["Aldrin is right."]),
    ("MR", ("Aldrin", "Glucose"), 0.0, ["Aldrin is right.", "Glucose is not a POP."]),
    ("MR", ("Aldrin", "Dieldrin", "Caffeine"), 0.0, None),
    ("TF", ("False",), 0.0, ["Think again: they are."]),
    ("SA", "  GENÈVE ", 1.0, ["Oui, Genève."]),
    ("SA", "switzerland", 0.5, ["Almost: give the city."]),
    ("SA", "Bern", 0.0, []),
    ("NUM", "2005", 0.5, ["Close to it."]),
    ("NUM", "2004,0", 1.0, ["Exactly."]),
    ("NUM", "about 2004", 0.0, []),
    ("MW", ("C",), 0.0, ["No, not C."]),
])
def test_partial_credit_and_negative_weights(db, quiz_course, enrolled, clock, name, response,
                                             fraction, feedback):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    if isinstance(response, tuple):
        keys = [key_of(attempt, name, text) for text in response]
        response = keys if name == "MR" else keys[0]
    attempts.save_answers(attempt, {slot_of(attempt, name): response}, now=clock.now)
    attempts.submit_attempt(attempt, now=clock.now)
    row = answer(attempt, name)
    assert row.fraction == pytest.approx(fraction)
    if feedback is not None:
        assert row.feedback["answers"] == feedback


def test_matching_partial_and_unanswered_questions(db, quiz_course, enrolled, clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    item = {left: str(key_of(attempt, "MATCH", left, item=True))
            for left in ("Annex A", "Annex B", "Annex C")}
    attempts.save_answers(attempt, {slot_of(attempt, "MATCH"): {
        item["Annex A"]: key_of(attempt, "MATCH", "Elimination"),
        item["Annex B"]: key_of(attempt, "MATCH", "Unintentional production"),
        item["Annex C"]: key_of(attempt, "MATCH", "Unintentional production"),
    }}, now=clock.now)
    attempts.submit_attempt(attempt, now=clock.now)
    assert answer(attempt, "MATCH").fraction == pytest.approx(2 / 3)
    assert answer(attempt, "MATCH").feedback["state"] == "partial"
    assert answer(attempt, "MC").feedback["state"] == "unanswered"
    # A blank essay scores 0 at once: nothing waits for a trainer.
    assert answer(attempt, "ESSAY").fraction == 0.0
    assert attempt.state == "graded"
    assert attempt.score == pytest.approx(100 * (2 / 3) / 8, abs=0.01)
    assert attempt.passed is False


def test_saving_replaces_and_clears_responses(db, quiz_course, enrolled, clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    sa, mr = slot_of(attempt, "SA"), slot_of(attempt, "MR")
    aldrin = key_of(attempt, "MR", "Aldrin")
    attempts.save_answers(attempt, {sa: "Geneva", mr: [str(aldrin)]}, now=clock.advance(1))
    db.session.commit()
    assert answer(attempt, "SA").response == "Geneva"
    assert answer(attempt, "MR").response == [aldrin]
    assert attempt.saved_at == clock.now
    attempts.save_answers(attempt, {sa: "  ", mr: []}, now=clock.advance(1))
    assert answer(attempt, "SA").response is None and answer(attempt, "MR").response is None


def test_a_response_the_page_did_not_offer_saves_nothing(db, quiz_course, enrolled, clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    mc, sa = slot_of(attempt, "MC"), slot_of(attempt, "SA")
    for bad in ({mc: 7}, {mc: "x"}, {99: "a"}, {slot_of(attempt, "MR"): [0, 12]},
                {slot_of(attempt, "MATCH"): {"5": 0}}, {sa: "x" * 501}, {sa: ["a"]}):
        with pytest.raises(InvalidAnswer):
            attempts.save_answers(attempt, {sa: "Geneva", **bad}, now=clock.now)
        db.session.rollback()
        assert answer(attempt, "SA").response is None


def test_answers_after_submission_are_refused(db, quiz_course, enrolled, clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    attempts.submit_attempt(attempt, now=clock.now)
    with pytest.raises(AttemptClosed, match="has been submitted"):
        attempts.save_answers(attempt, {1: None}, now=clock.now)
    with pytest.raises(AttemptClosed):
        attempts.submit_attempt(attempt, now=clock.now)


def test_time_limit_refuses_late_answers_and_grades_what_was_saved(db, quiz_course, enrolled,
                                                                   clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    deadline = attempt.deadline
    mc = slot_of(attempt, "MC")
    attempts.save_answers(attempt, {mc: key_of(attempt, "MC", "DDT")}, now=clock.advance(19))
    db.session.commit()
    late = clock.advance(2)
    with pytest.raises(AttemptClosed, match="time limit"):
        attempts.save_answers(attempt, {slot_of(attempt, "SA"): "Geneva"}, now=late)
    db.session.rollback()
    assert attempts.close_if_expired(attempt, late)
    assert not attempts.close_if_expired(attempt, late)  # only once
    db.session.commit()
    assert attempt.state == "graded" and attempt.closed_by_deadline
    assert attempt.submitted_at == deadline
    assert answer(attempt, "MC").fraction == 1.0
    assert answer(attempt, "SA").response is None
    assert attempt.score == pytest.approx(12.5)
    with pytest.raises(AttemptClosed, match="time limit"):
        attempts.submit_attempt(attempt, now=late)


def test_the_job_closes_expired_attempts_only(db, quiz_course, enrolled, clock, monkeypatch):
    from elearn.quizzes.jobs import close_expired_attempts

    early, late = enrolled(), enrolled()
    first = start(early, quiz_course, clock)
    clock.advance(10)
    second = start(late, quiz_course, clock)
    db.session.commit()
    clock.advance(15)  # first is 5 minutes past its deadline, second has 5 left
    assert close_expired_attempts() == 1
    db.session.expire_all()
    assert first.state == "graded" and first.closed_by_deadline
    assert second.state == "in_progress"
    clock.advance(5)
    assert close_expired_attempts() == 1
    assert close_expired_attempts() == 0


def test_best_score_counts_and_quiz_passed_is_sent_once(db, quiz_course, enrolled, clock,
                                                        passes):
    quiz_course.attempts_allowed = 4
    learner = enrolled()
    scores = []
    for wrong in ("MC", None, None, "MR"):
        attempt = start(learner, quiz_course, clock)
        responses = right_responses(attempt)
        responses.pop(slot_of(attempt, "ESSAY"))  # blank essay: 0, graded at once
        if wrong:
            responses.pop(slot_of(attempt, wrong))
        attempts.save_answers(attempt, responses, now=clock.now)
        attempts.submit_attempt(attempt, now=clock.advance(1))
        scores.append(attempt.score)
    assert scores == [75.0, 87.5, 87.5, 75.0]
    status = attempts.quiz_status(learner, quiz_course, clock.now)
    assert status.best.number == 2 and status.passed
    assert len(passes) == 1
    assert passes[0]["user"].id == learner.id and passes[0]["course"].id == quiz_course.id
    assert passes[0]["attempt"].number == 2
    assert attempts.first_pass(learner, quiz_course).number == 2


def test_reimporting_the_bank_keeps_the_questions_of_open_attempts(db, quiz_course, enrolled,
                                                                   clock):
    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    db.session.commit()
    changed = ALL_TYPES.replace("=DDT#Yes", "=DDT (dichlorodiphenyltrichloroethane)#Yes")
    result = banks.import_bank("all-types", changed)
    db.session.commit()
    assert result.retired == 1 and len(result.added) == 1
    mc = answer(attempt, "MC")
    assert not mc.question.active  # the attempt keeps the version it was given
    attempts.save_answers(attempt, {mc.slot: key_of(attempt, "MC", "DDT")}, now=clock.now)
    attempts.submit_attempt(attempt, now=clock.now)
    assert mc.fraction == 1.0
    # A new attempt draws the new version.
    quiz_course.attempts_allowed = 0
    newer = start(learner, quiz_course, clock)
    assert "dichlorodiphenyltrichloroethane" in answer(newer, "MC").question.html["answers"][
        next(i for i, a in enumerate(answer(newer, "MC").question.question.answers)
             if a.fraction == 1)]["text"]


def test_an_attempt_closed_elsewhere_is_not_closed_again(db, quiz_course, enrolled, clock,
                                                         passes):
    from sqlalchemy import text

    learner = enrolled()
    attempt = start(learner, quiz_course, clock)
    attempts.save_answers(attempt, right_responses(attempt), now=clock.now)
    db.session.commit()
    # Another process (the job, a second tab) closes it while this one holds a stale copy.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE quiz_attempts SET state = 'graded' WHERE id = :id"),
                     {"id": attempt.id})
    late = clock.advance(25)
    assert attempt.state == "in_progress"  # the stale copy
    assert not attempts.close_if_expired(attempt, late)
    assert attempt.state == "graded" and attempt.score is None  # not graded a second time
    with pytest.raises(AttemptClosed):
        attempts.submit_attempt(attempt, now=late)
    assert passes == []
