"""Moodle GIFT question format: data model, errors and the public API.

``parse_gift(text, path)`` reads a GIFT file into :class:`Question` objects the way
Moodle's importer (``question/format/gift/format.php``) does; ``write_gift(questions)``
writes GIFT that parses back to equal questions.  The parser lives in
:mod:`elearn.quizzes.gift_parser` (file, questions, types) and
:mod:`elearn.quizzes.gift_answers` (texts, weights, each type's answers), the writer in
:mod:`elearn.quizzes.gift_writer`, grading and the learner's view in
:mod:`elearn.quizzes.grading`.  Nothing here needs a Flask app or a database.

Moodle's question types map to :class:`QuestionType` as follows:

* ``multichoice`` with ``single=1`` (the answer block has a ``=``) -> ``MULTICHOICE``,
  or ``MISSINGWORD`` when the answer block sits inside the text (``Grant is {~buried
  =entombed} in Grant's tomb.``);
* ``multichoice`` with ``single=0`` (no ``=``, weights such as ``~%50%``) ->
  ``MULTIRESPONSE`` (checkboxes);
* ``truefalse``, ``shortanswer``, ``numerical``, ``essay``, ``description`` keep their
  names; ``match`` is ``MATCHING``.

Any type may have its answer block inside the text ("missing word" layout): then
``text`` is Moodle's question text with ``_____`` where the block was, and
``text_before`` / ``text_after`` hold the two halves (both ``None`` otherwise).

Where Moodle's importer silently imports something broken, :func:`parse_gift` reports
an error instead, so that every bank accepted here imports into Moodle with the same
meaning.  The differences are listed in the docstring of :mod:`elearn.quizzes.gift_parser`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class QuestionType(StrEnum):
    MULTICHOICE = "multichoice"
    MULTIRESPONSE = "multiresponse"
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"
    NUMERICAL = "numerical"
    MATCHING = "matching"
    MISSINGWORD = "missingword"
    ESSAY = "essay"
    DESCRIPTION = "description"


class TextFormat(StrEnum):
    """The ``[moodle]`` / ``[html]`` / ``[plain]`` / ``[markdown]`` prefixes of GIFT."""

    MOODLE = "moodle"
    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"


#: Types whose learner picks one or more of the listed answers.
CHOICE_TYPES = frozenset(
    {QuestionType.MULTICHOICE, QuestionType.MISSINGWORD, QuestionType.MULTIRESPONSE}
)

#: Moodle's grade options (``question_bank::fraction_options_full()``): the only answer
#: weights its importer accepts, as fractions.  Negative weights are allowed too.
FRACTION_OPTIONS: tuple[float, ...] = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)

#: The text Moodle puts in place of an answer block inside the question text.
BLANK = "_____"


@dataclass
class Answer:
    """One answer of a question.

    * choice types and short answer: ``text`` is the answer, ``fraction`` its credit
      (-1..1), ``feedback`` is shown to a learner who gives it;
    * true/false: two answers, ``"True"`` then ``"False"``; the right one has fraction 1;
      each carries the feedback Moodle shows for that choice;
    * numerical: ``text`` is the accepted value as written (``"1822"``, the range
      ``"3.141..3.142"``, or ``"*"`` for "any other answer"); ``value`` / ``tolerance``
      are Moodle's answer and error margin (``value`` is ``None`` for ``"*"``);
    * matching: ``text`` is the left-hand item (empty for an extra wrong choice) and
      ``match_right`` the right-hand one; ``fraction`` is unused (0).
    """

    text: str
    fraction: float = 0.0
    feedback: str = ""
    text_format: TextFormat = TextFormat.MOODLE
    feedback_format: TextFormat = TextFormat.MOODLE
    value: float | None = None
    tolerance: float | None = None
    match_right: str | None = None
    line: int = field(default=0, compare=False)

    @property
    def is_catch_all(self) -> bool:
        """A numerical ``*`` answer: matches any number (Moodle's "any other answer")."""
        return self.tolerance is not None and self.value is None

    @property
    def min(self) -> float | None:
        """Smallest number a numerical answer accepts (``None`` for ``*``)."""
        if self.value is None or self.tolerance is None:
            return None
        return self.value - abs(self.tolerance)

    @property
    def max(self) -> float | None:
        """Largest number a numerical answer accepts (``None`` for ``*``)."""
        if self.value is None or self.tolerance is None:
            return None
        return self.value + abs(self.tolerance)


@dataclass
class Question:
    """One GIFT question.  ``line`` (1-based, where the question starts in its file) is
    informative and ignored by ``==``, so a written-and-reparsed question compares equal."""

    type: QuestionType
    name: str
    text: str
    text_format: TextFormat = TextFormat.MOODLE
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    general_feedback_format: TextFormat = TextFormat.MOODLE
    category: str | None = None
    text_before: str | None = None
    text_after: str | None = None
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    @property
    def embedded(self) -> bool:
        """True when the answer block sits inside the text (missing-word layout)."""
        return self.text_after is not None

    @property
    def single(self) -> bool:
        """Moodle's ``single`` flag: one answer may be chosen (radio buttons)."""
        return self.type in (QuestionType.MULTICHOICE, QuestionType.MISSINGWORD)

    @property
    def needs_manual_grading(self) -> bool:
        return self.type is QuestionType.ESSAY

    @property
    def is_graded(self) -> bool:
        return self.type is not QuestionType.DESCRIPTION

    @property
    def correct_truefalse(self) -> bool:
        """The right answer of a true/false question."""
        if self.type is not QuestionType.TRUEFALSE:
            raise ValueError("not a true/false question")
        return self.answers[0].fraction > 0

    @property
    def stems(self) -> list[tuple[int, Answer]]:
        """Matching: the ``(answer index, answer)`` pairs that have a left-hand item."""
        return [(i, a) for i, a in enumerate(self.answers) if a.text != ""]

    @property
    def match_choices(self) -> list[str]:
        """Matching: the distinct right-hand items, in file order (Moodle merges equal
        right-hand texts into one choice)."""
        seen: dict[str, None] = {}
        for answer in self.answers:
            if answer.match_right is not None:
                seen.setdefault(answer.match_right, None)
        return list(seen)


class GiftError(ValueError):
    """One problem in a GIFT file, located by 1-based line number."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class GiftErrors(ValueError):
    """Every problem found in a GIFT file; raised when there is at least one, in which
    case no question of the file is returned (one bad question rejects the import)."""

    def __init__(self, errors: Iterable[GiftError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line))
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __iter__(self) -> Iterator[GiftError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)


def parse_gift(text: str, path: str = "<input>") -> list[Question]:
    """Parse GIFT ``text`` (from file ``path``, used in error messages).

    Raises :class:`GiftErrors` listing every problem found.
    """
    from elearn.quizzes.gift_parser import parse

    return parse(text, path)


def write_gift(questions: Iterable[Question]) -> str:
    """Write ``questions`` as GIFT; :func:`parse_gift` reads it back to equal questions.

    Raises ``ValueError`` for a question GIFT cannot express (e.g. a matching item
    containing ``->``).
    """
    from elearn.quizzes.gift_writer import write

    return write(questions)
