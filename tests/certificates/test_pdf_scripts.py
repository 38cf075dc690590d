"""The PDF stored at issue, for holders writing in the UN's scripts, and its QR code.

Checks the document that is stored and served, as issued through the real path (the
renderer itself is tested in tests/unit/test_certificate_pdf.py). The QR check needs
zbarimg (zbar-tools) and pdftoppm (poppler-utils) and skips where they are missing.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections import Counter

import pypdf
import pytest

from .conftest import pdf_text

ZBARIMG = shutil.which("zbarimg")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.mark.parametrize("name, locale, title", [
    ("Zoë Ñúñez-Łukasiewicz", "es", "Controles comerciales para funcionarios de aduanas"),
    ("Анна Фёдорова", "ru", "Контроль торговли для таможенников"),
    ("张伟", "zh", "海关贸易管制"),
])
def test_names_and_titles_are_in_the_stored_pdf(db, make_user, make_course, complete,
                                                 name, locale, title):
    learner = make_user(name=name, locale=locale)
    certificate = complete(learner, make_course(translations={locale: title}))
    text = pdf_text(certificate.pdf)
    assert name in text
    assert title in text
    assert certificate.serial in text and certificate.code_display in text


def test_an_arabic_name_is_rendered_without_missing_glyphs(db, make_user, make_course,
                                                            complete, caplog):
    name = "محمد عبد الله"
    learner = make_user(name=name, locale="ar")
    with caplog.at_level(logging.WARNING):
        certificate = complete(learner, make_course(
            translations={"ar": "الرقابة على التجارة لموظفي الجمارك"}))
    assert not [r for r in caplog.records if "missing" in r.getMessage().lower()]
    page = pypdf.PdfReader(io.BytesIO(certificate.pdf)).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("NotoNaskhArabic" in f for f in fonts)
    # Extracted right to left, with the lam-lam-heh ligature as one unit: count letters.
    text = pdf_text(certificate.pdf)
    assert not Counter(c for c in name if not c.isspace()) - Counter(text)
    assert "محمد" in text


@pytest.mark.skipif(not (ZBARIMG and PDFTOPPM),
                    reason="needs zbarimg and pdftoppm (apt-get install zbar-tools "
                           "poppler-utils)")
def test_the_qr_code_opens_the_verification_page(db, certificate, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate.pdf)
    subprocess.run([PDFTOPPM, "-r", "150", "-gray", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True)
    decoded = subprocess.run([ZBARIMG, "--quiet", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=False).stdout.split()
    assert decoded == [f"http://elearn.test/verify/{certificate.code}"]
