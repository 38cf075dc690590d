"""GIFT parser following Moodle's importer (``question/format/gift/format.php``).

Moodle's algorithm, reproduced step by step:

1. the file is split into lines (LF, CRLF or CR; a leading BOM is dropped), each line is
   trimmed (so indentation inside a multi-line Markdown or ``<pre>`` text is lost, as in
   Moodle), and blank lines separate questions;
2. in a question, lines starting with ``//`` are comments (``[id:...]`` and ``[tag:...]``
   in them give the question's idnumber and tags); ``$CATEGORY: path`` sets the category
   of the questions that follow;
3. escapes ``\\\\ \\~ \\= \\# \\{ \\} \\:`` and ``\\n`` are replaced by placeholders before
   anything else, so escaped characters never act as syntax;
4. ``::name::``, then the first ``{`` and the first ``}`` delimit the answer block; when
   text follows the block, Moodle puts ``_____`` in its place (missing-word layout);
5. ``####`` (the last one) starts the general feedback; the answer block's content picks
   the type: empty -> essay, ``#...`` -> numerical, any ``~`` -> multiple choice, ``=``
   and ``->`` -> matching, ``T``/``TRUE``/``F``/``FALSE`` -> true/false, else short answer;
6. weights ``%n%`` must be one of Moodle's grade options (100, 90, 83.33333, ... 5, 0 or
   their negatives), as Moodle's import checks.

Where Moodle imports something broken or not what the author meant, this parser reports
an error instead (so a bank accepted here means the same thing in Moodle):

* unbalanced, nested or repeated answer blocks (Moodle uses the first ``{`` and ``}``);
* a ``::name`` without its closing ``::``; an empty question text;
* ``$CATEGORY:`` followed by more text in the same paragraph (Moodle makes all of it the
  category name), or written in the wrong case;
* an unknown ``[format]`` tag made only of letters (``[HTML]``, ``[mardown]``), which
  Moodle would show as text; ``[word](...)`` and ``[word][...]`` Markdown links pass;
* ``{true}``, ``{f}`` ...: Moodle makes these short answers; write ``{TRUE}``/``{F}``, or
  ``{=true}`` for a real short answer;
* ``=%50%answer`` in multiple choice (Moodle gives it 100 % and the text "%50%answer");
* empty answers (Moodle drops them when saving); multiple choice without a correct answer
  or whose positive weights do not add up to 100 % (Moodle's question form refuses both);
  short answer or numerical questions without a 100 % answer; matching with fewer than
  2 items that have a left-hand side; a numerical answer that is not a number (Moodle's
  importer turns it into the catch-all ``*``).

Matching follows the importer (at least 2 pairs, extra wrong choices as ``= -> text``),
not the question form (which also wants 3 choices): Moodle's own documentation example
``{ =cat -> cat food =dog -> dog food }`` has two pairs.  Default question names are
the first 80 characters of the text without tags, cut at a space (Moodle's
``shorten_text`` is close to this).
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right

from flask_babel import gettext as _

from elearn.quizzes.gift import BLANK, GiftError, GiftErrors, Question, QuestionType, TextFormat
from elearn.quizzes.gift_answers import (
    NEWLINE,
    PLACEHOLDER,
    TRIM,
    TRUEFALSE,
    Abort,
    AnswerParser,
    Seg,
    restore,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_IDNUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_HTML_TAG = re.compile(r"<[^>]*>")
_NAME_LENGTH = 80


class Block:
    """The lines of one question with comments blanked, escapes replaced, and a map from
    each character back to its line in the file."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.comments: list[str] = []
        self.starts: list[int] = []
        self.linenos: list[int] = []
        parts: list[str] = []
        offset = 0
        for lineno, line in lines:
            if line.startswith("//"):
                self.comments.append(line)
                line = " "
            self.starts.append(offset)
            self.linenos.append(lineno)
            parts.append(line)
            offset += len(line) + 1
        joined = "\n".join(parts)
        lead = len(joined) - len(joined.lstrip(TRIM))
        body = joined.strip(TRIM)
        out: list[str] = []
        self.pos: list[int] = []
        i = 0
        while i < len(body):
            char, width = body[i], 1
            if char == "\\" and i + 1 < len(body):
                following = body[i + 1]
                if following == "\\":
                    width = 2
                elif following in PLACEHOLDER:
                    char, width = PLACEHOLDER[following], 2
                elif following == "n":
                    char, width = NEWLINE, 2
            out.append(char)
            self.pos.append(lead + i)
            i += width
        self.text = "".join(out)

    def line_at(self, index: int) -> int:
        if not self.pos:
            return self.linenos[0]
        offset = self.pos[max(0, min(index, len(self.pos) - 1))]
        return self.linenos[bisect_right(self.starts, offset) - 1]

def _blocks(text: str) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for lineno, raw in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw.strip(TRIM)
        if line:
            current.append((lineno, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _default_name(text: str) -> str:
    plain = " ".join(_HTML_TAG.sub("", text).split())
    if len(plain) > _NAME_LENGTH:
        cut = plain[:_NAME_LENGTH]
        space = cut.rfind(" ")
        plain = (cut[:space] if space > 0 else cut).rstrip() + "..."
    return plain or "Question name"


def _clean_name(name: str) -> str:
    name = name.strip(TRIM)
    return name if len(name) <= 255 else name[:252].rstrip() + "..."


def parse(text: str | bytes, path: str = "<input>") -> list[Question]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise GiftErrors([GiftError(path, line, _("the file is not UTF-8 text"))]) from None
    parser = _Parser(path)
    for lines in _blocks(text.removeprefix("\ufeff")):
        with contextlib.suppress(Abort):
            parser.block(Block(lines))
    if parser.errors:
        raise GiftErrors(parser.errors)
    return parser.questions


class _Parser(AnswerParser):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.questions: list[Question] = []
        self.category: str | None = None

    # -- a block: category or question ------------------------------------------------------

    def block(self, block: Block) -> None:
        self.b = block
        whole = Seg(block.text, 0)
        if whole.text == "":
            return  # only comments
        qline = block.line_at(0)
        if whole.text.startswith("$CATEGORY:"):
            self.category_block(whole.cut(len("$CATEGORY:")), qline)
            return
        typo = re.match(r"\$([A-Za-z]+):", whole.text)
        if typo and typo.group(1).upper() == "CATEGORY":
            raise self.fail(qline, _(
                "write '$CATEGORY:' in capital letters (found '%(found)s')",
                found=typo.group()))

        name = ""
        rest = whole
        if rest.text.startswith("::"):
            end = rest.text.find("::", 2)
            if end < 0:
                raise self.fail(qline, _("question name is not closed with '::'"))
            name = _clean_name(restore(rest.text[2:end]))
            rest = rest.cut(end + 2).strip()

        question = self.question(rest, qline)
        question.name = name or _default_name(question.text)
        comments = "\n".join(block.comments)
        idnumber = _IDNUMBER.search(comments)
        question.idnumber = idnumber.group(1).strip().replace("\\]", "]") if idnumber else ""
        question.tags = [t.strip().replace("\\]", "]") for t in _TAG.findall(comments)]
        question.category = self.category
        self.questions.append(question)

    def category_block(self, body: Seg, qline: int) -> None:
        newline = body.text.find("\n")
        if newline >= 0:
            extra = body.cut(newline).strip()
            self.error(extra, _(
                "a $CATEGORY line must be followed by a blank line before the next question"))
            body = body.cut(0, newline)
        category = restore(body.text).strip(TRIM)
        if not category:
            raise self.fail(qline, _("$CATEGORY needs a category name"))
        self.category = category

    def question(self, rest: Seg, qline: int) -> Question:
        t = rest.text
        opening, closing = t.find("{"), t.find("}")
        if opening < 0 and closing < 0:
            text, fmt = self.text(rest, TextFormat.MOODLE)
            if not text:
                raise self.fail(qline, _("question text is empty"))
            return Question(QuestionType.DESCRIPTION, "", text, fmt, line=qline)
        if closing < 0 or (opening >= 0 and t.find("{", opening + 1, closing) >= 0):
            raise self.fail(rest.cut(opening), _("unclosed answer block '{'"))
        if opening < 0 or closing < opening:
            raise self.fail(rest.cut(closing), _(
                "'}' without an opening '{' (write \\} for a literal brace)"))
        after_block = t[closing + 1 :]
        stray = min((i for i in (after_block.find("{"), after_block.find("}")) if i >= 0),
                    default=-1)
        if stray >= 0:
            raise self.fail(rest.cut(closing + 1 + stray), _(
                "a second answer block in the same question: separate questions with a "
                "blank line, or write \\{ and \\} for literal braces"))

        answers = rest.cut(opening + 1, closing).strip()
        general: Seg | None = None
        separator = answers.text.rfind("####")
        if separator >= 0:
            general = answers.cut(separator + 4)
            answers = answers.cut(0, separator).strip()

        before, after = rest.cut(0, opening), rest.cut(closing + 1)
        text_before = text_after = None
        if after.text:  # the block sits inside the text: Moodle puts _____ in its place
            full = Seg(before.text + BLANK + after.text, before.start)
            fmt, skip = self.format_prefix(full, TextFormat.MOODLE)
            text = restore(full.text[skip:]).strip(TRIM)
            text_before = restore(before.text[skip:]).lstrip(TRIM)
            text_after = restore(after.text).rstrip(TRIM)
        else:
            text, fmt = self.text(before, TextFormat.MOODLE)
            if not text:
                raise self.fail(qline, _("question text is empty"))
        general_text, general_fmt = (self.text(general, fmt) if general is not None
                                      else ("", fmt))

        question = Question(
            QuestionType.ESSAY, "", text, fmt, general_feedback=general_text,
            general_feedback_format=general_fmt, text_before=text_before,
            text_after=text_after, line=qline)
        a = answers.text
        if a == "":
            pass
        elif a.startswith("#"):
            self.numerical(question, answers.cut(1), qline)
        elif "~" in a:
            self.multichoice(question, answers, qline)
        elif "=" in a and "->" in a:
            self.matching(question, answers, qline)
        else:
            hash_at = a.find("#")
            check = a[:hash_at].strip(TRIM) if hash_at > 0 else a
            if check in TRUEFALSE:
                self.truefalse(question, answers, TRUEFALSE[check])
            elif check.upper() in TRUEFALSE:
                raise self.fail(answers, _(
                    "'%(text)s' is not a true/false answer: write {TRUE}, {FALSE}, {T} or "
                    "{F} in capitals (or {=%(text)s} for a short answer)", text=check))
            else:
                self.shortanswer(question, answers, qline)
        return question
