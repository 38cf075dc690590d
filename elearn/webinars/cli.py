"""``flask webinars load-samples``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

webinars_cli = AppGroup("webinars", help="Webinars.")


@webinars_cli.command("load-samples")
def load_samples_command() -> None:
    """Add the programme's sample webinars in the coming months (safe to run again)."""
    from elearn.extensions import db
    from elearn.webinars.samples import MissingThemes, load_samples

    try:
        created, skipped = load_samples()
    except MissingThemes as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Sample webinars: {created} created, {skipped} already there.")
