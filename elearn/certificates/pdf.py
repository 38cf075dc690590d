"""Completion certificate as a one-page A4 landscape PDF.

Pure rendering: no Flask app and no database are needed. The caller gathers
a :class:`CertificateContent` and gets the PDF bytes from
:func:`render_certificate_pdf`.

Labels
    The fixed wording ("Certificate of completion", ...) comes from
    :func:`certificate_labels`, which calls Flask-Babel's ``gettext`` inside
    ``force_locale(language)``. Outside an app context Flask-Babel returns the
    English msgids, so the module works standalone. Inside an app context
    (Flask-Babel initialised) ``render_certificate_pdf(content)`` therefore
    already prints the labels in ``content.language``; a caller may also pass
    ``labels=`` explicitly (e.g. computed with ``force_locale`` elsewhere, or
    for tests); keys it leaves out come from :func:`certificate_labels`.

Fonts and speed
    Fonts are Debian's Noto fonts, found by :mod:`elearn.certificates.fonts`:
    Noto Serif (Latin, Greek, Cyrillic), Noto Sans Mono Bold (the code), Noto
    Naskh Arabic and Noto Serif CJK SC, the latter two only looked up when the
    text contains those scripts; for other scripts in names the matching Noto
    font of fonts-noto-core is used when installed. Text is shaped with
    HarfBuzz (``set_text_shaping``), scripts the serif lacks come from
    ``set_fallback_fonts``.

    Handing fpdf2 the full fonts costs ~70 ms per document for the Latin fonts
    and ~0.6 s for the CJK ones (fontTools parses and re-subsets them). So each
    certificate first cuts every font down to the characters it prints with
    HarfBuzz's C subsetter (1-5 ms, layout tables kept so shaping still
    works) and gives fpdf2 those small files; HarfBuzz faces are opened once
    per process.
"""

from __future__ import annotations

import datetime
import logging
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
import uharfbuzz as hb
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_percent
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, WrapMode

from elearn.certificates import fonts as font_files

__all__ = [
    "LABEL_KEYS",
    "SUPPORTED_LANGUAGES",
    "CertificateContent",
    "certificate_labels",
    "make_qr",
    "render_certificate_pdf",
]

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")

LABEL_KEYS = (
    "title",
    "certifies",
    "completed",
    "theme",
    "score",
    "issued_on",
    "serial",
    "code",
    "verify_at",
)


@dataclass(frozen=True)
class CertificateContent:
    holder_name: str
    course_title: str
    theme_title: str
    issued_on: datetime.date
    score: float | None  # percent, may be None
    serial: str  # human-friendly, e.g. "SC-2026-000123"
    code_display: str  # grouped verification code, e.g. "7K3M-Q9XP-4HTD-2WRA-8CNE"
    verify_url: str  # absolute URL the QR code opens
    issuer: str  # "Secretariat of the Stockholm Convention"
    language: str = "en"  # en fr es ar ru zh; Arabic is laid out right-to-left


def certificate_labels(language: str = "en") -> dict[str, str]:
    """Fixed certificate wording, translated through Flask-Babel.

    Works without an app (English). Inside an app context the strings are
    translated into ``language`` via ``force_locale``.
    """
    with force_locale(_locale(language).language):
        return {
            "title": _("Certificate of completion"),
            "certifies": _("This certifies that"),
            "completed": _("has successfully completed the course"),
            "theme": _("Theme"),
            "score": _("Score"),
            "issued_on": _("Issued on"),
            "serial": _("Serial number"),
            "code": _("Verification code"),
            "verify_at": _("Verify at"),
        }


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


def _clean(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


def _format_score(score: float, locale: Locale) -> str:
    # Locale's percent pattern, with one optional decimal: 87.5 -> "87.5%", "87,5 %".
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    last_zero = pattern.rfind("0")
    if last_zero >= 0:
        pattern = pattern[: last_zero + 1] + ".#" + pattern[last_zero + 1 :]
    return format_percent(score / 100, format=pattern, locale=locale)


_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x3100, 0x31FF),  # bopomofo, kana ext.
    (0x3200, 0x9FFF),  # enclosed, compatibility, ext. A, unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # half/full-width forms
    (0x20000, 0x3FFFF),  # supplementary ideographs
)


def _in_ranges(text: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= ord(c) <= hi for c in text for lo, hi in ranges)


def _needs_shaping(text: str) -> bool:
    """Whether HarfBuzz can change how ``text`` is drawn.

    Letters of alphabetic scripts get kerning, ligatures and (Arabic) joining; marks are
    positioned. Han, kana and Hangul syllables, digits and punctuation are drawn glyph by
    glyph either way, so a Chinese label skips the shaper (a few ms per certificate).
    """
    for c in text:
        category = unicodedata.category(c)
        if category[0] == "M":
            return True
        if category[0] == "L" and not (
            0x2E80 <= ord(c) <= 0x9FFF or 0xAC00 <= ord(c) <= 0xD7AF
            or 0xF900 <= ord(c) <= 0xFAFF or 0x20000 <= ord(c) <= 0x3FFFF
        ):
            return True
    return False


# Always subset these in as well: harmless, and covers anything fpdf2 adds (e.g. hyphens).
_BASE_CODEPOINTS = frozenset(range(0x20, 0x7F)) | {0xA0, 0x2013, 0x2014, 0x2026, 0x00B7}


@lru_cache(maxsize=16)
def _hb_face(path: Path, index: int) -> hb.Face:
    # Opened once per process; a Face is immutable and safe to subset concurrently.
    return hb.Face(hb.Blob.from_file_path(str(path)), index)


@lru_cache(maxsize=16)
def _font_unicodes(path: Path, index: int) -> frozenset[int]:
    return frozenset(_hb_face(path, index).unicodes)


# Tables fpdf2 never reads: dropping them keeps its output-time work (fontTools) small.
_DROP_TABLES = frozenset(
    int.from_bytes(tag.encode("ascii"), "big")
    for tag in ("vhea", "vmtx", "VORG", "BASE", "gasp", "DSIG", "hdmx", "LTSH", "VDMX", "JSTF")
)


def _subset_font(font: font_files.FontFile, codepoints: Set[int], directory: Path) -> Path:
    """Write a copy of ``font`` holding only ``codepoints`` (plus what shaping needs)."""
    face = _hb_face(font.path, font.index)
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(codepoints)
    subset_input.drop_table_tag_set.update(_DROP_TABLES)
    flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    if font.spec_key.startswith("cjk"):
        # Horizontal Chinese needs no glyph substitutions; the layout closure would pull
        # in vertical/locale variants of every character.
        flags |= hb.SubsetFlags.NO_LAYOUT_CLOSURE
    subset_input.flags = flags
    subset_face = hb.subset(face, subset_input)
    if subset_face is None:  # pragma: no cover - HarfBuzz failure
        raise RuntimeError(f"HarfBuzz could not subset {font.path}")
    data = subset_face.blob.data
    suffix = ".otf" if data[:4] == b"OTTO" else ".ttf"
    target = directory / f"{font.spec_key}{suffix}"
    target.write_bytes(data)
    return target


# --------------------------------------------------------------------------- layout

PAGE_W, PAGE_H = 297.0, 210.0
NAVY = (27, 58, 92)
GOLD = (168, 132, 60)
INK = (40, 40, 40)
MUTED = (95, 95, 95)

SERIF, ARABIC, CJK, MONO = "cert-serif", "cert-arabic", "cert-cjk", "cert-mono"


@dataclass(frozen=True)
class _PlannedFont:
    font: font_files.FontFile
    codepoints: Set[int]
    family: str
    style: str


_FAMILIES = {  # FontSpec.key -> (fpdf2 family, style)
    "latin": (SERIF, ""),
    "latin-bold": (SERIF, "B"),
    "mono-bold": (MONO, "B"),
    "arabic": (ARABIC, ""),
    "arabic-bold": (ARABIC, "B"),
    "cjk": (CJK, ""),
    "cjk-bold": (CJK, "B"),
}
_PT = 25.4 / 72  # mm per point


class _Writer:
    def __init__(self, pdf: FPDF, rtl: bool) -> None:
        self.pdf = pdf
        self.rtl = rtl

    # ----- geometry
    def mx(self, x: float, w: float) -> float:
        """Mirror a box horizontally on right-to-left certificates."""
        return PAGE_W - x - w if self.rtl else x

    @property
    def start(self) -> Align:
        return Align.R if self.rtl else Align.L

    def text(
        self,
        text: str,
        *,
        y: float,
        size: float,
        min_size: float | None = None,
        w: float = PAGE_W - 60,
        x: float | None = None,
        box_h: float | None = None,
        max_lines: int = 1,
        align: Align = Align.C,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        family: str = SERIF,
        char_spacing: float = 0,
        leading: float = 1.3,
        shrink_first: bool = False,
    ) -> float:
        """Draw ``text`` in a box ``w`` mm wide whose top is at ``y``; return its height.

        The font shrinks (down to ``min_size``) until the text fits in ``max_lines``
        lines (with ``shrink_first``: first try one line down to ``min_size``, then
        wrap); with ``box_h`` the block is centred vertically in that height.
        ``x`` defaults to a horizontally centred box.
        """
        pdf = self.pdf
        x = (PAGE_W - w) / 2 if x is None else x
        min_size = size if min_size is None else min_size
        with pdf.local_context():
            # Every piece of text gets its own q/Q: fpdf2 leaves a fallback font selected
            # in the PDF text state after a line that ends in a fallback font, and would
            # then draw the next same-font text with the wrong font resource.
            pdf.set_text_color(*color)
            pdf.set_char_spacing(char_spacing)
            if not _needs_shaping(text):
                pdf.set_text_shaping(False)
            while True:
                pdf.set_font(family, "B" if bold else "", size)
                if pdf.get_string_width(text) <= w - 1:
                    lines = [text]
                    break
                if max_lines > 1 and (not shrink_first or size <= min_size):
                    cjk = _in_ranges(text, _CJK_RANGES)
                    lines = pdf.multi_cell(
                        w,
                        10,
                        text,
                        align=align,
                        dry_run=True,
                        output=MethodReturnValue.LINES,
                        wrapmode=WrapMode.CHAR if cjk else WrapMode.WORD,
                    )
                    if len(lines) <= max_lines or size <= min_size:
                        break  # (beyond min_size: more lines rather than illegible text)
                elif size <= min_size:
                    lines = [text]  # one line that overflows: last resort
                    break
                size = max(min_size, size - 1)
            line_h = size * _PT * leading
            height = line_h * len(lines)
            top = y if box_h is None else y + (box_h - height) / 2
            for i, line in enumerate(lines):
                pdf.set_xy(x, top + i * line_h)
                pdf.cell(w, line_h, line.strip(), align=align)
        return height

    # ----- ornaments
    def rule(self, y: float, half_width: float) -> None:
        """Gold hairline with a small diamond in the middle."""
        pdf, cx, d = self.pdf, PAGE_W / 2, 1.6
        pdf.set_draw_color(*GOLD)
        pdf.set_fill_color(*GOLD)
        pdf.set_line_width(0.3)
        pdf.line(cx - half_width, y, cx - d - 1.5, y)
        pdf.line(cx + d + 1.5, y, cx + half_width, y)
        pdf.polygon([(cx - d, y), (cx, y - d), (cx + d, y), (cx, y + d)], style="F")

    def frame(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*NAVY)
        pdf.set_line_width(1.4)
        pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.35)
        pdf.rect(11.5, 11.5, PAGE_W - 23, PAGE_H - 23)
        pdf.set_fill_color(*GOLD)
        d = 2.2
        for cx in (11.5, PAGE_W - 11.5):
            for cy in (11.5, PAGE_H - 11.5):
                pdf.polygon([(cx - d, cy), (cx, cy - d), (cx + d, cy), (cx, cy + d)], style="F")

    def qr(self, url: str, x: float, y: float, size: float) -> None:
        """Vector QR code: one filled rectangle per horizontal run of dark modules."""
        count, runs = _qr_runs(url)
        module = size / count
        self.pdf.set_fill_color(0, 0, 0)
        for row, start, stop in runs:
            # Rows overlap by a hair so anti-aliasing renderers show no seams.
            self.pdf.rect(
                x + start * module, y + row * module, (stop - start) * module, module + 0.02, "F"
            )


def make_qr(url: str) -> segno.QRCode:
    """The QR code printed on certificates (quartile error correction, never Micro QR)."""
    return segno.make(url, error="q", micro=False, boost_error=False)


@lru_cache(maxsize=512)
def _qr_runs(url: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and (row, first, stop) runs of dark modules; cached for re-downloads."""
    rows = list(make_qr(url).matrix_iter(scale=1, border=0))
    runs = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            runs.append((r, start, c))
    return len(rows), tuple(runs)


# --------------------------------------------------------------------------- render


def _is_cased(text: str) -> bool:
    return text.lower() != text.upper()


@dataclass(frozen=True)
class _Texts:
    """Every string printed on the certificate, in its final form."""

    header: str
    title: str
    certifies: str
    holder: str
    completed: str
    course: str
    theme_label: str
    theme: str
    facts: tuple[tuple[str, str], ...]  # (label, value): date, score, serial
    signatory: str
    code_label: str
    code: str
    verify_at: str
    url: str

    def joined(self) -> str:
        parts = [
            self.header,
            self.title,
            self.certifies,
            self.holder,
            self.completed,
            self.course,
            self.theme_label,
            self.theme,
            self.signatory,
            self.code_label,
            self.code,
            self.verify_at,
            self.url,
        ]
        parts += [part for fact in self.facts for part in fact]
        return "".join(parts)


def _texts(content: CertificateContent, lab: Mapping[str, str], locale: Locale) -> _Texts:
    issuer = _clean(content.issuer)
    facts = [(lab["issued_on"], _clean(format_date(content.issued_on, "long", locale=locale)))]
    if content.score is not None:
        facts.append((lab["score"], _clean(_format_score(content.score, locale))))
    facts.append((lab["serial"], _clean(content.serial)))
    return _Texts(
        header=issuer.upper(),
        title=lab["title"],
        certifies=lab["certifies"],
        holder=_clean(content.holder_name),
        completed=lab["completed"],
        course=_clean(content.course_title),
        theme_label=lab["theme"].upper(),
        theme=_clean(content.theme_title),
        facts=tuple((label.upper(), value) for label, value in facts),
        signatory=issuer,
        code_label=lab["code"].upper(),
        code=_clean(content.code_display),
        verify_at=lab["verify_at"],
        url=content.verify_url.strip(),
    )


def _font_plan(all_text: str) -> tuple[list[_PlannedFont], list[str]]:
    """Which fonts to embed, each with the characters to keep, and the fallback order.

    The Latin serif (and a mono face for the code) always; Arabic and CJK only when the
    text contains those scripts; other scripts' Noto fonts only for characters nothing
    else covers. Fallback fonts only get the characters the primary fonts lack: that is
    all fpdf2 will ever take from them.
    """
    needed = {ord(c) for c in all_text}
    primary = [
        font_files.find_font(spec)
        for spec in (font_files.LATIN_REGULAR, font_files.LATIN_BOLD, font_files.MONO_BOLD)
    ]
    covered = frozenset.intersection(*(_font_unicodes(f.path, f.index) for f in primary))
    rest = needed - covered
    plan = [
        _PlannedFont(font, needed | _BASE_CODEPOINTS, *_FAMILIES[font.spec_key]) for font in primary
    ]
    fallbacks: list[str] = []
    for family, ranges, specs in (
        (ARABIC, _ARABIC_RANGES, (font_files.ARABIC_REGULAR, font_files.ARABIC_BOLD)),
        (CJK, _CJK_RANGES, (font_files.CJK_REGULAR, font_files.CJK_BOLD)),
    ):
        if _in_ranges(all_text, ranges):
            fallbacks.append(family)
            plan += [
                _PlannedFont(font_files.find_font(spec), rest, *_FAMILIES[spec.key])
                for spec in specs
            ]
    uncovered = set(rest)
    for planned in plan:
        uncovered -= _font_unicodes(planned.font.path, planned.font.index)
    uncovered = {c for c in uncovered if unicodedata.category(chr(c)) not in ("Cf", "Zs")}
    for number, spec in enumerate(font_files.EXTRA_SCRIPT_SPECS):
        if not uncovered:
            break
        try:
            font = font_files.find_font(spec)
        except font_files.FontNotFoundError:
            continue
        if uncovered & _font_unicodes(font.path, font.index):
            family = f"cert-extra{number}"
            fallbacks.append(family)
            plan.append(_PlannedFont(font, rest, family, ""))
            uncovered -= _font_unicodes(font.path, font.index)
    if uncovered:
        logger.warning(
            "No installed font has these certificate characters; they will be missing: %s",
            " ".join(f"U+{c:04X}" for c in sorted(uncovered)),
        )
    return plan, fallbacks


def render_certificate_pdf(
    content: CertificateContent, labels: Mapping[str, str] | None = None
) -> bytes:
    """Render ``content`` as a one-page A4 landscape PDF and return its bytes.

    ``labels`` (keys: :data:`LABEL_KEYS`) override :func:`certificate_labels`.
    Raises :class:`elearn.certificates.fonts.FontNotFoundError` if a needed font
    is not installed.
    """
    locale = _locale(content.language)
    lab = certificate_labels(locale.language)
    if labels:
        lab.update({k: v for k, v in labels.items() if k in lab and v})
    lab = {k: _clean(v) for k, v in lab.items()}
    t = _texts(content, lab, locale)
    all_text = t.joined()

    plan, fallbacks = _font_plan(all_text)
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0
    pdf.set_title(f"{t.title} – {t.holder}")
    pdf.set_author(t.signatory)
    pdf.set_subject(f"{t.course} – {t.theme}" if t.theme else t.course)
    pdf.set_keywords(f"{_clean(content.serial)} {t.code}")
    pdf.set_creator("elearn")
    pdf.set_lang(locale.language)

    with tempfile.TemporaryDirectory(prefix="elearn-cert-") as tmp:
        try:
            return _render(pdf, plan, fallbacks, t, locale, Path(tmp))
        finally:
            for added in pdf.fonts.values():  # fpdf2 closes what it embeds; make sure
                close = getattr(added, "close", None)
                if close is not None:
                    close()


def _render(
    pdf: FPDF,
    plan: list[_PlannedFont],
    fallbacks: list[str],
    t: _Texts,
    locale: Locale,
    tmp: Path,
) -> bytes:
    for planned in plan:
        path = _subset_font(planned.font, planned.codepoints, tmp)
        pdf.add_font(planned.family, planned.style, path)
    # The subsets come from HarfBuzz with correct bounding boxes: stop fontTools from
    # re-deriving them glyph by glyph when fpdf2 subsets again on output (most of the
    # output time, especially for CFF-based CJK fonts).
    for added in pdf.fonts.values():
        ttfont = getattr(added, "ttfont", None)
        if ttfont is not None:
            ttfont.recalcBBoxes = False
            if added.is_cff and added.is_cid_keyed:
                _skip_unused_save(ttfont)
    pdf.set_text_shaping(True)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.add_page()
    _draw(_Writer(pdf, locale.text_direction == "rtl"), t)
    return bytes(pdf.output())


def _skip_unused_save(ttfont) -> None:
    """Stop fpdf2 writing out a whole CID-keyed CFF font it then throws away.

    For such fonts fpdf2 (2.8) saves the subset font, then embeds only its ``CFF `` table,
    compiled a second time; the first save costs ~4 ms per CJK font and never reaches the
    PDF. Only this font object, made for one certificate, is changed.
    """
    ttfont.save = lambda *_args, **_kwargs: None


def _small_caps_size(text: str, size: float) -> float:
    """Small capitals labels: scripts without case (Arabic, Chinese) get a larger size."""
    return size if _is_cased(text) else size + 2


def _draw(w: _Writer, t: _Texts) -> None:
    pdf = w.pdf
    w.frame()

    # Header: issuer, title, ornament.
    spaced = _is_cased(t.header) and not _in_ranges(t.header, _ARABIC_RANGES)
    w.text(
        t.header,
        y=20.5,
        size=_small_caps_size(t.header, 10),
        min_size=7,
        w=230,
        bold=True,
        color=GOLD,
        char_spacing=1.2 if spaced else 0,
    )
    w.text(t.title, y=28, box_h=20, size=34, min_size=22, w=250, bold=True, color=NAVY)
    w.rule(50, 60)

    # Holder and course.
    w.text(t.certifies, y=57, size=13, min_size=10, w=240, color=MUTED)
    w.text(
        t.holder,
        y=64,
        box_h=20,
        size=32,
        min_size=17,
        w=240,
        max_lines=2,
        shrink_first=True,
        bold=True,
        color=NAVY,
    )
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(PAGE_W / 2 - 75, 85.5, PAGE_W / 2 + 75, 85.5)
    w.text(t.completed, y=89.5, size=13, min_size=10, w=240, color=MUTED)
    y = 99.5
    y += w.text(t.course, y=y, size=21, min_size=13, w=235, max_lines=2, bold=True)
    if t.theme:
        y += 3
        size = _small_caps_size(t.theme_label, 8.5)
        y += w.text(t.theme_label, y=y, size=size, bold=True, color=GOLD)
        y += 0.5
        w.text(t.theme, y=y, size=12.5, min_size=9, w=220, max_lines=2)

    # Bottom left (right on RTL): date, score, serial.
    bx, bw = 28.0, 78.0
    by = 148.0 if len(t.facts) == 3 else 154.0
    for label, value in t.facts:
        size = _small_caps_size(label, 7.5)
        w.text(label, x=w.mx(bx, bw), y=by, w=bw, size=size, align=w.start, bold=True, color=GOLD)
        w.text(value, x=w.mx(bx, bw), y=by + 4.4, w=bw, size=11.5, min_size=8, align=w.start)
        by += 12.5

    # Bottom centre: the issuer as signatory.
    sx, sw = 108.5, 80.0
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.3)
    pdf.line(sx + 8, 171, sx + sw - 8, 171)
    w.text(
        t.signatory, x=sx, y=172.5, w=sw, size=10.5, min_size=8, max_lines=2, bold=True, color=NAVY
    )

    # Bottom right (left on RTL): QR code and verification code under it.
    qsize = 30.0
    qx = w.mx(PAGE_W - 28 - 40, qsize)
    qy = 142.0
    w.qr(t.url, qx, qy, qsize)
    pdf.link(qx, qy, qsize, qsize, t.url)
    cx, cw = qx + qsize / 2 - 32, 64
    size = _small_caps_size(t.code_label, 7)
    w.text(t.code_label, x=cx, y=qy + qsize + 1.5, w=cw, size=size, bold=True, color=GOLD)
    w.text(
        t.code,
        x=cx,
        y=qy + qsize + 5,
        w=cw,
        size=9.5,
        min_size=7,
        bold=True,
        color=NAVY,
        family=MONO,
    )

    # Footer: "Verify at <url>" as two runs, so the URL never mixes with RTL text.
    size, gap, max_w = 8.0, 2.0, PAGE_W - 50
    while True:
        pdf.set_font(SERIF, "", size)
        label_w = pdf.get_string_width(t.verify_at) + 0.5
        url_w = pdf.get_string_width(t.url) + 0.5
        if label_w + gap + url_w <= max_w or size <= 5:
            break
        size -= 0.5
    left = (PAGE_W - (label_w + gap + url_w)) / 2
    label_x, url_x = (left + url_w + gap, left) if w.rtl else (left, left + label_w + gap)
    fy = 187.0
    w.text(t.verify_at, x=label_x, y=fy, w=label_w, size=size, align=Align.L, color=MUTED)
    w.text(t.url, x=url_x, y=fy, w=url_w, size=size, align=Align.L, color=NAVY)
    pdf.link(url_x, fy, url_w, size * _PT * 1.3, t.url)
