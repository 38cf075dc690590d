"""The one way authored text becomes HTML: python-markdown, then a strict bleach allow-list.

Everything a trainer writes (course pages, modules, quiz feedback, GIFT ``[html]``
questions) goes through this module before it is stored or shown, so this is the place
where the security rules for user-authored markup live:

* only tags Markdown itself produces, plus a handful of harmless ones (``kbd``, ``abbr``,
  ``del``, ``sub``, ``dl``...); no attribute lists, no ``style``, no ``on*``, no comments;
  disallowed raw HTML tags are stripped and their text kept (escaped);
* links only to http(s), ``mailto:`` and site-relative targets; images only from https or
  the site itself.  A URL is judged after undoing every encoding a browser (or a sloppy
  server) might undo: character references, percent-encoding, control characters and
  whitespace, case.  A rejected link is unwrapped (its text stays), a rejected image is
  replaced by its alt text;
* external links get ``rel="noopener noreferrer"``, every image ``loading="lazy"`` (and
  its width and height when the caller knows them).

The functions return ``str``; callers wrap it in ``markupsafe.Markup`` when storing or
displaying.
"""

from __future__ import annotations

import bisect
import contextvars
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape as html_unescape
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as etree

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown import util as md_util
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

__all__ = [
    "LinkRewriter",
    "RenderedMarkdown",
    "link_targets",
    "render_document",
    "render_inline",
    "render_markdown",
    "sanitize_html",
]

#: ``rewriter(href) -> new href`` or ``None`` to leave the link as written.
LinkRewriter = Callable[[str], str | None]

# --------------------------------------------------------------------------- URL policy

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Browsers drop leading C0 controls/spaces and tabs/newlines anywhere in a URL; we go
# further and drop every control, whitespace and invisible character before judging.
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\xa0\xad\s\u200b-\u200f\u2028-\u202e\u2060\ufeff]+")

#: ``image_size(src) -> (width, height)`` or None, for the render in progress.
ImageSize = Callable[[str], "tuple[int, int] | None"]
_image_size: contextvars.ContextVar[ImageSize | None] = contextvars.ContextVar(
    "elearn_markup_image_size", default=None
)

#: The site's own host for the render in progress (see ``base_url``).
_site_host: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "elearn_markup_site_host", default=None
)


def _url_readings(value: str) -> list[str]:
    """Every normalised way *value* could be read: as is, then after each decoding step.

    Character references are undone (``&#106;``, ``&#x6A``, ``&colon;``...), then
    percent-encoding, repeatedly, because a value is only as safe as its most decoded
    form.  Each reading is lower-cased, stripped of invisible characters and has ``\\``
    turned into ``/`` (browsers treat ``/\\host`` as ``//host``).
    """
    readings: list[str] = []
    current = value
    for _ in range(4):
        normalised = _INVISIBLE_RE.sub("", current).replace("\\", "/").lower()
        if normalised not in readings:
            readings.append(normalised)
        decoded = unquote(html_unescape(current))
        if decoded == current:
            break
        current = decoded
    return readings


def _scheme(reading: str) -> str:
    match = _SCHEME_RE.match(reading)
    return match.group(1) if match else ""


def _host(reading: str) -> str | None:
    try:
        return urlsplit(reading).hostname
    except ValueError:
        return None


def _is_external(value: str) -> bool:
    """True for an absolute http(s) or scheme-relative URL to a host other than the site."""
    site = _site_host.get()
    for reading in _url_readings(value):
        if _scheme(reading) in ("http", "https") or reading.startswith("//"):
            host = _host(reading)
            if host is None or host != site:
                return True
    return False


def _link_allowed(value: str) -> bool:
    return all(_scheme(r) in LINK_SCHEMES or not _scheme(r) for r in _url_readings(value))


def _image_allowed(value: str) -> bool:
    """https anywhere; http or scheme-relative only from the site's own host; relative."""
    readings = _url_readings(value)
    if not readings or readings[-1] == "":
        return False
    site = _site_host.get()
    for reading in readings:
        scheme = _scheme(reading)
        if scheme == "https":
            continue
        if scheme == "http" or (not scheme and reading.startswith("//")):
            if site is None or _host(reading) != site:
                return False
        elif scheme:
            return False
    return True


def _is_relative(href: str) -> bool:
    """A path relative to the current document: no scheme, not ``/x``, ``#x`` or ``?x``."""
    readings = _url_readings(href)
    return (
        bool(readings[0])
        and all(not _scheme(r) for r in readings)
        and not readings[0].startswith(("/", "#", "?"))
    )


# --------------------------------------------------------------------------- allow-list

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "kbd",
        "strong", "em", "del", "sup", "sub", "abbr", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td", "div",
    }
)  # fmt: skip

#: Classes a trainer may get through admonitions (``!!! tip "Title"``).
ADMONITION_TYPES = frozenset(
    {
        "note", "tip", "hint", "important", "info", "example", "question", "summary",
        "abstract", "success", "warning", "caution", "attention", "danger", "error",
        "failure", "bug", "quote", "seealso", "todo",
    }
)  # fmt: skip

_ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    "div": ADMONITION_TYPES | {"admonition", "footnote", "toc"},
    "p": frozenset({"admonition-title"}),
    "a": frozenset({"footnote-ref", "footnote-backref"}),
}
_CODE_CLASS_RE = re.compile(r"language-[\w+#.\-]{1,40}")
_ID_RE = re.compile(r"[\w:.\-]{1,200}")


def _any(_value: str) -> bool:
    return True


def _is_id(value: str) -> bool:
    return _ID_RE.fullmatch(value) is not None


_ATTRIBUTES: dict[str, dict[str, Callable[[str], bool]]] = {
    **{f"h{n}": {"id": _is_id} for n in range(1, 7)},
    "a": {"href": _link_allowed, "title": _any, "class": _any},
    "img": {"src": _image_allowed, "alt": _any, "title": _any},
    "th": {"align": lambda v: v in ("left", "center", "right")},
    "td": {"align": lambda v: v in ("left", "center", "right")},
    "ol": {"start": lambda v: v.isascii() and v.isdigit() and len(v) < 10},
    "li": {"id": _is_id},
    "sup": {"id": _is_id},
    "abbr": {"title": _any},
    "div": {"class": _any},  # class tokens are filtered in _PolishFilter
    "p": {"class": _any},
    "code": {"class": _any},
}


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """bleach's attribute test. Values still hold character references: URL checks decode
    them (and more) themselves, the others get the decoded value."""
    check = _ATTRIBUTES.get(tag, {}).get(name)
    if check is None:
        return False
    return check(value if name in ("href", "src") else html_unescape(value))


class _PolishFilter(Filter):
    """Runs after bleach's sanitiser, so it may only remove or add known-safe things.

    Unwraps ``<a>`` left without ``href`` (keeps the text), replaces ``<img>`` left
    without ``src`` by its alt text, adds ``rel`` to external links and ``loading="lazy"``
    to images, and trims ``class`` to the allowed tokens.
    """

    def __iter__(self) -> Iterator[dict]:
        open_links: list[bool] = []
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name == "a" and kind == "EndTag":
                if open_links.pop() if open_links else False:
                    yield token
                continue
            if kind not in ("StartTag", "EmptyTag"):
                yield token
                continue
            attrs = dict(token.get("data") or {})
            _trim_classes(name, attrs)
            if name == "a":
                href = attrs.get((None, "href"))
                open_links.append(href is not None)
                if href is None:
                    continue
                if _is_external(href):
                    attrs[(None, "rel")] = "noopener noreferrer"
            elif name == "img":
                if (None, "src") not in attrs:
                    alt = html_unescape(attrs.get((None, "alt"), ""))
                    if alt:
                        yield {"type": "Characters", "data": alt}
                    continue
                attrs[(None, "loading")] = "lazy"
                _add_size(attrs)
            token["data"] = attrs
            yield token


def _add_size(attrs: dict) -> None:
    """width and height from the render's ``image_size``, so the page does not jump when
    the image arrives (trusted integers, added after sanitising)."""
    sizer = _image_size.get()
    size = sizer(html_unescape(attrs[(None, "src")])) if sizer else None
    if size and all(isinstance(n, int) and n > 0 for n in size):
        attrs[(None, "width")], attrs[(None, "height")] = str(size[0]), str(size[1])


def _trim_classes(tag: str, attrs: dict) -> None:
    value = attrs.get((None, "class"))
    if value is None:
        return
    if tag == "code":
        kept = [c for c in value.split() if _CODE_CLASS_RE.fullmatch(c)]
    else:
        allowed = _ALLOWED_CLASSES.get(tag, frozenset())
        kept = [c for c in value.split() if c in allowed]
    if kept:
        attrs[(None, "class")] = " ".join(kept)
    else:
        del attrs[(None, "class")]


class _Cleaners(threading.local):
    """bleach's Cleaner keeps parser state, so each thread builds its own, once."""

    def __init__(self) -> None:
        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=LINK_SCHEMES,
            strip=True,
            strip_comments=True,
            filters=[_PolishFilter],
        )


_cleaners = _Cleaners()


@contextmanager
def _site(base_url: str | None) -> Iterator[None]:
    host = _host(base_url.strip().lower()) if base_url else None
    token = _site_host.set(host)
    try:
        yield
    finally:
        _site_host.reset(token)


def _clean(fragment: str) -> str:
    return _cleaners.cleaner.clean(fragment)


def sanitize_html(html: str, *, base_url: str | None = None) -> str:
    """Apply the Markdown allow-list to HTML that arrives as HTML (GIFT ``[html]``).

    *base_url* is the site's own absolute URL, as for :func:`render_markdown`.
    """
    with _site(base_url):
        return _clean(html)


# --------------------------------------------------------------------------- Markdown


class _LinkTreeprocessor(Treeprocessor):
    """Sees every ``a[href]``/``img[src]`` after inline parsing, before serialising.

    ``rewriter`` (set per call) maps relative targets to site URLs; ``collected``
    (set per call) records every target, decoded, for :func:`link_targets`.  Runs after
    python-markdown's ``unescape`` step, so backslash escapes are already resolved.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.rewriter: LinkRewriter | None = None
        self.collected: list[str] | None = None

    def run(self, root: etree.Element) -> None:
        if self.rewriter is None and self.collected is None:
            return
        for el in root.iter():
            attr = {"a": "href", "img": "src"}.get(el.tag)
            value = el.get(attr) if attr else None
            if value is None:
                continue
            href = _decode_md_href(value)
            if self.collected is not None:
                self.collected.append(href)
            if self.rewriter is not None and _is_relative(href):
                new = self.rewriter(href)
                if new is not None and new != href:
                    el.set(attr, new)


def _decode_md_href(value: str) -> str:
    """The URL a browser would follow, from a python-markdown tree attribute value."""
    return html_unescape(value.replace(md_util.AMP_SUBSTITUTE, "&"))


class _UnwrapParagraphs(Treeprocessor):
    """For :func:`render_inline`: merge top-level ``<p>`` into one line, ``<br>`` between."""

    def run(self, root: etree.Element) -> None:
        paragraphs = list(root)
        for p in paragraphs:
            root.remove(p)
        root.text = None
        last: etree.Element | None = None
        for i, p in enumerate(paragraphs):
            if i:
                last = etree.SubElement(root, "br")
            text = p.text or ""
            if last is None:
                root.text = (root.text or "") + text
            else:
                last.tail = (last.tail or "") + text
            for child in list(p):
                root.append(child)
                last = child


_EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "toc", "sane_lists"]
_EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},  # never a style attribute
    "toc": {"slugify": slugify_unicode},  # readable ids in ar, ru, zh headings too
}
_LINKS = "elearn-links"
_BLOCK_SYNTAX = (
    "indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote", "reference"
)  # fmt: skip


def _build(kind: str) -> markdown.Markdown:
    if kind == "document":
        md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
    else:
        md = markdown.Markdown()
        # One line: no headings, lists, quotes or code blocks, only inline syntax.
        for name in _BLOCK_SYNTAX:
            md.parser.blockprocessors.deregister(name, strict=False)
        md.treeprocessors.register(_UnwrapParagraphs(md), "elearn-unwrap", 1)
    # Negative priority: after python-markdown's own 'unescape' (0).
    md.treeprocessors.register(_LinkTreeprocessor(md), _LINKS, -10)
    return md


class _Pool(threading.local):
    def __init__(self) -> None:
        self.free: dict[str, list[markdown.Markdown]] = {"document": [], "inline": []}


_pool = _Pool()


@contextmanager
def _markdown(
    kind: str,
    rewriter: LinkRewriter | None = None,
    collected: list[str] | None = None,
) -> Iterator[markdown.Markdown]:
    """Borrow a reset Markdown instance (building one costs ~0.6 ms; reset is ~free).

    A per-thread free list rather than one instance, so a ``rewriter`` that renders
    Markdown itself does not trample the render in progress.
    """
    free = _pool.free[kind]
    md = free.pop() if free else _build(kind)
    md.reset()
    links: _LinkTreeprocessor = md.treeprocessors[_LINKS]
    links.rewriter, links.collected = rewriter, collected
    try:
        yield md
    finally:
        links.rewriter = links.collected = None
        free.append(md)


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """A rendered document: its body and its table of contents, both sanitised."""

    html: str
    #: ``<div class="toc"><ul>...`` linking to the headings' ids; "" without headings.
    toc: str


def _render(
    kind: str, text: str, base_url: str | None, rewriter: LinkRewriter | None, toc: bool,
    image_size: ImageSize | None = None,
) -> tuple[str, str]:
    token = _image_size.set(image_size)
    try:
        with _site(base_url), _markdown(kind, rewriter) as md:
            body = _clean(md.convert(text))
            if toc and getattr(md, "toc_tokens", None):
                return body, _clean(md.toc)
            return body, ""
    finally:
        _image_size.reset(token)


def render_markdown(
    text: str,
    *,
    base_url: str | None = None,
    link_rewriter: LinkRewriter | None = None,
) -> str:
    """Markdown -> safe HTML (tables, fenced code, footnotes, admonitions, heading ids).

    *base_url* is the site's own absolute URL (``https://elearn.example.org``): links to
    that host are internal (no ``rel``) and its images may be plain http.  Without it,
    every absolute http(s) link is external.

    *link_rewriter* is called with each relative target (``02-hs-codes.md#top``,
    ``media/map.png``; already decoded, never ``/x``, ``#x``, ``?x`` or ``scheme:x``) of
    a Markdown link or image and returns the URL to use instead, or ``None`` to keep it.
    Its result is sanitised like everything else.  Links written as raw HTML are not
    offered to it.
    """
    return _render("document", text, base_url, link_rewriter, toc=False)[0]


def render_document(
    text: str,
    *,
    base_url: str | None = None,
    link_rewriter: LinkRewriter | None = None,
    image_size: ImageSize | None = None,
) -> RenderedMarkdown:
    """:func:`render_markdown`, plus the table of contents for a page's side menu.

    *image_size* is called with each image's final ``src`` and returns its ``(width,
    height)`` in pixels, or None; known sizes become the ``<img>``'s attributes.
    """
    body, toc = _render("document", text, base_url, link_rewriter, toc=True,
                        image_size=image_size)
    return RenderedMarkdown(html=body, toc=toc)


def render_inline(
    text: str,
    *,
    base_url: str | None = None,
    link_rewriter: LinkRewriter | None = None,
) -> str:
    """Markdown for a short line (quiz answers, feedback): no wrapping ``<p>``.

    Only inline syntax is read (emphasis, code, links, images), so an answer such as
    ``1. Paris`` or ``# 3`` stays text; blank lines become ``<br>``.
    """
    return _render("inline", text, base_url, link_rewriter, toc=False)[0]


# --------------------------------------------------------------------------- link_targets

_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)
_BACKTICKS_RE = re.compile(r"`+")
_REF_DEF_RE = re.compile(
    r"^[ ]{0,3}\[([^\[\]]*)\]:[ \t]*(?:\n[ \t]*)?(<[^<>\n]*>|\S+)", re.MULTILINE
)
_AUTOLINK_RE = re.compile(r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>\s]*)>")
_AUTOMAIL_RE = re.compile(r"<([^<> !\n]+@[^@<> \n]+)>")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!])")


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _mask_code(text: str) -> str:
    """Blank out fenced blocks and code spans (keeping offsets and newlines)."""
    pos = 0
    while match := _FENCE_RE.search(text, pos):
        fence = match.group(1)
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        end = closing.search(text, match.end())
        if end is None:  # python-markdown renders an unclosed fence as text
            pos = match.end()
            continue
        text = _mask(text, match.start(), end.end())
        pos = end.end()
    pos = 0
    while match := _BACKTICKS_RE.search(text, pos):
        run = match.group(0)
        closing = re.compile(rf"(?<!`){run}(?!`)")
        end = closing.search(text, match.end())
        if end is None or "\n\n" in text[match.end() : end.start()]:
            pos = match.end()
            continue
        text = _mask(text, match.start(), end.end())
        pos = end.end()
    return text


def _destination(text: str, pos: int) -> tuple[int, str] | None:
    """Parse an inline link destination starting at *pos* (just after ``](``)."""
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if pos < len(text) and text[pos] == "<":
        end = text.find(">", pos)
        if end == -1 or "\n" in text[pos:end]:
            return None
        return pos, text[pos + 1 : end]
    depth, end = 0, pos
    while end < len(text):
        char = text[end]
        if char == "\\":
            end += 2
            continue
        if char.isspace():
            break
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return (pos, text[pos:end]) if end > pos else None


def _scan(text: str) -> list[tuple[int, str]]:
    """(offset, decoded href) of every link-looking construct in the source."""
    masked = _mask_code(text)
    found: list[tuple[int, str]] = []
    for match in re.finditer(r"\]\(", masked):
        escapes = 0
        while match.start() - escapes > 0 and masked[match.start() - escapes - 1] == "\\":
            escapes += 1
        if escapes % 2:
            continue  # \]( is a literal bracket
        dest = _destination(masked, match.end())
        if dest:
            found.append((dest[0], _MD_ESCAPE_RE.sub(r"\1", dest[1])))
    for match in _REF_DEF_RE.finditer(masked):
        if match.group(1).startswith("^"):
            continue  # a footnote, not a link
        href = match.group(2)
        if href.startswith("<") and href.endswith(">"):
            href = href[1:-1]
        found.append((match.start(2), href))
    for match in _AUTOLINK_RE.finditer(masked):
        found.append((match.start(1), match.group(1)))
    for match in _AUTOMAIL_RE.finditer(masked):
        address = match.group(1)
        if not address.lower().startswith("mailto:"):
            address = "mailto:" + address
        found.append((match.start(1), address))
    return sorted((offset, html_unescape(href)) for offset, href in found)


def link_targets(text: str) -> list[tuple[int, str]]:
    """``(line, href)`` for every link and image target in Markdown *text*, in order.

    For the content sync to report ``file:line: broken link``.  Lines are 1-based within
    *text* (add the front matter's lines).  Hrefs are decoded as a browser would read
    them, before any ``link_rewriter``; percent-escapes are kept.

    The source is scanned for inline links/images, reference definitions and autolinks
    to get line numbers; the document is also rendered, and only targets that really
    become links are kept, so examples inside code blocks are not reported.  Links in
    raw HTML are not reported (nor rewritten).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rendered: list[str] = []
    with _markdown("document", collected=rendered) as md:
        md.convert(text)
    real = set(rendered)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return [
        (bisect.bisect_right(line_starts, offset), href)
        for offset, href in _scan(text)
        if href in real
    ]
