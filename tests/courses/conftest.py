"""A small course library written into a temporary folder, and helpers to sync it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

THEMES = """\
- slug: customs
  title: Customs and trade-related issues
  description: Trade controls on POPs.
  audiences: [Customs officers]
  order: 1
- slug: reporting
  title: Reporting under Article 15
  description: National reports.
  audiences: [Official contact points]
  order: 2
- slug: pcbs
  title: Environmentally sound management of PCBs
  description: PCBs.
  order: 3
"""

COURSE = """\
---
title: Trade controls for customs officers
theme: customs
language: en
summary: How customs stop illegal trade in POPs and let legal trade move.
audience: [Customs officers, Border police]
minutes: 60
quiz:
  bank: trade-final
  pass_mark: 70
  attempts: 2
  time_limit_minutes: 15
  questions: 5
  shuffle_answers: false
  show_feedback: true
  show_correct_answers: false
---
# Trade controls for customs officers

Start with [the first module](01-why.md).
"""

COURSE_FR = """\
---
title: Contrôle des échanges pour les douanes
language: fr
summary: Comment la douane arrête le commerce illicite des POP.
audience: [Agents des douanes]
---
# Contrôle des échanges

Commencez par le [premier module](01-why.md).
"""

MODULES = {
    "01-why.md": "---\ntitle: Why trade controls matter\nminutes: 20\n---\n"
                 "# Why trade controls matter\n\nArticle 3 limits trade. "
                 "See [HS codes](02-hs-codes.md#codes).\n",
    "02-hs-codes.md": "---\ntitle: HS codes\nminutes: 20\n---\n# HS codes\n\n## Codes\n\n"
                      "Chapter 38 covers pesticides. Back to [the start](01-why.md).\n",
    "03-detecting.md": "---\ntitle: Detecting illegal trade\nminutes: 20\n---\n"
                       "# Detecting illegal trade\n\nCheck the documents, then the goods.\n",
    "01-why.fr.md": "---\ntitle: Pourquoi contrôler\nminutes: 20\n---\n"
                    "# Pourquoi contrôler\n\nL'article 3 limite le commerce.\n",
}

REPORTING = """\
---
title: National reporting under Article 15
theme: reporting
language: en
summary: Preparing the national report with the electronic reporting system.
minutes: 30
---
Reporting is due every four years.
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path) -> Path:
    """A valid library: two themes with courses, one with a French translation."""
    root = tmp_path / "library"
    write(root, "courses/themes.yml", THEMES)
    write(root, "courses/customs-trade/course.md", COURSE)
    write(root, "courses/customs-trade/course.fr.md", COURSE_FR)
    for name, text in MODULES.items():
        write(root, f"courses/customs-trade/{name}", text)
    write(root, "courses/article-15/course.md", REPORTING)
    write(root, "courses/article-15/01-what.md",
          "---\ntitle: What Article 15 requires\nminutes: 30\n---\nEvery Party reports.\n")
    write(root, "quizzes/trade-final.gift", "::Q1:: Is DDT a POP? {T}\n")
    return root


@pytest.fixture
def synced(db, library):
    """Sync ``library`` into the database (committed) and return its root."""
    from elearn.courses.sync import sync_library

    sync_library(library)
    db.session.commit()
    return library
