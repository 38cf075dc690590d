"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, FLASK_APP="wsgi.py", ELEARN_CONFIG="development", DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _check(url: str) -> None:
    upgrade = _flask(url, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask(url, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    downgrade = _flask(url, "db", "downgrade", "base")
    assert downgrade.returncode == 0, downgrade.stderr


def test_migrations_match_models_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.skipif(not os.environ.get("ELEARN_TEST_DATABASE_URL"),
                    reason="ELEARN_TEST_DATABASE_URL is not set")
def test_migrations_match_models_on_postgresql():
    base = os.environ["ELEARN_TEST_DATABASE_URL"]
    name = f"elearn_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check(base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
