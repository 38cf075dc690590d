"""``flask webinars load-samples``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

webinars_cli = AppGroup("webinars", help="Webinars.")


@webinars_cli.command("load-samples")
def load_samples_command() -> None:
    """Add the programme's sample webinars in the coming months (safe to run again)."""
    from elearn.extensions import db
    from elearn.webinars.samples import load_samples

    created, skipped = load_samples()
    db.session.commit()
    click.echo(f"Sample webinars: {created} created, {skipped} already there.")
