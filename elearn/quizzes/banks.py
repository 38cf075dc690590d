"""Question bank services: parse, preview, import (upsert by slug), export.

``import_bank`` is the one way a bank's questions change, whether the GIFT comes from the
content library (``flask content sync``) or from a trainer's upload or paste. It parses
everything first: one bad question rejects the whole import with every error located
as ``path:line: message`` (:class:`BankInvalid`), and nothing is written. It flushes and
never commits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from elearn.db import utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.quizzes.gift import GiftError, GiftErrors, Question, QuestionType, parse_gift
from elearn.quizzes.gift import write_gift as _write_gift
from elearn.quizzes.models import AttemptAnswer, BankQuestion, QuestionBank
from elearn.quizzes.questions import content_hash, question_to_data, render_question

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 100
#: Largest GIFT text accepted (characters); the shipped banks are about 20 000.
MAX_GIFT_CHARS = 1_000_000

#: What trainers call each question type.
TYPE_LABELS = {
    QuestionType.MULTICHOICE: _l("Multiple choice"),
    QuestionType.MULTIRESPONSE: _l("Multiple response"),
    QuestionType.TRUEFALSE: _l("True/false"),
    QuestionType.SHORTANSWER: _l("Short answer"),
    QuestionType.NUMERICAL: _l("Numerical"),
    QuestionType.MATCHING: _l("Matching"),
    QuestionType.MISSINGWORD: _l("Missing word"),
    QuestionType.ESSAY: _l("Essay"),
    QuestionType.DESCRIPTION: _l("Description"),
}


def type_label(question_type: str) -> str:
    return str(TYPE_LABELS.get(QuestionType(question_type), question_type))


class BankInvalid(DomainError):
    """The GIFT text has errors; ``problems`` lists them (each prints ``path:line: msg``)."""

    status = 422

    def __init__(self, problems: list[GiftError], message: str | None = None):
        self.problems = problems
        super().__init__(
            message or _("The question bank has %(num)d error(s); nothing was saved.",
                         num=len(problems)),
            errors={"gift": [str(p) for p in problems]},
        )


def gift_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def valid_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= SLUG_MAX and SLUG_RE.fullmatch(slug) is not None


def slug_from_filename(filename: str) -> str:
    """``Customs Trade_final.gift`` -> ``customs-trade-final`` (may be empty)."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if stem.lower().endswith(".gift") or stem.lower().endswith(".txt"):
        stem = stem.rsplit(".", 1)[0]
    return "-".join(re.findall(r"[a-z0-9]+", stem.lower()))[:SLUG_MAX].strip("-")


def title_from_slug(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def parse_bank(text: str, path: str) -> list[Question]:
    """Parse and check a bank's GIFT. Raises :class:`BankInvalid` with every error."""
    if len(text) > MAX_GIFT_CHARS:
        raise BankInvalid([GiftError(path, 1, _("The text is longer than %(max)d characters.",
                                                max=MAX_GIFT_CHARS))])
    try:
        questions = parse_gift(text, path)
    except GiftErrors as errors:
        raise BankInvalid(list(errors)) from None
    if not any(q.is_graded for q in questions):
        raise BankInvalid([GiftError(path, 1, _("The bank has no question that can be "
                                                "graded (only descriptions, or nothing)."))])
    return questions


@dataclass
class ImportResult:
    """What an import did. ``changed`` is False when the text was already the bank's."""

    bank: QuestionBank
    created: bool = False
    changed: bool = False
    added: list[BankQuestion] = field(default_factory=list)
    kept: int = 0
    retired: int = 0


def find_bank(slug: str) -> QuestionBank | None:
    return db.session.execute(
        select(QuestionBank).where(QuestionBank.slug == slug)
    ).scalar_one_or_none()


def list_banks() -> list[QuestionBank]:
    return list(db.session.execute(select(QuestionBank).order_by(QuestionBank.slug)).scalars())


def import_bank(
    slug: str,
    text: str,
    *,
    path: str | None = None,
    title: str | None = None,
    user=None,
    source_path: str | None = None,
    now=None,
) -> ImportResult:
    """Create or update bank ``slug`` from GIFT ``text`` (errors name ``path``).

    Unchanged questions keep their rows; new or changed ones get new rows; questions no
    longer in the text are retired (kept for the attempts that used them). Importing
    the text the bank already holds changes nothing (a new ``title`` is still saved).
    ``source_path`` marks a library sync (the file's hash is kept in ``source_hash``).
    """
    if not valid_slug(slug):
        raise DomainError(
            _("A bank name uses lower-case letters, digits and hyphens (at most %(max)d).",
              max=SLUG_MAX), errors={"slug": [_("Not a valid bank name.")]}, status=422,
        )
    path = path or f"{slug}.gift"
    questions = parse_bank(text, path)
    now = now or utcnow()
    digest = gift_hash(text)
    bank = find_bank(slug)
    created = bank is None
    if bank is None:
        bank = QuestionBank(slug=slug, title=(title or "").strip() or title_from_slug(slug),
                            content_hash="", created_at=now, updated_at=now)
        db.session.add(bank)
    result = ImportResult(bank=bank, created=created)
    if not created and title and title.strip() and title.strip() != bank.title:
        bank.title = title.strip()
        bank.updated_at = now
    if source_path is not None:
        bank.source_path, bank.source_hash = source_path, digest
    if bank.content_hash == digest:
        result.kept = len(bank.active_questions)
        db.session.flush()
        return result

    result.changed = True
    bank.gift_source, bank.content_hash, bank.updated_at = text, digest, now
    if user is not None:
        bank.updated_by_id = user.id
    _replace_questions(bank, questions, result, now)
    db.session.flush()
    return result


def _replace_questions(bank: QuestionBank, questions: list[Question], result: ImportResult,
                       now) -> None:
    """Match the new questions to existing rows by content; add, keep and retire."""
    reusable: dict[str, list[BankQuestion]] = {}
    for row in sorted(bank.questions, key=lambda r: (not r.active, r.position, r.id or 0)):
        reusable.setdefault(row.content_hash, []).append(row)
    used: set[int] = set()
    for position, question in enumerate(questions, start=1):
        data = question_to_data(question)
        digest = content_hash(data)
        candidates = reusable.get(digest)
        if candidates:
            row = candidates.pop(0)
            if row.active:
                result.kept += 1
            else:
                result.added.append(row)
        else:
            text_html, html = render_question(question)
            row = BankQuestion(type=question.type.value, name=question.name[:300],
                               content_hash=digest, data=data, text_html=text_html,
                               html=html, created_at=now)
            bank.questions.append(row)
            result.added.append(row)
        row.position, row.line, row.active = position, question.line, True
        used.add(id(row))
    for row in bank.questions:
        if id(row) not in used and row.active:
            row.active = False
            result.retired += 1
    _forget_unused(bank)


def _forget_unused(bank: QuestionBank) -> None:
    """Delete retired versions that no attempt refers to (nothing would show them)."""
    retired = [row for row in bank.questions if not row.active]
    ids = [row.id for row in retired if row.id is not None]
    referenced = set(db.session.execute(
        select(AttemptAnswer.question_id).where(AttemptAnswer.question_id.in_(ids))
    ).scalars()) if ids else set()
    for row in retired:
        if row.id not in referenced:
            bank.questions.remove(row)


def write_bank(bank: QuestionBank) -> str:
    """The bank's current questions as GIFT (:func:`elearn.quizzes.gift.write_gift`)."""
    return _write_gift(row.question for row in bank.active_questions)


def bank_exists(slug: str) -> bool:
    """True when a bank ``slug`` exists (courses name their quiz's bank by slug)."""
    return db.session.execute(
        select(QuestionBank.id).where(QuestionBank.slug == slug)
    ).first() is not None
