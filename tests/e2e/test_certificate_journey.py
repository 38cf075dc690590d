"""A customs officer finishes a shipped course (every module, then the closing quiz),
receives the certificate by e-mail, downloads the PDF, and a visitor who is not signed in
opens the QR code's address and sees the certificate is valid."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pypdf
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

COURSE = "Trade controls for customs officers"
EMAIL = "ibrahim.toure@douanes.example.ml"
PASSWORD = "niger river customs"


# -- the learner knows the course: the right answer to each question of the attempt -------


def _right_answers(live_server, attempt_id: int) -> dict[int, tuple[str, object]]:
    """{slot: (kind, what to enter)} for an attempt, worked out from the shipped bank the
    way a learner who studied the modules would answer, in the page's option keys."""
    from elearn import create_app
    from elearn.extensions import db
    from elearn.quizzes.gift import QuestionType
    from elearn.quizzes.grading import decode_response, grade, public_view
    from elearn.quizzes.models import QuizAttempt

    app = create_app("development", SQLALCHEMY_DATABASE_URI=live_server.database_url,
                     BASE_URL=live_server.url)
    answers: dict[int, tuple[str, object]] = {}
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        seed = attempt.shuffle_seed
        for answer in attempt.answers:
            question = answer.question.question
            view = public_view(question, seed)
            keys = [c.key for c in view.choices]

            def credit(submitted, question=question):
                return grade(question, decode_response(question, seed, submitted)) or 0

            t = question.type
            if t is QuestionType.MULTIRESPONSE:
                answers[answer.slot] = ("check", [k for k in keys if credit([k]) > 0])
            elif t in (QuestionType.MULTICHOICE, QuestionType.MISSINGWORD,
                       QuestionType.TRUEFALSE):
                kind = "select" if question.embedded else "check"
                answers[answer.slot] = (kind, [next(k for k in keys if credit(k) == 1)])
            elif t is QuestionType.MATCHING:

                def pairs(item, key, question=question):
                    [(index, right)] = decode_response(question, seed, {item: key}).items()
                    return question.answers[index].match_right == right

                answers[answer.slot] = ("match", {
                    stem.key: next(k for k in keys if pairs(stem.key, k)) for stem in view.stems
                })
            elif t is QuestionType.NUMERICAL:
                best = next(a for a in question.answers if a.fraction == 1)
                answers[answer.slot] = ("fill", f"{best.value:g}")
            elif t is QuestionType.SHORTANSWER:
                best = next(a for a in question.answers if a.fraction == 1 and "*" not in a.text)
                answers[answer.slot] = ("fill", best.text)
        db.session.remove()
    return answers


def _answer_the_quiz(page, live_server) -> None:
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)", page.url).group(1))
    for slot, (kind, value) in _right_answers(live_server, attempt_id).items():
        question = page.locator(f"#question-{slot}")
        if kind == "check":
            for key in value:
                question.locator(f'input[name="q{slot}"][value="{key}"]').check()
        elif kind == "select":
            question.locator(f'select[name="q{slot}"]').select_option(str(value[0]))
        elif kind == "match":
            for item, key in value.items():
                question.locator(f'select[name="q{slot}-{item}"]').select_option(str(key))
        else:
            question.locator(f'input[name="q{slot}"]').fill(value)


# -- the QR code on the PDF ----------------------------------------------------------------


def _qr_url(pdf: bytes, tmp_path) -> str:
    """The address the PDF's QR code opens: decoded from the printed image when zbarimg
    and pdftoppm are installed (CI), else the link the QR code carries in the PDF."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    links = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])}
    assert len(links) == 1, links  # the QR code and the printed address: one URL
    [linked] = links
    zbarimg, pdftoppm = shutil.which("zbarimg"), shutil.which("pdftoppm")
    if not (zbarimg and pdftoppm):
        return linked
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "150", "-gray", "-png", "-singlefile",
                    str(tmp_path / "certificate.pdf"), str(tmp_path / "page")], check=True)
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=False).stdout.split()
    assert decoded == [linked]
    return decoded[0]


def test_finish_a_course_get_the_certificate_and_verify_it(page, live_server, browser,
                                                          tmp_path):
    live_server.flask("users", "create", "--email", EMAIL, "--name", "Ibrahim Touré",
                      "--password", PASSWORD, "--country", "ML")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome, Ibrahim Touré.").wait_for()

    # Every module of a shipped course.
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name=COURSE).first.click()
    page.get_by_role("button", name="Enrol in this course").click()
    page.locator("ol.module-list a").first.click()
    while True:
        page.get_by_role("button", name="Mark complete").click()
        page.get_by_text("You have completed this module.").wait_for()
        next_link = page.get_by_role("link", name=re.compile(r"^Next: "))
        if next_link.count() == 0:
            break
        next_link.click()
    page.get_by_role("link", name="Back to the course").click()
    expect(page.get_by_text("Progress: 100%", exact=True)).to_be_visible()
    # No certificate yet: the closing quiz comes first.
    page.get_by_role("link", name="My certificates").click()
    page.get_by_text("You have no certificate yet.").wait_for()

    # The closing quiz, answered right.
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name=COURSE).first.click()
    page.get_by_role("link", name="Go to the quiz").click()
    page.get_by_role("button", name="Start attempt 1").click()
    _answer_the_quiz(page, live_server)
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Your attempt has been submitted.").wait_for()

    # The e-mail, in the outbox as delivered.
    [mail] = [m for m in live_server.mail_to(EMAIL) if "certificate" in m["Subject"].lower()]
    assert mail["Subject"] == f"Your certificate: {COURSE}"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    pdf_link = re.search(r"http://127\.0\.0\.1:\d+/certificates/[0-9A-Z]{16}\.pdf", body)
    verify_link = re.search(r"http://127\.0\.0\.1:\d+/verify/[0-9A-Z]{16}", body)
    assert pdf_link and verify_link

    # My certificates: download the PDF.
    page.get_by_role("link", name="My certificates").click()
    page.get_by_role("heading", name=COURSE).wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download the PDF")).click()
    download = download_info.value
    assert re.fullmatch(r"certificate-SC-\d{4}-\d{6}\.pdf", download.suggested_filename)
    pdf = tmp_path / "downloaded.pdf"
    download.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "Ibrahim Touré" in text and COURSE in text

    # A visitor who is not signed in opens the QR code's address.
    url = _qr_url(data, tmp_path)
    assert url == verify_link.group(0)
    visitor = browser.new_context(locale="en-GB")
    try:
        stranger = visitor.new_page()
        stranger.goto(url)
        expect(stranger.get_by_role("link", name="Sign in")).to_be_visible()  # not signed in
        assert "Ibrahim Touré" in stranger.content()
        stranger.get_by_text("Valid certificate.").wait_for()
        assert COURSE in stranger.content()
        # The PDF itself stays private: the visitor is sent to sign in.
        stranger.goto(pdf_link.group(0))
        assert "/login" in stranger.url
    finally:
        visitor.close()
