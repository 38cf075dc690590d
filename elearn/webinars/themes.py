"""The programme's themes, as slugs with translated labels.

The theme list belongs to the courses feature (its Theme table); until the two are
joined, a webinar stores its theme's slug and this module validates and names it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Theme slugs in the order of the programme brochure.
THEME_SLUGS: tuple[str, ...] = (
    "customs",
    "poprc",
    "reporting",
    "pcbs",
    "ddt",
    "dioxins",
    "nip",
    "pops-in-articles",
    "legal",
    "resources",
    "monitoring",
    "synergies",
)

THEME_LABELS = {
    "customs": _l("Customs and trade"),
    "poprc": _l("Participation in the POPs Review Committee"),
    "reporting": _l("Reporting under Article 15"),
    "pcbs": _l("Sound management of PCBs"),
    "ddt": _l("Alternatives to DDT"),
    "dioxins": _l("Dioxin and furan inventories"),
    "nip": _l("Updating national implementation plans"),
    "pops-in-articles": _l("POPs in articles"),
    "legal": _l("Legal and regulatory frameworks"),
    "resources": _l("Resource mobilisation"),
    "monitoring": _l("Monitoring POPs in the environment"),
    "synergies": _l("Basel, Rotterdam and Stockholm synergies"),
}


def is_theme(slug: str | None) -> bool:
    return slug in THEME_SLUGS


def theme_label(slug: str) -> str:
    return str(THEME_LABELS.get(slug, slug))


def theme_choices() -> list[tuple[str, str]]:
    return [(slug, theme_label(slug)) for slug in THEME_SLUGS]
