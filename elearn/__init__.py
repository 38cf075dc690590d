"""elearn: the e-learning and webinar platform of the Stockholm Convention programme.

``create_app`` is a table of contents: each step is one function below.
"""

from __future__ import annotations

import os

from flask import Flask

from config import CONFIGS, Config, ProductionConfig


def create_app(config: type[Config] | str | None = None, **overrides) -> Flask:
    """Build the application. ``config`` is a config class or its name.

    Without one, ``ELEARN_CONFIG`` (development, test, production) decides;
    the default is development, and production refuses to start without SECRET_KEY.
    """
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config, overrides)
    register_extensions(app)
    register_blueprints(app)
    trim_rate_limit_checks(app)
    register_signal_receivers(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_cli(app)
    start_scheduler_if_asked(app)
    return app


def configure(app: Flask, config, overrides: dict) -> None:
    if config is None:
        config = os.environ.get("ELEARN_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    if issubclass(config, ProductionConfig):
        config.check()
    app.config.from_object(config)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        path = os.path.join(app.instance_path, "elearn.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite serialises writers; wait for the lock instead of failing at once.
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        # A file never drops a connection: the "SELECT 1" before every checkout that a
        # database server needs was a sixth of a verification page's time here.
        options["pool_pre_ping"] = False
    elif app.config["DATABASE_PING_AFTER_IDLE"] <= 0:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config["MAIL_FILE_DIR"]:
        app.config["MAIL_FILE_DIR"] = os.path.join(app.instance_path, "mail")


def _ping_idle_connections(app: Flask) -> None:
    """A database server's pooled connections are checked after idling (see there)."""
    from elearn.db import ping_after_idle
    from elearn.extensions import db

    seconds = app.config["DATABASE_PING_AFTER_IDLE"]
    if seconds <= 0:
        return
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name != "sqlite":
                ping_after_idle(engine, seconds)


def register_extensions(app: Flask) -> None:
    from elearn import models  # noqa: F401  (the whole schema, for Alembic)
    from elearn.extensions import babel, csrf, db, limiter, login_manager, migrate
    from elearn.i18n import select_locale, select_timezone

    db.init_app(app)
    _ping_idle_connections(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations")
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)

    from elearn.accounts.auth import setup_login

    setup_login(app)


def register_blueprints(app: Flask) -> None:
    from elearn.accounts.views import bp as accounts_bp
    from elearn.admin.views import bp as admin_bp
    from elearn.api import init_api
    from elearn.certificates.admin import bp as certificates_admin_bp
    from elearn.certificates.views import bp as certificates_bp
    from elearn.courses.authoring import bp as authoring_bp
    from elearn.courses.views import bp as courses_bp
    from elearn.main.views import bp as main_bp
    from elearn.quizzes.attempt_views import bp as quiz_bp
    from elearn.quizzes.bank_views import bp as quiz_banks_bp
    from elearn.quizzes.trainer_views import bp as quiz_trainer_bp
    from elearn.webinars.trainer_views import bp as webinar_admin_bp
    from elearn.webinars.views import bp as webinars_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(webinars_bp)
    app.register_blueprint(webinar_admin_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(certificates_admin_bp)
    app.register_blueprint(quiz_banks_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(quiz_trainer_bp)
    init_api(app)


def trim_rate_limit_checks(app: Flask) -> None:
    """Every limit is known once the blueprints are registered (see ``drop_idle_check``)."""
    from elearn.extensions import limiter

    limiter.drop_idle_check(app)


def register_signal_receivers(app: Flask) -> None:
    """Features that react to what others do (elearn/signals.py) start listening here."""
    from elearn.certificates.completion import connect_receivers

    connect_receivers()


def register_errorhandlers(app: Flask) -> None:
    from elearn.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from elearn import pagecache
    from elearn.security import register

    register(app)
    pagecache.register(app)


def register_template_helpers(app: Flask) -> None:
    from elearn.templating import register

    register(app)


def register_cli(app: Flask) -> None:
    from elearn.accounts.cli import users_cli
    from elearn.certificates.cli import certificates_cli
    from elearn.courses.cli import content_cli
    from elearn.mail.cli import mail_cli, scheduler_cli
    from elearn.webinars.cli import webinars_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(webinars_cli)


def start_scheduler_if_asked(app: Flask) -> None:
    from elearn.mail.scheduler import start_in_process

    start_in_process(app)
