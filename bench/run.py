"""``make bench``: seed, serve, load, measure, and write BENCHMARKS.md.

    python -m bench.run                       # SQLite and PostgreSQL, the whole programme
    python -m bench.run --databases sqlite    # one database
    python -m bench.run --seconds 5           # shorter load runs

For each database: seed at full scale, measure the bare Flask ceiling, then the pages
(wrk, 32 connections, rate limits on), the registration burst (limits off), reminder
delivery, then seed at 10% and measure the growth pages. Certificate PDFs are measured
once (no database). Raw results go to bench/results/, the table to BENCHMARKS.md.

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432``)
names the server; the databases ``bench`` and ``bench_10`` are created if missing and
emptied by the seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench import burst, reminders, seed
from bench.load import require_wrk, wrk
from bench.report import write_report
from bench.servers import (
    RESULTS,
    ROOT,
    THREADS,
    WORKERS,
    CpuMeter,
    child_env,
    login,
    request,
    serve,
    session_cookie,
)

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
SMALL_SCALE = 0.1


def database_urls(kind: str) -> tuple[str, str]:
    if kind == "sqlite":
        return (f"sqlite:///{RESULTS / 'bench.db'}", f"sqlite:///{RESULTS / 'bench-10.db'}")
    _ensure_postgres_databases("bench", "bench_10")
    return f"{POSTGRES}/bench", f"{POSTGRES}/bench_10"


def _ensure_postgres_databases(*names: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        existing = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
        for name in names:
            if name not in existing:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        kib = int(handle.readline().split()[1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[:1]
    return {"nproc": os.cpu_count(), "memory_gib": round(kib / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "kernel": platform.release(),
            "commit": commit, "wrk": (wrk_version or ["?"])[0]}


def app_for(url: str):
    from elearn import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url)


def targets(url: str) -> dict:
    """The URLs of the benchmarked pages, read from the seeded database."""
    from sqlalchemy import select

    from elearn.certificates.models import Certificate
    from elearn.courses.models import Course, Module
    from elearn.extensions import db

    app = app_for(url)
    with app.app_context():
        course = db.session.execute(select(Course).order_by(Course.id)).scalars().first()
        module = db.session.execute(
            select(Module).where(Module.course_id == course.id,
                                 Module.position == seed.BENCH_COMPLETED + 1)
        ).scalar_one()
        out = {
            "catalogue": "/courses/",
            "catalogue_session": "/courses/",
            "course": f"/courses/{course.slug}",
            "module": f"/courses/{course.slug}/modules/{module.slug}",
            "webinars": "/webinars/",
        }
        code = db.session.execute(
            select(Certificate.code).where(Certificate.revoked_at.is_(None))
            .order_by(Certificate.id.desc())
        ).scalars().first()
        out["verification"] = f"/verify/{code}"
        db.engine.dispose()
    return out


PAGES = [
    # (key, label, whose cookie: None, "member" or "visitor")
    ("catalogue", "Catalogue", None),
    ("catalogue_session", "Catalogue (visitor with a session, French chosen)",
     "visitor"),
    ("course", "Course page", None),
    ("module", "Module page (signed in, with progress)", "member"),
    ("webinars", "Webinar list", None),
    ("verification", "Certificate verification page", None),
]


def visitor_cookie(port: int) -> str:
    """The cookies of a visitor who opened the sign-in page (a session holding its form's
    CSRF secret), chose French, and read on: the session as a browser keeps it after the
    next page."""
    _status, headers, _body = request(port, "GET", "/login")
    cookie = session_cookie(headers)
    _status, headers, _body = request(port, "GET", "/courses/", headers={"Cookie": cookie})
    return f"{session_cookie(headers) or cookie}; lang=fr"


def check_page(port: int, path: str, cookie: str | None) -> tuple[int, bytes]:
    headers = {"Cookie": cookie} if cookie else {}
    status, _h, body = request(port, "GET", path, headers=headers)
    return status, body


def page_weight(port: int, paths: dict[str, str], cookie: str) -> list[dict]:
    """Bytes of each main page (as served, uncompressed) plus the stylesheet."""
    status, _h, css = request(port, "GET", "/static/style.css")
    pages = [("Home", "/", None), ("Sign in", "/login", None),
             ("Create an account", "/signup", None),
             ("Catalogue", paths["catalogue"], None), ("Course page", paths["course"], None),
             ("Module page (anonymous)", paths["module"], None),
             ("Module page (signed in)", paths["module"], cookie),
             ("My learning (signed in)", "/my-learning", cookie),
             ("Webinar list", paths["webinars"], None)]
    if "verification" in paths:
        pages.append(("Certificate verification page", paths["verification"], None))
    out = []
    for label, path, page_cookie in pages:
        code, body = check_page(port, path, page_cookie)
        lowered = body.lower()
        out.append({"page": label, "path": path, "status": code, "html_bytes": len(body),
                    "css_bytes": len(css), "total_bytes": len(body) + len(css),
                    "script": b"<script" in lowered or b" on" + b"click=" in lowered})
    return out


def bench_pages(url: str, paths: dict[str, str], seconds: int) -> dict:
    """The pages under wrk, each between two runs of the hello-world ceiling; and their
    weight.

    The machine's speed drifts within minutes (shared cores): a ceiling measured once
    before all pages made a page's ratio as much about the drift as about the page. Both
    servers stay up and hello-world runs before the first page and after every page, so
    each page's ratio is to the mean of the ceiling just before and just after it.
    Rate limits on.
    """
    out: dict = {"pages": {}, "hellos": []}
    # Verification allows 30 codes a minute per address; wrk is one address. The limiter
    # still counts every request; only the budget is one no load test exhausts.
    env = child_env(url, RATELIMIT_VERIFY="1000000 per minute")
    with serve("bench.hello:app", child_env(), "hello", ready_path="/") as hello, \
            serve("wsgi:app", env, "app") as server:
        cookie = login(server.port, seed.LEARNER_EMAIL, seed.PASSWORD)
        cookies = {"member": cookie, "visitor": visitor_cookie(server.port), None: None}
        status, body = check_page(server.port, paths["module"], cookie)
        if status != 200 or b"<progress" not in body:
            raise RuntimeError(f"module page for the signed-in learner: {status}, no progress")
        out["weight"] = page_weight(server.port, paths, cookie)
        for key, label, whose in PAGES:
            if key not in paths:
                continue
            status, _body = check_page(server.port, paths[key], cookies[whose])
            if status != 200:
                raise RuntimeError(f"{label} ({paths[key]}) answers {status}")
            if not out["hellos"]:
                out["hellos"].append(wrk(hello.base_url + "/", seconds=seconds).as_dict())
            result = wrk(server.base_url + paths[key], seconds=seconds,
                         headers={"Cookie": cookies[whose]} if whose else None)
            out["hellos"].append(wrk(hello.base_url + "/", seconds=seconds).as_dict())
            ceiling = (out["hellos"][-2]["rps"] + out["hellos"][-1]["rps"]) / 2
            out["pages"][key] = {"label": label, **result.as_dict(), "hello_rps": ceiling}
            print(f"    {label:<40} {result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  "
                  f"p99 {result.p99_ms:6.1f} ms  errors {result.errors + result.non_2xx_3xx}"
                  f"  ({result.rps / ceiling:.2f} x hello at {ceiling:.0f} req/s)",
                  flush=True)
    out["hello"] = ceiling_summary(out["hellos"])
    return out


def ceiling_summary(hellos: list[dict]) -> dict:
    """The median hello-world run, with the lowest and highest rate seen."""
    ordered = sorted(hellos, key=lambda h: h["rps"])
    middle = dict(ordered[len(ordered) // 2])
    middle.update(rps_min=ordered[0]["rps"], rps_max=ordered[-1]["rps"], runs=len(ordered))
    return middle


def bench_growth(small_url: str, full_url: str, seconds: int, rounds: int = 5) -> dict:
    """Time per request of the growth pages at 10 % and 100 % of the seed, one request at
    a time, page caches off, the two databases served at once and measured in turns.

    One connection: the figure is the server's time for a request (what grows with the
    data), not a queue's. Caches off: a cached page would hide the queries being watched.
    In turns (``rounds`` short runs on each, alternating): measured one after the other,
    minutes apart, the two figures differed by a third on this machine with the same
    cost per request (checked by alternating in one process); alternating puts the
    machine's drift on both sides. Each side's figure is the median of its rounds.
    """
    out: dict = {"growth": {"pages": {}}, "growth_full": {"pages": {}}}
    env = {"PAGE_CACHE_SECONDS": "0"}
    with serve("wsgi:app", child_env(small_url, **env), "app-growth-10") as small, \
            serve("wsgi:app", child_env(full_url, **env), "app-growth") as full:
        sides = (("growth", small, targets(small_url)), ("growth_full", full,
                                                          targets(full_url)))
        cookies = {name: login(server.port, seed.LEARNER_EMAIL, seed.PASSWORD)
                   for name, server, _paths in sides}
        for key, label, whose in PAGES:
            if key not in GROWTH:
                continue
            runs: dict[str, list] = {name: [] for name, _server, _paths in sides}
            for turn in range(rounds):
                for name, server, paths in sides:
                    cookie = cookies[name] if whose == "member" else None
                    status, _body = check_page(server.port, paths[key], cookie)
                    if status != 200:
                        raise RuntimeError(f"{label} ({paths[key]}) answers {status}")
                    runs[name].append(wrk(
                        server.base_url + paths[key], seconds=max(1, seconds // rounds),
                        connections=1, threads=1, warmup=1 if turn == 0 else 0,
                        headers={"Cookie": cookie} if cookie else None).as_dict())
            for name, results in runs.items():
                out[name]["pages"][key] = {
                    "label": label, "rounds": results,
                    "p50_ms": statistics.median(r["p50_ms"] for r in results),
                    "mean_ms": statistics.median(r["mean_ms"] for r in results),
                }
            small_p50 = out["growth"]["pages"][key]["p50_ms"]
            full_p50 = out["growth_full"]["pages"][key]["p50_ms"]
            print(f"    {label:<40} one at a time, {rounds} turns: p50 {small_p50:6.2f} ms "
                  f"(10%) -> {full_p50:6.2f} ms (100%)", flush=True)
    return out


#: The pages whose time per request is compared at 10% and 100% of the seed.
GROWTH = ("catalogue", "module")


def bench_burst(url: str) -> dict:
    app = app_for(url)
    with app.app_context():
        webinar_id = burst.create_webinar(capacity=300)
    out_file = RESULTS / "burst.json"
    load_before = os.getloadavg()[0]
    with serve("wsgi:app", child_env(url, RATELIMIT_ENABLED="false"), "app-burst") as server:
        command = [sys.executable, "-m", "bench.burst", "--port", str(server.port),
                   "--webinar", str(webinar_id), "--count", "2000", "--concurrency", "32",
                   "--out", str(out_file)]
        meter = CpuMeter(server.process.pid)
        meter.start()
        subprocess.run(command, cwd=ROOT, env=child_env(), check=True)
        cpu = meter.stop()
    load_after = os.getloadavg()[0]
    report = json.loads(out_file.read_text())
    report.update(load_before=load_before, load_after=load_after,
                  cpu_ms_per_registration={key: seconds * 1000 / report["count"]
                                           for key, seconds in cpu.items()})
    with app.app_context():
        checked = burst.verify(report, webinar_id, capacity=300)
        from elearn.extensions import db

        db.engine.dispose()
    report.pop("results")
    report.update(checked, command="python -m bench.burst --count 2000 --concurrency 32 "
                  "(RATELIMIT_ENABLED=false)")
    print(f"    registration burst: {report['per_second']:.0f} registrations/s, "
          f"{report['confirmed']} confirmed, {report['waitlisted']} waitlisted, "
          f"{report['errors']} errors, in order: {report['waitlist_in_order']}", flush=True)
    return report


def bench_reminders(url: str) -> dict:
    app = app_for(url)
    load_before = os.getloadavg()[0]
    with app.app_context():
        report = reminders.run(url)
    report.update(load_before=load_before, load_after=os.getloadavg()[0])
    with app.app_context():
        from elearn.extensions import db

        db.engine.dispose()
    print(f"    reminders: {report['per_second']:.0f} msg/s ({report['distinct']} delivered, "
          f"{report['duplicates']} duplicates, {report['lost']} lost, "
          f"{report['wall_seconds']:.1f} s wall)", flush=True)
    return report


def bench_database(kind: str, seconds: int) -> dict:
    full, small = database_urls(kind)
    out: dict = {"url": full.split("@")[-1]}
    print(f"== {kind}", flush=True)
    report = seed.seed(full, 1.0, echo=lambda *_: None)
    out["seed"] = {"seconds": report.total, "rows": report.rows}
    print(f"    seeded 100% in {report.total:.0f} s", flush=True)
    paths = targets(full)
    out["paths"] = paths
    out.update(bench_pages(full, paths, seconds))
    out["burst"] = bench_burst(full)
    out["reminders"] = bench_reminders(full)
    report = seed.seed(small, SMALL_SCALE, echo=lambda *_: None)
    out["seed_small"] = {"seconds": report.total, "rows": report.rows}
    print(f"    seeded 10% in {report.total:.0f} s", flush=True)
    out.update(bench_growth(small, full, seconds))
    return out


def bench_certificates(count: int) -> dict:
    out_file = RESULTS / "certificates.json"
    subprocess.run([sys.executable, "-m", "bench.certs", "--count", str(count),
                    "--out", str(out_file)], cwd=ROOT, env=child_env(), check=True)
    report = json.loads(out_file.read_text())
    for key, item in report.items():
        print(f"    certificate PDF ({key}): p50 {item['p50_ms']:.1f} ms, "
              f"p95 {item['p95_ms']:.1f} ms, {item['per_second']:.1f}/s", flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--pdfs", type=int, default=100, help="PDFs per name")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    require_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    started = time.perf_counter()
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
        "command": "make bench  (python -m bench.run " + " ".join(argv or sys.argv[1:]) + ")",
        "gunicorn": " ".join(["gunicorn", "--worker-class", "gthread", "--workers",
                              str(WORKERS), "--threads",
                              str(THREADS), "--no-control-socket"]),
        "databases": {},
    }
    print("== certificates", flush=True)
    results["certificates"] = bench_certificates(args.pdfs)
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        results["databases"][kind] = bench_database(kind, args.seconds)
    results["total_seconds"] = time.perf_counter() - started
    (RESULTS / "results.json").write_text(json.dumps(results, indent=1, default=str))
    write_report(results, args.output)
    print(f"Done in {results['total_seconds'] / 60:.1f} min; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
