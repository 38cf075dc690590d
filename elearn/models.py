"""Every model, imported in one place so Alembic and create_all see the whole schema."""

from elearn.accounts.models import ApiToken, User  # noqa: F401
from elearn.certificates.models import Certificate, Completion  # noqa: F401
from elearn.courses.models import (  # noqa: F401
    Course,
    CourseMedia,
    CourseText,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleRevision,
    ModuleText,
    Theme,
)
from elearn.mail.models import OutboxAttachment, OutboxMessage  # noqa: F401
from elearn.quizzes.models import (  # noqa: F401
    AttemptAnswer,
    BankQuestion,
    QuestionBank,
    QuizAttempt,
)
from elearn.webinars.models import Registration, Webinar  # noqa: F401
