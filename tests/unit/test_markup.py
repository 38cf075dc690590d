"""elearn.markup: an XSS corpus that must come out inert, and the Markdown we promise."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from elearn.markup import (
    link_targets,
    render_document,
    render_inline,
    render_markdown,
    sanitize_html,
)

SITE = "https://elearn.example.org"

# What the output may contain, stated independently of the implementation.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt",
    "dd", "blockquote", "pre", "code", "kbd", "strong", "em", "del", "sup", "sub", "abbr",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "div",
}  # fmt: skip
HREF_SCHEMES = {"http", "https", "mailto"}
SRC_SCHEMES = {"https"}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.other.append(f"declaration {data!r}")


def _schemes(url: str) -> set[str]:
    """Every scheme a browser (or a decoding proxy) could read in an attribute value."""
    found = set()
    for _ in range(3):
        squeezed = re.sub(r"[\x00-\x20\x7f-\xa0\s]", "", url).lower().replace("\\", "/")
        if match := re.match(r"([a-z][a-z0-9+.\-]*):", squeezed):
            found.add(match.group(1))
        elif squeezed.startswith("//"):
            found.add("//")
        url = unquote(url)
    return found


def assert_safe(output: str) -> None:
    """No forbidden tag, no event/style attribute, no URL with a scheme we don't allow."""
    parser = _Inspector()
    parser.feed(output)
    parser.close()
    assert not parser.other, (parser.other, output)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, output)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, output)
            assert name not in {"style", "srcset", "formaction", "action", "xmlns"}, output
            if name == "href":
                assert _schemes(value or "") <= HREF_SCHEMES | {"//"}, (value, output)
            if name == "src":
                assert _schemes(value or "") <= SRC_SCHEMES, (value, output)
    lowered = output.lower()
    for needle in ("<script", "<style", "<iframe", "<svg", "<math", "<!--"):
        assert needle not in lowered, (needle, output)


def _tags(output: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Inspector()
    parser.feed(output)
    parser.close()
    return parser.tags


# --------------------------------------------------------------------------- XSS corpus

JS = "alert(1)"
BAD_URLS = {
    "plain": f"javascript:{JS}",
    "upper": f"JAVASCRIPT:{JS}",
    "mixed-case": f"JaVaScRiPt:{JS}",
    "leading-spaces": f"   javascript:{JS}",
    "leading-control": f"\x01\x02javascript:{JS}",
    "tab-inside": f"java\tscript:{JS}",
    "newline-inside": f"java\nscript:{JS}",
    "cr-inside": f"java\rscript:{JS}",
    "nul-inside": f"java\x00script:{JS}",
    "dec-entity": f"&#106;avascript:{JS}",
    "dec-entity-no-semicolon": f"&#106avascript:{JS}",
    "dec-entity-zero-padded": f"&#0000106;avascript:{JS}",
    "dec-entity-zero-padded-no-semicolon": f"&#0000106avascript:{JS}",
    "hex-entity": f"&#x6A;avascript:{JS}",
    "hex-entity-upper": f"&#X6a;avascript:{JS}",
    "hex-entity-zero-padded": f"&#x000006A;avascript:{JS}",
    "hex-entity-no-semicolon": f"javascrip&#x74:{JS}",
    "all-entities": "".join(f"&#{ord(c)};" for c in "javascript:") + JS,
    "colon-entity": f"javascript&#58;{JS}",
    "colon-named-entity": f"javascript&colon;{JS}",
    "tab-entity-inside": f"java&#x09;script:{JS}",
    "tab-named-entity": f"java&Tab;script:{JS}",
    "newline-entity-inside": f"java&#10;script:{JS}",
    "url-encoded-colon": f"javascript%3A{JS}",
    "url-encoded-scheme": f"%6A%61%76%61script:{JS}",
    "double-url-encoded": f"javascript%253A{JS}",
    "vbscript": "vbscript:msgbox(1)",
    "vbscript-upper": "VBScript:msgbox(1)",
    "data-html": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data-upper": "DATA:text/html,<script>alert(1)</script>",
    "data-svg": "data:image/svg+xml,<svg onload=alert(1)>",
    "data-png": "data:image/png;base64,iVBORw0KGgo=",
    "file": "file:///etc/passwd",
}

LINK_FORMS = {
    "inline": "[click me]({url})",
    "angle": "[click me](<{url}>)",
    "titled": '[click me]({url} "t")',
    "reference": "[click me][1]\n\n[1]: {url}",
    "image": "![click me]({url})",
    "image-reference": "![click me][img]\n\n[img]: {url}",
    "autolink": "<{url}>",
    "raw-a": '<a href="{url}">click me</a>',
    "raw-a-unquoted": "<a href={url}>click me</a>",
    "raw-img": '<img src="{url}" alt="click me">',
}


def _assert_no_link_left(url: str, output: str) -> None:
    """A URL in one piece must lose its link entirely.  (Whitespace or ``<`` split it:
    then a harmless relative leftover like ``href="java"`` is fine; assert_safe checks.)"""
    if not re.search(r"[\s\x00-\x1f<>]", url):
        assert not any(tag in ("a", "img") for tag, _ in _tags(output)), output


@pytest.mark.parametrize("form", LINK_FORMS.values(), ids=list(LINK_FORMS))
@pytest.mark.parametrize("url", BAD_URLS.values(), ids=list(BAD_URLS))
def test_dangerous_urls_are_neutralised_in_markdown(url, form):
    source = form.format(url=url)
    for output in (render_markdown(source), render_inline(source)):
        assert_safe(output)
        _assert_no_link_left(url, output)


@pytest.mark.parametrize("form", ["raw-a", "raw-a-unquoted", "raw-img"])
@pytest.mark.parametrize("url", BAD_URLS.values(), ids=list(BAD_URLS))
def test_dangerous_urls_are_neutralised_in_html(url, form):
    output = sanitize_html(LINK_FORMS[form].format(url=url))
    assert_safe(output)
    _assert_no_link_left(url, output)


@pytest.mark.parametrize(
    "source",
    ["[click me](javascript:alert(1))", "[click me][1]\n\n[1]: javascript:alert(1)"],
)
def test_a_rejected_link_keeps_its_text(source):
    assert render_markdown(source) == "<p>click me</p>"


RAW_HTML = {
    "script": "<script>alert(1)</script>",
    "script-src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-in-paragraph": "Hello <script>alert(1)</script> world",
    "style": "<style>body { background: url(javascript:alert(1)) }</style>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-use": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "svg-a": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x',
    "math-mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "form": '<form action="javascript:alert(1)"><input type=submit><button>go</button></form>',
    "formaction": '<button formaction="javascript:alert(1)">x</button>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-quoted": '<img src="media/a.png" onerror="alert(1)">',
    "img-srcset": '<img src="media/a.png" srcset="javascript:alert(1) 1x">',
    "body-onload": "<body onload=alert(1)>",
    "div-onmouseover": '<div onmouseover="alert(1)">hover</div>',
    "a-onclick": '<a href="https://example.org" onclick="alert(1)">x</a>',
    "p-onclick-no-quotes": "<p onclick=alert(1)>x</p>",
    "on-after-slash": "<img/src=x/onerror=alert(1)>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-expression": '<div style="width: expression(alert(1))">x</div>',
    "comment": "<!-- secret -->visible",
    "conditional-comment": "<!--[if IE]><script>alert(1)</script><![endif]-->x",
    "downlevel-revealed": "<![if !IE]><script>alert(1)</script><![endif]>",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "textarea": "<textarea><script>alert(1)</script></textarea>",
    "title": "<title><script>alert(1)</script></title>",
    "xmp": "<xmp><script>alert(1)</script></xmp>",
    "base": '<base href="javascript:alert(1)//">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "template": "<template><script>alert(1)</script></template>",
    "details-ontoggle": "<details open ontoggle=alert(1)>x</details>",
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "marquee": "<marquee onstart=alert(1)>x</marquee>",
    "table-background": '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "unclosed-attr": '<a href="https://example.org" title="x onclick=alert(1) >y</a>',
    "entity-tag": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "null-in-tag": "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "md-in-html": '<div markdown="1" onclick="alert(1)">*x*</div>',
}


@pytest.mark.parametrize("source", RAW_HTML.values(), ids=list(RAW_HTML))
def test_raw_html_is_stripped_to_harmless_markup(source):
    for output in (render_markdown(source), render_inline(source), sanitize_html(source)):
        assert_safe(output)


def test_disallowed_tags_leave_their_text_escaped():
    assert render_markdown("Hello <script>alert(1)</script> world") == "<p>Hello alert(1) world</p>"
    assert sanitize_html("<b>bold</b> <u>u</u>") == "bold u"
    assert render_markdown("a < b & c > d") == "<p>a &lt; b &amp; c &gt; d</p>"


def test_comments_are_dropped():
    assert sanitize_html("<!-- secret -->visible<!--[if IE]>x<![endif]-->") == "visible"


ATTRIBUTE_LISTS = [
    "# Heading {: onclick=alert(1) }",
    "Paragraph\n{: onclick=alert(1) style=color:red }",
    "[link](https://example.org){: onclick=alert(1) }",
    "![img](media/a.png){: onerror=alert(1) }",
    "*em*{: #x .y onmouseover=alert(1) }",
]


@pytest.mark.parametrize("source", ATTRIBUTE_LISTS)
def test_attribute_lists_are_plain_text(source):
    output = render_markdown(source)
    assert_safe(output)
    assert "{:" in output


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", " JavaScript:alert(1)", "//evil.example/x"],
)
def test_link_rewriter_results_are_sanitised_too(url):
    output = render_markdown("[x](a.md) ![y](media/y.png)", link_rewriter=lambda href: url)
    assert_safe(output)
    assert "<img" not in output


# --------------------------------------------------------------------------- links & images


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a",
        "http://example.org/a",
        "HTTPS://EXAMPLE.ORG/",
        "//example.org/a",
        "https://elearn.example.org.evil.example/",
    ],
)
def test_external_links_get_noopener_noreferrer(url):
    output = render_markdown(f"[x]({url})", base_url=SITE)
    assert 'rel="noopener noreferrer"' in output
    assert "target=" not in output


@pytest.mark.parametrize(
    "url",
    [
        "02-hs-codes.md",
        "../other/01-a.md#part",
        "/courses/customs-trade",
        "#section",
        "?page=2",
        "mailto:training@example.org",
        "https://elearn.example.org/courses",
        "https://ELEARN.example.org:443/courses",
    ],
)
def test_internal_links_have_no_rel(url):
    output = render_markdown(f"[x]({url})", base_url=SITE)
    assert "<a href=" in output
    assert "rel=" not in output


def test_user_supplied_rel_is_replaced():
    assert sanitize_html('<a href="/x" rel="opener">x</a>') == '<a href="/x">x</a>'
    assert (
        sanitize_html('<a href="https://e.example" rel="opener">x</a>')
        == '<a href="https://e.example" rel="noopener noreferrer">x</a>'
    )


def test_without_base_url_every_absolute_link_is_external():
    output = render_markdown("[x](https://elearn.example.org/a)")
    assert 'rel="noopener noreferrer"' in output


@pytest.mark.parametrize(
    ("src", "allowed"),
    [
        ("media/map.png", True),
        ("/courses/customs/media/map.png", True),
        ("../media/map.png", True),
        ("https://upload.example.org/map.png", True),
        ("HTTPS://upload.example.org/map.png", True),
        ("http://upload.example.org/map.png", False),
        ("//upload.example.org/map.png", False),
        ("/\\upload.example.org/map.png", False),
        ("ftp://upload.example.org/map.png", False),
        ("http://elearn.example.org/media/map.png", True),  # the site itself
        ("//elearn.example.org/media/map.png", True),
    ],
)
def test_images_only_from_https_or_the_site(src, allowed):
    output = render_markdown(f"![A map]({src})", base_url=SITE)
    if allowed:
        assert f'src="{src}"' in output
        assert 'loading="lazy"' in output
    else:
        assert output == "<p>A map</p>"


def test_every_image_is_lazy_even_raw_html():
    output = sanitize_html('<img src="media/a.png" alt="a" loading="eager" width="9000">')
    assert output == '<img src="media/a.png" alt="a" loading="lazy">'
    output = render_markdown('![a](media/a.png "Title")')
    assert output == '<p><img alt="a" src="media/a.png" title="Title" loading="lazy"></p>'


def test_rejected_image_alt_text_is_escaped():
    output = sanitize_html('<img src="http://x.example/a.png" alt="&lt;script&gt;">')
    assert output == "&lt;script&gt;"


# --------------------------------------------------------------------------- Markdown features


def test_tables_use_align_not_style():
    output = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "style=" not in output
    assert '<th align="left">a</th>' in output
    assert '<td align="center">2</td>' in output
    assert '<td align="right">3</td>' in output
    assert "<thead>" in output and "<tbody>" in output


def test_fenced_code_is_escaped_and_keeps_language():
    output = render_markdown('```python\nif a < b:\n    print("<b>")\n```')
    assert output.startswith('<pre><code class="language-python">')
    assert "if a &lt; b:" in output
    assert "&lt;b&gt;" in output


def test_footnotes():
    output = render_markdown("A claim.[^src]\n\n[^src]: The source.")
    assert '<sup id="fnref:src"><a class="footnote-ref" href="#fn:src">1</a></sup>' in output
    assert '<div class="footnote">' in output
    assert '<li id="fn:src">' in output
    assert 'class="footnote-backref" href="#fnref:src"' in output
    assert_safe(output)


def test_admonitions_keep_only_known_classes():
    output = render_markdown('!!! warning blink "Mind the label"\n    Check the HS code.')
    assert output.startswith('<div class="admonition warning">')
    assert '<p class="admonition-title">Mind the label</p>' in output
    assert "<p>Check the HS code.</p>" in output
    assert "blink" not in output


def test_headings_get_ids_and_the_document_a_toc():
    doc = render_document("# Why trade controls\n\n## Введение\n\n## 中文标题\n\ntext")
    assert '<h1 id="why-trade-controls">' in doc.html
    assert '<h2 id="введение">' in doc.html
    assert '<h2 id="中文标题">' in doc.html
    assert doc.toc.startswith('<div class="toc">')
    assert '<a href="#введение">Введение</a>' in doc.toc
    assert render_document("no headings here").toc == ""


def test_toc_marker_renders_inside_the_page():
    output = render_markdown("[TOC]\n\n# One\n\n## Two")
    assert '<div class="toc">' in output
    assert '<a href="#two">Two</a>' in output


def test_sane_lists_and_other_kept_markup():
    output = render_markdown("3. three\n4. four\n\n* a\n* b\n\n> quote\n\n---\n\n**b** *i* `c`")
    assert '<ol start="3">' in output
    assert "<ul>" in output and "<blockquote>" in output and "<hr>" in output
    assert "<strong>b</strong> <em>i</em> <code>c</code>" in output


def test_small_raw_html_vocabulary_survives():
    source = (
        '<kbd>Ctrl</kbd> <abbr title="Harmonized System">HS</abbr> <del>old</del> '
        "CO<sub>2</sub> m<sup>3</sup>"
    )
    assert sanitize_html(source) == source
    dl = "<dl><dt>POP</dt><dd>persistent organic pollutant</dd></dl>"
    assert sanitize_html(dl) == dl


def test_ids_and_classes_are_restricted():
    output = sanitize_html('<p id="x" class="admonition-title evil">t</p><div id="x">d</div>')
    assert output == '<p class="admonition-title">t</p><div>d</div>'
    assert sanitize_html('<h2 id="a b">t</h2>') == "<h2>t</h2>"


def test_empty_input():
    assert render_markdown("") == ""
    assert render_inline("") == ""
    assert sanitize_html("") == ""
    assert render_document("") == render_document("   \n")


# --------------------------------------------------------------------------- render_inline


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Paris", "Paris"),
        ("*Paris* is **it**", "<em>Paris</em> is <strong>it</strong>"),
        ("`code` & <b>b</b>", "<code>code</code> &amp; b"),
        ("1. Paris", "1. Paris"),
        ("# 3", "# 3"),
        ("- yes", "- yes"),
        ("> no", "&gt; no"),
        ("first\n\nsecond", "first<br>second"),
        ("[A](https://e.org)", '<a href="https://e.org" rel="noopener noreferrer">A</a>'),
        ("![x](media/x.png)", '<img alt="x" src="media/x.png" loading="lazy">'),
        ("<kbd>Enter</kbd>", "<kbd>Enter</kbd>"),
    ],
)
def test_render_inline(source, expected):
    assert render_inline(source) == expected


# --------------------------------------------------------------------------- link_rewriter


def test_link_rewriter_sees_only_relative_targets():
    seen = []

    def rewrite(href):
        seen.append(href)
        if href.endswith(".png"):
            return "/media/customs/" + href.removeprefix("media/")
        if href.startswith("02-hs-codes.md"):
            return "/courses/customs/modules/hs-codes" + href.removeprefix("02-hs-codes.md")
        return None

    source = (
        "[HS](02-hs-codes.md#tables) ![map](media/map.png) [kept](03-x.md) "
        "[abs](/about) [frag](#top) [q](?p=1) [web](https://example.org) "
        "[mail](mailto:a@example.org) [ref][r] [esc](a\\_b.md)\n\n[r]: 02-hs-codes.md"
    )
    output = render_markdown(source, link_rewriter=rewrite)
    assert seen == [
        "02-hs-codes.md#tables",
        "media/map.png",
        "03-x.md",
        "02-hs-codes.md",
        "a_b.md",
    ]
    assert '<a href="/courses/customs/modules/hs-codes#tables">HS</a>' in output
    assert '<img alt="map" src="/media/customs/map.png" loading="lazy">' in output
    assert '<a href="03-x.md">kept</a>' in output
    assert '<a href="/courses/customs/modules/hs-codes">ref</a>' in output


def test_link_rewriter_may_render_markdown_itself():
    def rewrite(href):
        assert render_inline("*nested*") == "<em>nested</em>"
        return "/" + href

    output = render_markdown("[a](a.md)[^1]\n\n[^1]: see [b](b.md)", link_rewriter=rewrite)
    assert '<a href="/a.md">a</a>' in output
    assert '<a href="/b.md">b</a>' in output


def test_raw_html_links_are_not_rewritten():
    output = render_markdown('<a href="a.md">a</a>', link_rewriter=lambda h: "/x")
    assert output == '<p><a href="a.md">a</a></p>'


# --------------------------------------------------------------------------- link_targets

LINKED = """\
# Title

See [Module 2](02-hs-codes.md) and ![map](media/map.png "Map").
A [wrapped
link](03-x.md#part), a [reference][r], <https://example.org/a> and <a@example.org>.

```markdown
[in a fence](fenced.md)
```

`[in a code span](span.md)` \\[escaped](escaped.md) [escape in url](a\\_b.md)

    [in an indented code block](indented.md)

- a [list link](04-y.md)

[split](
05-next.md)
[nested ![img](media/i.png)](06-z.md) [parens](a_(b).md) [angle](<my file.md>)

!!! note
    first

    second [in admonition](07-w.md)

[r]: 08-ref.md "Title"
[unused]: 09-unused.md
[^1]: a footnote with [a link](10-f.md)

[js](javascript:alert(1))
"""


def test_link_targets_reports_line_numbers():
    assert link_targets(LINKED) == [
        (3, "02-hs-codes.md"),
        (3, "media/map.png"),
        (5, "03-x.md#part"),
        (5, "https://example.org/a"),
        (5, "mailto:a@example.org"),
        (11, "a_b.md"),
        (15, "04-y.md"),
        (18, "05-next.md"),
        (19, "media/i.png"),
        (19, "06-z.md"),
        (19, "a_(b).md"),
        (19, "my file.md"),
        (24, "07-w.md"),
        (26, "08-ref.md"),
        (28, "10-f.md"),
        (30, "javascript:alert(1)"),
    ]


def test_link_targets_handles_crlf_and_empty_text():
    assert link_targets("a\r\n\r\n[x](x.md)\r\n") == [(3, "x.md")]
    assert link_targets("") == []
    assert link_targets("no links at all") == []


def test_link_targets_reports_a_target_once_per_use():
    assert link_targets("[a](x.md)\n\n[b](x.md)") == [(1, "x.md"), (3, "x.md")]


# --------------------------------------------------------------------------- robustness


def test_concurrent_renders_do_not_interfere():
    sources = [f"# Page {i}\n\n[link](p{i}.md) text[^n]\n\n[^n]: note {i}" for i in range(40)]

    def render(source):
        return render_markdown(source, link_rewriter=lambda href: "/" + href)

    expected = [render(s) for s in sources]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render, sources)) == expected


def test_state_does_not_leak_between_renders():
    first = render_document("# Same\n\ntext[^1]\n\n[^1]: one\n\n[r]: leaked.md")
    second = render_document("# Same\n\n[r] [^1]")
    assert '<h1 id="same">' in second.html  # not same_1
    assert "leaked.md" not in second.html
    assert "footnote" not in second.html
    assert first.toc == second.toc
