"""Realistic module bodies for the seed, cut from the content library itself.

The library's modules (``courses/*/NN-*.md``) are split into their ``##`` sections; a
seeded module body is a random run of sections (same language) until it reaches a size
drawn between 5 and 20 KB. Links to other library files are reduced to their text (they
would lead nowhere in a seeded course); tables, lists, admonitions and footnotes stay.

Rendering 12 KB of Markdown costs ~25 ms, so 2,000 module texts would take a minute per
database. A pool of distinct bodies is rendered once (through ``elearn.markup``, as the
sync does) and reused; each module's own ``# Title`` is rendered on its own and put in
front of the pooled HTML, so every module row stores its Markdown, its HTML and its
table of contents like a synced one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from elearn.markup import render_document, render_markdown

ROOT = Path(__file__).resolve().parent.parent
#: ``[text](02-module.md#x)`` and ``![alt](media/x.png)``: library-relative targets.
_RELATIVE_LINK = re.compile(r"!?\[([^\]]*)\]\((?!https?:|mailto:|#)[^)]*\)")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_MODULE_FILE = re.compile(r"\d+-[a-z0-9-]+(?:\.([a-z]{2}))?\.md")

MIN_BYTES = 5 * 1024
MAX_BYTES = 20 * 1024


@dataclass(frozen=True)
class PooledBody:
    markdown: str  # without the leading "# Title"
    html: str
    toc: str


def library_sections(root: Path = ROOT) -> dict[str, list[str]]:
    """{language: [section Markdown, ...]} from every module file of the library."""
    sections: dict[str, list[str]] = {}
    for path in sorted((root / "courses").glob("*/*.md")):
        match = _MODULE_FILE.fullmatch(path.name)
        if not match:
            continue
        language = match.group(1) or "en"
        body = _FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
        body = _RELATIVE_LINK.sub(lambda m: m.group(1), body)
        parts = re.split(r"(?m)^(?=## )", body)
        sections.setdefault(language, []).extend(p.strip() for p in parts[1:] if p.strip())
    return sections


def make_body(rng: random.Random, sections: list[str]) -> str:
    """A body of 5-20 KB (UTF-8) made of whole sections."""
    target = rng.randint(MIN_BYTES, MAX_BYTES)
    chosen: list[str] = []
    size = 0
    order = rng.sample(sections, len(sections))
    while size < target:
        if not order:
            order = rng.sample(sections, len(sections))
        section = order.pop()
        chosen.append(section)
        size += len(section.encode()) + 2
    body = "\n\n".join(chosen)
    while len(body.encode()) > MAX_BYTES and len(chosen) > 1:
        chosen.pop()
        body = "\n\n".join(chosen)
    return body + "\n"


@lru_cache(maxsize=4)
def body_pool(seed: int, sizes: tuple[tuple[str, int], ...],
              base_url: str) -> dict[str, list[PooledBody]]:
    """Rendered bodies per language: ``count`` distinct ones for each ``(language, count)``.

    Its own random generator, so the pool can be kept between seeds in one process (the
    runner seeds four databases) without changing what the rest of the seed draws.
    """
    rng = random.Random(seed)
    size_per_language = dict(sizes)
    sections = library_sections()
    pool: dict[str, list[PooledBody]] = {}
    for language, count in size_per_language.items():
        source = sections.get(language) or sections["en"]
        items = []
        for _ in range(count):
            markdown = make_body(rng, source)
            rendered = render_document(markdown, base_url=base_url)
            items.append(PooledBody(markdown, rendered.html, rendered.toc))
        pool[language] = items
    return pool


def module_text(title: str, body: PooledBody, base_url: str) -> tuple[str, str, str]:
    """(Markdown, HTML, TOC) of a module: its own title rendered, then the pooled body."""
    heading = render_markdown(f"# {title}", base_url=base_url)
    return f"# {title}\n\n{body.markdown}", f"{heading}\n{body.html}", body.toc


# -- words for titles, names and organisations ------------------------------------------

TOPICS = [
    "Introduction", "Legal basis", "Roles and responsibilities", "Inventories",
    "Sampling and analysis", "Risk assessment", "Alternatives", "Reporting",
    "Enforcement", "Case studies", "Good practice", "Data quality", "Stakeholders",
    "Financing", "Monitoring results", "Waste management", "Labelling and documents",
    "Interim storage", "Destruction technologies", "Public awareness", "Review",
    "Cooperation with neighbouring countries", "Information systems", "Exemptions",
]
COURSE_WORDS = [
    "Foundations of", "Practical", "Advanced", "Regional workshop on", "Introduction to",
    "Managing", "Planning for", "Reporting on", "Controlling", "Understanding",
]
FIRST_NAMES = {
    "latin": ["Amina", "Kofi", "Maria", "Juan", "Fatou", "Pierre", "Ana", "Luis", "Grace",
              "Samuel", "Claire", "Mamadou", "Lucía", "Tendai", "Joseph", "Awa", "Carlos",
              "Esther", "Moussa", "Sofía", "Ngozi", "Jean", "Isabel", "Tiago", "Aïcha"],
    "ar": ["محمد", "فاطمة", "أحمد", "مريم", "علي", "خديجة", "يوسف", "ليلى", "عمر", "سارة"],
    "ru": ["Анна", "Иван", "Ольга", "Сергей", "Мария", "Дмитрий", "Елена", "Алексей"],
    "zh": ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"],
}
LAST_NAMES = {
    "latin": ["Diallo", "Mensah", "Silva", "García", "Ndiaye", "Dubois", "Santos", "Okafor",
              "Moyo", "Traoré", "Pérez", "Kamara", "Martin", "Banda", "Rodríguez", "Sow",
              "Nguyen", "Haddad", "Kariuki", "Mbeki", "Fernández", "Ouédraogo", "Mwangi"],
    "ar": ["الحسن", "العلي", "المصري", "الخطيب", "حداد", "السيد", "النجار", "يوسف"],
    "ru": ["Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Соколов", "Морозова"],
    "zh": ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"],
}
ORGANISATIONS = [
    "Ministry of Environment", "Customs Administration", "Environmental Protection Agency",
    "Ministry of Agriculture", "National Chemicals Board", "Ministry of Health",
    "University laboratory", "Port authority", "Electricity utility", "Industry association",
    "Non-governmental organisation", "Regional centre",
]
ZONES = {
    "en": ["Africa/Nairobi", "Africa/Lagos", "Asia/Kolkata", "Pacific/Fiji", "America/Jamaica",
           "Asia/Manila", "Africa/Johannesburg", "Europe/London", "Asia/Dhaka"],
    "fr": ["Africa/Dakar", "Africa/Abidjan", "Africa/Kinshasa", "Europe/Paris",
           "Indian/Antananarivo", "America/Port-au-Prince"],
    "es": ["America/Bogota", "America/Lima", "America/Mexico_City", "America/Santiago",
           "America/Guatemala", "Europe/Madrid"],
    "ar": ["Africa/Cairo", "Asia/Amman", "Asia/Riyadh", "Africa/Casablanca", "Asia/Baghdad"],
    "ru": ["Europe/Moscow", "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Europe/Minsk"],
    "zh": ["Asia/Shanghai"],
}
SCRIPT_OF = {"en": "latin", "fr": "latin", "es": "latin", "ar": "ar", "ru": "ru", "zh": "zh"}


def person_name(rng: random.Random, language: str) -> str:
    script = SCRIPT_OF[language]
    first, last = rng.choice(FIRST_NAMES[script]), rng.choice(LAST_NAMES[script])
    return f"{last}{first}" if script == "zh" else f"{first} {last}"
