"""Question banks and their questions; quiz attempts and their answers.

A bank is one GIFT file (``quizzes/<slug>.gift``) or the same text uploaded or pasted in
the browser. Its questions are stored parsed: ``data`` holds the question as JSON (what
grading needs, so grading never re-parses GIFT), and the texts are rendered to safe HTML
by ``elearn.markup`` when the bank is imported (pages never render per request).

A question row is a *version*: importing a bank again keeps the rows whose content did
not change, adds rows for new or changed questions and retires (``active = False``) the
rest, so an attempt always grades and reviews the question it was given.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import utcnow
from elearn.extensions import db


class QuestionBank(db.Model):
    """A GIFT question bank, identified by its slug (the file name without ``.gift``)."""

    __tablename__ = "question_banks"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier: the file name in ``quizzes/`` without ``.gift``; courses name it.
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    #: Display title for trainers.
    title: Mapped[str] = mapped_column(String(200))
    #: The GIFT text the current questions were imported from, as written.
    gift_source: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 of ``gift_source``: an import of identical text changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: Library file it is synced from (``quizzes/<slug>.gift``); None if made in the browser.
    source_path: Mapped[str | None] = mapped_column(String(300))
    #: SHA-256 of that file as last synced: an unchanged file leaves browser edits alone.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: The trainer who last imported it in the browser; None for the content sync.
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its questions or title last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[BankQuestion]] = relationship(
        back_populates="bank", cascade="all, delete-orphan",
        order_by=lambda: (BankQuestion.position, BankQuestion.id),
    )
    updated_by = relationship("User")

    @property
    def active_questions(self) -> list[BankQuestion]:
        """The bank's current questions, in file order."""
        return [q for q in self.questions if q.active]

    def __repr__(self) -> str:
        return f"<QuestionBank {self.slug}>"


class BankQuestion(db.Model):
    """One version of one question of a bank, parsed and rendered."""

    __tablename__ = "bank_questions"
    __table_args__ = (
        Index("ix_bank_questions_bank_active_position", "bank_id", "active", "position"),
    )

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bank.
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    #: Order in the bank (1, 2, 3... in file order); kept as it was when retired.
    position: Mapped[int] = mapped_column(default=1)
    #: Part of the bank now; False once a new import dropped or changed it.
    active: Mapped[bool] = mapped_column(default=True)
    #: Line of the GIFT text where the question starts (for trainers' reference).
    line: Mapped[int] = mapped_column(default=0)
    #: ``elearn.quizzes.gift.QuestionType`` value (multichoice, essay...).
    type: Mapped[str] = mapped_column(String(20), index=True)
    #: The GIFT ``::name::`` (or Moodle's default name from the text).
    name: Mapped[str] = mapped_column(String(300))
    #: SHA-256 of ``data``: tells an unchanged question from a new version.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The parsed question (``elearn.quizzes.questions.question_to_data``), key included.
    data: Mapped[dict] = mapped_column(JSON)
    #: The question text rendered to safe HTML.
    text_html: Mapped[str] = mapped_column(Text, default="")
    #: Everything else rendered to safe HTML: text halves, answers, feedback.
    html: Mapped[dict] = mapped_column(JSON, default=dict)
    #: When this version was imported (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")

    @property
    def question(self):
        """The question as :class:`elearn.quizzes.gift.Question` (built from ``data``)."""
        from elearn.quizzes.questions import question_from_data

        cached = self.__dict__.get("_question")
        if cached is None:
            cached = question_from_data(self.data)
            self.__dict__["_question"] = cached
        return cached

    @property
    def is_graded(self) -> bool:
        return self.type != "description"

    def __repr__(self) -> str:
        return f"<BankQuestion {self.bank_id}/{self.position} {self.name!r}>"


class AttemptState(enum.StrEnum):
    """Where an attempt is. Submitting (or the deadline) moves ``in_progress`` to
    ``submitted`` with a conditional UPDATE, so exactly one request or job closes an
    attempt; grading then moves it on in the same transaction, to ``graded`` or, while an
    essay waits for a trainer, ``needs_grading``."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    NEEDS_GRADING = "needs_grading"
    GRADED = "graded"


class QuizAttempt(db.Model):
    """One try at a course's closing quiz: the questions drawn, the answers, the result."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "number"),
        Index("ix_quiz_attempts_state_deadline", "state", "deadline"),
    )

    #: Primary key (only ever shown to the attempt's owner and to trainers).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The learner.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The course whose quiz this is.
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    #: The bank the questions were drawn from.
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    #: 1 for the learner's first attempt at this course's quiz, then 2, 3...
    number: Mapped[int]
    #: Seed of the order of options on screen. Server-side only: it maps keys to answers.
    shuffle_seed: Mapped[str] = mapped_column(String(64))
    #: Options shown in file order when False (the course's setting at the start).
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    #: Percentage needed to pass (the course's setting at the start).
    pass_mark: Mapped[int]
    #: in_progress, submitted, needs_grading or graded (``AttemptState``).
    state: Mapped[str] = mapped_column(String(20), default=AttemptState.IN_PROGRESS.value)
    #: When the learner started (UTC).
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Answers are refused after this (UTC); None without a time limit.
    deadline: Mapped[datetime | None]
    #: When the learner last saved answers (UTC).
    saved_at: Mapped[datetime | None]
    #: When the attempt was closed: submitted, or its deadline when closed for time (UTC).
    submitted_at: Mapped[datetime | None]
    #: True when the time limit closed it rather than the learner.
    closed_by_deadline: Mapped[bool] = mapped_column(default=False)
    #: When the score was last computed (UTC).
    graded_at: Mapped[datetime | None]
    #: Score in percent (0-100); None until every answer is graded.
    score: Mapped[float | None]
    #: score >= pass_mark; None until graded.
    passed: Mapped[bool | None]
    #: When the attempt first reached the pass mark (UTC); kept if a re-grade lowers it.
    passed_at: Mapped[datetime | None]

    user = relationship("User")
    course = relationship("Course")
    bank: Mapped[QuestionBank] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan",
        order_by=lambda: AttemptAnswer.slot,
    )

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS.value

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} user={self.user_id} course={self.course_id} {self.state}>"


class AttemptAnswer(db.Model):
    """A drawn question in an attempt, with the learner's response and its grade."""

    __tablename__ = "quiz_attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The attempt.
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    #: The question version drawn (never deleted while an attempt refers to it).
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id"), index=True)
    #: Its place in the attempt: 1, 2, 3... (the form's field names use it).
    slot: Mapped[int]
    #: What the learner sent, in screen keys (choice keys, text, item -> choice); None: blank.
    response: Mapped[dict | list | str | int | None] = mapped_column(JSON)
    #: Credit earned, 0..1: computed on submission, or the trainer's grade for an essay.
    fraction: Mapped[float | None]
    #: What the learner sees on review: state, rendered answer and general feedback.
    feedback: Mapped[dict | None] = mapped_column(JSON)
    #: The trainer's comment on an essay.
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The trainer who graded the essay.
    graded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When the trainer graded it (UTC).
    graded_at: Mapped[datetime | None]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[BankQuestion] = relationship()
    graded_by = relationship("User", foreign_keys=[graded_by_id])
