"""Quiz attempts: /api/v1/courses/{slug}/quiz/attempts and /api/v1/attempts/{id}.

The same services as the pages. While an attempt is open, a question carries its text
and its options with opaque ``key`` values (their place in the attempt's shuffled
order), and the learner's saved ``response`` in those keys: never a weight, a feedback
or anything that tells the right answer. After submission, each question adds its
``state`` and ``fraction``, and the feedback and right answers as the course allows.

Responses, by question type: ``multichoice``, ``missingword``, ``truefalse``: a key;
``multiresponse``: a list of keys; ``shortanswer``, ``numerical``, ``essay``: text;
``matching``: ``{item key: choice key}``. ``null`` clears a response.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError

from elearn.api.auth import token_required
from elearn.courses.services import get_course
from elearn.extensions import db
from elearn.quizzes import attempts, presentation

blp = Blueprint("quizzes_api", __name__, url_prefix="/api/v1",
                description="Quiz attempts: start or resume, save answers, submit")


class OptionSchema(Schema):
    key = fields.Int(metadata={"description": "What to send back to choose this option."})
    html = fields.Str(metadata={"description": "The option, as safe HTML."})


class QuestionSchema(Schema):
    slot = fields.Int(metadata={"description": "The question's number in the attempt; "
                                               "answers are sent by slot."})
    type = fields.Str()
    text_html = fields.Str()
    embedded = fields.Bool(metadata={"description": "The answer goes in a blank inside the "
                                                    "text (between text_before_html and "
                                                    "text_after_html)."})
    text_before_html = fields.Str()
    text_after_html = fields.Str()
    multiple = fields.Bool(metadata={"description": "Several options may be chosen."})
    choices = fields.List(fields.Nested(OptionSchema))
    items = fields.List(fields.Nested(OptionSchema),
                        metadata={"description": "Matching: items to pair with a choice."})
    response = fields.Raw(allow_none=True, metadata={"description": "The saved response."})
    # After submission only:
    state = fields.Str(metadata={"description": "correct, partial, incorrect, unanswered, "
                                                "needs_grading (after submission)."})
    fraction = fields.Float(allow_none=True)
    feedback_html = fields.List(fields.Str())
    general_feedback_html = fields.Str()
    right_answers_html = fields.List(fields.Str())
    comment = fields.Str(metadata={"description": "A trainer's comment on an essay."})


class AttemptSchema(Schema):
    id = fields.Int()
    course = fields.Str()
    number = fields.Int()
    state = fields.Str(metadata={"description": "in_progress, needs_grading or graded."})
    started_at = fields.DateTime()
    deadline = fields.DateTime(allow_none=True)
    seconds_left = fields.Int(allow_none=True)
    saved_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    closed_by_deadline = fields.Bool()
    pass_mark = fields.Int()
    score = fields.Float(allow_none=True, metadata={"description": "Percent; null until "
                                                                   "every answer is graded."})
    passed = fields.Bool(allow_none=True)
    questions = fields.List(fields.Nested(QuestionSchema))


class AnswersSchema(Schema):
    answers = fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True), required=True,
                          metadata={"description": "{slot: response}; slots left out keep "
                                                   "their saved response."})


_REVIEW_ONLY = ("state", "fraction", "feedback_html", "general_feedback_html",
                "right_answers_html", "comment")


def _question(view) -> dict:
    body = {
        "slot": view.slot, "type": view.type, "text_html": view.text_html,
        "embedded": view.embedded, "text_before_html": view.text_before_html,
        "text_after_html": view.text_after_html, "multiple": view.multiple,
        "choices": [{"key": o.key, "html": o.html} for o in view.choices],
        "items": [{"key": o.key, "html": o.html} for o in view.items],
        "response": view.response,
    }
    if isinstance(view, presentation.ReviewSlot):
        body.update({name: getattr(view, name) for name in _REVIEW_ONLY})
    return body


def _attempt(attempt) -> dict:
    left = attempts.time_left(attempt) if attempt.is_open else None
    views = presentation.attempt_views(attempt, review=not attempt.is_open)
    return {
        "id": attempt.id, "course": attempt.course.slug, "number": attempt.number,
        "state": attempt.state, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "seconds_left": None if left is None else int(left.total_seconds()),
        "saved_at": attempt.saved_at, "submitted_at": attempt.submitted_at,
        "closed_by_deadline": attempt.closed_by_deadline, "pass_mark": attempt.pass_mark,
        "score": attempt.score, "passed": attempt.passed,
        "questions": [_question(v) for v in views],
    }


def _own_attempt(attempt_id: int, *, refuse_closed: bool = False):
    """The token user's attempt (404 otherwise), closed first if its time ran out."""
    attempt = attempts.get_attempt(current_user, attempt_id)
    now = attempts.clock()
    if attempts.close_if_expired(attempt, now):
        db.session.commit()
    if refuse_closed:
        attempts.refuse_if_closed(attempt, now)
    return attempt, now


@blp.route("/courses/<slug>/quiz/attempts")
class StartAttempt(MethodView):
    @token_required()
    @blp.response(201, AttemptSchema)
    @blp.alt_response(200, schema=AttemptSchema, description="An attempt in progress, resumed")
    def post(self, slug):
        """Start an attempt at the course's quiz, or resume the one in progress.

        201 with the drawn questions (without their answers) for a new attempt; 200 for
        the attempt already in progress. 403 if the user is not enrolled in the course;
        409 when every allowed attempt has been used.
        """
        course = get_course(slug, current_user)
        try:
            attempt, created = attempts.start_attempt(current_user, course)
        except IntegrityError:  # the same user started one at the same moment
            db.session.rollback()
            attempt, created = attempts.start_attempt(current_user, course)
        db.session.commit()
        return _attempt(attempt), 201 if created else 200


@blp.route("/attempts/<int:attempt_id>")
class AttemptResource(MethodView):
    @token_required()
    @blp.response(200, AttemptSchema)
    def get(self, attempt_id):
        """The token user's attempt: questions and saved responses, or the result.

        Another user's attempt is 404.
        """
        attempt, _now = _own_attempt(attempt_id)
        return _attempt(attempt)


@blp.route("/attempts/<int:attempt_id>/answers")
class Answers(MethodView):
    @token_required()
    @blp.arguments(AnswersSchema)
    @blp.response(200, AttemptSchema)
    def put(self, args, attempt_id):
        """Save responses of an attempt in progress (all or some of its questions).

        409 once the attempt is submitted or past its deadline (it is then closed and
        graded with the responses saved before); 422 for a response the question did
        not offer, and then nothing is saved.
        """
        attempt, now = _own_attempt(attempt_id, refuse_closed=True)
        attempts.save_answers(attempt, args["answers"], now=now)
        db.session.commit()
        return _attempt(attempt)


@blp.route("/attempts/<int:attempt_id>/submit")
class Submit(MethodView):
    @token_required()
    @blp.response(200, AttemptSchema)
    def post(self, attempt_id):
        """Submit the attempt: it is graded at once (score, passed; feedback and right
        answers as the course allows). 409 if it was already closed."""
        attempt, now = _own_attempt(attempt_id, refuse_closed=True)
        attempts.submit_attempt(attempt, now=now)
        db.session.commit()
        return _attempt(attempt)
