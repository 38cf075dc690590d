"""BENCHMARKS.md from bench/results/results.json, with the notes of bench/NOTES.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "bench" / "NOTES.md"

#: Goals of issue 7.
PAGE_RATIO = 0.5
PAGE_P99_MS = 100
BURST_PER_SECOND = 300
REMINDERS_PER_SECOND = 500
PDF_P95_MS = 100
PAGE_BYTES = 50_000
#: "Flat": the 100% seed's time per request at most this much above the 10% seed's.
GROWTH_TOLERANCE = 1.25


def _yes(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**yes**" if ok else "**NO**")


def _load(item: dict) -> str:
    """The machine's load average around a figure: other work shares the CPUs."""
    if "load_before" not in item:
        return ""
    return f" (load {item['load_before']:.1f}→{item['load_after']:.1f})"


def _cpu(burst: dict) -> str:
    """CPU per registration: what the rate is made of on a machine shared with the rest."""
    cpu = burst.get("cpu_ms_per_registration")
    if not cpu:
        return ""
    return (f"; CPU per registration {cpu['machine']:.1f} ms (app server "
            f"{cpu['server']:.1f}, PostgreSQL {cpu['database']:.1f})")


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def page_rows(name: str, data: dict) -> list[str]:
    hello = data["hello"]
    spread = (f"; {hello['runs']} runs, before and after each page: "
              f"{hello['rps_min']:,.0f}–{hello['rps_max']:,.0f} req/s"
              if "runs" in hello else "")
    rows = [_row("Bare Flask hello world (the ceiling)", name,
                 f"{hello['rps']:,.0f} req/s (median), p50 {hello['p50_ms']:.1f} ms, "
                 f"p99 {hello['p99_ms']:.1f} ms" + spread + _load(hello), "1.00", "—", "—",
                 f"`{hello['command'].split(' http')[0]} <hello>/`")]
    for _key, page in data["pages"].items():
        # The ceiling measured around this page (older results: the run's one).
        ratio = page["rps"] / page.get("hello_rps", hello["rps"])
        errors = page["errors"] + page["non_2xx_3xx"]
        met = ratio >= PAGE_RATIO and page["p99_ms"] < PAGE_P99_MS and not errors
        path = page["url"].split("127.0.0.1", 1)[-1].split("/", 1)[-1]
        rows.append(_row(
            page["label"], name,
            f"{page['rps']:,.0f} req/s, p50 {page['p50_ms']:.1f} ms, p99 {page['p99_ms']:.1f} ms"
            + (f", {errors} errors" if errors else "") + _load(page)
            + (f"; hello before and after it: {page['hello_rps']:,.0f} req/s"
               if "hello_rps" in page else ""),
            f"{ratio:.2f}", f"≥ {PAGE_RATIO:.2f} × hello, p99 < {PAGE_P99_MS} ms", _yes(met),
            f"`{page['command'].split(' http')[0]} <app>/{path}`"))
    return rows


def growth_rows(name: str, data: dict) -> list[str]:
    rows = []
    for key, small in data["growth"]["pages"].items():
        full = data["growth_full"]["pages"][key]
        ratio = full["p50_ms"] / small["p50_ms"]
        rows.append(_row(
            f"{small['label']}: 10% → 100% of the seed", name,
            f"p50 {small['p50_ms']:.2f} → {full['p50_ms']:.2f} ms per request "
            f"(mean {small['mean_ms']:.2f} → {full['mean_ms']:.2f} ms)",
            f"{ratio:.2f} (100%/10%)", f"flat (≤ {GROWTH_TOLERANCE:.2f})",
            _yes(ratio <= GROWTH_TOLERANCE),
            "wrk -t1 -c1 (one request at a time), page caches off; the 10% and the 100% "
            "seed served at once and measured in turns, median of the turns"))
    return rows


def write_report(results: dict, output: str) -> None:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (`python -m bench.run`, see bench/). Every figure below "
        "comes from the run described here; throughput is also given as a share of a bare "
        "Flask \"hello world\" served with the same gunicorn settings, measured just "
        "before and just after each page (the machine's speed drifts within minutes).",
        "",
        "| | |", "|---|---|",
        _row("Date", results["date"]),
        _row("Machine", f"{m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB memory, "
                        f"Linux {m['kernel']}"),
        _row("Software", f"Python {m['python']}, {m['wrk']}, commit {m['commit']}"),
        _row("Server", f"`{results['gunicorn']} wsgi:app` (production config)"),
        _row("Load", "wrk, 2 threads, 32 connections, 2 s warm-up then the measured run; "
                     "rate limits on (all but the burst)"),
        _row("Command", f"`{results['command']}`"),
        _row("Whole run", f"{results['total_seconds'] / 60:.1f} min"),
        "",
    ]
    header = [_row("Figure", "Database", "Measured", "× hello", "Goal", "Met?", "Command"),
              "|---|---|---|---|---|---|---|"]
    dbs = results["databases"]
    lines += ["## Pages (32 connections)", "", *header]
    for name, data in dbs.items():
        lines += page_rows(name, data)
    lines += ["", "## How cost grows (10% and 100% of the seed)", "", *header]
    for name, data in dbs.items():
        lines += growth_rows(name, data)
    lines += ["", "## Registration burst, reminder delivery, certificates", "", *header]
    for name, data in dbs.items():
        b = data["burst"]
        goal_rate = name == "postgresql"
        met = b["met"] and (b["per_second"] >= BURST_PER_SECOND or not goal_rate)
        lines.append(_row(
            "Registration burst: 2,000 at a 300-seat webinar (API)", name,
            f"{b['per_second']:,.0f} registrations/s ({b['seconds']:.1f} s); "
            f"{b['confirmed']} confirmed, {b['waitlisted']} waitlisted, {b['other']} other; "
            f"waitlist in arrival order: {'yes' if b['waitlist_in_order'] else 'NO'}; "
            f"{b['errors']} errors; p50 {b['p50_ms']:.0f} ms, p99 {b['p99_ms']:.0f} ms"
            + _cpu(b) + _load(b),
            "—", "exactly 300 confirmed, rest waitlisted in order, 0 errors"
            + (f", ≥ {BURST_PER_SECOND}/s" if goal_rate else " (rate goal: PostgreSQL)"),
            _yes(met), f"`{b['command']}`"))
    for name, data in dbs.items():
        r = data["reminders"]
        met = r["per_second"] >= REMINDERS_PER_SECOND and not r["duplicates"] and not r["lost"]
        lines.append(_row(
            "Reminder delivery: 20,000 due, 2 scheduler processes, aiosmtpd", name,
            f"{r['per_second']:,.0f} msg/s over the delivery ({r['window_seconds']:.1f} s; "
            f"{r['per_second_wall']:,.0f}/s counting process start-up, "
            f"{r['wall_seconds']:.1f} s); {r['distinct']:,} delivered, {r['duplicates']} "
            f"duplicates, {r['lost']} lost" + _load(r), "—",
            f"≥ {REMINDERS_PER_SECOND} msg/s, 0 duplicates, 0 lost", _yes(met),
            "`flask scheduler run` × 2, MAIL_SERVER = bench.smtp_sink"))
    for key, c in results["certificates"].items():
        lines.append(_row(
            f"Certificate PDF, {key} name ({c['name']})", "—",
            f"p50 {c['p50_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms, {c['per_second']:.1f} PDFs/s "
            f"per process ({c['bytes']:,} bytes)", "—", f"p95 < {PDF_P95_MS} ms",
            _yes(c["p95_ms"] < PDF_P95_MS), f"`python -m bench.certs --count {c['count']}`"))
    lines += ["", "## Page weight (HTML as served + the stylesheet)", "",
              _row("Page", "Database", "HTML", "CSS", "Total", "Goal", "Met?"),
              "|---|---|---|---|---|---|---|"]
    for name, data in dbs.items():
        for p in data.get("weight", []):
            met = p["total_bytes"] < PAGE_BYTES and not p["script"] and p["status"] == 200
            lines.append(_row(
                f"{p['page']} (`{p['path']}`)", name, f"{p['html_bytes']:,} B",
                f"{p['css_bytes']:,} B", f"{p['total_bytes']:,} B",
                f"< {PAGE_BYTES:,} B, no script", _yes(met)))
    lines += ["", "## Seeding", "", _row("Database", "Scale", "Rows", "Time"),
              "|---|---|---|---|"]
    for name, data in dbs.items():
        for label, key in (("100%", "seed"), ("10%", "seed_small")):
            s = data[key]
            lines.append(_row(name, label, f"{sum(s['rows'].values()):,}",
                              f"{s['seconds']:.0f} s"))
    lines.append("")
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").rstrip(), ""]
    Path(output).write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Write BENCHMARKS.md again from the last run's results and bench/NOTES.md.")
    parser.add_argument("output", nargs="?", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    data = json.loads((ROOT / "bench" / "results" / "results.json").read_text())
    write_report(data, args.output)


if __name__ == "__main__":
    main()
