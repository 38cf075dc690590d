"""Trainers' bank pages: list, upload or paste with preview, errors by line, download."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from elearn.quizzes import banks
from elearn.quizzes.gift import parse_gift
from elearn.quizzes.models import BankQuestion

ROOT = Path(__file__).resolve().parents[2]
CUSTOMS = (ROOT / "quizzes" / "customs-trade-final.gift").read_text("utf-8")

GOOD = "::Capital::What is the capital of Kenya?{=Nairobi#Right. ~Mombasa#No, a port.}\n"
BAD = GOOD + "\n::Broken::Unclosed {=a ~b\n\n::T::Is DDT a POP?{true}\n"


def question_rows(db) -> int:
    return db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one()


def test_learners_and_visitors_cannot_see_banks(client, make_user, login):
    assert client.get("/trainer/banks").status_code == 302  # to the login page
    login(make_user())
    for url in ("/trainer/banks", "/trainer/banks/import", "/trainer/banks/x/download"):
        assert client.get(url).status_code == 403
    assert client.post("/trainer/banks/import", data={"gift_text": GOOD, "slug": "k",
                                                       "save": "1"}).status_code == 403


def test_upload_preview_then_save(client, db, make_user, login):
    login(make_user(role="trainer"))
    response = client.post("/trainer/banks/import", data={
        "gift_file": (io.BytesIO(CUSTOMS.encode("utf-8-sig")), "customs-trade-final.gift"),
        "gift_text": "", "slug": "", "title": "", "preview": "Preview",
    }, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview: 25 questions" in html
    assert "Saving creates the bank customs-trade-final." in html
    assert "Q1 Import of an Annex A chemical" in html and "Multiple response" in html
    assert "-100 %" in html  # the trainer sees the weights
    assert banks.find_bank("customs-trade-final") is None  # a preview saves nothing
    # The text moved into the text area, so the trainer can save without uploading again.
    assert "::Q1 Import of an Annex A chemical::" in html

    response = client.post("/trainer/banks/import", data={
        "gift_text": CUSTOMS, "slug": "customs-trade-final", "title": "Customs final",
        "save": "Save bank"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/trainer/banks/customs-trade-final")
    bank = banks.find_bank("customs-trade-final")
    assert bank.title == "Customs final" and len(bank.active_questions) == 25
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created with 25 questions" in page and "Q25" in page

    listing = client.get("/trainer/banks").get_data(as_text=True)
    assert "customs-trade-final" in listing and "Customs final" in listing


def test_malformed_gift_shows_errors_with_line_numbers_and_changes_nothing(client, db,
                                                                           make_user, login):
    login(make_user(role="trainer"))
    client.post("/trainer/banks/import", data={"gift_text": GOOD, "slug": "kenya",
                                               "save": "1"})
    before = question_rows(db)
    for button in ("preview", "save"):
        response = client.post("/trainer/banks/import", data={
            "gift_file": (io.BytesIO(BAD.encode()), "kenya.gift"), "slug": "kenya",
            button: "1"}, content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Nothing was saved." in html
        assert "<code>kenya.gift:3</code>" in html
        assert "<code>kenya.gift:5</code>" in html
    assert question_rows(db) == before
    assert [q.name for q in banks.find_bank("kenya").active_questions] == ["Capital"]


def test_form_errors(client, db, make_user, login):
    login(make_user(role="trainer"))
    empty = client.post("/trainer/banks/import", data={"gift_text": " ", "preview": "1"})
    assert empty.status_code == 422
    assert "Upload a GIFT file or paste GIFT text." in empty.get_data(as_text=True)
    unnamed = client.post("/trainer/banks/import", data={"gift_text": GOOD, "save": "1"})
    assert "Give the bank a name." in unnamed.get_data(as_text=True)
    bad_slug = client.post("/trainer/banks/import", data={"gift_text": GOOD, "slug": "A b",
                                                          "save": "1"})
    assert bad_slug.status_code == 422
    latin1 = client.post("/trainer/banks/import", data={
        "gift_file": (io.BytesIO("::É::Été?{T}".encode("latin-1")), "x.gift"), "save": "1"},
        content_type="multipart/form-data")
    assert "The file is not UTF-8 text." in latin1.get_data(as_text=True)
    assert banks.list_banks() == []


def test_replacing_a_bank_shows_a_warning_and_prefills_its_text(client, db, make_user,
                                                                  login):
    login(make_user(role="trainer"))
    banks.import_bank("kenya", GOOD, title="Kenya")
    db.session.commit()
    form = client.get("/trainer/banks/import?slug=kenya").get_data(as_text=True)
    assert "::Capital::What is the capital of Kenya?" in form
    preview = client.post("/trainer/banks/import", data={
        "gift_text": GOOD + "\n::Two::Two?{T}\n", "slug": "kenya", "preview": "1"})
    assert "Saving replaces the 1 questions of the bank kenya." in preview.get_data(as_text=True)
    assert client.get("/trainer/banks/import?slug=nope").status_code == 404


def test_download_as_gift(client, db, make_user, login):
    login(make_user(role="trainer"))
    banks.import_bank("customs-trade-final", CUSTOMS)
    db.session.commit()
    response = client.get("/trainer/banks/customs-trade-final/download")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="customs-trade-final.gift"')
    assert parse_gift(response.get_data(as_text=True)) == parse_gift(CUSTOMS)
    assert client.get("/trainer/banks/nope/download").status_code == 404
