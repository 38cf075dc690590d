"""Server-side grading of GIFT questions by Moodle's rules, and the learner's view.

Responses, in the question's own terms (what :func:`decode_response` returns):

=========================  ====================================================
multichoice, missingword   index of the chosen answer in ``question.answers``
truefalse                  ``True`` / ``False``
multiresponse              collection of chosen answer indices
shortanswer                the text typed
numerical                  the number typed (``str``; ``int``/``float`` accepted)
matching                   mapping answer index (or left-hand text) -> right-hand text
essay, description         anything; not graded here
=========================  ====================================================

``None`` (or an empty collection / blank text) means "not answered" and scores 0.

Moodle's rules, as implemented by its question types:

* multiple choice (one answer): the chosen answer's fraction;
* multiple response: the sum of the chosen answers' fractions, kept within 0..1;
* short answer: the *first* answer, in file order, that matches the trimmed response,
  ignoring case, with ``*`` matching any run of characters (``\\*`` is a literal star);
  both sides are NFC-normalised;
* numerical: the *first* answer, in file order, whose interval (value ± tolerance, plus
  Moodle's 1e-14 relative slack) contains the number; ``*`` matches any number.  Moodle
  does not look for the best-scoring match, and neither do we;
* matching: right pairs / number of left-hand items;
* essay: needs a human (``None``); description: not graded (``None``).

A fraction is always returned within 0..1: Moodle lets a single-choice answer with a
negative weight give a negative mark; here it counts as 0.

Numbers typed by learners: spaces (also no-break and thin spaces) are ignored, ``e5``,
``x10^5``, ``×10^5`` and ``*10**5`` are exponents, U+2212 is a minus sign.  A single
comma with no dot is a decimal comma (``3,14``), as in Moodle's French, Spanish and
Russian; a response with both a comma and a dot, or several commas, or text after the
number (GIFT numerical questions have no units) is not a valid number and scores 0.
Moodle's English interface refuses every comma instead; we accept the decimal comma
because the platform's learners use six UN languages.

The learner's view: :func:`public_view` gives the text and the options without weights,
feedback or anything that marks the right one; each option's ``key`` is its position on
screen, and :func:`decode_response` maps submitted keys back to answers.  Options (and
matching items) are shuffled, as Moodle does by default; true/false is not.  The order
sorts SHA-256 digests of (seed, question name and text, index): the same seed always
gives the same order, questions sharing a seed get different orders, and it does not
depend on Python's ``random``.  Keep the seed server-side (e.g. per attempt).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from elearn.quizzes.gift import CHOICE_TYPES, Answer, Question, QuestionType, TextFormat
from elearn.quizzes.gift_writer import format_number

Response = object
_EPSILON = 1e-14  # 10 ** -ini_get('precision') in PHP
_EXPONENT = re.compile(r"(?:e|E|(?:x|X|\*|×)10(?:\^|\*\*))([+-]?\d+)")
_RESPONSE_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?")
_WILDCARD = re.compile(r"(?<!\\)\*+")


# -- pieces shared by grading and feedback ----------------------------------------------------


def parse_number(text: object) -> float | None:
    """Read a number typed by a learner (see the module docstring); ``None`` if invalid."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        return float(text)
    value = "".join(str(text).split()).replace("\u2212", "-")
    value = _EXPONENT.sub(r"e\1", value)
    if ("," in value and "." in value) or value.count(",") > 1:
        return None
    match = _RESPONSE_NUMBER.fullmatch(value.replace(",", "."))
    return float(match.group()) if match else None


def matches_shortanswer(pattern: str, response: str, ignore_case: bool = True) -> bool:
    """Moodle's ``qtype_shortanswer_question::compare_string_with_wildcard``."""
    pattern = unicodedata.normalize("NFC", pattern)
    response = unicodedata.normalize("NFC", response)
    bits = _WILDCARD.split(pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    flags = re.IGNORECASE if ignore_case else 0
    return re.fullmatch(regex, response.strip(), flags) is not None


def within_tolerance(answer: Answer, number: float) -> bool:
    """Moodle's ``qtype_numerical_answer::within_tolerance`` (nominal tolerance)."""
    if answer.value is None:
        return True  # the "*" answer
    tolerance = abs(answer.tolerance or 0.0)
    slack = tolerance + _EPSILON * max(tolerance, abs(answer.value), _EPSILON)
    return answer.value - slack <= number <= answer.value + slack


def _index(response: object, count: int) -> int:
    if isinstance(response, bool) or not isinstance(response, int):
        raise TypeError(f"expected an answer index, got {response!r}")
    if not 0 <= response < count:
        raise ValueError(f"answer index {response} out of range")
    return response


def _blank(response: object) -> bool:
    return response is None or (isinstance(response, str) and response.strip() == "")


def _matched(question: Question, response: object) -> list[int]:
    """Indices of the answers a response selects or matches (Moodle's first match)."""
    if _blank(response):
        return []
    t = question.type
    if t in (QuestionType.MULTICHOICE, QuestionType.MISSINGWORD):
        return [_index(response, len(question.answers))]
    if t is QuestionType.TRUEFALSE:
        if not isinstance(response, bool):
            raise TypeError(f"expected True or False, got {response!r}")
        return [0 if response else 1]
    if t is QuestionType.MULTIRESPONSE:
        if isinstance(response, str) or not isinstance(response, Collection):
            raise TypeError(f"expected a collection of answer indices, got {response!r}")
        return sorted({_index(r, len(question.answers)) for r in response})
    if t is QuestionType.SHORTANSWER:
        text = str(response)
        for i, answer in enumerate(question.answers):
            if matches_shortanswer(answer.text, text):
                return [i]
        return []
    if t is QuestionType.NUMERICAL:
        number = parse_number(response)
        if number is None:
            return []
        for i, answer in enumerate(question.answers):
            if within_tolerance(answer, number):
                return [i]
        return []
    return []


def _matching_fraction(question: Question, response: object) -> float:
    stems = question.stems
    if not stems or response is None:
        return 0.0
    if not isinstance(response, Mapping):
        raise TypeError(f"expected a mapping of left-hand items to answers, got {response!r}")
    chosen: dict[int, object] = {}
    for key, value in response.items():
        if isinstance(key, str):
            index = next((i for i, a in stems if a.text == key), None)
            if index is None:
                raise ValueError(f"no left-hand item {key!r}")
        else:
            index = _index(key, len(question.answers))
            if question.answers[index].text == "":
                raise ValueError(f"answer {index} is not a left-hand item")
        chosen[index] = value
    right = sum(1 for i, a in stems if chosen.get(i) == a.match_right)
    return right / len(stems)


def _clamp(fraction: float) -> float:
    return float(min(max(fraction, 0.0), 1.0))


# -- public API -------------------------------------------------------------------------------


def grade(question: Question, response: Response) -> float | None:
    """The fraction (0..1) of the mark a response earns; ``None`` for an essay (a human
    grades it) or a description (nothing to grade)."""
    t = question.type
    if t in (QuestionType.ESSAY, QuestionType.DESCRIPTION):
        return None
    if t is QuestionType.MATCHING:
        return _matching_fraction(question, response)
    matched = _matched(question, response)
    return _clamp(sum((question.answers[i].fraction for i in matched), 0.0))


@dataclass(frozen=True)
class FeedbackText:
    text: str
    text_format: TextFormat


@dataclass(frozen=True)
class Feedback:
    """What to show after a response is graded.

    ``state`` is Moodle's graded state: ``"correct"`` (fraction 1), ``"partial"``,
    ``"incorrect"`` (0), ``"needs_grading"`` (essay) or ``"ungraded"`` (description).
    ``answers`` holds the feedback of each chosen or matched answer, in question order.
    """

    fraction: float | None
    state: str
    answers: tuple[FeedbackText, ...]
    general: FeedbackText | None


def state_for(fraction: float | None, question: Question) -> str:
    if fraction is None:
        return "needs_grading" if question.needs_manual_grading else "ungraded"
    if fraction < 0.000001:  # question_state::graded_state_for_fraction
        return "incorrect"
    if fraction > 0.999999:
        return "correct"
    return "partial"


def feedback(question: Question, response: Response) -> Feedback:
    """Grade ``response`` and collect the feedback Moodle would show for it."""
    fraction = grade(question, response)
    texts: list[FeedbackText] = []
    if question.type not in (QuestionType.MATCHING, QuestionType.ESSAY,
                             QuestionType.DESCRIPTION):
        for i in _matched(question, response):
            answer = question.answers[i]
            if answer.feedback:
                texts.append(FeedbackText(answer.feedback, answer.feedback_format))
    general = (FeedbackText(question.general_feedback, question.general_feedback_format)
               if question.general_feedback else None)
    return Feedback(fraction, state_for(fraction, question), tuple(texts), general)


def correct_answers(question: Question) -> list[str]:
    """What "the correct answer is ..." shows: right choices, the first full-marks short
    or numerical answer (short answer wildcards removed), matching pairs as
    ``"left -> right"``; empty for essays and descriptions."""
    t = question.type
    answers = question.answers
    if t in (QuestionType.MULTICHOICE, QuestionType.MISSINGWORD):
        return [a.text for a in answers if a.fraction == 1]
    if t is QuestionType.MULTIRESPONSE:
        return [a.text for a in answers if a.fraction > 0]
    if t is QuestionType.TRUEFALSE:
        return [_("True") if question.correct_truefalse else _("False")]
    if t is QuestionType.SHORTANSWER:
        best = next((a for a in answers if a.fraction == 1), None)
        return [_WILDCARD.sub("", best.text).replace("\\*", "*")] if best else []
    if t is QuestionType.NUMERICAL:
        best = next((a for a in answers if a.fraction == 1 and a.value is not None), None)
        if best is None:
            return []
        return [best.text if ".." in best.text else format_number(best.value or 0.0)]
    if t is QuestionType.MATCHING:
        return [f"{a.text} -> {a.match_right}" for _i, a in question.stems]
    return []


# -- what a learner may see -------------------------------------------------------------------


@dataclass(frozen=True)
class PublicChoice:
    """An option shown to the learner; ``key`` is its position on screen."""

    key: int
    text: str
    text_format: TextFormat


@dataclass(frozen=True)
class PublicQuestion:
    """A question as a learner may see it: no fractions, no feedback, nothing that tells
    which option is right, options in a shuffled order that depends on the seed.

    ``choices``: the options (true/false, choice types) or the right-hand items
    (matching); ``stems``: the matching left-hand items.  Short answer, numerical, essay
    and description questions have neither.
    """

    type: QuestionType
    text: str
    text_format: TextFormat
    text_before: str | None = None
    text_after: str | None = None
    choices: tuple[PublicChoice, ...] = ()
    stems: tuple[PublicChoice, ...] = ()

    @property
    def multiple(self) -> bool:
        """Several options may be ticked (checkboxes)."""
        return self.type is QuestionType.MULTIRESPONSE


def _order(question: Question, seed: object, salt: str, count: int) -> list[int]:
    """A permutation of ``range(count)`` fixed by the seed and the question's content, so
    that questions sharing a seed are not shuffled alike."""
    ident = "\x1f".join([str(seed), salt, question.name, question.text])

    def key(i: int) -> bytes:
        return hashlib.sha256(f"{ident}\x1f{i}".encode()).digest()

    return sorted(range(count), key=key)


def public_view(question: Question, shuffle_seed: object) -> PublicQuestion:
    """What a learner may see of ``question``; the same seed gives the same order."""
    t = question.type
    choices: list[PublicChoice] = []
    stems: list[PublicChoice] = []
    if t is QuestionType.TRUEFALSE:
        choices = [PublicChoice(0, _("True"), TextFormat.PLAIN),
                   PublicChoice(1, _("False"), TextFormat.PLAIN)]
    elif t in CHOICE_TYPES:
        order = _order(question, shuffle_seed, "answers", len(question.answers))
        choices = [PublicChoice(pos, question.answers[i].text, question.answers[i].text_format)
                   for pos, i in enumerate(order)]
    elif t is QuestionType.MATCHING:
        items = question.stems
        order = _order(question, shuffle_seed, "stems", len(items))
        stems = [PublicChoice(pos, items[i][1].text, items[i][1].text_format)
                 for pos, i in enumerate(order)]
        rights = question.match_choices
        order = _order(question, shuffle_seed, "choices", len(rights))
        choices = [PublicChoice(pos, rights[i], TextFormat.PLAIN) for pos, i in enumerate(order)]
    return PublicQuestion(t, question.text, question.text_format, question.text_before,
                          question.text_after, tuple(choices), tuple(stems))


def _key(value: object, count: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"invalid choice {value!r}")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise ValueError(f"invalid choice {value!r}")
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < count:
        raise ValueError(f"invalid choice {value!r}")
    return value


def decode_response(question: Question, shuffle_seed: object, submitted: object) -> object:
    """Turn what a learner submitted against :func:`public_view` (choice keys, text)
    into the response :func:`grade` takes.  Raises ``ValueError`` for a key that the
    view did not offer (a tampered form)."""
    t = question.type
    if t is QuestionType.DESCRIPTION:
        return None
    if t in (QuestionType.SHORTANSWER, QuestionType.NUMERICAL, QuestionType.ESSAY):
        return None if submitted is None else str(submitted)
    if t is QuestionType.MULTIRESPONSE:
        if submitted is None or submitted == "":
            return set()
        if isinstance(submitted, str | int):
            keys: Sequence[object] = [submitted]
        elif isinstance(submitted, Collection):
            keys = list(submitted)
        else:
            raise ValueError("expected a list of choice keys")
        order = _order(question, shuffle_seed, "answers", len(question.answers))
        return {order[_key(k, len(order))] for k in keys}
    if t is QuestionType.MATCHING:
        if not submitted:
            return {}
        if not isinstance(submitted, Mapping):
            raise ValueError("expected a mapping of item keys to choice keys")
        items = question.stems
        item_order = _order(question, shuffle_seed, "stems", len(items))
        rights = question.match_choices
        right_order = _order(question, shuffle_seed, "choices", len(rights))
        decoded: dict[int, str | None] = {}
        for item_key, choice_key in submitted.items():
            stem = items[item_order[_key(item_key, len(items))]][0]
            blank = choice_key is None or choice_key == ""
            decoded[stem] = None if blank else rights[right_order[_key(choice_key, len(rights))]]
        return decoded
    if submitted is None or submitted == "":
        return None
    if t is QuestionType.TRUEFALSE:
        return submitted if isinstance(submitted, bool) else _key(submitted, 2) == 0
    order = _order(question, shuffle_seed, "answers", len(question.answers))
    return order[_key(submitted, len(order))]
