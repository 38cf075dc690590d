"""Certificate PDFs: how long one takes, for a Latin and for a Chinese name.

Run as its own process (``python -m bench.certs --out certs.json``) so the timings are
not disturbed by the runner. Each name is rendered a few times to warm up (fonts opened,
HarfBuzz faces cached: what a long-running worker has), then ``--count`` times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

NAMES = {
    "latin": ("Aïcha Ouédraogo-Fernández", "en"),
    "chinese": ("王芳", "zh"),
}


def _content(name: str, language: str):
    from elearn.certificates.pdf import CertificateContent

    return CertificateContent(
        holder_name=name, course_title="Trade controls for customs officers",
        theme_title="Customs and trade-related issues", issued_on=date(2026, 11, 21),
        score=92.5, serial="SC-2026-004217", code_display="7K3M-Q9XP-4HTD-2WRA",
        verify_url="http://127.0.0.1:8000/certificates/verify/7K3MQ9XP4HTD2WRA",
        issuer="Secretariat of the Stockholm Convention", language=language)


def measure(count: int = 100, warmup: int = 3) -> dict:
    from elearn import create_app
    from elearn.certificates.pdf import render_certificate_pdf

    app = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    out = {}
    with app.app_context():
        for key, (name, language) in NAMES.items():
            content = _content(name, language)
            for _ in range(warmup):
                render_certificate_pdf(content)
            times = []
            size = 0
            for _ in range(count):
                started = time.perf_counter()
                size = len(render_certificate_pdf(content))
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out[key] = {
                "name": name, "language": language, "count": count, "bytes": size,
                "p50_ms": statistics.median(times),
                "p95_ms": times[min(count - 1, int(count * 0.95))],
                "max_ms": times[-1], "per_second": 1000 * count / sum(times),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.out, "w") as handle:
        json.dump(measure(args.count), handle)


if __name__ == "__main__":
    main()
