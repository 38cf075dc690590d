"""Completion certificate PDF: text in the six UN languages, QR code, layout, fonts.

Needs the Debian fonts (fonts-noto-core, fonts-noto-mono, fonts-noto-cjk). The QR checks need
zbarimg (zbar-tools) and, for the rendered page, pdftoppm (poppler-utils); they
skip with a message when those are missing.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import logging
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from fontTools.ttLib import TTFont

from elearn.certificates import fonts as font_files
from elearn.certificates.pdf import (
    LABEL_KEYS,
    CertificateContent,
    _needs_shaping,
    certificate_labels,
    make_qr,
    render_certificate_pdf,
)

URL = "https://elearn.example.org/certificates/verify/7K3MQ9XP4HTD2WRA8CNE"

BASE = CertificateContent(
    holder_name="Zoë Ñúñez-Łukasiewicz",
    course_title="Sound management of persistent organic pollutants",
    theme_title="Best available techniques and best environmental practices",
    issued_on=datetime.date(2026, 3, 15),
    score=87.5,
    serial="SC-2026-000123",
    code_display="7K3M-Q9XP-4HTD-2WRA-8CNE",
    verify_url=URL,
    issuer="Secretariat of the Stockholm Convention",
)
CYRILLIC = dataclasses.replace(
    BASE,
    holder_name="Анна Фёдорова",
    course_title="Регулирование стойких органических загрязнителей",
    language="ru",
)
CHINESE = dataclasses.replace(
    BASE,
    holder_name="张伟",
    course_title="持久性有机污染物的无害环境管理",
    theme_title="最佳可得技术和最佳环境实践",
    language="zh",
)
ARABIC_NAME = "محمد عبد الله"
ARABIC = dataclasses.replace(
    BASE,
    holder_name=ARABIC_NAME,
    course_title="الإدارة السليمة بيئياً للملوثات العضوية الثابتة",
    language="ar",
)
FRENCH_LABELS = {
    "title": "Certificat de réussite",
    "certifies": "Nous certifions que",
    "completed": "a suivi avec succès le cours",
    "theme": "Thème",
    "score": "Note",
    "issued_on": "Délivré le",
    "serial": "Numéro de série",
    "code": "Code de vérification",
    "verify_at": "Vérifier sur",
}

PDFTOPPM = shutil.which("pdftoppm")
ZBARIMG = shutil.which("zbarimg")


def _normalise(text: str) -> str:
    # pypdf decodes fpdf2's CID-keyed CFF (CJK) fonts with a NUL before each glyph
    # (pdftotext does not): drop those. NFKC folds Arabic presentation forms and
    # no-break spaces; then collapse whitespace.
    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    return " ".join(text.split())


def _text(pdf: bytes) -> str:
    return _normalise(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def _embedded_fonts(pdf: bytes) -> set[str]:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(f.get_object()["/BaseFont"]).split("+", 1)[-1] for f in fonts.values()}


def _line_starts(pdf: bytes) -> dict[str, float]:
    """x (pt) where each text line starts, keyed by its normalised text."""
    starts: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            starts.setdefault(_normalise(text), tm[4])

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return starts


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def rendered_and_log() -> tuple[dict[str, bytes], list[str]]:
    """Each sample certificate rendered once, with fpdf2's warnings captured."""
    handler = _ListHandler()
    loggers = [logging.getLogger("fpdf"), logging.getLogger("elearn.certificates")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        pdfs = {
            "latin": render_certificate_pdf(BASE),
            "ru": render_certificate_pdf(CYRILLIC),
            "zh": render_certificate_pdf(CHINESE),
            "ar": render_certificate_pdf(ARABIC),
            "fr": render_certificate_pdf(
                dataclasses.replace(BASE, language="fr"), labels=FRENCH_LABELS
            ),
        }
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    return pdfs, handler.messages


@pytest.fixture(scope="module")
def rendered(rendered_and_log) -> dict[str, bytes]:
    return rendered_and_log[0]


# --------------------------------------------------------------------------- text


def test_latin_certificate_text(rendered):
    text = _text(rendered["latin"])
    for expected in (
        "Zoë Ñúñez-Łukasiewicz",
        "Sound management of persistent organic pollutants",
        "Best available techniques and best environmental practices",
        "Certificate of completion",
        "This certifies that",
        "has successfully completed the course",
        "March 15, 2026",
        "87.5%",
        "SC-2026-000123",
        "7K3M-Q9XP-4HTD-2WRA-8CNE",
        URL,
        "Secretariat of the Stockholm Convention",
    ):
        assert expected in text, expected


def test_cyrillic_certificate_text(rendered):
    text = _text(rendered["ru"])
    assert "Анна Фёдорова" in text
    assert "Регулирование стойких органических загрязнителей" in text
    assert "15 марта 2026" in text
    assert "87,5 %" in text


def test_chinese_certificate_text(rendered):
    text = _text(rendered["zh"])
    assert "张伟" in text
    assert "持久性有机污染物的无害环境管理" in text
    assert "最佳可得技术和最佳环境实践" in text
    assert "2026年3月15日" in text
    assert {"SC-2026-000123", "7K3M-Q9XP-4HTD-2WRA-8CNE", URL} <= set(text.split())


def test_arabic_name_glyphs_are_all_in_the_font():
    font = font_files.find_font(font_files.ARABIC_BOLD)  # the name is set in bold
    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        cmap = face.getBestCmap()
    missing = [c for c in ARABIC_NAME if not c.isspace() and ord(c) not in cmap]
    assert not missing, f"{font.path.name} lacks {missing}"


def test_arabic_name_is_rendered_with_the_arabic_font(rendered):
    pdf = rendered["ar"]
    assert any(name.startswith("NotoNaskhArabic") for name in _embedded_fonts(pdf))
    text = _text(pdf)
    # Extraction is in visual (right-to-left) order, and the "لله" ligature comes out
    # as one unit: compare letters, plus the words that survive intact.
    letters = Counter(c for c in ARABIC_NAME if not c.isspace())
    assert not letters - Counter(text)
    assert "محمد" in text and "عبد" in text
    for word in ("الإدارة", "السليمة", "للملوثات", "العضوية", "الثابتة"):
        assert word in text, word


def test_no_missing_glyphs_logged(rendered_and_log):
    # Missing glyphs are logged (by fpdf2 and by the renderer), not raised.
    _, messages = rendered_and_log
    assert not [m for m in messages if "missing" in m]


def test_other_scripts_fall_back_to_their_noto_font():
    pdf = render_certificate_pdf(dataclasses.replace(BASE, holder_name="דוד כהן"))
    assert "NotoSerifHebrew" in _embedded_fonts(pdf)
    assert not Counter("דודכהן") - Counter(_text(pdf))


def test_characters_no_font_has_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="elearn.certificates"):
        render_certificate_pdf(dataclasses.replace(BASE, holder_name="Zoë \U0001f600"))
    assert "U+1F600" in caplog.text


def test_uppercased_labels_keep_accents(rendered):
    # Labels are set in capitals: the capitals must be in the font subset too.
    text = _text(rendered["fr"])
    for expected in ("DÉLIVRÉ LE", "NUMÉRO DE SÉRIE", "THÈME", "CODE DE VÉRIFICATION"):
        assert expected in text, expected


def test_french_labels_when_passed(rendered):
    text = _text(rendered["fr"])
    for expected in (
        "Certificat de réussite",
        "Nous certifions que",
        "a suivi avec succès le cours",
        "Vérifier sur",
        "15 mars 2026",
        "87,5 %",
    ):
        assert expected in text, expected
    assert "Certificate of completion" not in text


def test_scripts_only_embed_the_fonts_they_need(rendered):
    latin = _embedded_fonts(rendered["latin"])
    assert not any("Arabic" in f or "CJK" in f for f in latin)
    assert any("CJK" in f for f in _embedded_fonts(rendered["zh"]))
    assert not any("Arabic" in f for f in _embedded_fonts(rendered["zh"]))


def test_score_is_optional():
    pdf = render_certificate_pdf(dataclasses.replace(BASE, score=None))
    text = _text(pdf)
    assert "SCORE" not in text and "%" not in text
    assert "SC-2026-000123" in text


# --------------------------------------------------------------------------- page


def test_page_is_a4_landscape_with_metadata(rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered["latin"]))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)
    meta = reader.metadata
    assert meta.title == "Certificate of completion – Zoë Ñúñez-Łukasiewicz"
    assert meta.author == "Secretariat of the Stockholm Convention"
    assert meta.subject.startswith("Sound management of persistent organic pollutants")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_arabic_layout_is_mirrored(rendered):
    half_width = 842 / 2
    assert _line_starts(rendered["latin"])["SC-2026-000123"] < half_width
    assert _line_starts(rendered["ar"])["SC-2026-000123"] > half_width
    assert pypdf.PdfReader(io.BytesIO(rendered["ar"])).trailer["/Root"]["/Lang"] == "ar"


def test_fonts_are_subset(rendered):
    # Whole Noto CJK faces are ~20 MB; embedded subsets keep certificates small.
    for key in ("latin", "ru", "zh", "ar"):
        assert len(rendered[key]) < 80_000, key


def test_long_texts_still_fit_on_one_page():
    pdf = render_certificate_pdf(
        dataclasses.replace(
            BASE,
            holder_name="Maximilian Alexander Ñúñez-Łukasiewicz de la Cruz y Montenegro-Villanueva",
            course_title=" ".join(
                ["Environmentally sound management of persistent pollutants"] * 4
            ),
        )
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "Montenegro-Villanueva" in _text(pdf)


# --------------------------------------------------------------------------- QR code


def _zbar(png: Path) -> list[str]:
    result = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", str(png)], capture_output=True, text=True, check=False
    )
    return result.stdout.split()


@pytest.mark.skipif(not ZBARIMG, reason="zbarimg not installed (apt-get install zbar-tools)")
def test_qr_code_image_decodes_to_verify_url(tmp_path):
    png = tmp_path / "qr.png"
    make_qr(URL).save(str(png), scale=4, border=4)
    assert _zbar(png) == [URL]


@pytest.mark.skipif(
    not (ZBARIMG and PDFTOPPM),
    reason="needs zbarimg and pdftoppm (apt-get install zbar-tools poppler-utils)",
)
@pytest.mark.parametrize("key", ["latin", "ar"])
def test_qr_code_on_the_page_decodes_to_verify_url(rendered, key, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(rendered[key])
    subprocess.run(
        [PDFTOPPM, "-r", "150", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    assert _zbar(tmp_path / "page.png") == [URL]


# --------------------------------------------------------------------------- labels


def test_labels_default_to_english_without_an_app():
    labels = certificate_labels("fr")
    assert tuple(labels) == LABEL_KEYS
    assert labels["title"] == "Certificate of completion"
    assert labels["verify_at"] == "Verify at"


def test_labels_inside_a_flask_babel_app_context():
    flask = pytest.importorskip("flask")
    flask_babel = pytest.importorskip("flask_babel")
    app = flask.Flask(__name__)
    flask_babel.Babel(app)
    with app.app_context():
        # No catalogues here, so still English - but force_locale() must work.
        assert certificate_labels("ar")["score"] == "Score"


def test_unknown_language_falls_back_to_english():
    pdf = render_certificate_pdf(dataclasses.replace(BASE, language="xx-nope"))
    assert "March 15, 2026" in _text(pdf)


# --------------------------------------------------------------------------- fonts


def test_cjk_face_is_picked_from_the_collection():
    font = font_files.find_font(font_files.CJK_REGULAR)
    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        assert "CJK SC" in face["name"].getDebugName(1)
        assert 0x4F1F in face.getBestCmap()  # 伟


def test_missing_font_error_names_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setattr(font_files, "DEFAULT_FONT_DIRS", ())
    monkeypatch.delenv(font_files.FONT_DIRS_ENV, raising=False)
    with pytest.raises(font_files.FontNotFoundError) as excinfo:
        font_files.find_font(font_files.CJK_BOLD, search_dirs=[tmp_path])
    message = str(excinfo.value)
    assert "fonts-noto-cjk" in message
    assert "apt-get install fonts-noto-core fonts-noto-mono fonts-noto-cjk" in message
    assert font_files.FONT_DIRS_ENV in message


def test_font_dirs_from_environment(monkeypatch, tmp_path):
    real = font_files.find_font(font_files.LATIN_REGULAR)
    (tmp_path / real.path.name).symlink_to(real.path)
    monkeypatch.setenv(font_files.FONT_DIRS_ENV, str(tmp_path))
    assert font_files.find_font(font_files.LATIN_REGULAR).path == tmp_path / real.path.name


@pytest.mark.parametrize(("text", "shaped"), [
    ("Zoë", True), ("Certificate of completion", True), ("شهادة إتمام", True),
    ("e\u0301", True),  # a combining mark is positioned by the shaper
    ("\u1100\u1161", True),  # conjoining Hangul jamo compose only when shaped
    ("结业证书", False), ("ひらがな", False), ("한국어", False),
    ("2026年3月15日", False), ("87.5%", False), ("7K3M", True),
])
def test_only_text_the_shaper_can_change_is_shaped(text, shaped):
    assert _needs_shaping(text) is shaped


def test_chinese_font_program_is_embedded_whole(rendered):
    """The CJK font reaches the PDF as a CFF program holding the name's glyphs."""
    from fontTools.cffLib import CFFFontSet

    page = pypdf.PdfReader(io.BytesIO(rendered["zh"])).pages[0]
    programs = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        if "CJK" not in str(font["/BaseFont"]):
            continue
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        programs.append(descriptor["/FontFile3"].get_object().get_data())
    assert len(programs) == 2  # regular and bold
    for data in programs:
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
        char_strings = cff[cff.fontNames[0]].CharStrings
        assert len(char_strings) > 4  # .notdef plus at least the name's two characters
        for program in char_strings.values():
            program.decompile()  # every outline reads back
