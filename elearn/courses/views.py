"""Learners' pages: catalogue, course, module, media, "My learning"."""

from __future__ import annotations

from flask import Blueprint, abort, make_response

from elearn.courses import services
from elearn.courses.models import CourseMedia
from elearn.extensions import db

bp = Blueprint("courses", __name__)


@bp.route("/courses/")
def catalogue():
    return "catalogue"


@bp.route("/courses/<slug>")
def course(slug: str):
    return slug


@bp.route("/courses/<slug>/modules/<module>")
def module(slug: str, module: str):
    return module


@bp.route("/courses/<slug>/media/<filename>")
def media(slug: str, filename: str):
    course = services.get_course(slug)
    item = db.session.execute(
        db.select(CourseMedia).where(CourseMedia.course_id == course.id,
                                     CourseMedia.filename == filename)
    ).scalar_one_or_none() or abort(404)
    response = make_response(item.data)
    response.headers["Content-Type"] = item.content_type
    return response
