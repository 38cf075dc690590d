"""Parsed GIFT questions as stored in the database: JSON data and rendered HTML.

``question_to_data`` / ``question_from_data`` turn a :class:`~elearn.quizzes.gift.Question`
into plain JSON and back (equal questions, line numbers aside), so grading works from
the stored row without parsing GIFT again. ``render_question`` renders every text of a
question with ``elearn.markup`` once, when the bank is imported:

* ``[markdown]`` and ``[moodle]`` (GIFT's default, where Moodle allows HTML too) go
  through the Markdown renderer, whose allow-list strips anything unsafe;
* ``[html]`` goes through ``sanitize_html`` (the same allow-list);
* ``[plain]`` is escaped, line breaks kept.

The question text is rendered as a block (paragraphs, lists); answers, feedback and the
two halves of a missing-word text as inline markup.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from flask import current_app, has_app_context
from markupsafe import escape

from elearn.markup import render_inline, render_markdown, sanitize_html
from elearn.quizzes.gift import Answer, Question, QuestionType, TextFormat

_ANSWER_FIELDS = ("text", "fraction", "feedback", "text_format", "feedback_format", "value",
                  "tolerance", "match_right")


def question_to_data(question: Question) -> dict:
    """The question as JSON-ready data (without its line number)."""
    data = asdict(question)
    data.pop("line", None)
    data["type"] = question.type.value
    data["text_format"] = question.text_format.value
    data["general_feedback_format"] = question.general_feedback_format.value
    data["answers"] = [
        {key: (value.value if isinstance(value, TextFormat) else value)
         for key, value in answer.items() if key in _ANSWER_FIELDS}
        for answer in data["answers"]
    ]
    return data


def question_from_data(data: dict) -> Question:
    """The :class:`Question` that :func:`question_to_data` gave ``data`` for."""
    answers = [
        Answer(
            text=a["text"], fraction=a["fraction"], feedback=a["feedback"],
            text_format=TextFormat(a["text_format"]),
            feedback_format=TextFormat(a["feedback_format"]),
            value=a["value"], tolerance=a["tolerance"], match_right=a["match_right"],
        )
        for a in data["answers"]
    ]
    return Question(
        type=QuestionType(data["type"]), name=data["name"], text=data["text"],
        text_format=TextFormat(data["text_format"]), answers=answers,
        general_feedback=data["general_feedback"],
        general_feedback_format=TextFormat(data["general_feedback_format"]),
        category=data["category"], text_before=data["text_before"],
        text_after=data["text_after"], idnumber=data["idnumber"], tags=list(data["tags"]),
    )


def content_hash(data: dict) -> str:
    """SHA-256 of the question's data: equal for equal questions."""
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _base_url() -> str | None:
    return current_app.config.get("BASE_URL") if has_app_context() else None


def render_text(text: str, text_format: TextFormat | str, *, inline: bool = False) -> str:
    """Safe HTML for one GIFT text in its ``[format]``."""
    if not text:
        return ""
    text_format = TextFormat(text_format)
    if text_format is TextFormat.PLAIN:
        return str(escape(text)).replace("\n", "<br>\n")
    if text_format is TextFormat.HTML:
        return sanitize_html(text, base_url=_base_url())
    render = render_inline if inline else render_markdown
    return render(text, base_url=_base_url())


def render_question(question: Question) -> tuple[str, dict]:
    """``(text_html, html)``: the rendered text and the other texts of ``question``.

    ``html`` holds ``text_before`` / ``text_after`` (missing-word layout, else ""),
    ``general_feedback`` and ``answers``: per answer, in order, its ``text``,
    ``feedback`` and (matching) ``match_right``.
    """
    fmt = question.text_format
    html = {
        "text_before": render_text(question.text_before or "", fmt, inline=True),
        "text_after": render_text(question.text_after or "", fmt, inline=True),
        "general_feedback": render_text(
            question.general_feedback, question.general_feedback_format, inline=True
        ),
        "answers": [
            {
                "text": render_text(answer.text, answer.text_format, inline=True),
                "feedback": render_text(answer.feedback, answer.feedback_format, inline=True),
                "match_right": render_text(answer.match_right or "", TextFormat.PLAIN),
            }
            for answer in question.answers
        ],
    }
    return render_text(question.text, fmt), html
