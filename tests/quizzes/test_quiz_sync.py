"""Question banks in ``flask content sync``: validation with path:line, upserts, re-sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.quizzes import banks

ROOT = Path(__file__).resolve().parents[2]

THEMES = "- slug: customs\n  title: Customs\n  description: Trade.\n  order: 1\n"
COURSE = """\
---
title: Trade controls
theme: customs
language: en
summary: Customs.
minutes: 30
quiz:
  bank: customs-trade-final
  pass_mark: 80
  attempts: 3
  time_limit_minutes: 20
  questions: 10
---
Introduction.
"""
MODULE = "---\ntitle: Why\nminutes: 10\n---\nText.\n"


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "library"
    (root / "courses" / "customs-trade").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "courses" / "themes.yml").write_text(THEMES)
    (root / "courses" / "customs-trade" / "course.md").write_text(COURSE)
    (root / "courses" / "customs-trade" / "01-why.md").write_text(MODULE)
    for path in (ROOT / "quizzes").glob("*.gift"):
        (root / "quizzes" / path.name).write_bytes(path.read_bytes())
    return root


def sync(app, root: Path, *args: str):
    return app.test_cli_runner().invoke(args=["content", "sync", str(root), *args])


def test_sync_imports_every_bank_and_a_second_run_changes_nothing(app, db, library):
    shipped = len(list((ROOT / "quizzes").glob("*.gift")))
    result = sync(app, library)
    assert result.exit_code == 0, result.output
    assert f"quiz banks: {shipped} added, 0 changed" in result.output
    assert "+ bank customs-trade-final (25 questions)" in result.output
    bank = banks.find_bank("customs-trade-final")
    assert bank.source_path == "quizzes/customs-trade-final.gift"
    assert len(bank.active_questions) == 25
    ids = sorted(q.id for q in bank.questions)

    again = sync(app, library)
    assert again.exit_code == 0, again.output
    assert (f"quiz banks: 0 added, 0 changed, 0 removed or unpublished, {shipped} unchanged"
            in again.output)
    assert "Nothing to change" in again.output
    db.session.expire_all()
    assert sorted(q.id for q in banks.find_bank("customs-trade-final").questions) == ids


def test_errors_are_listed_as_path_line_message_and_nothing_changes(app, db, library):
    bank = library / "quizzes" / "customs-trade-final.gift"
    text = bank.read_text("utf-8")
    broken_line = text.count("\n") + 2
    bank.write_text(text + "\n::Broken::A question with an unclosed block {=a ~b\n", "utf-8")
    (library / "quizzes" / "Bad Name.gift").write_text("::Q::Fine?{T}\n")
    (library / "quizzes" / "broken-too.gift").write_text("\n\n::X::{=%33%a ~b}\n")
    result = sync(app, library)
    assert result.exit_code == 1
    output = result.output
    assert f"quizzes/customs-trade-final.gift:{broken_line}: " in output
    assert "quizzes/Bad Name.gift:1: a bank file is named after its bank" in output
    assert "quizzes/broken-too.gift:3: " in output
    assert "nothing was changed" in output
    assert banks.list_banks() == []


def test_a_course_must_name_a_bank_that_exists(app, db, library):
    (library / "quizzes" / "customs-trade-final.gift").unlink()
    result = sync(app, library)
    assert result.exit_code == 1
    assert "courses/customs-trade/course.md:" in result.output
    assert "quiz bank 'customs-trade-final' not found" in result.output


def test_a_changed_file_updates_its_bank_and_a_removed_one_is_kept(app, db, library):
    assert sync(app, library).exit_code == 0
    path = library / "quizzes" / "pcb-management-final.gift"
    path.write_text(path.read_text("utf-8") + "\n::Extra::Are PCBs POPs?{T}\n", "utf-8")
    (library / "quizzes" / "poprc-participation-final.gift").unlink()
    result = sync(app, library)
    assert result.exit_code == 0, result.output
    assert "~ bank pcb-management-final (1 new or changed, 24 unchanged, 0 removed" in (
        result.output)
    assert "- bank poprc-participation-final (file removed; the bank is kept)" in result.output
    db.session.expire_all()
    assert banks.find_bank("pcb-management-final").active_questions[-1].name == "Extra"
    kept = banks.find_bank("poprc-participation-final")
    assert kept is not None and kept.source_path is None


def test_a_browser_edit_survives_until_the_file_changes(app, db, library, make_user):
    assert sync(app, library).exit_code == 0
    banks.import_bank("customs-trade-final", "::Only::One question?{T}\n",
                      user=make_user(role="trainer"))
    db.session.commit()
    assert sync(app, library).exit_code == 0
    db.session.expire_all()
    assert [q.name for q in banks.find_bank("customs-trade-final").active_questions] == ["Only"]
    path = library / "quizzes" / "customs-trade-final.gift"
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    assert sync(app, library).exit_code == 0
    db.session.expire_all()
    assert len(banks.find_bank("customs-trade-final").active_questions) == 25
