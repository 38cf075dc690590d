"""Sample webinars from the programme's calendar of events (the 2011-2012 brochure).

The brochure lists webinars per theme from June 2011 to 2012. The samples keep their
themes, titles, order and spacing, moved into the coming months so the list is never
empty on a new installation. Loading is idempotent: a sample whose theme and title
already exist is left alone. The themes are the courses' Theme rows, so ``flask content
sync`` (which loads ``courses/themes.yml``) comes first, as in ``make sync``; a sample on
the subject of a shipped course is linked to it when the course is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from elearn.courses.services import find_course, theme_titles
from elearn.db import utcnow
from elearn.extensions import db
from elearn.webinars.models import Webinar
from elearn.webinars.services import create_webinar
from elearn.webinars.times import local_to_utc

#: The Secretariat is in Geneva: sample times are set on its clocks.
ZONE = "Europe/Zurich"
#: Morning, midday and afternoon sessions, so every region has some at a sane hour.
HOURS = (time(9, 0), time(13, 0), time(16, 0))
#: The brochure's first webinar month (June 2011) becomes next month.
FIRST_MONTH = (2011, 6)


@dataclass(frozen=True)
class Sample:
    theme: str
    title: str
    #: (year, month) in the brochure's calendar.
    month: tuple[int, int]
    description: str
    #: The shipped course (courses/<slug>) it belongs to, if any.
    course: str | None = None


SAMPLES = (
    Sample("synergies", "Enhancing cooperation and coordination among the Basel, Rotterdam "
           "and Stockholm conventions", (2011, 6),
           "- Awareness of the process to enhance coordination among the three conventions\n"
           "- Existing coordination mechanisms at the national level\n"
           "- Strategic guidance on resource mobilization and legal frameworks\n\n"
           "For official contact points of the Basel, Rotterdam and Stockholm conventions."),
    Sample("poprc", "Improving access to technical and scientific information in the "
           "framework of the POPRC", (2011, 7),
           "How to find and use the technical and scientific information the POPs Review "
           "Committee works with.\n\nFor present and future members of the POPRC, focal "
           "points and stakeholders."),
    Sample("pops-in-articles", "POPs in articles: identifying the new POPs in products",
           (2011, 9),
           "- Available guidance to identify POPs in products and articles\n"
           "- Information exchange on alternatives and substitutes\n\n"
           "With the Rotterdam Convention Secretariat and the POPs-free programme."),
    Sample("poprc", "How to submit proposals for listing new chemicals in Annexes A, B or C "
           "to the Stockholm Convention", (2011, 9),
           "The procedure and the information a proposal for listing needs.",
           course="poprc-participation"),
    Sample("poprc", "Preparing for the 7th meeting of the POPRC", (2011, 9),
           "What is on the agenda of the seventh meeting and how to take part."),
    Sample("resources", "Mobilizing resources to implement the Convention", (2011, 9),
           "- Funding needs and experiences in accessing financial resources\n"
           "- The financial mechanism and the Global Environment Facility\n"
           "- Guidance for resource mobilization and project development"),
    Sample("poprc", "Briefing on the outcomes of the 7th meeting of the POPRC", (2011, 10),
           "The Committee's decisions and what they mean for Parties."),
    Sample("pops-in-articles", "POPs in articles: customs codes, labelling and alternatives",
           (2011, 11),
           "Tools to identify and control chemicals in products: the Harmonized System "
           "codes of customs and the Globally Harmonized System of labelling."),
    Sample("dioxins", "Updating and reviewing PCDD/PCDF inventories with the revised Toolkit",
           (2011, 11),
           "- The revisions to the Standardized Toolkit and its emission factors\n"
           "- Using its methods to update an initial inventory"),
    Sample("legal", "Developing effective legal and regulatory frameworks", (2011, 11),
           "Guidance and tools to integrate the Convention in national legislation, and "
           "national experiences.\n\nFor contact points, judges, prosecutors and "
           "enforcement staff."),
    Sample("ddt", "Promoting integrated vector management and the deployment of "
           "alternatives to DDT", (2011, 12),
           "Results of the Global Alliance's thematic groups and case studies of "
           "sustainable integrated vector management.\n\nFor national vector control "
           "programme managers."),
    Sample("nip", "Updating national implementation plans: inventories of the new POPs",
           (2012, 1),
           "- Guidance to identify the new POPs in relevant sectors and products\n"
           "- Infrastructure, expertise and resources for risk reduction measures",
           course="nip-update"),
    Sample("reporting", "Enhancing information collection for reporting under Article 15",
           (2012, 1),
           "- The reporting requirements and the online reporting system\n"
           "- Gathering the information and data the report needs",
           course="article-15-reporting"),
    Sample("synergies", "Coordination among the Basel, Rotterdam and Stockholm conventions: "
           "national experiences", (2012, 1),
           "Sharing information and experiences on coordination mechanisms at the national "
           "level."),
    Sample("nip", "Updating national implementation plans: prioritization and action plans",
           (2012, 3),
           "- Guidance to prioritize action on the new POPs\n"
           "- Developing or revising the action plans",
           course="nip-update"),
)


class MissingThemes(Exception):
    """The samples' themes are not in the database yet."""

    def __init__(self, slugs: list[str]):
        super().__init__(
            f"The programme's themes are not in the database yet (missing: {', '.join(slugs)})."
            " Run 'flask content sync' first: it loads them from courses/themes.yml.")
        self.slugs = slugs


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def sample_start(sample: Sample, rank_in_month: int, today: date):
    """The sample's new start: same distance from June 2011 as from next month."""
    shift = _month_index(*sample.month) - _month_index(*FIRST_MONTH) + 1
    index = _month_index(today.year, today.month) + shift
    year, month = divmod(index, 12)
    day = date(year, month + 1, 6 + 7 * (rank_in_month % 4))
    day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
    return local_to_utc(day, HOURS[rank_in_month % len(HOURS)], ZONE)


def load_samples(today: date | None = None) -> tuple[int, int]:
    """Create the missing samples; returns (created, already there). Flushes only.

    Raises ``MissingThemes``, creating nothing, when a sample's theme is not a Theme row.
    """
    today = today or utcnow().date()
    missing = sorted({sample.theme for sample in SAMPLES} - set(theme_titles()))
    if missing:
        raise MissingThemes(missing)
    existing = set(db.session.execute(select(Webinar.theme, Webinar.title)).tuples())
    created = skipped = 0
    ranks: dict[tuple[int, int], int] = {}
    for sample in SAMPLES:
        rank = ranks.get(sample.month, 0)
        ranks[sample.month] = rank + 1
        if (sample.theme, sample.title) in existing:
            skipped += 1
            continue
        slug = "-".join(sample.title.lower().replace(",", "").replace(":", "").split()[:6])
        create_webinar(
            title=sample.title, theme=sample.theme, language="en",
            description=sample.description, starts_at=sample_start(sample, rank, today),
            timezone=ZONE, duration_minutes=90, capacity=100,
            join_url=f"https://meet.example.org/stockholm-convention/{slug}",
            course_slug=sample.course if find_course(sample.course) else None,
        )
        created += 1
    db.session.flush()
    return created, skipped
