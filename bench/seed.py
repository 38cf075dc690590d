"""Fill a database at programme scale, deterministically, and say how long it took.

    python -m bench.seed --database-url postgresql+psycopg://postgres@127.0.0.1/bench
    python -m bench.seed --database-url sqlite:////tmp/bench.db --scale 0.1

The database is emptied and migrated to the head revision (the production schema), then
filled with bulk inserts: PostgreSQL ``COPY`` through psycopg, SQLite executemany through
SQLAlchemy Core. At ``--scale 1``: 100,000 users across 180 countries, the 12 programme
themes, 120 courses, 1,500 modules (5-20 KB Markdown, stored HTML), 60 question banks,
400 webinars, 200,000 registrations, 1,000,000 module-progress rows, 50,000 certificates.

``--scale`` shrinks what grows with use (users, enrolments, progress, webinars,
registrations, completions, certificates) and keeps the course library whole (themes,
courses, modules, banks): the growth benchmark compares the *same* pages over 10% and
100% of the data, so any difference in time per request comes from queries, not from a
page with fewer cards on it.

Shortcuts, said plainly:
* Every seeded account has the same password hash (one scrypt hash computed once, with
  the production method): 100,000 scrypt hashes at N=2**17 would take hours.
* Module bodies come from a pool of distinct rendered bodies (see ``bench.content``).
* Each certificate row stores the same small PDF (one rendered certificate): 50,000
  real PDFs would take an hour and some 2 GB; the PDF benchmark renders its own.
* No outbox history is seeded (sent mail is not read by any benchmarked page).

Same arguments, same day, same rows: the random generator has a fixed seed and dates
count from midnight UTC of the day (``--anchor``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import yaml
from sqlalchemy import Table, text

from bench import content

SEED = 20261121
#: The accounts the benchmarks sign in with; every seeded account shares this password.
PASSWORD = "bench password 2026"  # noqa: S105  (a benchmark's throwaway data)
ADMIN_EMAIL = "bench-admin@example.org"
TRAINER_EMAIL = "bench-trainer@example.org"
LEARNER_EMAIL = "bench-learner@example.org"
#: The learner's course and where they are in it (the module page benchmark's page).
BENCH_COURSE_INDEX = 0
BENCH_COMPLETED = 5
BASE_URL = "http://127.0.0.1:8000"
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
LOCALE_WEIGHTS = (40, 20, 15, 10, 8, 7)


@dataclass
class Counts:
    users: int
    webinars: int
    registrations: int
    progress: int
    certificates: int
    themes: int = 12
    courses: int = 120
    modules: int = 1500
    banks: int = 60

    @classmethod
    def at(cls, scale: float) -> Counts:
        return cls(users=max(int(100_000 * scale), 1000), webinars=max(int(400 * scale), 10),
                   registrations=int(200_000 * scale), progress=int(1_000_000 * scale),
                   certificates=int(50_000 * scale))


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total: float = 0.0

    def lines(self) -> list[str]:
        out = [f"  {name:<24} {self.rows.get(name, 0):>10,} rows {secs:7.1f} s"
               for name, secs in self.seconds.items()]
        return out + [f"  {'total':<24} {sum(self.rows.values()):>10,} rows {self.total:7.1f} s"]


# -- writing ----------------------------------------------------------------------------


class Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite, in chunks."""

    CHUNK = 20_000

    def __init__(self, db, report: Report):
        self.db = db
        self.engine = db.engine
        self.postgres = self.engine.dialect.name == "postgresql"
        self.report = report

    def table(self, name: str) -> Table:
        return self.db.metadata.tables[name]

    def insert(self, name: str, rows: Iterable[dict]) -> int:
        started = time.perf_counter()
        table = self.table(name)
        count = self._copy(table, rows) if self.postgres else self._executemany(table, rows)
        self.report.rows[name] = self.report.rows.get(name, 0) + count
        self.report.seconds[name] = self.report.seconds.get(name, 0.0) + \
            time.perf_counter() - started
        return count

    def _executemany(self, table: Table, rows: Iterable[dict]) -> int:
        count = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(rows, self.CHUNK):
                conn.execute(table.insert(), chunk)
                count += len(chunk)
        return count

    def _copy(self, table: Table, rows: Iterable[dict]) -> int:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        # Columns the seed does not fill take their server default (left out of COPY) or
        # their Python default, as an INSERT through SQLAlchemy would.
        columns, fill = [], {}
        for column in table.columns:
            if column.name in first:
                columns.append(column.name)
            elif column.server_default is None and column.default is not None:
                columns.append(column.name)
                default = column.default
                fill[column.name] = default.arg(None) if default.is_callable else default.arg
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.engine.raw_connection()
        count = 0
        try:
            with raw.driver_connection.cursor() as cursor, \
                    cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in _chain(first, rows):
                    values = []
                    for c in columns:
                        value = row[c] if c in row else fill[c]
                        values.append(json.dumps(value) if c in json_columns else value)
                    copy.write_row(values)
                    count += 1
            raw.commit()
        finally:
            raw.close()
        return count


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _slug(words: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in words.lower()).split())


def _token(rng: random.Random) -> str:
    import base64

    return base64.urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "big")).decode()


# -- the schema -------------------------------------------------------------------------


def reset_database(app, db) -> None:
    """Drop everything and migrate to the head revision, as production would."""
    from flask_migrate import upgrade

    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        db.engine.dispose()
        path = url.database
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def finish(db) -> None:
    """Sequences after explicit ids (PostgreSQL), then planner statistics (both)."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                if "id" in table.columns:
                    # Our own table names, from the metadata.
                    name = f'"{table.name}"'
                    conn.execute(text(
                        "SELECT setval(pg_get_serial_sequence(:t, 'id'), "  # noqa: S608
                        "coalesce((SELECT max(id) FROM " + name + "), 0) + 1, false)"
                    ), {"t": name})
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            # Write the seed's dirty pages now, not during the first measurement (a
            # hello-world run right after seeding measured at 40% of its usual rate).
            conn.execute(text("CHECKPOINT"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    # And have the kernel write them to disk now: a fresh 1.3 GB SQLite file was still
    # being written back while the first pages were measured (load average 5 on 2 cores).
    os.sync()


# -- the data ---------------------------------------------------------------------------


@dataclass
class World:
    """What later steps need to know of earlier ones."""

    anchor: datetime
    users: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)
    #: [(theme id, slug, title)]
    themes: list[tuple[int, str, str]] = field(default_factory=list)
    #: [(course id, slug, theme id, language, [module ids in order], title)]
    courses: list[tuple[int, str, int, str, list[int], str]] = field(default_factory=list)
    #: [(user id, course id)] of enrolments whose every module is complete.
    completed: list[tuple[int, int, datetime]] = field(default_factory=list)
    bank_slugs: list[str] = field(default_factory=list)


def seed_users(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    from werkzeug.security import generate_password_hash

    from elearn.i18n import country_choices

    password_hash = generate_password_hash(PASSWORD, method="scrypt:131072:8:1")
    countries = sorted(code for code, _name in country_choices("en"))[:180]
    fixed = [(ADMIN_EMAIL, "admin", "Bench Admin"), (TRAINER_EMAIL, "trainer", "Bench Trainer"),
             (LEARNER_EMAIL, "learner", "Bench Learner")]

    def rows():
        for uid in range(1, counts.users + 1):
            locale = rng.choices(LANGUAGES, LOCALE_WEIGHTS)[0]
            created = world.anchor - timedelta(days=rng.randint(1, 1100),
                                               seconds=rng.randint(0, 86399))
            if uid <= len(fixed):
                email, role, name = fixed[uid - 1]
                locale, zone, country = "en", "Africa/Nairobi", "KE"
            else:
                name = content.person_name(rng, locale)
                email = f"user{uid:06d}@example.org"
                role = "trainer" if uid % 500 == 0 else "learner"
                zone = rng.choice(content.ZONES[locale])
                country = countries[uid % len(countries)]
            world.users.append((uid, email, name, country, locale, zone))
            yield {
                "id": uid, "email": email, "name": name, "password_hash": password_hash,
                "role": role, "country": country,
                "organisation": rng.choice(content.ORGANISATIONS), "locale": locale,
                "timezone": zone, "email_verified_at": created + timedelta(hours=1),
                "password_changed_at": created, "active": True, "created_at": created,
                "updated_at": created,
            }

    w.insert("users", rows())


def seed_library(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    themes = yaml.safe_load((content.ROOT / "courses" / "themes.yml").read_text("utf-8"))
    t0 = world.anchor - timedelta(days=1200)
    w.insert("themes", ({
        "id": i, "slug": t["slug"], "title": t["title"], "description": t["description"],
        "audiences": t.get("audiences", []), "translations": t.get("translations", {}),
        "position": t.get("order", i), "created_at": t0, "updated_at": t0,
    } for i, t in enumerate(themes, start=1)))
    world.themes = [(i, t["slug"], t["title"]) for i, t in enumerate(themes, start=1)]

    per_course = [counts.modules // counts.courses + (1 if i < counts.modules % counts.courses
                                                      else 0) for i in range(counts.courses)]
    french_courses = {i for i in range(counts.courses) if i % 6 == 5}
    translated = {i for i in range(counts.courses) if i % 4 == 1}
    pool = content.body_pool(SEED + 1, (("en", 120), ("fr", 60)), BASE_URL)
    sections = content.library_sections()
    courses, course_texts, modules, module_texts, revisions = [], [], [], [], []
    module_id = text_id = 0
    for index in range(counts.courses):
        course_id = index + 1
        theme_id, theme_slug, theme_title = world.themes[index % len(world.themes)]
        word = content.COURSE_WORDS[(index // len(world.themes)) % len(content.COURSE_WORDS)]
        title = f"{word} {theme_title[0].lower()}{theme_title[1:]}"[:200]
        slug = f"{theme_slug}-{_slug(word)}"
        language = "fr" if index in french_courses else "en"
        languages = [language] + (["fr"] if index in translated and language == "en" else [])
        bank = f"bank-{(index // 2) + 1:02d}" if index % 2 == 0 else None
        created = t0 + timedelta(days=index)
        topics = rng.sample(content.TOPICS, per_course[index])
        minutes_total = 0
        ids = []
        for position, topic in enumerate(topics, start=1):
            module_id += 1
            ids.append(module_id)
            minutes = rng.randint(15, 45)
            minutes_total += minutes
            modules.append({
                "id": module_id, "course_id": course_id, "slug": _slug(topic),
                "position": position, "minutes": minutes, "published": True,
                "source_hash": None, "created_at": created, "updated_at": created,
            })
            for lang in languages:
                text_id += 1
                mtitle = topic if lang == "en" else f"{topic} (FR)"
                markdown, html, toc = content.module_text(
                    mtitle, rng.choice(pool[lang]), BASE_URL)
                module_texts.append({
                    "id": text_id, "module_id": module_id, "language": lang, "title": mtitle,
                    "body_markdown": markdown, "body_html": html, "toc_html": toc,
                    "source_hash": None, "created_at": created, "updated_at": created,
                })
                revisions.append({
                    "id": text_id, "module_text_id": text_id, "number": 1, "author_id": 2,
                    "created_at": created, "title": mtitle, "body_markdown": markdown,
                    "note": "Content sync",
                })
        courses.append({
            "id": course_id, "slug": slug, "theme_id": theme_id, "language": language,
            "minutes": minutes_total, "published": True, "quiz_bank": bank, "pass_mark": 80,
            "attempts_allowed": 3, "time_limit_minutes": 20, "questions_per_attempt": 10,
            "shuffle_answers": True, "show_feedback": True, "show_correct_answers": True,
            "source_hash": None, "created_by_id": 2, "created_at": created,
            "updated_at": created,
        })
        for lang in languages:
            intro = "\n\n".join(rng.sample(sections.get(lang, sections["en"]), 2))
            summary = " ".join(intro.split())[:250]
            course_texts.append({
                "id": len(course_texts) + 1, "course_id": course_id, "language": lang,
                "title": title if lang == language else f"{title} (FR)",
                "summary": summary.lstrip("# "),
                "audience": ["National focal points", "Customs officers"],
                "intro_markdown": f"# {title}\n\n{intro}",
                "intro_html": content.render_markdown(f"# {title}\n\n{intro}",
                                                      base_url=BASE_URL),
                "source_hash": None, "created_at": created, "updated_at": created,
            })
        world.courses.append((course_id, slug, theme_id, language, ids, title))
        if bank:
            world.bank_slugs.append(bank)
    w.insert("courses", courses)
    w.insert("course_texts", course_texts)
    w.insert("modules", modules)
    w.insert("module_texts", module_texts)
    w.insert("module_revisions", revisions)


def seed_learning(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    """Enrolments and module progress: half the enrolments finished, the rest part-way."""
    n_courses = len(world.courses)
    weights = [1 / (rank + 5) for rank in range(n_courses)]
    enrolments: list[dict] = []
    progress: list[tuple[int, int, datetime]] = []
    seen: set[tuple[int, int]] = set()

    def enrol(user_id: int, course_index: int, done: int) -> None:
        course_id, _slug_, _t, _l, module_ids, _title = world.courses[course_index]
        enrolled = world.anchor - timedelta(days=rng.randint(10, 700))
        when = enrolled
        for module_id in module_ids[:done]:
            when += timedelta(hours=rng.randint(1, 72))
            progress.append((user_id, module_id, when))
        last = module_ids[min(done, len(module_ids) - 1)]
        enrolments.append({
            "id": len(enrolments) + 1, "user_id": user_id, "course_id": course_id,
            "enrolled_at": enrolled, "last_module_id": last, "last_activity_at": when,
        })
        if done == len(module_ids):
            world.completed.append((user_id, course_id, when))

    enrol(3, BENCH_COURSE_INDEX, BENCH_COMPLETED)
    seen.add((3, world.courses[BENCH_COURSE_INDEX][0]))
    while len(progress) < counts.progress:
        user_id = rng.randint(4, counts.users)
        index = rng.choices(range(n_courses), weights)[0]
        if (user_id, world.courses[index][0]) in seen:
            continue
        seen.add((user_id, world.courses[index][0]))
        total = len(world.courses[index][4])
        done = total if rng.random() < 0.5 else rng.randint(0, total - 1)
        done = min(done, counts.progress - len(progress))
        enrol(user_id, index, done)
    w.insert("enrolments", enrolments)
    w.insert("module_progress", ({
        "id": i, "user_id": u, "module_id": m, "completed_at": t,
    } for i, (u, m, t) in enumerate(progress, start=1)))


def seed_webinars(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    theme_slugs = [slug for _id, slug, _title in world.themes]
    descriptions = [content.render_markdown(d, base_url=BASE_URL) for d in (
        "A live session with questions and answers. **Bring your questions.**",
        "Presentations by national experts, then discussion.\n\n- Agenda\n- Questions",
        "A practical walk-through of the guidance, with examples from the region.",
    )]
    webinars, registrations = [], []
    shares = [rng.uniform(0.2, 1.8) for _ in range(counts.webinars)]
    scale = counts.registrations / sum(shares)
    sizes = [int(s * scale) for s in shares]
    sizes[0] += counts.registrations - sum(sizes)
    user_count = len(world.users)
    reg_id = 0
    for index in range(counts.webinars):
        wid = index + 1
        # From 18 months ago to 6 months ahead, evenly, at a full or half hour.
        span_days = 720
        starts = world.anchor + timedelta(
            days=-540 + index * span_days // counts.webinars, hours=rng.choice(range(6, 18)),
            minutes=rng.choice((0, 30)))
        duration = rng.choice((60, 90, 120))
        capacity = rng.choice((100, 200, 300, 500, 1000))
        language = rng.choices(LANGUAGES, LOCALE_WEIGHTS)[0]
        over = starts + timedelta(minutes=duration) <= world.anchor
        cancelled = rng.random() < 0.02
        d = rng.randrange(len(descriptions))
        created = starts - timedelta(days=rng.randint(20, 60))
        size = sizes[index]
        webinars.append({
            "id": wid, "uid": f"webinar-{wid:06d}@bench.elearn.invalid", "sequence": 0,
            "title": f"{rng.choice(content.TOPICS)}: {rng.choice(content.COURSE_WORDS)} "
                     f"{theme_slugs[index % len(theme_slugs)]} ({wid})",
            "theme": theme_slugs[index % len(theme_slugs)], "language": language,
            "description": "", "description_html": descriptions[d], "starts_at": starts,
            "duration_minutes": duration, "ends_at": starts + timedelta(minutes=duration),
            "timezone": rng.choice(content.ZONES[language]),
            "join_url": f"https://meet.example.org/{wid}", "capacity": capacity,
            "registration_opens_at": None, "registration_closes_at": None,
            "requires_approval": False, "reminder_offsets": [1440, 60],
            "course_slug": None,
            "recording_url": f"https://video.example.org/{wid}" if over else None,
            "status": "cancelled" if cancelled else "scheduled",
            "cancelled_at": created + timedelta(days=5) if cancelled else None,
            "registration_counter": size, "created_by_id": 2, "created_at": created,
            "updated_at": created,
        })
        people = rng.sample(range(user_count), min(int(size * 0.9), user_count))
        confirmed = 0
        for queue in range(1, size + 1):
            reg_id += 1
            when = created + timedelta(minutes=queue)
            if queue <= len(people):
                uid, email, name, country, locale, zone = world.users[people[queue - 1]]
            else:
                uid, email, name = None, f"guest-{wid}-{queue}@example.net", "Guest"
                country, locale, zone = "KE", language, "UTC"
            if cancelled or rng.random() < 0.05:
                status = "cancelled"
            elif confirmed < capacity:
                status, confirmed = "confirmed", confirmed + 1
            else:
                status = "waitlisted"
            registrations.append({
                "id": reg_id, "webinar_id": wid, "user_id": uid, "name": name, "email": email,
                "country": country, "organisation": "", "language": locale, "timezone": zone,
                "status": status, "queue_number": queue, "manage_token": _token(rng),
                "confirmed_at": when if status == "confirmed" else None,
                "cancelled_at": when + timedelta(days=1) if status == "cancelled" else None,
                "decision_message": None,
                "attended": over and status == "confirmed" and rng.random() < 0.7,
                "attendance_recorded_at": starts + timedelta(minutes=duration) if over
                else None, "created_at": when, "updated_at": when,
            })
    w.insert("webinars", webinars)
    w.insert("webinar_registrations", registrations)


def seed_banks(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    """Question banks through the quizzes feature's own import (the real GIFT parser).

    The five banks of the library, each renamed and reordered into twelve variants.
    """
    from elearn.extensions import db
    from elearn.quizzes.banks import import_bank

    started = time.perf_counter()
    sources = sorted((content.ROOT / "quizzes").glob("*.gift"))
    texts = [path.read_text(encoding="utf-8") for path in sources]
    for number in range(1, counts.banks + 1):
        source = texts[(number - 1) % len(texts)]
        blocks = source.split("\n\n")
        head, questions = blocks[:1], blocks[1:]
        rng.shuffle(questions)
        slug = f"bank-{number:02d}"
        text = "\n\n".join(head + questions).replace("::Q", f"::{slug} Q")
        import_bank(slug, text, path=f"quizzes/{slug}.gift", title=f"Question bank {number}",
                    source_path=f"quizzes/{slug}.gift")
    db.session.commit()
    w.report.rows["question_banks"] = counts.banks
    w.report.seconds["question_banks"] = time.perf_counter() - started


def seed_certificates(w: Writer, world: World, counts: Counts, rng: random.Random) -> None:
    """Completions and their certificates for finished enrolments; 1 in 200 revoked.

    Every row stores the same PDF: one real certificate rendered once (see the docstring).
    """
    from elearn.certificates.codes import ALPHABET, make_serial
    from elearn.certificates.pdf import CertificateContent, render_certificate_pdf

    pdf = render_certificate_pdf(CertificateContent(
        holder_name="Bench Learner", course_title=world.courses[0][5],
        theme_title=world.themes[0][2], issued_on=world.anchor.date(), score=90.0,
        serial="SC-0000-000000", code_display="0000-0000-0000-0000",
        verify_url=f"{BASE_URL}/verify/0000000000000000",
        issuer="Secretariat of the Stockholm Convention"))
    titles = {c[0]: (c[5], world.themes[(c[2] - 1) % len(world.themes)][2], bool(i % 2 == 0))
              for i, c in enumerate(world.courses)}
    users = {u[0]: u for u in world.users}
    chosen = rng.sample(world.completed, min(counts.certificates, len(world.completed)))
    chosen.sort(key=lambda item: item[2])
    completions, certificates, codes = [], [], set()
    for number, (user_id, course_id, when) in enumerate(chosen, start=1):
        title, theme, has_quiz = titles[course_id]
        score = round(rng.uniform(80, 100), 1) if has_quiz else None
        completions.append({"id": number, "user_id": user_id, "course_id": course_id,
                            "completed_at": when, "score": score})
        code = "".join(rng.choice(ALPHABET) for _ in range(16))
        while code in codes:
            code = "".join(rng.choice(ALPHABET) for _ in range(16))
        codes.add(code)
        issued = when + timedelta(seconds=5)
        revoked = number % 200 == 0
        _uid, _email, name, _country, locale, _zone = users[user_id]
        certificates.append({
            "id": number, "serial": make_serial("SC", issued.year, number), "code": code,
            "user_id": user_id, "course_id": course_id, "completion_id": number,
            "holder_name": name, "course_title": title, "theme_title": theme,
            "language": locale, "score": score,
            "issuer": "Secretariat of the Stockholm Convention", "issued_at": issued,
            "issued_by_id": None, "pdf": pdf, "pdf_size": len(pdf),
            "revoked_at": issued + timedelta(days=30) if revoked else None,
            "revoked_by_id": 1 if revoked else None,
            "revocation_reason": "Issued in error." if revoked else "",
            "replaced_at": None, "replaced_by_id": None,
        })
    w.insert("course_completions", completions)
    w.insert("certificates", certificates)


# -- running ----------------------------------------------------------------------------

STEPS = [seed_users, seed_library, seed_banks, seed_learning, seed_webinars,
         seed_certificates]


def seed(database_url: str, scale: float = 1.0, anchor: date | None = None,
         echo=print) -> Report:
    """Empty the database at ``database_url``, migrate it, fill it; return the report."""
    from elearn import create_app
    from elearn.extensions import db

    started = time.perf_counter()
    anchor = anchor or datetime.now(UTC).date()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url,
                     SQLALCHEMY_ENGINE_OPTIONS={})
    report = Report()
    counts = Counts.at(scale)
    world = World(anchor=datetime.combine(anchor, datetime.min.time(), tzinfo=UTC))
    rng = random.Random(SEED)
    with app.app_context():
        echo(f"Seeding {db.engine.url.render_as_string(hide_password=True)} at scale {scale}")
        t = time.perf_counter()
        reset_database(app, db)
        report.seconds["schema (migrations)"] = time.perf_counter() - t
        writer = Writer(db, report)
        for step in STEPS:
            step(writer, world, counts, rng)
        t = time.perf_counter()
        finish(db)
        report.seconds["analyze"] = time.perf_counter() - t
        db.engine.dispose()
    report.total = time.perf_counter() - started
    return report


def seed_fingerprint(scale: float, anchor: date) -> str:
    """Changes when the seed's code, the schema, the content library or the day does."""
    root = content.ROOT
    digest = hashlib.sha256(f"{scale}|{anchor.isoformat()}".encode())
    paths = sorted([*root.glob("bench/seed*.py"), root / "bench" / "content.py",
                    *root.glob("migrations/versions/*.py"), *root.glob("elearn/**/models.py"),
                    *root.glob("courses/**/*.md"), *root.glob("quizzes/*.gift")])
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        required=not os.environ.get("DATABASE_URL"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--anchor", type=date.fromisoformat, default=None,
                        help="the day dates count from (default: today, UTC)")
    args = parser.parse_args(argv)
    report = seed(args.database_url, args.scale, args.anchor)
    print("\n".join(report.lines()))
    print(f"Seeded in {report.total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
