"""Reading and checking the content library on disk (no database here).

``read_library(root)`` parses ``courses/themes.yml`` and every ``courses/<slug>/`` folder
into plain objects and collects every problem it finds as ``Problem(path, line,
message)``; the sync refuses to change anything while there is one.

Layout::

    courses/themes.yml                    the programme themes (list of mappings), each
                                          with its ``translations`` (fr, es, ar, ru, zh)
    courses/<course>/course.md            front matter + introduction
    courses/<course>/course.fr.md         the same in French (optional)
    courses/<course>/NN-<module>.md       a module: title, minutes + body
    courses/<course>/NN-<module>.fr.md    its French text (optional)
    courses/<course>/media/<file>         images (PNG, JPEG, GIF, WebP) and PDFs
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from elearn.i18n import LANGUAGE_NAMES

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MODULE_FILE_RE = re.compile(r"(\d{1,3})-([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z]{2}))?\.md")
COURSE_FILE_RE = re.compile(r"course(?:\.([a-z]{2}))?\.md")

COURSE_KEYS = {"title", "theme", "language", "summary", "audience", "minutes", "published",
               "quiz", "webinar_required"}
QUIZ_KEYS = {"bank", "pass_mark", "attempts", "time_limit_minutes", "questions",
             "shuffle_answers", "show_feedback", "show_correct_answers"}
MODULE_KEYS = {"title", "minutes", "published"}
THEME_KEYS = {"slug", "title", "description", "audiences", "order", "translations"}
THEME_TEXT_KEYS = {"title", "description", "audiences"}


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the library, reported as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass
class Document:
    """A Markdown file with YAML front matter."""

    rel: str  #: path relative to the library root, for messages
    meta: dict
    body: str
    body_line: int  #: line number in the file of the body's first line
    key_lines: dict[str, int]  #: "title", "quiz.bank"... -> line in the file
    hash: str  #: SHA-256 of the whole file

    def line(self, key: str) -> int:
        return self.key_lines.get(key, 1)


@dataclass
class ThemeSource:
    slug: str
    title: str
    description: str
    audiences: list[str]
    position: int
    line: int
    #: {"fr": {"title": ..., "description": ..., "audiences": [...]}}: only what was given.
    translations: dict[str, dict] = field(default_factory=dict)


@dataclass
class ModuleSource:
    slug: str
    position: int
    doc: Document  #: the original-language file
    translations: dict[str, Document] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        """Name and content: renaming ``01-x.md`` to ``02-x.md`` is a change."""
        return sha256(self.doc.rel + "\n" + self.doc.hash)


@dataclass
class MediaSource:
    filename: str
    content_type: str
    data: bytes


@dataclass
class CourseSource:
    slug: str
    doc: Document  #: course.md
    translations: dict[str, Document] = field(default_factory=dict)
    modules: list[ModuleSource] = field(default_factory=list)
    media: list[MediaSource] = field(default_factory=list)
    #: Every module slug that has a file, even one with problems (for checking links).
    module_files: set[str] = field(default_factory=set)

    @property
    def language(self) -> str | None:
        return self.doc.meta.get("language")


@dataclass
class Library:
    root: Path
    themes: list[ThemeSource] = field(default_factory=list)
    courses: list[CourseSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- documents


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _node_lines(node, prefix: str = "", offset: int = 0) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            lines.setdefault(key, key_node.start_mark.line + 1 + offset)
            if isinstance(value_node, yaml.MappingNode):
                lines.update(_node_lines(value_node, key + ".", offset))
    return lines


def _yaml_problem(rel: str, exc: yaml.YAMLError, offset: int, what: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + offset if mark else 1
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(rel, line, f"bad {what}: {reason}")


def _read_text(root: Path, path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        problems.append(Problem(_rel(root, path), 1, "not UTF-8 text"))
    except OSError as exc:
        problems.append(Problem(_rel(root, path), 1, f"cannot read: {exc.strerror}"))
    return None


def parse_document(rel: str, text: str, problems: list[Problem]) -> Document | None:
    """Split ``---`` front matter from the body; report YAML errors with their line."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(rel, 1, "missing front matter: the file must start with '---'"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.append(Problem(rel, 1, "front matter is not closed by a '---' line"))
        return None
    source = "\n".join(lines[1:end])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(rel, exc, 1, "front matter"))
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(rel, 2, "front matter must be a mapping of keys to values"))
        return None
    return Document(
        rel=rel, meta=meta, body="\n".join(lines[end + 1 :]), body_line=end + 2,
        key_lines=_node_lines(node, offset=1), hash=sha256(text),
    )


# --------------------------------------------------------------------------- value checks


class _Checker:
    """Small helpers that check one document's front matter and record problems."""

    def __init__(self, doc: Document, problems: list[Problem]):
        self.doc, self.problems = doc, problems

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.doc.rel, self.doc.line(key), message))

    def unknown_keys(self, allowed: set[str], mapping: dict | None = None, prefix: str = ""):
        for key in (mapping if mapping is not None else self.doc.meta):
            if key not in allowed:
                self.problem(f"{prefix}{key}", f"unknown key '{prefix}{key}'")

    def text(self, key: str, required: bool = True, mapping: dict | None = None,
             prefix: str = "") -> None:
        meta = mapping if mapping is not None else self.doc.meta
        if key not in meta or meta[key] is None:
            if required:
                line_key = prefix.rstrip(".") if prefix else key
                self.problems.append(Problem(
                    self.doc.rel, self.doc.line(line_key) if prefix else 1,
                    f"missing key '{prefix}{key}'"))
            return
        value = meta[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(prefix + key, f"'{prefix}{key}' must be non-empty text")

    def integer(self, key: str, minimum: int, maximum: int | None = None, required=False,
                mapping: dict | None = None, prefix: str = "", nullable=False) -> None:
        meta = mapping if mapping is not None else self.doc.meta
        if key not in meta or (meta[key] is None and nullable):
            if required:
                self.problems.append(Problem(self.doc.rel, 1, f"missing key '{prefix}{key}'"))
            return
        value = meta[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(prefix + key, f"'{prefix}{key}' must be a whole number")
        elif value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            self.problem(prefix + key, f"'{prefix}{key}' must be {bound}")

    def boolean(self, key: str, mapping: dict | None = None, prefix: str = "") -> None:
        meta = mapping if mapping is not None else self.doc.meta
        if key in meta and not isinstance(meta[key], bool):
            self.problem(prefix + key, f"'{prefix}{key}' must be true or false")

    def text_list(self, key: str) -> None:
        value = self.doc.meta.get(key)
        if value is None or isinstance(value, str):
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"'{key}' must be a list of text")


def as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [str(v).strip() for v in value if str(v).strip()]


# --------------------------------------------------------------------------- themes


def read_themes(root: Path, problems: list[Problem]) -> list[ThemeSource]:
    path = root / "courses" / "themes.yml"
    rel = _rel(root, path)
    if not path.is_file():
        problems.append(Problem(rel, 1, "file not found: the library needs its themes"))
        return []
    text = _read_text(root, path, problems)
    if text is None:
        return []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(rel, exc, 0, "YAML"))
        return []
    if not isinstance(data, list):
        problems.append(Problem(rel, 1, "themes.yml must be a list of themes"))
        return []
    themes: list[ThemeSource] = []
    first_line: dict[str, int] = {}
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        lines = _node_lines(item_node)
        if not isinstance(item, dict):
            problems.append(Problem(rel, line, "a theme must be a mapping"))
            continue
        before = len(problems)
        for key in item:
            if key not in THEME_KEYS:
                problems.append(Problem(rel, lines.get(key, line), f"unknown key '{key}'"))
        for key in ("slug", "title"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(Problem(rel, lines.get(key, line), f"missing key '{key}'"))
        slug = item.get("slug")
        if isinstance(slug, str) and not SLUG_RE.fullmatch(slug):
            problems.append(Problem(rel, lines["slug"], f"bad slug '{slug}'"))
        if "order" in item and (isinstance(item["order"], bool)
                                or not isinstance(item["order"], int)):
            problems.append(Problem(rel, lines["order"], "'order' must be a whole number"))
        audiences = item.get("audiences")
        if audiences is not None and not (
            isinstance(audiences, list) and all(isinstance(a, str) for a in audiences)
        ):
            problems.append(Problem(rel, lines["audiences"], "'audiences' must be a list"))
        translations = _theme_translations(
            item, rel, line, lines, len(as_list(audiences)), problems)
        if len(problems) > before:
            continue
        if slug in first_line:
            problems.append(Problem(
                rel, lines["slug"], f"duplicate theme slug '{slug}' (first at line "
                f"{first_line[slug]})"))
            continue
        first_line[slug] = lines["slug"]
        themes.append(ThemeSource(
            slug=slug, title=item["title"].strip(),
            description=str(item.get("description") or "").strip(),
            audiences=as_list(audiences), position=item.get("order", len(themes) + 1),
            line=line, translations=translations,
        ))
    return themes


def _theme_translations(item: dict, rel: str, line: int, lines: dict[str, int],
                        audiences: int, problems: list[Problem]) -> dict[str, dict]:
    """Check a theme's ``translations`` block; return it cleaned (texts stripped, in the
    order of ``LANGUAGE_NAMES``). English is the theme's own text, never a translation;
    a translation needs a title and, if it has audiences, as many as the English list."""
    block = item.get("translations")
    if block is None:
        return {}
    where = lines.get("translations", line)
    if not isinstance(block, dict):
        problems.append(Problem(rel, where, "'translations' must be a mapping of language "
                                            "codes (fr, es, ar, ru, zh) to texts"))
        return {}
    others = [code for code in LANGUAGE_NAMES if code != "en"]
    cleaned: dict[str, dict] = {}
    for code, text in block.items():
        key = f"translations.{code}"
        at = lines.get(key, where)
        if code == "en":
            problems.append(Problem(rel, at, "English is the theme's own text: put it in "
                                             "'title', 'description' and 'audiences', not "
                                             "in 'translations'"))
            continue
        if code not in others:
            problems.append(Problem(rel, at, f"unknown language '{code}' in 'translations' "
                                             f"(known: {', '.join(others)})"))
            continue
        if not isinstance(text, dict):
            problems.append(Problem(rel, at, f"'{key}' must be a mapping with title, "
                                             "description and audiences"))
            continue
        for name in text:
            if name not in THEME_TEXT_KEYS:
                problems.append(Problem(rel, lines.get(f"{key}.{name}", at),
                                        f"unknown key '{key}.{name}'"))
        title = text.get("title")
        if title is None:
            problems.append(Problem(rel, at, f"missing key '{key}.title'"))
        elif not isinstance(title, str) or not title.strip():
            problems.append(Problem(rel, lines.get(f"{key}.title", at),
                                    f"'{key}.title' must be non-empty text"))
        description = text.get("description")
        if description is not None and not isinstance(description, str):
            problems.append(Problem(rel, lines.get(f"{key}.description", at),
                                    f"'{key}.description' must be text"))
        translated = text.get("audiences")
        if translated is not None:
            if not (isinstance(translated, list)
                    and all(isinstance(a, str) for a in translated)):
                problems.append(Problem(rel, lines.get(f"{key}.audiences", at),
                                        f"'{key}.audiences' must be a list"))
            elif len(as_list(translated)) != audiences:
                problems.append(Problem(
                    rel, lines.get(f"{key}.audiences", at),
                    f"'{key}.audiences' has {len(as_list(translated))} item(s), the English "
                    f"'audiences' {audiences}: translate each one, in the same order"))
        cleaned[code] = {"title": title.strip() if isinstance(title, str) else ""}
        if isinstance(description, str) and description.strip():
            cleaned[code]["description"] = description.strip()
        if isinstance(translated, list) and as_list(translated):
            cleaned[code]["audiences"] = as_list(translated)
    return {code: cleaned[code] for code in others if code in cleaned}
