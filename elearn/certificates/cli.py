"""``flask certificates show|revoke|reissue``: the admin pages' operations for scripts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Look up, revoke and reissue certificates.")


def _certificate(code: str):
    from elearn.certificates import services

    certificate = services.find_certificate(code)
    if certificate is None:
        raise click.ClickException("No such certificate.")
    return certificate


def _admin(email: str):
    from elearn.accounts.models import Role
    from elearn.accounts.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.has_role(Role.ADMIN):
        raise click.ClickException(f"{email} is not an admin's e-mail address.")
    return user


def _describe(certificate) -> str:
    from elearn.certificates import services

    lines = [
        f"{certificate.serial}  {certificate.code_display}  {certificate.status.value}",
        f"holder:  {certificate.holder_name} <{certificate.holder.email}>",
        f"course:  {certificate.course_title}",
        f"issued:  {certificate.issued_at.isoformat()}",
        f"verify:  {services.verify_url(certificate)}",
    ]
    if certificate.revoked_at:
        lines.append(f"revoked: {certificate.revoked_at.isoformat()}: "
                     f"{certificate.revocation_reason}")
    if certificate.replaced_by:
        lines.append(f"replaced by: {certificate.replaced_by.serial} "
                     f"{certificate.replaced_by.code_display}")
    return "\n".join(lines)


@certificates_cli.command("show")
@click.argument("code")
def show_command(code):
    """Show a certificate by its verification code."""
    click.echo(_describe(_certificate(code)))


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Shown on the public verification page.")
@click.option("--by", "admin_email", required=True, help="E-mail address of the admin.")
def revoke_command(code, reason, admin_email):
    """Revoke a certificate."""
    from elearn.certificates import services
    from elearn.extensions import db

    certificate = _certificate(code)
    try:
        services.revoke_certificate(certificate, by=_admin(admin_email), reason=reason)
    except services.CertificateError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(_describe(certificate))


@certificates_cli.command("reissue")
@click.argument("code")
@click.option("--name", "holder_name", required=True, help="The corrected name.")
@click.option("--by", "admin_email", required=True, help="E-mail address of the admin.")
def reissue_command(code, holder_name, admin_email):
    """Replace a certificate by one with a corrected name, and mail it to the holder."""
    from elearn.certificates import services
    from elearn.extensions import db

    certificate = _certificate(code)
    try:
        new = services.reissue_certificate(certificate, by=_admin(admin_email),
                                           holder_name=holder_name)
    except services.CertificateError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(_describe(new))
