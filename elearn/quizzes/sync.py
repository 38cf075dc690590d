"""The question-bank step of ``flask content sync``: ``quizzes/<slug>.gift`` -> banks.

``validate`` parses every bank file and reports each problem as ``path:line: message``
(the course step checks that each course's ``quiz.bank`` names one of these files);
``apply`` imports each file through :func:`elearn.quizzes.banks.import_bank`. A file
that has not changed since the last sync is skipped, so a bank edited in the browser
keeps its edits until its file changes. A bank whose file disappeared is kept (courses
and attempts refer to it) and no longer marked as coming from the library.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from elearn.courses.library import Problem
from elearn.courses.sync import StepSummary
from elearn.extensions import db
from elearn.quizzes import banks
from elearn.quizzes.banks import BankInvalid
from elearn.quizzes.models import QuestionBank

FOLDER = "quizzes"


class BankLibraryStep:
    """Question banks from ``ROOT/quizzes/*.gift``."""

    name = "quiz banks"

    def __init__(self) -> None:
        self._root: Path | None = None
        self._files: list[tuple[str, str, str]] = []  # (slug, path, text)
        self._problems: list[Problem] = []

    def _read(self, root: Path) -> None:
        root = root.resolve()
        if self._root == root:
            return
        self._root, self._files, self._problems = root, [], []
        folder = root / FOLDER
        paths = sorted(folder.glob("*.gift")) if folder.is_dir() else []
        for path in paths:
            rel = f"{FOLDER}/{path.name}"
            slug = path.name[: -len(".gift")]
            if not banks.valid_slug(slug):
                self._problems.append(Problem(rel, 1, "a bank file is named after its bank: "
                                                      "lower-case letters, digits and "
                                                      "hyphens, then .gift"))
                continue
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = path.read_bytes()[: exc.start].count(b"\n") + 1
                self._problems.append(Problem(rel, line, "not UTF-8 text"))
                continue
            try:
                banks.parse_bank(text, rel)
            except BankInvalid as invalid:
                self._problems.extend(Problem(p.path, p.line, p.message)
                                      for p in invalid.problems)
                continue
            self._files.append((slug, rel, text))

    def validate(self, root: Path) -> list[Problem]:
        self._read(root)
        return list(self._problems)

    def apply(self, root: Path) -> StepSummary:
        self._read(root)
        if self._problems:
            from elearn.courses.sync import LibraryProblems

            raise LibraryProblems(self._problems)
        summary = StepSummary(self.name)
        seen = set()
        for slug, rel, text in self._files:
            seen.add(slug)
            bank = banks.find_bank(slug)
            if bank is not None and bank.source_hash == banks.gift_hash(text):
                summary.unchanged += 1
                continue
            result = banks.import_bank(slug, text, path=rel, source_path=rel)
            if result.created:
                summary.added.append(f"bank {slug} ({len(result.added)} questions)")
            elif result.changed:
                summary.changed.append(
                    f"bank {slug} ({len(result.added)} new or changed, {result.kept} "
                    f"unchanged, {result.retired} removed questions)")
            else:
                summary.unchanged += 1
        gone = db.session.execute(
            select(QuestionBank).where(QuestionBank.source_path.is_not(None))
        ).scalars()
        for bank in gone:
            if bank.slug not in seen:
                bank.source_path = bank.source_hash = None
                summary.removed.append(f"bank {bank.slug} (file removed; the bank is kept)")
        db.session.flush()
        return summary
