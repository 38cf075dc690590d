"""GIFT parsing, part two: the pieces of a question (texts with their ``[format]``,
``%weight%``, feedback) and the answer block of each question type, following Moodle's
``qformat_gift::readquestion``.  :mod:`elearn.quizzes.gift_parser` splits the file into
questions and decides each question's type; see its docstring for where we differ from
Moodle's importer and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from elearn.quizzes.gift import (
    FRACTION_OPTIONS,
    Answer,
    GiftError,
    Question,
    QuestionType,
    TextFormat,
)

if TYPE_CHECKING:
    from elearn.quizzes.gift_parser import Block

TRIM = " \t\n\r\0\x0b"  # what PHP's trim() removes
#: Escaped special characters become private-use placeholders before parsing (Moodle
#: uses "&&058;" and the like); ``restore`` turns them back into the characters.
PLACEHOLDER = {c: chr(0xE000 + i) for i, c in enumerate(":#={}~")}
NEWLINE = "\ue006"
_RESTORE = str.maketrans({**{v: k for k, v in PLACEHOLDER.items()}, NEWLINE: "\n"})
WEIGHT = re.compile(r"%-*[0-9]{1,2}\.?[0-9]*%")  # Moodle's $giftanswerweightregex
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # PHP is_numeric
_FORMAT_TAG = re.compile(r"\[([A-Za-z]+)\]")
_FORMAT_NAMES = frozenset(f.value for f in TextFormat)
TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_WEIGHTS = "100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, " \
    "16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0"


def restore(text: str) -> str:
    return text.translate(_RESTORE)


def is_number(text: str) -> bool:
    """PHP's ``is_numeric`` for decimal strings (no hexadecimal, no ``inf``/``nan``)."""
    return _NUMBER.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Seg:
    """A slice of a block's escaped text that remembers where it starts."""

    text: str
    start: int

    def cut(self, a: int, b: int | None = None) -> Seg:
        return Seg(self.text[a:b], self.start + a)

    def strip(self) -> Seg:
        stripped = self.text.strip(TRIM)
        if not stripped:  # keep pointing at where the empty piece is
            return Seg("", self.start)
        return Seg(stripped, self.start + len(self.text) - len(self.text.lstrip(TRIM)))

    def split(self, sep: str, maxsplit: int = -1) -> list[Seg]:
        pieces: list[Seg] = []
        pos = 0
        while maxsplit < 0 or len(pieces) < maxsplit:
            found = self.text.find(sep, pos)
            if found < 0:
                break
            pieces.append(self.cut(pos, found))
            pos = found + len(sep)
        pieces.append(self.cut(pos))
        return pieces

    def split_choices(self) -> list[Seg]:
        """Moodle's ``explode('~', str_replace('=', '~=', $text))``."""
        pieces: list[Seg] = []
        last = 0
        for i, char in enumerate(self.text):
            if char == "~":
                pieces.append(self.cut(last, i))
                last = i + 1
            elif char == "=":
                pieces.append(self.cut(last, i))
                last = i
        pieces.append(self.cut(last))
        return pieces


class Abort(Exception):
    """The current question cannot be parsed further."""


class AnswerParser:
    """Error collection, text helpers and the answer block of each question type.

    ``b`` is the question being parsed (a :class:`~elearn.quizzes.gift_parser.Block`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[GiftError] = []
        self.b: Block

    def error(self, at: int | Seg, message: str) -> None:
        line = self.b.line_at(at.start) if isinstance(at, Seg) else at
        self.errors.append(GiftError(self.path, line, message))

    def fail(self, at: int | Seg, message: str) -> Abort:
        self.error(at, message)
        return Abort()

    def format_prefix(self, seg: Seg, default: TextFormat) -> tuple[TextFormat, int]:
        """Moodle's ``parse_text_with_format``: a leading ``[name]`` sets the format."""
        text = seg.text
        if text.startswith("["):
            end = text.find("]")
            name = text[1:end] if end > 0 else ""
            if name in _FORMAT_NAMES:
                return TextFormat(name), end + 1
            if _FORMAT_TAG.match(text) and text[end + 1 : end + 2] not in ("(", "["):
                self.error(seg, _(
                    "unknown text format '[%(name)s]'; use [html], [markdown], [plain] or "
                    "[moodle]", name=name))
        return default, 0

    def text(self, seg: Seg, default: TextFormat) -> tuple[str, TextFormat]:
        """Text and format; an empty text gets the default format (its tag means nothing)."""
        fmt, skip = self.format_prefix(seg, default)
        text = restore(seg.text[skip:]).strip(TRIM)
        return text, fmt if text else default

    def comment(self, seg: Seg | None, default: TextFormat) -> tuple[str, TextFormat]:
        return self.text(seg.strip(), default) if seg is not None else ("", default)

    def weight(self, seg: Seg) -> tuple[float | None, Seg]:
        """A leading ``%n%`` weight, checked against Moodle's grade options."""
        match = WEIGHT.match(seg.text)
        if not match:
            return None, seg
        rest = seg.cut(match.end())
        raw = match.group()[1:-1]
        try:
            value = float(raw) / 100
        except ValueError:
            self.error(seg, _("answer weight '%(weight)s' is not a number", weight=raw))
            return None, rest
        for option in FRACTION_OPTIONS:
            for candidate in (option, -option):
                if abs(value - candidate) < 0.00001:
                    return candidate, rest
        self.error(seg, _(
            "answer weight %(weight)s%% is not one Moodle accepts: use one of %(weights)s "
            "or their negatives", weight=raw, weights=_WEIGHTS))
        return None, rest

    # -- answer blocks ------------------------------------------------------------------------

    def multichoice(self, question: Question, block: Seg, qline: int) -> None:
        single = "=" in block.text
        pieces = block.split_choices()
        pieces[0] = pieces[0].strip()
        if not pieces[0].text:
            pieces.pop(0)
        if len(pieces) < 2:
            raise self.fail(qline, _("multiple choice question needs at least 2 answers"))
        fmt = question.text_format
        ok = True
        for piece in (p.strip() for p in pieces):
            if piece.text.startswith("="):
                fraction: float | None = 1.0
                body = piece.cut(1)
                partial = WEIGHT.match(body.text.lstrip(TRIM))
                if partial:
                    self.error(piece, _(
                        "'=' always gives full marks: write '~%(weight)s' for partial credit "
                        "in a multiple choice question", weight=partial.group()))
                    ok = False
            else:
                fraction, body = self.weight(piece)
                if fraction is None:
                    ok = ok and not WEIGHT.match(piece.text)
                    fraction = 0.0
            parts = body.split("#", 1)
            text, text_fmt = self.text(parts[0].strip(), fmt)
            feedback, feedback_fmt = self.comment(parts[1] if len(parts) > 1 else None, fmt)
            if not text:
                self.error(piece, _("multiple choice answer is empty"))
                ok = False
            question.answers.append(Answer(
                text, fraction, feedback, text_fmt, feedback_fmt,
                line=self.b.line_at(piece.start)))
        if single:
            question.type = (QuestionType.MISSINGWORD if question.embedded
                             else QuestionType.MULTICHOICE)
            return
        question.type = QuestionType.MULTIRESPONSE
        total = sum(a.fraction for a in question.answers if a.fraction > 0)
        if ok and total == 0:
            self.error(qline, _("multiple choice question has no correct answer"))
        elif ok and round(total, 2) != 1:
            self.error(qline, _(
                "the positive answer weights add up to %(total)s%%; they must add up to 100%%",
                total=f"{total * 100:.5f}".rstrip("0").rstrip(".")))

    def matching(self, question: Question, block: Seg, qline: int) -> None:
        question.type = QuestionType.MATCHING
        pieces = block.split("=")
        pieces[0] = pieces[0].strip()
        if not pieces[0].text:
            pieces.pop(0)
        for piece in (p.strip() for p in pieces):
            arrow = piece.text.find("->")
            if arrow < 0:
                self.error(piece, _(
                    "matching pair '%(text)s' has no '->'", text=restore(piece.text)))
                continue
            left, left_fmt = self.text(piece.cut(0, arrow), question.text_format)
            right = restore(piece.text[arrow + 2 :]).strip(TRIM)
            if not right:
                self.error(piece, _(
                    "matching pair '%(text)s' has nothing after '->'", text=left))
            question.answers.append(Answer(
                left, 0.0, text_format=left_fmt, match_right=right,
                line=self.b.line_at(piece.start)))
        if len(question.stems) < 2:
            self.error(qline, _("matching question needs at least 2 pairs"))

    def truefalse(self, question: Question, block: Seg, correct: bool) -> None:
        question.type = QuestionType.TRUEFALSE
        fmt = question.text_format
        bits = block.split("#", 2)
        wrong = self.comment(bits[1] if len(bits) > 1 else None, fmt)
        right = self.comment(bits[2] if len(bits) > 2 else None, fmt)
        on_true, on_false = (right, wrong) if correct else (wrong, right)
        line = self.b.line_at(block.start)
        question.answers = [
            Answer("True", 1.0 if correct else 0.0, on_true[0], fmt, on_true[1], line=line),
            Answer("False", 0.0 if correct else 1.0, on_false[0], fmt, on_false[1], line=line),
        ]

    def shortanswer(self, question: Question, block: Seg, qline: int) -> None:
        question.type = QuestionType.SHORTANSWER
        fmt = question.text_format
        pieces = block.split("=")
        pieces[0] = pieces[0].strip()
        if not pieces[0].text:
            pieces.pop(0)
        ok = True
        for piece in (p.strip() for p in pieces):
            fraction, body = self.weight(piece)
            ok = ok and not (fraction is None and WEIGHT.match(piece.text))
            parts = body.split("#", 1)
            text, _fmt = self.text(parts[0].strip(), fmt)  # Moodle drops the answer's format
            feedback, feedback_fmt = self.comment(parts[1] if len(parts) > 1 else None, fmt)
            if not text:
                self.error(piece, _("short answer is empty"))
                ok = False
            question.answers.append(Answer(
                text, 1.0 if fraction is None else fraction, feedback, fmt, feedback_fmt,
                line=self.b.line_at(piece.start)))
        if ok and not any(a.fraction == 1.0 for a in question.answers):
            self.error(qline, _("short answer question has no answer worth full marks"))

    def numerical(self, question: Question, block: Seg, qline: int) -> None:
        question.type = QuestionType.NUMERICAL
        fmt = question.text_format
        tilde = block.text.find("~")
        wrong = block.cut(tilde) if tilde >= 0 else None
        if wrong is not None:
            block = block.cut(0, tilde)
        pieces = block.split("=")
        pieces[0] = pieces[0].strip()
        if not pieces[0].text:
            pieces.pop(0)
        if not pieces:
            raise self.fail(qline, _("numerical question has no answers"))
        ok = True
        for piece in (p.strip() for p in pieces):
            fraction, body = self.weight(piece)
            ok = ok and not (fraction is None and WEIGHT.match(piece.text))
            parts = body.split("#", 1)
            spec, _fmt = self.text(parts[0].strip(), fmt)
            feedback, feedback_fmt = self.comment(parts[1] if len(parts) > 1 else None, fmt)
            answer = self.number(spec, piece)
            if answer is None:
                ok = False
                continue
            answer.fraction = 1.0 if fraction is None else fraction
            answer.feedback, answer.feedback_format, answer.text_format = (
                feedback, feedback_fmt, fmt)
            question.answers.append(answer)
        if wrong is not None:
            parts = wrong.split("#", 1)
            feedback, feedback_fmt = self.comment(parts[1] if len(parts) > 1 else None, fmt)
            question.answers.append(Answer(
                "*", 0.0, feedback, fmt, feedback_fmt, value=None, tolerance=0.0,
                line=self.b.line_at(wrong.start)))
        if ok and not any(a.fraction == 1.0 for a in question.answers):
            self.error(qline, _("numerical question has no answer worth full marks"))

    def number(self, spec: str, piece: Seg) -> Answer | None:
        line = self.b.line_at(piece.start)
        dots, colon = spec.find(".."), spec.find(":")
        if dots > 0:
            low, high = spec[:dots].strip(TRIM), spec[dots + 2 :].strip(TRIM)
            if not (is_number(low) and is_number(high)):
                self.error(line, _(
                    "numerical range '%(text)s' is not valid: write it as min..max, e.g. 1..5",
                    text=spec))
                return None
            value = (float(low) + float(high)) / 2
            return Answer(spec, value=value, tolerance=float(high) - value, line=line)
        if colon > 0:
            number, tolerance = spec[:colon].strip(TRIM), spec[colon + 1 :].strip(TRIM)
        else:
            number, tolerance = spec, "0"
        if number != "*" and not is_number(number):
            if "," in number and is_number(number.replace(",", ".", 1)):
                self.error(line, _(
                    "numerical answer '%(text)s' is not a number: use a dot (.) as the "
                    "decimal separator", text=number))
            else:
                self.error(line, _("numerical answer '%(text)s' is not a number", text=number))
            return None
        if not is_number(tolerance):
            self.error(line, _(
                "numerical tolerance '%(text)s' is not a number", text=tolerance))
            return None
        value = None if number == "*" else float(number)
        return Answer(number, value=value, tolerance=float(tolerance), line=line)
