"""Registration burst: 2,000 registrations at once at a 300-seat webinar, through the API.

Run by the runner as its own process (the load must not share the server's interpreter):

    python -m bench.burst --port 8000 --webinar 401 --count 2000 --out burst.json

Each of ``--concurrency`` threads keeps one HTTP/1.1 connection open and posts guest
registrations, each with its own e-mail address, as fast as answers come back. The
answers (status, registration id, waitlist position, timings) go to ``--out``; the runner
checks them against the database (``verify``).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import threading
import time


def _worker(port: int, path: str, bodies: list[bytes], counter, lock, results, start) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start.wait()
    while True:
        with lock:
            index = next(counter)
        if index >= len(bodies):
            break
        sent = time.perf_counter()
        try:
            conn.request("POST", path, body=bodies[index],
                         headers={"Content-Type": "application/json",
                                  "Accept": "application/json"})
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except OSError as exc:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            results[index] = {"index": index, "status": 0, "error": repr(exc),
                              "sent": sent, "received": time.perf_counter()}
            continue
        received = time.perf_counter()
        out = {"index": index, "status": status, "sent": sent, "received": received}
        try:
            answer = json.loads(data)
            out.update(id=answer.get("id"), state=answer.get("status"),
                       position=answer.get("position"))
        except ValueError:
            out["error"] = data[:200].decode(errors="replace")
        results[index] = out
    conn.close()


def burst(port: int, webinar_id: int, count: int, concurrency: int) -> dict:
    path = f"/api/v1/webinars/{webinar_id}/registrations"
    bodies = [json.dumps({
        "name": f"Burst Registrant {i:04d}", "email": f"burst-{i:04d}@example.net",
        "country": "KE", "organisation": "Benchmark", "language": "en",
        "timezone": "Africa/Nairobi",
    }).encode() for i in range(count)]
    results: list[dict | None] = [None] * count
    counter, lock, start = itertools.count(), threading.Lock(), threading.Event()
    threads = [threading.Thread(target=_worker, args=(port, path, bodies, counter, lock,
                                                      results, start))
               for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    ended = time.perf_counter()
    latencies = sorted((r["received"] - r["sent"]) * 1000 for r in results if r)
    return {
        "count": count, "concurrency": concurrency, "seconds": ended - began,
        "per_second": count / (ended - began),
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webinar", type=int, required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    report = burst(args.port, args.webinar, args.count, args.concurrency)
    with open(args.out, "w") as handle:
        json.dump(report, handle)


# -- in the runner: setting up and checking ---------------------------------------------


def create_webinar(capacity: int = 300) -> int:
    """A fresh 300-seat webinar two weeks ahead (needs an app context); its id."""
    from datetime import timedelta

    from sqlalchemy import select

    from elearn.accounts.models import User
    from elearn.db import utcnow
    from elearn.extensions import db
    from elearn.webinars import services

    trainer = db.session.execute(
        select(User).where(User.email == "bench-trainer@example.org")).scalar_one()
    webinar = services.create_webinar(
        created_by=trainer, title="Burst: the popular webinar", theme="customs",
        language="en", starts_at=(utcnow() + timedelta(days=14)).replace(microsecond=0),
        timezone="Europe/Zurich", duration_minutes=90, capacity=capacity,
        join_url="https://meet.example.org/burst", description="Registration opens now.")
    db.session.commit()
    return webinar.id


def verify(report: dict, webinar_id: int, capacity: int = 300) -> dict:
    """Exactly ``capacity`` confirmed, the rest waitlisted in arrival order, no error."""
    from sqlalchemy import select

    from elearn.extensions import db
    from elearn.webinars.models import Registration

    results = report["results"]
    errors = [r for r in results if r is None or r["status"] != 201 or "error" in r]
    rows = db.session.execute(
        select(Registration.id, Registration.status, Registration.queue_number)
        .where(Registration.webinar_id == webinar_id)
    ).all()
    confirmed = sorted(q for _id, s, q in rows if s == "confirmed")
    waitlisted = sorted((q, i) for i, s, q in rows if s == "waitlisted")
    rank = {reg_id: n for n, (_q, reg_id) in enumerate(waitlisted, start=1)}
    answered = {r["id"]: r.get("position") for r in results
                if r and r.get("state") == "waitlisted"}
    in_order = (
        len({q for _i, _s, q in rows}) == len(rows)
        and (not confirmed or not waitlisted or confirmed[-1] < waitlisted[0][0])
        and all(rank.get(reg_id) == position for reg_id, position in answered.items())
        and len(answered) == len(waitlisted)
    )
    return {
        "registrations": len(rows), "confirmed": len(confirmed),
        "waitlisted": len(waitlisted), "other": len(rows) - len(confirmed) - len(waitlisted),
        "errors": len(errors), "waitlist_in_order": in_order,
        "first_errors": [r for r in errors[:3]],
        "met": len(confirmed) == capacity and len(waitlisted) == report["count"] - capacity
        and not errors and in_order,
    }


if __name__ == "__main__":
    main()
