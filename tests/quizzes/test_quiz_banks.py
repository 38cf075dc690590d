"""Question bank import: parse, validate, upsert by slug; round trip of the shipped banks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.errors import DomainError
from elearn.quizzes import banks
from elearn.quizzes.banks import BankInvalid
from elearn.quizzes.gift import QuestionType, parse_gift
from elearn.quizzes.models import BankQuestion, QuestionBank
from elearn.quizzes.questions import question_from_data, question_to_data

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "quizzes").glob("*.gift"))

SMALL = """\
::Capital::What is the capital of Kenya?{=Nairobi#Right. ~Mombasa#No, a port. ~Kisumu}

::Year::In which year did the Stockholm Convention enter into force?{#2004}
"""


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_shipped_banks_exist_and_use_several_types():
    assert len(SHIPPED) >= 4
    for path in SHIPPED:
        types = {q.type for q in parse_gift(path.read_text("utf-8"), str(path))}
        assert len(types) >= 5, (path.name, types)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_bank_round_trips_through_the_database(db, path):
    text = path.read_text("utf-8")
    result = banks.import_bank(path.stem, text, path=f"quizzes/{path.name}")
    db.session.commit()
    bank = banks.find_bank(path.stem)
    assert [row.question for row in bank.active_questions] == parse_gift(text)
    # Written back out, the bank parses to the same questions, and re-importing the
    # written text changes no question.
    written = banks.write_bank(bank)
    assert parse_gift(written) == parse_gift(text)
    again = banks.import_bank(path.stem, written)
    assert again.changed and not again.added and again.retired == 0
    assert again.kept == len(result.added)


def test_data_conversion_is_lossless_for_every_type():
    sample = (ROOT / "tests/unit/gift_samples/pops_basics.gift").read_text("utf-8")
    questions = parse_gift(sample)
    assert {q.type for q in questions} >= set(QuestionType) - {QuestionType.DESCRIPTION}
    for question in questions:
        assert question_from_data(question_to_data(question)) == question


def test_import_creates_a_bank_with_rendered_questions(db):
    result = banks.import_bank("kenya", SMALL, title="Kenya basics")
    db.session.commit()
    assert result.created and result.changed and len(result.added) == 2
    bank = banks.find_bank("kenya")
    assert bank.title == "Kenya basics"
    first, second = bank.active_questions
    assert (first.position, first.line, first.type, first.name) == (1, 1, "multichoice", "Capital")
    assert (second.position, second.line, second.type) == (2, 3, "numerical")
    assert first.text_html == "<p>What is the capital of Kenya?</p>"
    assert first.html["answers"][1] == {"text": "Mombasa", "feedback": "No, a port.",
                                        "match_right": ""}


def test_reimport_of_identical_text_changes_nothing(db):
    banks.import_bank("kenya", SMALL)
    db.session.commit()
    bank = banks.find_bank("kenya")
    before = [(q.id, q.created_at) for q in bank.questions], bank.updated_at
    result = banks.import_bank("kenya", SMALL)
    db.session.commit()
    assert not result.changed and not result.created and result.kept == 2
    assert ([(q.id, q.created_at) for q in bank.questions], bank.updated_at) == before


def test_reimport_keeps_unchanged_questions_and_replaces_changed_ones(db):
    banks.import_bank("kenya", SMALL)
    db.session.commit()
    ids = {q.name: q.id for q in banks.find_bank("kenya").active_questions}
    changed = SMALL.replace("#2004", "#2004:1") + "\n::New::Is DDT a POP?{T}\n"
    result = banks.import_bank("kenya", changed.replace("Capital::", "Capital::\n"))
    db.session.commit()
    bank = banks.find_bank("kenya")
    rows = bank.active_questions
    assert [r.name for r in rows] == ["Capital", "Year", "New"]
    assert rows[0].id == ids["Capital"]  # same content, moved a line: same row
    assert rows[1].question.answers[0].tolerance == 1  # changed: a new version
    assert (len(result.added), result.kept, result.retired) == (2, 1, 1)


def test_malformed_gift_rejects_the_whole_import_and_changes_nothing(db):
    banks.import_bank("kenya", SMALL)
    db.session.commit()
    bad = SMALL + "\n::Fine::Fine question{T}\n\n::Broken::No end {=a ~b\n\n::W::{=x ~%50%y}\n"
    with pytest.raises(BankInvalid) as info:
        banks.import_bank("kenya", bad, path="kenya.gift")
    db.session.rollback()
    lines = [str(p) for p in info.value.problems]
    assert lines[0].startswith("kenya.gift:7: ")
    assert any(line.startswith("kenya.gift:9: ") for line in lines)
    assert info.value.status == 422
    assert [q.name for q in banks.find_bank("kenya").active_questions] == ["Capital", "Year"]
    with pytest.raises(BankInvalid):
        banks.import_bank("other", bad)
    db.session.rollback()
    assert banks.find_bank("other") is None


def test_a_bank_needs_a_gradable_question_and_a_valid_name(db):
    with pytest.raises(BankInvalid) as info:
        banks.import_bank("empty", "// nothing here\n", path="empty.gift")
    assert str(info.value.problems[0]).startswith("empty.gift:1: ")
    with pytest.raises(BankInvalid):
        banks.import_bank("intro", "Just a description{}".replace("{}", ""))
    for slug in ("", "Upper", "a_b", "-x", "x" * 101):
        with pytest.raises(DomainError):
            banks.import_bank(slug, SMALL)
    db.session.rollback()
    assert count(db, QuestionBank) == 0 and count(db, BankQuestion) == 0


def test_gift_cannot_inject_script(db):
    text = (
        "::H::[html]<p onclick=\"x()\">Pick <script>alert(1)</script>one</p>"
        "{=<strong>a</strong>#<img src\\=x onerror\\=alert(2)>good ~b}\n\n"
        "::M::[markdown]Click [me](javascript:alert(3)) <iframe src=//evil></iframe>{T}\n\n"
        "::D::Default <script>alert(4)</script> format{=a ~b}\n"
    )
    banks.import_bank("xss", text)
    db.session.commit()
    for row in banks.find_bank("xss").active_questions:
        rendered = row.text_html + repr(row.html)
        for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe"):
            assert bad not in rendered
    html = banks.find_bank("xss").active_questions[0]
    assert "<strong>a</strong>" in html.html["answers"][0]["text"]


def test_slug_from_filename():
    assert banks.slug_from_filename("Customs Trade_final.gift") == "customs-trade-final"
    assert banks.slug_from_filename("C:\\banks\\pcb.txt") == "pcb"
    assert banks.slug_from_filename("...") == ""
