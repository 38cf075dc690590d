"""``read_library(root)``: every course folder parsed and checked, every problem listed.

Checks: front matter (YAML, required keys, types, unknown keys), the theme exists in
themes.yml, the quiz bank file exists, file names follow ``NN-slug.md``, no duplicate
module slug or number, translations have an original, languages are known, internal
links lead somewhere, media files are of an accepted type and size.
"""

from __future__ import annotations

from pathlib import Path

from elearn.courses.library import (
    COURSE_FILE_RE,
    COURSE_KEYS,
    MODULE_FILE_RE,
    MODULE_KEYS,
    QUIZ_KEYS,
    SLUG_RE,
    CourseSource,
    Document,
    Library,
    MediaSource,
    ModuleSource,
    Problem,
    _Checker,
    _read_text,
    _rel,
    parse_document,
    read_themes,
)
from elearn.courses.links import check_links
from elearn.courses.media import DEFAULT_MAX_BYTES, check_media
from elearn.i18n import LANGUAGE_NAMES


def read_library(root: Path | str, *, max_media_bytes: int = DEFAULT_MAX_BYTES) -> Library:
    """Parse and check the whole library under ``root`` (which holds ``courses/``)."""
    root = Path(root).resolve()
    library = Library(root=root)
    problems = library.problems
    courses_dir = root / "courses"
    if not courses_dir.is_dir():
        problems.append(Problem("courses", 1, f"no courses/ folder in {root}"))
        return library
    library.themes = read_themes(root, problems)
    theme_slugs = {t.slug for t in library.themes}
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        course = _read_course(root, folder, theme_slugs, problems, max_media_bytes)
        if course is not None:
            library.courses.append(course)
    index = _Index(library.courses)
    for course in library.courses:
        for doc in _documents(course):
            for line, message in check_links(doc.body, course.slug, index):
                problems.append(Problem(doc.rel, doc.body_line + line - 1, message))
    problems.sort()
    return library


class _Index:
    """The library's courses, modules and media, for checking links."""

    def __init__(self, courses: list[CourseSource]):
        self.modules = {c.slug: c.module_files for c in courses}
        self.media = {c.slug: {m.filename for m in c.media} for c in courses}

    def has_course(self, course: str) -> bool:
        return course in self.modules

    def has_module(self, course: str, module: str) -> bool:
        return module in self.modules.get(course, ())

    def has_media(self, course: str, filename: str) -> bool:
        return filename in self.media.get(course, ())


def _documents(course: CourseSource):
    yield course.doc
    yield from course.translations.values()
    for module in course.modules:
        yield module.doc
        yield from module.translations.values()


def _read_doc(root: Path, path: Path, problems: list[Problem]) -> Document | None:
    text = _read_text(root, path, problems)
    return None if text is None else parse_document(_rel(root, path), text, problems)


def _language(code: str | None, rel: str, problems: list[Problem], line: int = 1) -> bool:
    if code not in LANGUAGE_NAMES:
        known = ", ".join(LANGUAGE_NAMES)
        problems.append(Problem(rel, line, f"unknown language '{code}' (known: {known})"))
        return False
    return True


def _read_course(root, folder: Path, themes: set[str], problems, max_media_bytes):
    slug = folder.name
    rel = _rel(root, folder)
    if not SLUG_RE.fullmatch(slug) or len(slug) > 80:
        problems.append(Problem(rel, 1, f"bad course slug '{slug}': use a-z, 0-9 and '-'"))
        return None
    main = folder / "course.md"
    if not main.is_file():
        problems.append(Problem(f"{rel}/course.md", 1, "file not found: a course needs one"))
        return None
    doc = _read_doc(root, main, problems)
    if doc is None:  # reported; still check the modules, against an empty course.md
        doc = Document(rel=_rel(root, main), meta={}, body="", body_line=1, key_lines={},
                       hash="")
    else:
        _check_course_meta(root, doc, themes, problems)
    course = CourseSource(slug=slug, doc=doc)
    originals: dict[str, ModuleSource] = {}
    numbers: dict[int, str] = {}
    translations: list[tuple[str, str, Path]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        name = path.name
        if path.suffix != ".md" or name == "course.md":
            continue
        if match := COURSE_FILE_RE.fullmatch(name):
            translations.append(("course", match.group(1), path))
            continue
        match = MODULE_FILE_RE.fullmatch(name)
        if not match:
            problems.append(Problem(_rel(root, path), 1,
                                    "not a module file name: expected NN-slug.md"))
            continue
        number, module_slug, language = int(match.group(1)), match.group(2), match.group(3)
        if language:
            translations.append((f"{match.group(1)}-{module_slug}", language, path))
            continue
        module_doc = _read_doc(root, path, problems)
        if module_doc is None or not _check_module_meta(module_doc, problems, original=True):
            originals.setdefault(module_slug, None)  # known, so links to it don't also fail
            continue
        if module_slug in originals:
            problems.append(Problem(module_doc.rel, 1, f"duplicate module slug '{module_slug}'"))
            continue
        if number in numbers:
            problems.append(Problem(
                module_doc.rel, 1, f"module number {number:02d} is also used by {numbers[number]}"
            ))
            continue
        numbers[number] = name
        originals[module_slug] = ModuleSource(slug=module_slug, position=number, doc=module_doc)
    for stem, language, path in translations:
        _read_translation(root, course, originals, stem, language, path, problems)
    course.modules = sorted(
        (m for m in originals.values() if m is not None), key=lambda m: m.position
    )
    course.module_files = set(originals)
    course.media = _read_media(root, folder / "media", problems, max_media_bytes)
    return course


def _read_translation(root, course, originals, stem, language, path, problems) -> None:
    rel = _rel(root, path)
    if not _language(language, rel, problems):
        return
    if language == course.language:
        problems.append(Problem(rel, 1, f"the course itself is in '{language}'"))
        return
    doc = _read_doc(root, path, problems)
    if doc is None:
        return
    if stem == "course":
        checker = _Checker(doc, problems)
        checker.unknown_keys(COURSE_KEYS)
        checker.text("title")
        checker.text("summary")
        checker.text_list("audience")
        if doc.meta.get("language", language) != language:
            checker.problem("language", f"language must be '{language}' in this file")
        if doc.meta.get("theme", course.doc.meta.get("theme")) != course.doc.meta.get("theme"):
            checker.problem("theme", "theme differs from course.md")
        course.translations[language] = doc
        return
    module_slug = stem.split("-", 1)[1]
    if module_slug not in originals:
        problems.append(Problem(rel, 1, f"translation without an original: no {stem}.md"))
        return
    original = originals[module_slug]
    if original is None:
        return  # the original has problems of its own
    if original.doc.rel.rsplit("/", 1)[-1] != f"{stem}.md":
        problems.append(Problem(rel, 1, f"translation without an original: no {stem}.md "
                                        f"(the module is {original.doc.rel.rsplit('/', 1)[-1]})"))
        return
    if _check_module_meta(doc, problems, original=False):
        original.translations[language] = doc


def _check_course_meta(root: Path, doc: Document, themes: set[str], problems) -> bool:
    before = len(problems)
    checker = _Checker(doc, problems)
    meta = doc.meta
    checker.unknown_keys(COURSE_KEYS)
    for key in ("title", "theme", "language", "summary"):
        checker.text(key)
    checker.text_list("audience")
    checker.integer("minutes", 0)
    checker.boolean("published")
    checker.boolean("webinar_required")
    if isinstance(meta.get("theme"), str) and meta["theme"] not in themes:
        checker.problem("theme", f"unknown theme '{meta['theme']}' (not in courses/themes.yml)")
    if isinstance(meta.get("language"), str):
        _language(meta["language"], doc.rel, problems, doc.line("language"))
    quiz = meta.get("quiz")
    if quiz is not None:
        if not isinstance(quiz, dict):
            checker.problem("quiz", "'quiz' must be a mapping (bank, pass_mark, ...)")
        else:
            checker.unknown_keys(QUIZ_KEYS, quiz, "quiz.")
            checker.text("bank", mapping=quiz, prefix="quiz.")
            bank = quiz.get("bank")
            if isinstance(bank, str) and bank.strip() and not _bank_exists(root, bank):
                checker.problem("quiz.bank", f"quiz bank '{bank}' not found")
            checker.integer("pass_mark", 0, 100, mapping=quiz, prefix="quiz.")
            checker.integer("attempts", 0, mapping=quiz, prefix="quiz.")
            checker.integer("time_limit_minutes", 0, mapping=quiz, prefix="quiz.", nullable=True)
            checker.integer("questions", 1, mapping=quiz, prefix="quiz.")
            for key in ("shuffle_answers", "show_feedback", "show_correct_answers"):
                checker.boolean(key, mapping=quiz, prefix="quiz.")
    return len(problems) == before


def _bank_exists(root: Path, bank: str) -> bool:
    return bool(SLUG_RE.fullmatch(bank)) and (root / "quizzes" / f"{bank}.gift").is_file()


def _check_module_meta(doc: Document, problems, *, original: bool) -> bool:
    before = len(problems)
    checker = _Checker(doc, problems)
    checker.unknown_keys(MODULE_KEYS)
    checker.text("title")
    checker.integer("minutes", 0, required=original)
    checker.boolean("published")
    return len(problems) == before


def _read_media(root: Path, folder: Path, problems, max_bytes: int) -> list[MediaSource]:
    if not folder.is_dir():
        return []
    media = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.name.startswith("."):
            continue
        data = path.read_bytes()
        content_type, reason = check_media(path.name, data, max_bytes)
        if reason:
            problems.append(Problem(_rel(root, path), 1, reason))
            continue
        media.append(MediaSource(filename=path.name, content_type=content_type, data=data))
    return media
