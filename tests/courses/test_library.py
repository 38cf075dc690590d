"""`flask content sync --check`: every mistake in the library, with its file and line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from elearn.courses.models import Course, Theme
from elearn.courses.reader import read_library
from tests.courses.conftest import write

COURSE_STAMPS = select(Course.slug, Course.updated_at).order_by(Course.slug)
ROOT = Path(__file__).resolve().parents[2]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["content", "sync", *args])


def test_the_shipped_library_has_no_problems(app):
    library = read_library(ROOT)
    assert library.problems == []
    slugs = {c.slug for c in library.courses}
    assert {"customs-trade", "poprc-participation", "article-15-reporting"} <= slugs
    assert len(library.themes) == 12
    customs = next(c for c in library.courses if c.slug == "customs-trade")
    assert "fr" in customs.translations and 3 <= len(customs.modules) <= 6
    assert all(m.translations.get("fr") for m in customs.modules)


def test_check_on_a_good_library_changes_nothing(app, db, library):
    result = run(app, str(library), "--check")
    assert result.exit_code == 0, result.output
    assert "No problems" in result.output
    assert db.session.execute(select(func.count(Course.id))).scalar() == 0


def break_library(root: Path) -> list[str]:
    """Put one mistake of each kind in the library; return the lines expected."""
    themes = (root / "courses/themes.yml").read_text()
    write(root, "courses/themes.yml", themes + "- slug: customs\n  title: Again\n")
    write(root, "courses/bad-yaml/course.md",
          "---\ntitle: Broken\ntheme: customs\nsummary: [unclosed\nlanguage: en\n---\nText\n")
    write(root, "courses/no-summary/course.md",
          "---\ntitle: No summary\ntheme: customs\nlanguage: en\n---\nText\n")
    write(root, "courses/wrong-theme/course.md",
          "---\ntitle: Wrong theme\ntheme: nowhere\nlanguage: en\nsummary: S\n---\nText\n")
    course = root / "courses/customs-trade/course.md"
    course.write_text(course.read_text().replace("bank: trade-final", "bank: missing-bank"))
    write(root, "courses/customs-trade/02-hs-codes.md",
          "---\ntitle: HS codes\nminutes: 20\n---\n# HS codes\n\nText.\n\n"
          "See [module nine](09-nowhere.md) and ![map](media/map.png).\n")
    write(root, "courses/customs-trade/04-why.md", "---\ntitle: Again\nminutes: 5\n---\nx\n")
    write(root, "courses/customs-trade/07-ghost.fr.md", "---\ntitle: Fantôme\n---\nx\n")
    write(root, "courses/customs-trade/03-detecting.md",
          "---\ntitle: Detecting\nminutes: many\nlevel: hard\n---\nx\n")
    write(root, "courses/customs-trade/notes.md", "scratch\n")
    write(root, "courses/customs-trade/media/evil.svg", "<svg onload='alert(1)'></svg>")
    write(root, "courses/article-15/course.xx.md", "---\ntitle: X\nsummary: S\n---\nx\n")
    return [
        "courses/themes.yml:15: duplicate theme slug 'customs' (first at line 1)",
        "courses/bad-yaml/course.md:5: bad front matter: expected ',' or ']', but got ':'",
        "courses/no-summary/course.md:1: missing key 'summary'",
        "courses/wrong-theme/course.md:3: unknown theme 'nowhere' (not in courses/themes.yml)",
        "courses/customs-trade/course.md:9: quiz bank 'missing-bank' not found",
        "courses/customs-trade/02-hs-codes.md:9: broken link '09-nowhere.md': no module "
        "'nowhere' in course 'customs-trade'",
        "courses/customs-trade/02-hs-codes.md:9: broken link 'media/map.png': no file "
        "media/map.png in course 'customs-trade'",
        "courses/customs-trade/04-why.md:1: duplicate module slug 'why'",
        "courses/customs-trade/07-ghost.fr.md:1: translation without an original: no "
        "07-ghost.md",
        "courses/customs-trade/03-detecting.md:3: 'minutes' must be a whole number",
        "courses/customs-trade/03-detecting.md:4: unknown key 'level'",
        "courses/customs-trade/notes.md:1: not a module file name: expected NN-slug.md",
        "courses/customs-trade/media/evil.svg:1: Only PNG, JPEG, GIF, WebP images and PDF "
        "files are accepted.",
        "courses/article-15/course.xx.md:1: unknown language 'xx' (known: en, fr, es, ar, ru, "
        "zh)",
    ]


def test_a_library_with_mistakes_lists_each_and_changes_nothing(app, db, synced):
    before = db.session.execute(COURSE_STAMPS).all()
    expected = break_library(synced)
    for args in ([str(synced), "--check"], [str(synced)]):
        result = run(app, *args)
        assert result.exit_code == 1
        lines = result.output.splitlines()
        for line in expected:
            assert line in lines, f"{line!r} not in:\n{result.output}"
        assert lines[-1].startswith(f"{len(lines) - 1} problem(s)")
        assert "nothing was changed" in lines[-1]
    db.session.expire_all()
    assert db.session.execute(COURSE_STAMPS).all() == before
    assert db.session.execute(select(func.count(Theme.id))).scalar() == 3


def test_no_courses_folder_is_reported(app, db, tmp_path):
    result = run(app, str(tmp_path))
    assert result.exit_code == 1
    assert "courses:1: no courses/ folder" in result.output


def test_links_to_other_courses_and_the_course_page_are_checked(library):
    write(library, "courses/article-15/01-what.md",
          "---\ntitle: What\nminutes: 5\n---\nSee [HS](../customs-trade/02-hs-codes.md), "
          "[the course](course.md), [the other](../customs-trade/course.fr.md#top) and "
          "[missing](../no-such-course/01-x.md).\n")
    problems = [str(p) for p in read_library(library).problems]
    assert problems == ["courses/article-15/01-what.md:5: broken link "
                        "'../no-such-course/01-x.md': no course 'no-such-course'"]
