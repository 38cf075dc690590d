"""Every model, imported in one place so Alembic and create_all see the whole schema."""

from elearn.accounts.models import ApiToken, User  # noqa: F401
from elearn.mail.models import OutboxAttachment, OutboxMessage  # noqa: F401
from elearn.quizzes.models import BankQuestion, QuestionBank  # noqa: F401
