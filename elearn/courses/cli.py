"""``flask content sync [ROOT] [--check]`` and ``flask content export SLUG DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

content_cli = AppGroup("content", help="The content library (courses/ and quizzes/).")


@content_cli.command("sync")
@click.argument("root", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check the files; change nothing.")
def sync_command(root: Path | None, check: bool) -> None:
    """Check the library under ROOT, then bring the database in line with it.

    ROOT holds courses/ and quizzes/ (default: CONTENT_ROOT, the project folder). Every
    problem is listed as path:line: message; with any, nothing is changed and the exit
    status is 1. Otherwise everything is upserted in one transaction.
    """
    from elearn.courses.sync import check_library, load_steps, sync_library
    from elearn.extensions import db

    root = (root or Path(current_app.config["CONTENT_ROOT"])).resolve()
    steps = load_steps()
    problems = check_library(root, steps)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) in {root}; nothing was changed.", err=True)
        sys.exit(1)
    if check:
        click.echo(f"No problems in {root}.")
        return
    try:
        summaries = sync_library(root, steps)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for summary in summaries:
        for line in summary.lines():
            click.echo(line)
    if not any(s.has_changes for s in summaries):
        click.echo("Nothing to change: the database matches the files.")


@content_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Replace the Markdown files and media already in DIRECTORY/SLUG.")
def export_command(slug: str, directory: Path, replace: bool) -> None:
    """Write course SLUG into DIRECTORY/SLUG/ in the library's file format.

    Export into courses/ and run `flask content sync` to get the same course back.
    """
    from sqlalchemy import select

    from elearn.courses.export import write_course
    from elearn.courses.models import Course
    from elearn.extensions import db

    course = db.session.execute(select(Course).where(Course.slug == slug)).scalar_one_or_none()
    if course is None:
        raise click.ClickException(f"No course '{slug}'.")
    try:
        written = write_course(course, directory, replace=replace)
    except FileExistsError as exc:
        raise click.ClickException(
            f"{exc.args[0]} is not empty; add --replace to overwrite it.") from exc
    click.echo(f"Wrote {len(written)} files to {directory / slug}.")
