"""What the learner sees of an attempt's questions: while answering, and on review.

Built from the stored rows (rendered HTML, parsed question) and
:func:`elearn.quizzes.grading.public_view`: options carry opaque keys (their place in
the attempt's shuffled order), never a weight, a feedback or a flag. The review adds
the grade, the feedback and the right answers, as the course's settings allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import escape

from elearn.quizzes.gift import CHOICE_TYPES, QuestionType
from elearn.quizzes.grading import correct_answers, decode_response, public_view
from elearn.quizzes.models import AttemptAnswer


@dataclass(frozen=True)
class Option:
    """An option on screen: ``key`` goes in the form, ``html`` is what the learner reads."""

    key: int
    html: str


@dataclass
class SlotView:
    """One question of an attempt as the learner may see it while answering."""

    slot: int
    type: str
    text_html: str
    text_before_html: str
    text_after_html: str
    embedded: bool
    #: Options (choice types, true/false) or the right-hand choices (matching).
    choices: list[Option]
    #: Matching: the left-hand items, each answered with one of ``choices``.
    items: list[Option]
    #: The saved response, in screen keys (see ``AttemptAnswer.response``).
    response: object

    @property
    def multiple(self) -> bool:
        return self.type == QuestionType.MULTIRESPONSE.value

    def chosen(self, key: int) -> bool:
        """True when option ``key`` is (one of) the saved choice(s)."""
        if isinstance(self.response, list):
            return key in self.response
        return self.response == key

    def matched(self, item_key: int) -> int | None:
        """The saved choice key for matching item ``item_key``."""
        if isinstance(self.response, dict):
            return self.response.get(str(item_key))
        return None

    @property
    def text_response(self) -> str:
        return self.response if isinstance(self.response, str) else ""


@dataclass
class ReviewSlot(SlotView):
    """A question after submission: the learner's response and, as allowed, the rest."""

    state: str = ""
    fraction: float | None = None
    feedback_html: list[str] = field(default_factory=list)
    general_feedback_html: str = ""
    right_answers_html: list[str] = field(default_factory=list)
    comment: str = ""


def _plain(text: str) -> str:
    return str(escape(text))


def slot_view(answer: AttemptAnswer, seed: str, shuffle: bool = True) -> SlotView:
    """The learner's view of ``answer``'s question, in the attempt's option order."""
    row = answer.question
    question = row.question
    view = public_view(question, seed)
    html = row.html
    choices: list[tuple[int, Option]] = []  # (place in the file, option)
    items: list[tuple[int, Option]] = []
    t = question.type
    if t is QuestionType.TRUEFALSE:
        choices = [(c.key, Option(c.key, _plain(c.text))) for c in view.choices]
    elif t in CHOICE_TYPES:
        for choice in view.choices:
            index = decode_response(question, seed, [choice.key] if view.multiple
                                    else choice.key)
            index = next(iter(index)) if view.multiple else index
            choices.append((index, Option(choice.key, html["answers"][index]["text"])))
    elif t is QuestionType.MATCHING:
        rights = question.match_choices
        choices = [(rights.index(c.text), Option(c.key, _plain(c.text))) for c in view.choices]
        for stem in view.stems:
            index = next(iter(decode_response(question, seed, {stem.key: ""})))
            items.append((index, Option(stem.key, html["answers"][index]["text"])))
    if not shuffle:
        choices.sort(key=lambda pair: pair[0])
        items.sort(key=lambda pair: pair[0])
    return SlotView(
        slot=answer.slot, type=t.value, text_html=row.text_html,
        text_before_html=html["text_before"], text_after_html=html["text_after"],
        embedded=question.embedded, choices=[o for _i, o in choices],
        items=[o for _i, o in items], response=answer.response,
    )


def right_answers_html(answer: AttemptAnswer) -> list[str]:
    """What "the right answer is ..." shows, as safe HTML."""
    row = answer.question
    question = row.question
    t = question.type
    if t in CHOICE_TYPES:
        best = [i for i, a in enumerate(question.answers)
                if (a.fraction > 0 if t is QuestionType.MULTIRESPONSE else a.fraction == 1)]
        return [row.html["answers"][i]["text"] for i in best]
    return [_plain(text) for text in correct_answers(question)]


def review_slot(answer: AttemptAnswer, seed: str, shuffle: bool, *, show_feedback: bool,
                show_correct_answers: bool) -> ReviewSlot:
    """The learner's view of a graded question; feedback and right answers if allowed."""
    base = slot_view(answer, seed, shuffle)
    stored = answer.feedback or {}
    review = ReviewSlot(**base.__dict__, state=stored.get("state", ""),
                        fraction=answer.fraction, comment=answer.comment)
    if show_feedback:
        review.feedback_html = list(stored.get("answers", []))
        review.general_feedback_html = stored.get("general", "")
    if show_correct_answers:
        review.right_answers_html = right_answers_html(answer)
    return review


def attempt_views(attempt, *, review: bool = False) -> list[SlotView]:
    """Every question of ``attempt`` for the taking page, or for the review page."""
    course = attempt.course
    if not review:
        return [slot_view(a, attempt.shuffle_seed, attempt.shuffle_answers)
                for a in attempt.answers]
    return [review_slot(a, attempt.shuffle_seed, attempt.shuffle_answers,
                        show_feedback=course.show_feedback,
                        show_correct_answers=course.show_correct_answers)
            for a in attempt.answers]
