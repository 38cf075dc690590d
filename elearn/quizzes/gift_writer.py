"""GIFT writer: the inverse of :mod:`elearn.quizzes.gift_parser`.

Close to Moodle's exporter (every special character escaped, newlines written as ``\\n``,
one answer per line, ``[format]`` only where it differs from the question's), with the
changes needed for ``parse_gift(write_gift(qs)) == qs``:

* a ``$CATEGORY:`` paragraph whenever the category changes, and ``// [id:..] [tag:..]``
  comments for the idnumber and tags;
* a text starting with ``[`` or ``%`` gets an explicit ``[format]`` prefix, so it is not
  read as a format tag or a weight;
* in multiple choice only the first 100 % answer is written ``=``; other answers are
  ``~`` with their weight (so the block always contains a ``~``);
* a numerical ``*`` answer is written ``~#feedback`` when it is last with no credit
  (Moodle's "wrong answer" feedback), else ``=%n%*``.

* a short answer containing ``->`` is written as Moodle's single answer without ``=``
  (with ``=`` it would read as matching); an embedded block with nothing after it gets
  an escaped newline after it.

``ValueError`` is raised for what GIFT cannot express, e.g. ``->`` in a short answer
with several answers or on the left of a matching pair, or a question without a
category after one with.
"""

from __future__ import annotations

from collections.abc import Iterable

from elearn.quizzes.gift import Answer, Question, QuestionType, TextFormat

_ESCAPES = str.maketrans({
    "\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:",
    "\n": "\\n", "\r": "",
})


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _text(text: str, fmt: TextFormat, default: TextFormat) -> str:
    """Escaped text with a ``[format]`` prefix when needed (Moodle's write_questiontext)."""
    if text and (fmt != default or text.startswith(("[", "%"))):
        return f"[{fmt.value}]{_escape(text)}"
    return _escape(text)


def format_number(number: float) -> str:
    """``5.0`` -> ``"5"``, ``0.0005`` -> ``"0.0005"``: short, and read back exactly."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _weight(fraction: float) -> str:
    text = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def write(questions: Iterable[Question]) -> str:
    out: list[str] = []
    category: str | None = None
    for question in questions:
        if question.category != category:
            if question.category is None:
                raise ValueError(
                    f"question {question.name!r} has no category but follows questions that "
                    "have one; GIFT cannot go back to no category")
            if "\n" in question.category or "\r" in question.category:
                raise ValueError(f"category {question.category!r} spans several lines")
            category = question.category
            # Moodle reads a category raw apart from escapes: only "\" needs one.
            out.append(f"$CATEGORY: {category.replace(chr(92), chr(92) * 2)}\n\n")
        out.append(_question(question) + "\n\n")
    return "".join(out)


def _comment(question: Question) -> str:
    bits = []
    if question.idnumber:
        bits.append(f"[id:{question.idnumber.replace(']', chr(92) + ']')}]")
    bits.extend(f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in question.tags)
    return f"// {' '.join(bits)}\n" if bits else ""


def _question(q: Question) -> str:
    head = _comment(q) + f"::{_escape(q.name)}::"
    if q.type is QuestionType.DESCRIPTION:
        return head + _text(q.text, q.text_format, TextFormat.MOODLE)
    block = "{" + _block(q)
    if q.general_feedback:
        gf = "####" + _text(q.general_feedback, q.general_feedback_format, q.text_format)
        block += gf if block.endswith("{") or q.type is QuestionType.TRUEFALSE else f"\t{gf}\n"
    block += "}"
    if q.type is QuestionType.MISSINGWORD and not q.embedded:
        raise ValueError(f"missing-word question {q.name!r} needs text_before and text_after")
    if q.type is QuestionType.MULTICHOICE and q.embedded:
        raise ValueError(f"question {q.name!r} has its answers inside the text: it is a "
                         "missing-word question")
    if not q.embedded:
        return head + _text(q.text, q.text_format, TextFormat.MOODLE) + block
    before, after = q.text_before or "", q.text_after or ""
    prefix = f"[{q.text_format.value}]" if (
        q.text_format is not TextFormat.MOODLE or before.startswith(("[", "%"))) else ""
    # An escaped newline keeps a block with nothing after it "inside" the text.
    return head + prefix + _escape(before) + block + (_escape(after) if after.strip() else "\\n")


def _feedback(answer: Answer, default: TextFormat) -> str:
    if not answer.feedback:
        return ""
    return "#" + _text(answer.feedback, answer.feedback_format, default)


def _block(q: Question) -> str:
    fmt = q.text_format
    match q.type:
        case QuestionType.ESSAY:
            return ""
        case QuestionType.TRUEFALSE:
            correct = q.correct_truefalse
            right, wrong = (q.answers[0], q.answers[1]) if correct else (q.answers[1],
                                                                          q.answers[0])
            out = "TRUE" if correct else "FALSE"
            right_fb = _text(right.feedback, right.feedback_format, fmt)
            wrong_fb = _text(wrong.feedback, wrong.feedback_format, fmt)
            if wrong_fb or right_fb:
                out += "#" + wrong_fb
            if right_fb:
                out += "#" + right_fb
            return out
        case QuestionType.MULTICHOICE | QuestionType.MISSINGWORD | QuestionType.MULTIRESPONSE:
            return "\n" + "".join(_choices(q))
        case QuestionType.SHORTANSWER:
            if any("->" in a.text or "->" in a.feedback for a in q.answers):
                return _arrow_shortanswer(q)
            lines = []
            for a in q.answers:
                weight = "" if a.fraction == 1 else f"%{_weight(a.fraction)}%"
                lines.append(f"\t={weight}{_text(a.text, fmt, fmt)}{_feedback(a, fmt)}\n")
            return "\n" + "".join(lines)
        case QuestionType.NUMERICAL:
            lines = []
            for i, a in enumerate(q.answers):
                if a.is_catch_all and a.fraction == 0 and i == len(q.answers) - 1:
                    lines.append(f"\t~{_feedback(a, fmt)}\n")
                    continue
                weight = "" if a.fraction == 1 else f"%{_weight(a.fraction)}%"
                lines.append(f"\t={weight}{_numerical(a)}{_feedback(a, fmt)}\n")
            return "#\n" + "".join(lines)
        case QuestionType.MATCHING:
            lines = []
            for a in q.answers:
                if "->" in a.text:
                    raise ValueError(f"matching question {q.name!r}: GIFT cannot express "
                                     "'->' on the left of a pair")
                left = _text(a.text, a.text_format, fmt)
                lines.append(f"\t={left} -> {_escape(a.match_right or '')}\n")
            return "\n" + "".join(lines)
    raise ValueError(f"cannot write a question of type {q.type!r}")


def _arrow_shortanswer(q: Question) -> str:
    """``=`` and ``->`` in one block make a matching question, so a short answer with
    ``->`` can only be written as Moodle's single answer without ``=``."""
    (answer, *others) = q.answers
    if others or answer.fraction != 1 or answer.text.upper() in ("T", "TRUE", "F", "FALSE"):
        raise ValueError(f"short answer question {q.name!r}: GIFT cannot express '->' in an "
                         "answer or its feedback, except in a single answer")
    return _text(answer.text, q.text_format, q.text_format) + _feedback(answer, q.text_format)


def _choices(q: Question) -> list[str]:
    full = None
    if q.single:
        full = next((i for i, a in enumerate(q.answers) if a.fraction == 1), None)
        if full is None:
            raise ValueError(f"multiple choice question {q.name!r} has no 100% answer")
    lines = []
    for i, a in enumerate(q.answers):
        if i == full:
            mark = "="
        elif a.fraction == 0:
            mark = "~"
        else:
            mark = f"~%{_weight(a.fraction)}%"
        text = _text(a.text, a.text_format, q.text_format)
        lines.append(f"\t{mark}{text}{_feedback(a, q.text_format)}\n")
    return lines


def _numerical(answer: Answer) -> str:
    if answer.text and ".." in answer.text:
        return _escape(answer.text)
    spec = "*" if answer.value is None else _escape(answer.text or format_number(answer.value))
    if answer.tolerance:
        spec += ":" + format_number(answer.tolerance)
    return spec
