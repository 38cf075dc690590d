"""Internal links in course Markdown: what ``02-hs-codes.md`` or ``media/map.png`` points to.

Authors link the way files sit in the library, so a course reads the same on GitHub and
on the site::

    [Module 2](02-hs-codes.md#the-harmonized-system)   a module of the same course
    [the course](course.md)                          the course page
    ![map](media/map.png)                            a media file of the course
    [PCBs](../pcbs-management/01-what-are-pcbs.md)   another course's module

The ``NN-`` prefix and a language suffix (``.fr.md``) are accepted and ignored: a link
names a module by its slug, so reordering modules never breaks links.  The content sync
checks every such link (``check_links``) and the renderer turns it into a site URL
(``rewriter``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from flask import current_app, has_request_context, url_for

from elearn.markup import link_targets

_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")
_MODULE_RE = re.compile(r"(?:\d{1,3}-)?([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.[a-z]{2})?\.md")
_COURSE_RE = re.compile(r"course(?:\.[a-z]{2})?\.md")


@dataclass(frozen=True)
class LinkTarget:
    kind: str  #: "course", "module" or "media"
    course: str  #: course slug
    name: str = ""  #: module slug or media file name
    fragment: str = ""  #: "#section" or ""


class LinkIndex(Protocol):
    def has_course(self, course: str) -> bool: ...
    def has_module(self, course: str, module: str) -> bool: ...
    def has_media(self, course: str, filename: str) -> bool: ...


def is_relative(href: str) -> bool:
    return bool(href) and not href.startswith(("/", "#", "?")) and not _SCHEME_RE.match(href)


def resolve(href: str, course: str) -> tuple[LinkTarget | None, str | None]:
    """``(target, None)``; ``(None, None)`` for links that are not relative; ``(None,
    reason)`` for a relative link that matches no file of the library's layout."""
    if not is_relative(href):
        return None, None
    path, _, fragment = href.partition("#")
    path = unquote(path.partition("?")[0])
    fragment = f"#{fragment}" if fragment else ""
    parts = posixpath.normpath(posixpath.join(course, path)).split("/")
    if parts[0] in ("..", ".", "") or len(parts) < 2 or len(parts) > 3:
        return None, "not a file of the course library"
    target_course, rest = parts[0], parts[1:]
    if len(rest) == 2:
        if rest[0] == "media" and rest[1]:
            return LinkTarget("media", target_course, rest[1], fragment), None
        return None, "not a file of the course library"
    name = rest[0]
    if _COURSE_RE.fullmatch(name):
        return LinkTarget("course", target_course, "", fragment), None
    match = _MODULE_RE.fullmatch(name)
    if match:
        return LinkTarget("module", target_course, match.group(1), fragment), None
    return None, "not a course.md, NN-module.md or media/ file"


def check_links(markdown: str, course: str, index: LinkIndex) -> list[tuple[int, str]]:
    """``(line, message)`` for every relative link in ``markdown`` that leads nowhere."""
    found = []
    for line, href in link_targets(markdown):
        target, reason = resolve(href, course)
        if target is None:
            if reason:
                found.append((line, f"broken link '{href}': {reason}"))
            continue
        if not index.has_course(target.course):
            found.append((line, f"broken link '{href}': no course '{target.course}'"))
        elif target.kind == "module" and not index.has_module(target.course, target.name):
            found.append((line, f"broken link '{href}': no module '{target.name}' in "
                                f"course '{target.course}'"))
        elif target.kind == "media" and not index.has_media(target.course, target.name):
            found.append((line, f"broken link '{href}': no file media/{target.name} in "
                                f"course '{target.course}'"))
    return found


def target_url(target: LinkTarget) -> str:
    if target.kind == "module":
        url = url_for("courses.module", slug=target.course, module=target.name)
    elif target.kind == "media":
        url = url_for("courses.media", slug=target.course, filename=target.name)
    else:
        url = url_for("courses.course", slug=target.course)
    return url + target.fragment


def rewriter(course: str) -> Callable[[str], str | None]:
    """A ``link_rewriter`` for ``elearn.markup``: library links become site URLs."""

    def rewrite(href: str) -> str | None:
        target, _ = resolve(href, course)
        return target_url(target) if target else None

    return rewrite


def url_context():
    """A request context for ``url_for`` when rendering outside a request (the CLI)."""
    if has_request_context():
        from contextlib import nullcontext

        return nullcontext()
    return current_app.test_request_context("/")
