"""`flask content sync`: files become rows, once; changes are found; nothing is lost."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from elearn.courses import editing, services
from elearn.courses import sync as sync_module
from elearn.courses.export import write_course
from elearn.courses.models import (
    Course,
    CourseMedia,
    Module,
    ModuleProgress,
    ModuleRevision,
    ModuleText,
    Theme,
)
from elearn.courses.sync import sync_library
from tests.courses.conftest import write

STAMPS = select(ModuleText.id, ModuleText.updated_at).order_by(ModuleText.id)
COURSE_STAMPS = select(Course.slug, Course.updated_at).order_by(Course.slug)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def run(app, root, *args):
    return app.test_cli_runner().invoke(args=["content", "sync", str(root), *args])


def course(db, slug="customs-trade") -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_first_sync_adds_everything(app, db, library):
    result = run(app, library)
    assert result.exit_code == 0, result.output
    assert "+ theme customs" in result.output
    assert "+ course customs-trade" in result.output
    assert "+ module customs-trade/hs-codes [en]" in result.output
    assert "+ module customs-trade/why [fr]" in result.output
    assert count(db, Theme) == 3 and count(db, Course) == 2 and count(db, Module) == 4
    customs = course(db)
    assert customs.published and customs.language == "en" and customs.theme.slug == "customs"
    assert [m.slug for m in customs.modules] == ["why", "hs-codes", "detecting"]
    assert customs.languages == ["en", "fr"]
    assert customs.text("en").audience == ["Customs officers", "Border police"]
    # The closing quiz's settings, for the quizzes feature.
    assert (customs.quiz_bank, customs.pass_mark, customs.attempts_allowed,
            customs.time_limit_minutes, customs.questions_per_attempt, customs.shuffle_answers,
            customs.show_feedback, customs.show_correct_answers) == (
        "trade-final", 70, 2, 15, 5, False, True, False)
    reporting = course(db, "article-15")
    assert reporting.quiz_bank is None
    # Markdown is rendered once, links to modules become their pages.
    why = customs.modules[0].text("en")
    assert '<a href="/courses/customs-trade/modules/hs-codes#codes">' in why.body_html
    assert customs.text("fr").intro_html.count("/courses/customs-trade/modules/why") == 1
    assert [r.note for r in why.revisions] == ["Content sync"]


def test_second_sync_changes_nothing(app, db, library):
    run(app, library)
    before = db.session.execute(
        select(ModuleText.id, ModuleText.updated_at, ModuleText.body_html)
        .order_by(ModuleText.id)).all()
    courses_before = db.session.execute(COURSE_STAMPS).all()
    revisions = count(db, ModuleRevision)
    result = run(app, library)
    assert result.exit_code == 0
    assert "Nothing to change" in result.output
    assert "0 added, 0 changed, 0 removed or unpublished" in result.output
    db.session.expire_all()
    assert db.session.execute(
        select(ModuleText.id, ModuleText.updated_at, ModuleText.body_html)
        .order_by(ModuleText.id)).all() == before
    assert db.session.execute(COURSE_STAMPS).all() == courses_before
    assert count(db, ModuleRevision) == revisions


def test_changed_files_are_found(app, db, synced):
    customs = course(db)
    hs = customs.modules[1].text("en")
    why_stamp = customs.modules[0].text("en").updated_at
    write(synced, "courses/customs-trade/02-hs-codes.md",
          "---\ntitle: HS codes for POPs\nminutes: 25\n---\n# HS codes\n\nChapter 38, "
          "heading 38.08.\n")
    course_md = synced / "courses/customs-trade/course.md"
    course_md.write_text(course_md.read_text().replace("pass_mark: 70", "pass_mark: 75"))
    # Same values written differently: not a change.
    reporting = synced / "courses/article-15/course.md"
    reporting.write_text(reporting.read_text().replace("minutes: 30", "minutes:   30"))
    result = run(app, synced)
    assert result.exit_code == 0, result.output
    assert "~ course customs-trade" in result.output
    assert "~ module customs-trade/hs-codes" in result.output
    assert "~ module customs-trade/hs-codes [en]" in result.output
    assert "article-15" not in result.output
    customs = course(db)
    hs = customs.modules[1].text("en")
    assert customs.pass_mark == 75 and customs.modules[1].minutes == 25
    assert hs.title == "HS codes for POPs" and "heading 38.08" in hs.body_html
    assert [r.number for r in hs.revisions] == [2, 1]
    assert customs.modules[0].text("en").updated_at == why_stamp


def test_a_removed_module_is_unpublished_and_progress_is_kept(app, db, synced, make_user):
    learner = make_user()
    detecting = course(db).modules[2]
    services.complete_module(learner, detecting)
    db.session.commit()
    (synced / "courses/customs-trade/03-detecting.md").unlink()
    result = run(app, synced)
    assert "- module customs-trade/detecting (unpublished: file removed)" in result.output
    customs = course(db)
    assert [m.slug for m in customs.modules] == ["why", "hs-codes", "detecting"]
    assert [m.slug for m in customs.published_modules] == ["why", "hs-codes"]
    assert count(db, ModuleProgress) == 1
    assert services.course_progress(learner, customs).total == 2
    assert run(app, synced).output.count("Nothing to change") == 1
    # Back in the files: published again, with the learner's completion.
    write(synced, "courses/customs-trade/03-detecting.md",
          "---\ntitle: Detecting illegal trade\nminutes: 20\n---\nBack.\n")
    run(app, synced)
    customs = course(db)
    assert customs.modules[2].published
    assert services.course_progress(learner, customs).completed == 1


def test_a_removed_course_is_unpublished(app, db, synced, make_user):
    learner = make_user()
    services.enrol(learner, course(db, "article-15"))
    db.session.commit()
    shutil.rmtree(synced / "courses/article-15")
    result = run(app, synced)
    assert "- course article-15 (unpublished: folder removed)" in result.output
    assert not course(db, "article-15").published
    assert services.get_enrolment(learner, course(db, "article-15")) is not None


def test_translations_are_synced_and_removed_with_their_file(app, db, synced):
    customs = course(db)
    assert customs.modules[0].text("fr").title == "Pourquoi contrôler"
    assert customs.modules[1].text("fr").language == "en"  # falls back
    (synced / "courses/customs-trade/course.fr.md").unlink()
    write(synced, "courses/customs-trade/02-hs-codes.fr.md",
          "---\ntitle: Les codes SH\n---\n# Les codes SH\n\nLe chapitre 38.\n")
    result = run(app, synced)
    assert "+ module customs-trade/hs-codes [fr]" in result.output
    assert "- course customs-trade [fr] (file removed)" in result.output
    customs = course(db)
    assert customs.languages == ["en"]
    assert customs.modules[1].text("fr").title == "Les codes SH"


def test_browser_edits_survive_until_the_file_changes(app, db, synced, make_user):
    trainer = make_user(role="trainer")
    why = course(db).modules[0]
    editing.save_module(why, "en", title="Why (edited)", body="Edited in the browser.\n",
                        user=trainer)
    db.session.commit()
    assert "Nothing to change" in run(app, synced).output
    assert course(db).modules[0].text("en").title == "Why (edited)"
    write(synced, "courses/customs-trade/01-why.md",
          "---\ntitle: Why it matters\nminutes: 20\n---\nFrom the file.\n")
    run(app, synced)
    text = course(db).modules[0].text("en")
    assert text.title == "Why it matters"
    assert [r.note for r in text.revisions] == ["Content sync", "", "Content sync"]


def test_script_and_javascript_links_sync_to_safe_html(app, db, library):
    write(library, "courses/customs-trade/03-detecting.md",
          "---\ntitle: Detecting\nminutes: 5\n---\n# Detecting\n\n<script>alert('x')</script>\n\n"
          "[click](javascript:alert(1)) [again](JaVaScRiPt&#58;alert(2)) "
          "<a href=\"javascript:alert(3)\" onclick=\"alert(4)\">raw</a>\n\n"
          "<img src=x onerror=alert(5)> ![data](data:text/html;base64,PHNjcmlwdD4=)\n")
    assert run(app, library).exit_code == 0
    html = course(db).modules[2].text("en").body_html.lower()
    for bad in ("<script", "javascript", "onclick", "onerror", "data:"):
        assert bad not in html
    assert "click" in html and "raw" in html


def test_media_files_are_synced_and_linked(app, db, library):
    (library / "courses/customs-trade/media").mkdir()
    (library / "courses/customs-trade/media/map.png").write_bytes(PNG)
    write(library, "courses/customs-trade/03-detecting.md",
          "---\ntitle: Detecting\nminutes: 5\n---\n![Border posts](media/map.png)\n")
    result = run(app, library)
    assert "+ media customs-trade/map.png" in result.output
    media = db.session.execute(select(CourseMedia)).scalar_one()
    assert (media.filename, media.content_type, media.data) == ("map.png", "image/png", PNG)
    html = course(db).modules[2].text("en").body_html
    assert 'src="/courses/customs-trade/media/map.png"' in html
    assert "Nothing to change" in run(app, library).output


def snapshot(db) -> list:
    """Everything a learner or the quizzes feature reads, by slug (no ids, no hashes)."""
    db.session.expire_all()
    rows = []
    for c in db.session.execute(select(Course).order_by(Course.slug)).scalars():
        quiz = ("pass_mark", "attempts_allowed", "time_limit_minutes",
                "questions_per_attempt", "shuffle_answers", "show_feedback",
                "show_correct_answers") if c.quiz_bank else ()  # meaningless without a bank
        settings = {k: getattr(c, k) for k in (
            "slug", "language", "minutes", "published", "quiz_bank",
            "requires_webinar_attendance", *quiz)}
        texts = [(t.language, t.title, t.summary, t.audience, t.intro_markdown, t.intro_html)
                 for t in c.texts]
        modules = [(m.slug, m.position, m.minutes, m.published,
                    [(t.language, t.title, t.body_markdown, t.body_html, t.toc_html)
                     for t in m.texts]) for m in c.modules]
        media = sorted(db.session.execute(
            select(CourseMedia.filename, CourseMedia.content_type, CourseMedia.sha256)
            .where(CourseMedia.course_id == c.id)).all())
        rows.append((settings, c.theme.slug, texts, modules, media))
    return rows


def test_export_then_sync_gives_the_same_rows(app, db, synced, make_user, tmp_path):
    trainer = make_user(role="trainer")
    customs = course(db)
    # Browser work the files do not have yet.
    editing.create_module(customs, slug="case-study", title="A case study", minutes=15,
                          body="See [HS codes](02-hs-codes.md).\n", user=trainer)
    editing.move_module(customs.modules[-1], "up")
    editing.set_module_published(customs.modules[0], False)
    editing.save_module(customs.modules[1], "fr", title="Les codes SH", body="Texte.\n",
                        user=trainer)
    editing.upload_media(customs, "map.png", PNG, trainer)
    customs.requires_webinar_attendance = True  # ticked on the settings page
    editing.create_course(slug="new-course", theme=customs.theme, language="fr",
                          title="Nouveau", summary="Résumé", audience=[], intro="Intro\n",
                          user=trainer, minutes=0, quiz_bank=None, pass_mark=80,
                          attempts_allowed=0, time_limit_minutes=None,
                          questions_per_attempt=10, shuffle_answers=True,
                          show_feedback=True, show_correct_answers=True)
    db.session.commit()
    before = snapshot(db)
    stamps = db.session.execute(STAMPS).all()

    export = tmp_path / "export"
    (export / "courses").mkdir(parents=True)
    shutil.copy(synced / "courses/themes.yml", export / "courses/themes.yml")
    shutil.copytree(synced / "quizzes", export / "quizzes")
    for c in db.session.execute(select(Course)).scalars():
        write_course(c, export / "courses")

    # Into the same database: nothing changes, not even a timestamp.
    result = run(app, export)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 changed, 0 removed" in result.output
    assert snapshot(db) == before
    assert db.session.execute(STAMPS).all() == stamps

    # Into an empty one: the same rows again.
    for c in db.session.execute(select(Course)).scalars():
        db.session.delete(c)
    db.session.commit()
    assert run(app, export).exit_code == 0
    assert snapshot(db) == before


class ExtraStep:
    """A step another feature could plug in (the quizzes' bank sync)."""

    name = "extra"
    problems: list = []
    fail = False

    def validate(self, root):
        return list(self.problems)

    def apply(self, root):
        if self.fail:
            raise RuntimeError("the extra step failed")
        return sync_module.StepSummary(self.name, added=["bank x"])


@pytest.fixture
def extra_step(monkeypatch):
    monkeypatch.setattr(sync_module, "STEPS",
                        [*sync_module.STEPS, f"{__name__}:ExtraStep"])
    monkeypatch.setattr(ExtraStep, "problems", [])
    monkeypatch.setattr(ExtraStep, "fail", False)
    return ExtraStep


def test_another_step_plugs_in_and_shares_the_transaction(app, db, library, extra_step):
    from elearn.courses.library import Problem

    extra_step.problems = [Problem("quizzes/x.gift", 3, "bad question")]
    result = run(app, library)
    assert result.exit_code == 1
    assert "quizzes/x.gift:3: bad question" in result.output
    assert count(db, Course) == 0

    extra_step.problems, extra_step.fail = [], True
    result = run(app, library)
    assert result.exit_code != 0
    assert count(db, Course) == 0 and count(db, Theme) == 0  # the course step rolled back too

    extra_step.fail = False
    result = run(app, library)
    assert result.exit_code == 0
    assert "extra: 1 added" in result.output and "+ bank x" in result.output


def test_sync_library_refuses_before_writing(db, library):
    write(library, "courses/customs-trade/01-why.md", "no front matter\n")
    with pytest.raises(sync_module.LibraryProblems) as caught:
        sync_library(library)
    assert [str(p) for p in caught.value.problems] == [
        "courses/customs-trade/01-why.md:1: missing front matter: the file must start with "
        "'---'"]
    assert count(db, Course) == 0
