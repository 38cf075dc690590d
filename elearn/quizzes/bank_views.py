"""Trainers' question bank pages: list, upload or paste with preview, view, download."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.accounts.models import Role
from elearn.extensions import db
from elearn.permissions import require_role
from elearn.quizzes import banks
from elearn.quizzes.banks import BankInvalid
from elearn.quizzes.forms import BankImportForm
from elearn.quizzes.gift import GiftError, Question
from elearn.quizzes.questions import render_question

bp = Blueprint("quiz_banks", __name__, url_prefix="/trainer/banks")


@bp.context_processor
def _helpers():
    return {"type_label": banks.type_label, "percent": percent}


def percent(fraction: float) -> str:
    """``0.3333333`` -> ``"33.33333 %"``, ``-1.0`` -> ``"-100 %"``."""
    return f"{round(fraction * 100, 5):g} %"


@dataclass
class PreviewQuestion:
    """A parsed question rendered for the preview, shaped like a ``BankQuestion``."""

    question: Question
    text_html: str
    html: dict

    @property
    def type(self) -> str:
        return self.question.type.value

    @property
    def name(self) -> str:
        return self.question.name

    @property
    def line(self) -> int:
        return self.question.line


def _preview(questions: list[Question]) -> list[PreviewQuestion]:
    return [PreviewQuestion(q, *render_question(q)) for q in questions]


def _bank_or_404(slug: str):
    return banks.find_bank(slug) or abort(404)


@bp.route("")
@require_role(Role.TRAINER)
def index():
    return render_template("quizzes/banks.html", banks=banks.list_banks())


def _submitted_gift(form: BankImportForm) -> tuple[str, str, str] | None:
    """``(text, path, slug)`` from the upload or the text area; None after a form error."""
    upload = form.gift_file.data
    filename = getattr(upload, "filename", "") or ""
    if filename:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.gift_file.errors.append(_("The file is not UTF-8 text. Save it as UTF-8 "
                                           "and upload it again."))
            return None
        path = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    else:
        text = (form.gift_text.data or "").replace("\r\n", "\n")
        path = ""
        if not text.strip():
            form.gift_text.errors.append(_("Upload a GIFT file or paste GIFT text."))
            return None
    slug = (form.slug.data or "").strip() or banks.slug_from_filename(path)
    if not slug:
        form.slug.errors.append(_("Give the bank a name."))
        return None
    return text, path or f"{slug}.gift", slug


@bp.route("/import", methods=["GET", "POST"])
@require_role(Role.TRAINER)
def import_():
    form = BankImportForm()
    problems: list[GiftError] = []
    preview: list[PreviewQuestion] | None = None
    if request.method == "GET" and request.args.get("slug"):
        bank = _bank_or_404(request.args["slug"])
        form.slug.data, form.title.data = bank.slug, bank.title
        form.gift_text.data = bank.gift_source
    submitted = _submitted_gift(form) if form.validate_on_submit() else None
    if submitted:
        text, path, slug = submitted
        form.slug.data, form.gift_text.data = slug, text
        try:
            if form.save.data:
                result = banks.import_bank(slug, text, path=path, title=form.title.data,
                                           user=current_user)
                db.session.commit()
                flash(_saved_message(result), "success")
                return redirect(url_for(".show", slug=result.bank.slug))
            preview = _preview(banks.parse_bank(text, path))
        except BankInvalid as exc:
            db.session.rollback()
            problems = exc.problems
    existing = banks.find_bank(form.slug.data) if form.slug.data else None
    status = 422 if problems or form.errors else 200
    return render_template("quizzes/bank_import.html", form=form, problems=problems,
                           preview=preview, existing=existing), status


def _saved_message(result: banks.ImportResult) -> str:
    if result.created:
        return _("Bank %(slug)s created with %(num)d questions.", slug=result.bank.slug,
                 num=len(result.added))
    if not result.changed:
        return _("Bank %(slug)s already held this text; its questions are unchanged.",
                 slug=result.bank.slug)
    return _("Bank %(slug)s saved: %(added)d new or changed, %(kept)d unchanged, "
             "%(retired)d removed.", slug=result.bank.slug, added=len(result.added),
             kept=result.kept, retired=result.retired)


@bp.route("/<slug>")
@require_role(Role.TRAINER)
def show(slug: str):
    bank = _bank_or_404(slug)
    return render_template("quizzes/bank.html", bank=bank, questions=bank.active_questions)


@bp.route("/<slug>/download")
@require_role(Role.TRAINER)
def download(slug: str):
    bank = _bank_or_404(slug)
    return Response(
        banks.write_bank(bank), mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{bank.slug}.gift"'},
    )
