"""Test data and helpers of the quiz tests: a bank with every type, keys by text."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from elearn.quizzes.presentation import slot_view

#: One question of each gradable type, with feedback everywhere (to check it stays hidden).
ALL_TYPES = """\
$CATEGORY: $course$/test

::MC::Which of these is a persistent organic pollutant?{
=DDT#Yes, DDT is listed in Annex B.
~Water#No, water is harmless.
~Table salt#No, salt breaks down.
####DDT is the best known POP.}

::MR::Which TWO chemicals are listed in Annex A?{
~%50%Aldrin#Aldrin is right.
~%50%Dieldrin#Dieldrin is right.
~%-100%Glucose#Glucose is not a POP.
~%-100%Caffeine#Caffeine is not a POP.
}

::TF::PCBs are persistent organic pollutants.{T#Think again: they are.#Right: PCBs are listed.}

::SA::Which city hosts the Secretariat of the Stockholm Convention?{
=Geneva#Yes, Geneva.
=Genève#Oui, Genève.
=%50%Switzerland#Almost: give the city.
}

::NUM::In which year did the Stockholm Convention enter into force?{#
=2004:0#Exactly.
=%50%2004:2#Close to it.
}

::MATCH::Match each annex with the obligation it sets.{
=Annex A -> Elimination
=Annex B -> Restriction
=Annex C -> Unintentional production
}

::MW::DDT is listed in Annex {=B#Right, Annex B. ~A#No, not A. ~C#No, not C.} of the Convention.

::ESSAY::Describe how customs officers can detect an illegal shipment of POPs.{
####A good answer names the documents, the labels and sampling.}
"""

#: Every feedback text of ALL_TYPES: none may appear before submission.
SECRETS = [
    "Yes, DDT is listed in Annex B.", "No, water is harmless.", "No, salt breaks down.",
    "DDT is the best known POP.", "Aldrin is right.", "Dieldrin is right.",
    "Glucose is not a POP.", "Caffeine is not a POP.", "Think again: they are.",
    "Right: PCBs are listed.", "Yes, Geneva.", "Oui, Genève.", "Almost: give the city.",
    "Geneva", "Switzerland", "2004", "Exactly.", "Close to it.", "Right, Annex B.",
    "No, not A.", "No, not C.", "A good answer names the documents",
]

START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 10:30 in Nairobi


def slot_of(attempt, name: str) -> int:
    """The slot of the question called ``name`` in ``attempt``."""
    return next(a.slot for a in attempt.answers if a.question.name == name)


def key_of(attempt, name: str, text: str, *, item: bool = False) -> int:
    """The screen key of the option (or matching item) whose text is ``text``."""
    answer = next(a for a in attempt.answers if a.question.name == name)
    view = slot_view(answer, attempt.shuffle_seed, attempt.shuffle_answers)
    options = view.items if item else view.choices
    return next(o.key for o in options if unescape(o.html) == text)


def right_responses(attempt) -> dict[int, object]:
    """Full-marks responses for every question of ALL_TYPES (the essay answered)."""
    def k(name, text):
        return key_of(attempt, name, text)

    match = {str(key_of(attempt, "MATCH", left, item=True)): k("MATCH", right)
             for left, right in [("Annex A", "Elimination"), ("Annex B", "Restriction"),
                                 ("Annex C", "Unintentional production")]}
    by_name = {
        "MC": k("MC", "DDT"), "MR": [k("MR", "Aldrin"), k("MR", "Dieldrin")],
        "TF": k("TF", "True"), "SA": "geneva", "NUM": "2004", "MATCH": match,
        "MW": k("MW", "B"), "ESSAY": "Check the documents, the labels, and take samples.",
    }
    return {slot_of(attempt, name): value for name, value in by_name.items()
            if any(a.question.name == name for a in attempt.answers)}
