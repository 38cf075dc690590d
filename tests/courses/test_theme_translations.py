"""Themes in the six UN languages: themes.yml ``translations``, synced, checked, shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel import Locale
from sqlalchemy import select

from elearn.certificates.courseinfo import facts_of
from elearn.courses.models import Course, Theme
from elearn.courses.reader import read_library
from tests.courses.conftest import write

ROOT = Path(__file__).resolve().parents[2]

TRANSLATED = """\
- slug: customs
  title: Customs and trade-related issues
  description: Trade controls on POPs.
  audiences: [Customs officers]
  order: 1
  translations:
    fr:
      title: Questions relatives aux douanes et au commerce
      description: Le contrôle du commerce des POP.
      audiences: [Agents des douanes]
    ar:
      title: المسائل الجمركية والمسائل المتصلة بالتجارة
      audiences: [موظفو الجمارك]
- slug: reporting
  title: Reporting under Article 15
  description: National reports.
  audiences: [Official contact points]
  order: 2
  translations:
    fr:
      title: Communication des informations en application de l’article 15
- slug: pcbs
  title: Environmentally sound management of PCBs
  description: PCBs.
  order: 3
"""
FR_CUSTOMS = "Questions relatives aux douanes et au commerce"
AR_CUSTOMS = "المسائل الجمركية والمسائل المتصلة بالتجارة"
FR_REPORTING = "Communication des informations en application de l’article 15"


def run(app, root, *args):
    return app.test_cli_runner().invoke(args=["content", "sync", str(root), *args])


def theme(db, slug="customs") -> Theme:
    db.session.expire_all()
    return db.session.execute(select(Theme).where(Theme.slug == slug)).scalar_one()


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def translated(db, library):
    """The test library with translated themes, synced and committed."""
    write(library, "courses/themes.yml", TRANSLATED)
    from elearn.courses.sync import sync_library

    sync_library(library)
    db.session.commit()
    return library


# --------------------------------------------------------------------------- sync


def test_sync_stores_the_translations_and_a_second_sync_changes_nothing(app, db, library):
    write(library, "courses/themes.yml", TRANSLATED)
    assert run(app, library).exit_code == 0
    customs = theme(db)
    assert customs.translations == {
        "fr": {"title": FR_CUSTOMS, "description": "Le contrôle du commerce des POP.",
               "audiences": ["Agents des douanes"]},
        "ar": {"title": AR_CUSTOMS, "audiences": ["موظفو الجمارك"]},
    }
    assert theme(db, "pcbs").translations == {}
    stamps = db.session.execute(select(Theme.slug, Theme.updated_at).order_by(Theme.slug)).all()

    again = run(app, library)
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.output
    db.session.expire_all()
    assert db.session.execute(
        select(Theme.slug, Theme.updated_at).order_by(Theme.slug)).all() == stamps


def test_a_changed_or_removed_translation_is_synced(app, db, synced):
    # The library was synced without translations: adding them changes those themes only.
    write(synced, "courses/themes.yml", TRANSLATED)
    result = run(app, synced)
    assert result.exit_code == 0, result.output
    assert "~ theme customs" in result.output and "~ theme reporting" in result.output
    assert "theme pcbs" not in result.output
    assert theme(db).localized("fr").title == FR_CUSTOMS

    write(synced, "courses/themes.yml", TRANSLATED.replace(
        "au commerce\n", "aux échanges commerciaux\n").replace(
        "    ar:\n      title: المسائل الجمركية والمسائل المتصلة بالتجارة\n"
        "      audiences: [موظفو الجمارك]\n", ""))
    result = run(app, synced)
    assert result.exit_code == 0, result.output
    assert "~ theme customs" in result.output and "theme reporting" not in result.output
    customs = theme(db)
    assert customs.localized("fr").title == "Questions relatives aux douanes et aux échanges " \
                                            "commerciaux"
    assert set(customs.translations) == {"fr"}
    assert customs.localized("ar").title == "Customs and trade-related issues"


BROKEN = """\
- slug: customs
  title: Customs and trade-related issues
  audiences: [Customs officers]
  translations:
    de:
      title: Zoll und Handel
    en:
      title: Customs again
    fr:
      description: Sans titre.
      audiences: [Agents des douanes, Policiers]
    es:
      title: Cuestiones aduaneras
      summary: Falta el resumen.
    ar: المسائل الجمركية
- slug: reporting
  title: Reporting under Article 15
  translations: [fr]
- slug: pcbs
  title: Environmentally sound management of PCBs
  translations:
    ru:
      title: ""
"""


def test_translation_mistakes_are_reported_with_their_line_and_nothing_changes(
        app, db, translated):
    before = theme(db).translations
    write(translated, "courses/themes.yml", BROKEN)
    expected = [
        "courses/themes.yml:5: unknown language 'de' in 'translations' (known: fr, es, ar, "
        "ru, zh)",
        "courses/themes.yml:7: English is the theme's own text: put it in 'title', "
        "'description' and 'audiences', not in 'translations'",
        "courses/themes.yml:9: missing key 'translations.fr.title'",
        "courses/themes.yml:11: 'translations.fr.audiences' has 2 item(s), the English "
        "'audiences' 1: translate each one, in the same order",
        "courses/themes.yml:14: unknown key 'translations.es.summary'",
        "courses/themes.yml:15: 'translations.ar' must be a mapping with title, description "
        "and audiences",
        "courses/themes.yml:18: 'translations' must be a mapping of language codes (fr, es, "
        "ar, ru, zh) to texts",
        "courses/themes.yml:23: 'translations.ru.title' must be non-empty text",
    ]
    for args in (["--check"], []):
        result = run(app, translated, *args)
        assert result.exit_code == 1
        lines = result.output.splitlines()
        for line in expected:
            assert line in lines, f"{line!r} not in:\n{result.output}"
        assert "nothing was changed" in lines[-1]
    assert theme(db).translations == before


# --------------------------------------------------------------------------- the model


def test_localized_falls_back_to_english_field_by_field():
    customs = Theme(slug="customs", title="Customs and trade-related issues",
                    description="Trade controls on POPs.", audiences=["Customs officers"],
                    translations={"fr": {"title": FR_CUSTOMS,
                                         "audiences": ["Agents des douanes"]}})
    title, description, audiences = customs.localized("fr")
    assert (title, description, audiences) == (
        FR_CUSTOMS, "Trade controls on POPs.", ["Agents des douanes"])
    # Regional variants and Babel locales name the same language.
    assert customs.localized("fr_CA").title == customs.localized(Locale("fr")).title == FR_CUSTOMS
    assert customs.language_for("fr-CA") == "fr"
    # No translation: English, and the caller is told so.
    for language in ("zh", "en", None, "xx"):
        assert customs.localized(language) == (
            "Customs and trade-related issues", "Trade controls on POPs.",
            ["Customs officers"])
        assert customs.language_for(language) == "en"
    # A theme made before it had translations.
    assert Theme(slug="t", title="T", audiences=[]).localized("fr").title == "T"


# --------------------------------------------------------------------------- pages


def test_home_shows_the_themes_in_the_interface_language(client, translated):
    page = html(client.get("/", headers={"Accept-Language": "fr"}))
    assert f'<h3><a href="/courses/?theme=customs">{FR_CUSTOMS}</a></h3>' in page
    assert "Agents des douanes" in page and "Customs officers" not in page
    assert f'<a href="/courses/?theme=reporting">{FR_REPORTING}</a>' in page
    # The reporting theme has no French audiences: they stay in English.
    assert "Official contact points" in page
    # No French text for the PCB theme: its title is in English, and marked so.
    assert ('<h3 lang="en" dir="ltr"><a href="/courses/?theme=pcbs">'
            'Environmentally sound management of PCBs</a></h3>') in page

    english = html(client.get("/", headers={"Accept-Language": "en"}))
    assert '<a href="/courses/?theme=customs">Customs and trade-related issues</a>' in english
    assert FR_CUSTOMS not in english and 'lang="en"' not in english.split("<main")[-1]


def test_pages_follow_a_signed_in_users_language(client, translated, make_user, login):
    login(make_user(locale="ar"))
    home = html(client.get("/"))
    assert f'<a href="/courses/?theme=customs">{AR_CUSTOMS}</a>' in home
    assert "موظفو الجمارك" in home

    catalogue = html(client.get("/courses/"))
    # The theme filter and the group headings.
    assert re.search(rf'<option value="customs">{AR_CUSTOMS} \(1\)</option>', catalogue)
    assert re.search(r'<option value="reporting" lang="en">Reporting under Article 15 \(1\)'
                     r'</option>', catalogue)
    assert f'<h2 id="theme-customs">{AR_CUSTOMS}</h2>' in catalogue
    assert '<li lang="en" dir="ltr">Environmentally sound management of PCBs</li>' in catalogue

    course = html(client.get("/courses/customs-trade"))
    breadcrumb = re.search(r'<nav class="breadcrumb".*?</nav>', course, re.S).group(0)
    assert f'<a href="/courses/?theme=customs">{AR_CUSTOMS}</a>' in breadcrumb
    report = html(client.get("/courses/article-15"))
    assert ('<a href="/courses/?theme=reporting" lang="en" dir="ltr">Reporting under Article 15</a>'
            in report)


def test_catalogue_and_course_page_in_french(client, translated):
    headers = {"Accept-Language": "fr"}
    catalogue = html(client.get("/courses/?theme=customs", headers=headers))
    assert f'<option value="customs" selected>{FR_CUSTOMS} (1)</option>' in catalogue
    assert f'<h2 id="theme-customs">{FR_CUSTOMS}</h2>' in catalogue
    course = html(client.get("/courses/customs-trade", headers=headers))
    assert f'<a href="/courses/?theme=customs">{FR_CUSTOMS}</a></nav>' in course


def test_trainers_see_theme_titles_in_their_language(client, translated, make_user, login):
    login(make_user(role="trainer", locale="fr"))
    assert f"<td>{FR_CUSTOMS}</td>" in html(client.get("/author/"))
    new_course = html(client.get("/author/courses/new"))
    assert f'<option value="customs">{FR_CUSTOMS}</option>' in new_course


def test_theme_titles_read_in_a_language_fall_back_to_english(db, translated):
    from elearn.courses.services import theme_titles

    english = theme(db).title
    assert theme_titles("fr")["customs"] == FR_CUSTOMS
    assert theme_titles("fr_CA")["customs"] == FR_CUSTOMS  # a regional code: its language
    assert theme_titles("ar")["customs"] == AR_CUSTOMS
    assert theme_titles("es")["customs"] == english  # no Spanish text
    assert theme_titles()["customs"] == english
    assert theme_titles("fr")["pcbs"] == theme(db, "pcbs").title  # a theme not translated
    assert list(theme_titles("fr")) == [t.slug for t in db.session.execute(
        select(Theme).order_by(Theme.position, Theme.title)).scalars()]


# --------------------------------------------------------------------------- API


def test_api_themes_keep_english_fields_and_add_the_localized_texts(client, translated):
    body = client.get("/api/v1/themes?lang=fr").get_json()
    customs, reporting, pcbs = body
    assert (customs["title"], customs["description"], customs["audiences"]) == (
        "Customs and trade-related issues", "Trade controls on POPs.", ["Customs officers"])
    assert customs["languages"] == ["en", "fr", "ar"]
    assert customs["localized"] == {
        "language": "fr", "title": FR_CUSTOMS, "description": "Le contrôle du commerce des POP.",
        "audiences": ["Agents des douanes"]}
    assert reporting["localized"] == {
        "language": "fr", "title": FR_REPORTING, "description": "National reports.",
        "audiences": ["Official contact points"]}
    assert pcbs["languages"] == ["en"]
    assert pcbs["localized"]["language"] == "en"
    assert pcbs["localized"]["title"] == pcbs["title"]


def test_api_themes_language_comes_from_lang_then_token_then_accept_language(
        client, translated, make_user, api_token):
    def localized(url="/api/v1/themes", **kwargs):
        return client.get(url, **kwargs).get_json()[0]["localized"]

    assert localized()["language"] == "en"
    assert localized(headers={"Accept-Language": "ar"})["title"] == AR_CUSTOMS
    headers = api_token(make_user(locale="ar"))
    assert localized(headers=headers)["title"] == AR_CUSTOMS
    assert localized("/api/v1/themes?lang=fr", headers=headers)["title"] == FR_CUSTOMS
    assert localized("/api/v1/themes?lang=zh")["language"] == "en"
    bad = client.get("/api/v1/themes?lang=xx")
    assert bad.status_code == 422 and "lang" in bad.get_json()["errors"]["query"]


# --------------------------------------------------------------------------- certificates


def test_certificates_name_the_theme_in_their_language(db, translated):
    course = db.session.execute(
        select(Course).where(Course.slug == "customs-trade")).scalar_one()
    assert facts_of(course, "fr").theme_title == FR_CUSTOMS
    assert facts_of(course, "zh").theme_title == "Customs and trade-related issues"


# --------------------------------------------------------------------------- the library


def test_the_shipped_themes_are_translated_into_every_un_language():
    library = read_library(ROOT)
    assert library.problems == []
    assert len(library.themes) == 12
    for source in library.themes:
        assert list(source.translations) == ["fr", "es", "ar", "ru", "zh"], source.slug
        for language, text in source.translations.items():
            assert text["title"] and text["description"], (source.slug, language)
            assert len(text["audiences"]) == len(source.audiences), (source.slug, language)
    poprc = next(t for t in library.themes if t.slug == "poprc").translations
    assert "Comité d’étude des polluants organiques persistants" in poprc["fr"]["title"]
    assert "Comité de Examen de los Contaminantes Orgánicos Persistentes" in poprc["es"]["title"]
    assert "لجنة استعراض الملوثات العضوية الثابتة" in poprc["ar"]["title"]
    assert "Комитета по рассмотрению стойких органических загрязнителей" in poprc["ru"]["title"]
    assert "持久性有机污染物审查委员会" in poprc["zh"]["title"]
    # Folded YAML must not put spaces between Chinese characters.
    raw = yaml.safe_load((ROOT / "courses/themes.yml").read_text(encoding="utf-8"))
    assert all(" " not in t["translations"]["zh"]["description"] for t in raw)
