"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from elearn.accounts.models import Role

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Full name as on certificates.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value)
@click.option("--password", help="For scripts; prompted when left out.")
@click.option("--country", default="CH", show_default=True, help="ISO 3166 alpha-2 code.")
@click.option("--organisation", default="")
@click.option("--locale", default="en", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
def create_command(email, name, role, password, country, organisation, locale, timezone):
    """Create a verified account (the first admin, a trainer...)."""
    from elearn.accounts import services
    from elearn.extensions import db

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = services.validate_password(password, email=email)
    if problem:
        raise click.ClickException(str(problem))
    try:
        user = services.create_user(
            email=email, name=name, password=password, country=country,
            organisation=organisation, locale=locale, timezone=timezone, role=role,
            verified=True,
        )
    except services.AccountError as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role_command(email, role):
    """Give an existing account another role."""
    from elearn.accounts import services
    from elearn.extensions import db

    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    services.set_role(user, role)
    db.session.commit()
    click.echo(f"{user.email} is now {role}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A label for the token.")
def token_command(email, name):
    """Print a new personal API token for EMAIL (shown once)."""
    from elearn.accounts import services
    from elearn.extensions import db

    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    _, plain = services.create_api_token(user, name)
    db.session.commit()
    click.echo(plain)
