"""Flask extensions, created unbound and initialised in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from elearn.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class _Limiter(Limiter):
    """Flask-Limiter that runs its before-request check only where it has work.

    Every limit here decorates its view, and the decorator checks it. The before-request
    check finds only default, application-wide, blueprint and meta limits. Unless
    configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION, RATELIMIT_META) there are none,
    yet the check ran on every request: 8 % of a signed-in module page's instructions.
    """

    def drop_idle_check(self, app) -> bool:
        """Take the before-request check off ``app`` when it has nothing to check. Call
        it once every blueprint is registered (a blueprint limit needs it). True if taken
        off."""
        manager = self.limit_manager
        if manager._default_limits or manager._application_limits \
                or manager._blueprint_limits or self._meta_limits:
            return False
        hooks = app.before_request_funcs.get(None, [])
        if self._check_request_limit not in hooks:
            return False
        hooks.remove(self._check_request_limit)
        return True


limiter = _Limiter(key_func=get_remote_address)


class _Api(Api):
    """flask-smorest's Api without its app-wide error handlers: ``elearn.errors`` answers
    every error, as JSON under /api/ and as a page elsewhere."""

    def _register_error_handlers(self):
        return None


api = _Api()
