"""A course back to the library's file format, so browser edits can be reviewed as files.

``course_files(course)`` gives ``{relative path: bytes}`` under ``<slug>/``; the zip
download and ``flask content export`` both use it. Syncing the exported folder gives
the same rows (modules keep their numbers, unpublished ones say ``published: false``).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import yaml

from elearn.courses.models import Course, CourseMedia
from elearn.extensions import db


class _Dumper(yaml.SafeDumper):
    """Block mappings, lists on one line (``audience: [a, b]``), as authors write them."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data,
                                                         flow_style=True))


def _document(meta: dict, body: str) -> bytes:
    front = yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                      default_flow_style=False, width=100_000)
    return f"---\n{front}---\n{body}".encode()


def _course_meta(course: Course) -> dict:
    text = course.text(course.language)
    meta = {"title": text.title, "theme": course.theme.slug, "language": course.language,
            "summary": text.summary, "audience": list(text.audience),
            "minutes": course.minutes}
    if not course.published:
        meta["published"] = False
    if course.requires_webinar_attendance:
        meta["webinar_required"] = True
    if course.quiz_bank:
        meta["quiz"] = {
            "bank": course.quiz_bank, "pass_mark": course.pass_mark,
            "attempts": course.attempts_allowed,
            "time_limit_minutes": course.time_limit_minutes,
            "questions": course.questions_per_attempt,
            "shuffle_answers": course.shuffle_answers, "show_feedback": course.show_feedback,
            "show_correct_answers": course.show_correct_answers,
        }
    return meta


def _numbers(course: Course) -> dict[int, int]:
    """{module id: number in its file name}: the stored positions if they are distinct,
    else 1, 2, 3... in the course's order."""
    modules = list(course.modules)
    positions = [m.position for m in modules]
    if len(set(positions)) == len(positions) and all(0 <= p <= 999 for p in positions):
        return {m.id: m.position for m in modules}
    return {m.id: number for number, m in enumerate(modules, start=1)}


def course_files(course: Course) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    base = course.slug
    files[f"{base}/course.md"] = _document(_course_meta(course),
                                           course.text(course.language).intro_markdown)
    for text in course.texts:
        if text.language == course.language:
            continue
        meta = {"title": text.title, "language": text.language, "summary": text.summary,
                "audience": list(text.audience)}
        files[f"{base}/course.{text.language}.md"] = _document(meta, text.intro_markdown)
    numbers = _numbers(course)
    for module in course.modules:
        stem = f"{numbers[module.id]:02d}-{module.slug}"
        for text in module.texts:
            if text.language == course.language:
                meta = {"title": text.title, "minutes": module.minutes}
                if not module.published:
                    meta["published"] = False
                files[f"{base}/{stem}.md"] = _document(meta, text.body_markdown)
            else:
                files[f"{base}/{stem}.{text.language}.md"] = _document(
                    {"title": text.title, "minutes": module.minutes}, text.body_markdown)
    media = db.session.execute(
        db.select(CourseMedia).where(CourseMedia.course_id == course.id)
        .order_by(CourseMedia.filename)
    ).scalars()
    for item in media:
        files[f"{base}/media/{item.filename}"] = item.data
    return files


def course_zip(course: Course) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in course_files(course).items():
            archive.writestr(path, data)
    return buffer.getvalue()


def write_course(course: Course, directory: Path, *, replace: bool = False) -> list[Path]:
    """Write the course into ``directory/<slug>/``. With ``replace``, the folder's
    Markdown files and media are removed first (so renamed modules leave no old file)."""
    folder = directory / course.slug
    if folder.exists() and any(folder.iterdir()):
        if not replace:
            raise FileExistsError(folder)
        for path in folder.glob("*.md"):
            path.unlink()
        shutil.rmtree(folder / "media", ignore_errors=True)
    written = []
    for rel, data in course_files(course).items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
