"""Grading by Moodle's rules, feedback, and the learner's (answer-key-free) view."""

from __future__ import annotations

import dataclasses
import json

import pytest

from elearn.quizzes.gift import Answer, Question, QuestionType, TextFormat, parse_gift
from elearn.quizzes.grading import (
    PublicQuestion,
    correct_answers,
    decode_response,
    feedback,
    grade,
    matches_shortanswer,
    parse_number,
    public_view,
)

QT = QuestionType


def one(text: str) -> Question:
    (question,) = parse_gift(text)
    return question


MC = one("Who's buried in Grant's tomb?{~Grant#No. ~Jefferson =no one#Yes! ~%-50%Lincoln#Really?"
         "####Entombed, not buried.}")
MW = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
MR = one("What two people are entombed in Grant's tomb? {\n~%-100%No one#no\n~%50%Grant#yes\n"
         "~%50%Grant's wife#yes too\n~%-100%Grant's father#no\n}")
TF_TRUE = one("The sun rises in the east.{T#Look again in the morning.#Yes.####Always.}")
TF_FALSE = one("Grant is buried in Grant's tomb.{FALSE#No one is buried there.#Right.}")
SA = one("::Jesus' hometown:: Jesus Christ was from {\n=Nazareth#Yes!\n"
         "=%75%Nazereth#Right, but misspelled.\n=%25%Bethlehem#Born there.\n}")
NUM = one("When was Ulysses S. Grant born? {#\n=1822:0#Correct!\n=%50%1822:2#Close.\n"
          "~#He was born in 1822.}")
MATCH = one("Match the countries and capitals. {\n=Canada -> Ottawa\n=Italy -> Rome\n"
            "=Japan -> Tokyo\n=India -> New Delhi\n= -> Sydney\n}")
ESSAY = one("Write a short biography of Dag Hammarskjöld. {####Mention the UN.}")
DESCRIPTION = one("You can use your pencil and paper for these next math questions.")
ALL = [MC, MW, MR, TF_TRUE, TF_FALSE, SA, NUM, MATCH, ESSAY, DESCRIPTION]


# -- grade ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "response", "fraction"), [
    (MC, 0, 0.0), (MC, 1, 0.0), (MC, 2, 1.0), (MC, None, 0.0),
    (MC, 3, 0.0),  # a negative weight counts as 0 (Moodle would give a negative mark)
    (MW, 1, 1.0), (MW, 0, 0.0),
    (TF_TRUE, True, 1.0), (TF_TRUE, False, 0.0), (TF_TRUE, None, 0.0),
    (TF_FALSE, False, 1.0), (TF_FALSE, True, 0.0),
])
def test_single_choice(question, response, fraction):
    assert grade(question, response) == fraction


@pytest.mark.parametrize(("response", "fraction"), [
    ({1, 2}, 1.0), ({1}, 0.5), ({2}, 0.5), ([1, 2], 1.0), ((2, 1), 1.0),
    ({0, 1, 2}, 0.0),      # 0.5 + 0.5 - 1 = 0
    ({1, 2, 3}, 0.0),
    ({0}, 0.0),            # -1 clamped at 0
    ({0, 3}, 0.0),         # -2 clamped at 0
    ({0, 1, 2, 3}, 0.0),
    (set(), 0.0), (None, 0.0),
])
def test_multiple_response_sums_weights_within_0_and_1(response, fraction):
    assert grade(MR, response) == fraction


def test_multiple_response_is_capped_at_1():
    q = Question(QT.MULTIRESPONSE, "q", "Q", answers=[Answer("a", 0.75), Answer("b", 0.75)])
    assert grade(q, {0, 1}) == 1.0


def test_multiple_response_partial_thirds():
    q = one("Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert grade(q, {0, 1}) == pytest.approx(0.6666666)
    assert grade(q, {0, 1, 2}) == pytest.approx(0.9999999)
    assert feedback(q, {0, 1, 2}).state == "correct"


@pytest.mark.parametrize(("response", "fraction"), [
    ("Nazareth", 1.0), ("nazareth", 1.0), ("  NAZARETH \t", 1.0), ("Nazereth", 0.75),
    ("bethlehem", 0.25), ("Jerusalem", 0.0), ("Naza reth", 0.0), ("", 0.0), ("   ", 0.0),
    (None, 0.0),
])
def test_short_answer_is_case_insensitive_and_trimmed(response, fraction):
    assert grade(SA, response) == fraction


@pytest.mark.parametrize(("pattern", "response", "matches"), [
    ("*", "anything", True),
    ("*", "", True),
    ("Stock*", "Stockholm", True),
    ("Stock*", "stockholm convention", True),
    ("*holm", "Stockholm", True),
    ("S*m", "Stockholm", True),
    ("S*m", "Stockholms", False),
    ("S**m", "Stockholm", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "axb", False),
    ("1+1", "1+1", True),      # regex characters are literal
    ("a.c", "abc", False),
    ("(x)", "(X)", True),
    ("école", "ÉCOLE", True),
    ("e\u0301cole", "\u00e9cole", True),  # NFC normalisation
    ("Москва", "москва", True),
    ("北京", "北京", True),
    ("北京", "北 京", False),
])
def test_short_answer_wildcards(pattern, response, matches):
    assert matches_shortanswer(pattern, response) is matches


def test_short_answer_case_sensitive_option():
    assert not matches_shortanswer("Nazareth", "nazareth", ignore_case=False)


def test_short_answer_takes_the_first_match_in_file_order():
    q = one("Q {=%50%*cat* =%0%*dog* =cat}")
    assert grade(q, "cat") == 0.5     # Moodle stops at the first matching answer
    assert grade(q, "dogcat") == 0.5
    assert grade(q, "dog") == 0.0
    assert feedback(q, "cow").state == "incorrect"


@pytest.mark.parametrize(("response", "fraction"), [
    ("1822", 1.0), ("1822.0", 1.0), (" 1822 ", 1.0), ("+1822", 1.0), (1822, 1.0),
    (1822.0, 1.0), ("1.822e3", 1.0), ("1.822E3", 1.0), ("1.822x10^3", 1.0),
    ("1.822×10^3", 1.0), ("1.822*10**3", 1.0), ("1 822", 1.0), ("1\u00a0822", 1.0),
    ("1820", 0.5), ("1824", 0.5), ("1824.0000000000001", 0.5), ("1825", 0.0), ("0", 0.0),
    ("-1822", 0.0), ("abc", 0.0), ("1822 AD", 0.0), ("", 0.0), (None, 0.0),
])
def test_numerical(response, fraction):
    assert grade(NUM, response) == fraction


def test_numerical_range_and_tolerance_edges_are_inclusive():
    q = one("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.")
    assert [grade(q, r) for r in ("3.141", "3.1415", "3.142", "3.1409", "3.1421")] == [
        1.0, 1.0, 1.0, 0.0, 0.0]
    q = one("Q {#0.1:0.2}")
    assert grade(q, "0.3") == 1.0      # 0.1 + 0.2 is 0.30000000000000004: Moodle's slack
    assert grade(q, "-0.1") == 1.0
    q = one("Q {#-5..5}")
    assert [grade(q, r) for r in ("-5", "0", "5", "5.01")] == [1.0, 1.0, 1.0, 0.0]


def test_numerical_takes_the_first_match_in_file_order_like_moodle():
    q = one("Q {#=%50%1822:2 =1822}")
    assert grade(q, "1822") == 0.5
    assert grade(q, "1823") == 0.5


def test_numerical_catch_all():
    assert grade(NUM, "1900") == 0.0
    result = feedback(NUM, "1900")
    assert [f.text for f in result.answers] == ["He was born in 1822."]
    q = one("Q {#=%50%* =5}")
    assert grade(q, "5") == 0.5 and grade(q, "123") == 0.5
    assert grade(q, "five") == 0.0


@pytest.mark.parametrize(("text", "number"), [
    ("3,14", 3.14), ("-3,5", -3.5), ("\u22123.5", -3.5), ("1,5e3", 1500.0), (".5", 0.5),
    ("5.", 5.0), ("1 000 000", 1000000.0), ("1,234", 1.234),
    ("1,234.5", None), ("1.234,5", None), ("1,234,567", None), ("12 kg", None),
    ("1..2", None), ("", None), ("e5", None), ("inf", None), ("nan", None), ("0x10", None),
    (True, None), (None, None), (7, 7.0),
])
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(("response", "fraction"), [
    ({0: "Ottawa", 1: "Rome", 2: "Tokyo", 3: "New Delhi"}, 1.0),
    ({0: "Ottawa", 1: "Rome", 2: "New Delhi", 3: "Tokyo"}, 0.5),
    ({0: "Ottawa"}, 0.25),
    ({0: "Sydney", 1: "Sydney", 2: "Sydney", 3: "Sydney"}, 0.0),
    ({0: "Ottawa", 1: None}, 0.25),
    ({"Canada": "Ottawa", "Japan": "Tokyo"}, 0.5),
    ({}, 0.0), (None, 0.0),
])
def test_matching_counts_right_pairs(response, fraction):
    assert grade(MATCH, response) == fraction


def test_matching_with_a_shared_right_hand_item():
    q = one("Q {=PCB -> Annex A =Chlordane -> Annex A =DDT -> Annex B}")
    assert q.match_choices == ["Annex A", "Annex B"]
    assert grade(q, {0: "Annex A", 1: "Annex A", 2: "Annex A"}) == pytest.approx(2 / 3)


def test_matching_rejects_items_it_does_not_have():
    with pytest.raises(ValueError):
        grade(MATCH, {4: "Sydney"})   # the extra choice has no left-hand item
    with pytest.raises(ValueError):
        grade(MATCH, {"Australia": "Sydney"})


def test_essay_needs_a_human_and_description_is_not_graded():
    assert grade(ESSAY, "Dag Hammarskjöld was ...") is None
    assert grade(DESCRIPTION, None) is None
    assert feedback(ESSAY, "text").state == "needs_grading"
    assert feedback(DESCRIPTION, None).state == "ungraded"
    assert feedback(ESSAY, "text").general.text == "Mention the UN."


@pytest.mark.parametrize(("question", "response"), [
    (MC, "2"), (MC, True), (MC, 7), (MC, -1), (TF_TRUE, 1), (MR, 1), (MR, "12"), (MR, {9}),
    (MATCH, ["Ottawa"]),
])
def test_malformed_responses_are_refused(question, response):
    with pytest.raises((TypeError, ValueError)):
        grade(question, response)


def test_every_grade_is_within_0_and_1():
    responses = {
        QT.MULTICHOICE: range(4), QT.MISSINGWORD: range(3), QT.TRUEFALSE: (True, False),
        QT.MULTIRESPONSE: ({0}, {1}, {0, 1, 2, 3}, {1, 2}), QT.SHORTANSWER: ("x", "Nazareth"),
        QT.NUMERICAL: ("1822", "0"), QT.MATCHING: ({0: "Ottawa"},),
    }
    for question in ALL:
        for response in responses.get(question.type, (None,)):
            fraction = grade(question, response)
            assert fraction is None or (isinstance(fraction, float) and 0 <= fraction <= 1)


# -- feedback ---------------------------------------------------------------------------------


def test_feedback_multichoice():
    result = feedback(MC, 2)
    assert (result.fraction, result.state) == (1.0, "correct")
    assert [f.text for f in result.answers] == ["Yes!"]
    assert result.general.text == "Entombed, not buried."
    assert result.general.text_format is TextFormat.MOODLE
    assert feedback(MC, 1).answers == ()      # Jefferson has no feedback
    assert feedback(MC, 0).state == "incorrect"
    assert feedback(MC, None).answers == ()


def test_feedback_multiple_response_lists_each_chosen_answer():
    result = feedback(MR, {2, 1})
    assert [f.text for f in result.answers] == ["yes", "yes too"]
    assert feedback(MR, {1}).state == "partial"


@pytest.mark.parametrize(("question", "response", "text", "state"), [
    (TF_TRUE, True, "Yes.", "correct"),
    (TF_TRUE, False, "Look again in the morning.", "incorrect"),
    (TF_FALSE, False, "Right.", "correct"),
    (TF_FALSE, True, "No one is buried there.", "incorrect"),
])
def test_feedback_truefalse_shows_right_or_wrong_feedback(question, response, text, state):
    result = feedback(question, response)
    assert ([f.text for f in result.answers], result.state) == ([text], state)


def test_feedback_short_answer_and_numerical():
    assert [f.text for f in feedback(SA, "nazereth").answers] == ["Right, but misspelled."]
    assert feedback(SA, "nazereth").state == "partial"
    assert feedback(SA, "Rome").answers == ()
    assert [f.text for f in feedback(NUM, "1823").answers] == ["Close."]


def test_feedback_matching_has_no_per_answer_feedback():
    result = feedback(MATCH, {0: "Ottawa", 1: "Rome"})
    assert (result.fraction, result.state, result.answers) == (0.5, "partial", ())


def test_correct_answers():
    assert correct_answers(MC) == ["no one"]
    assert correct_answers(MW) == ["entombed"]
    assert correct_answers(MR) == ["Grant", "Grant's wife"]
    assert correct_answers(TF_TRUE) == ["True"]
    assert correct_answers(TF_FALSE) == ["False"]
    assert correct_answers(SA) == ["Nazareth"]
    assert correct_answers(one("Q {=%50%x =Stock*holm}")) == ["Stockholm"]
    assert correct_answers(NUM) == ["1822"]
    assert correct_answers(one("Q {#3.141..3.142}")) == ["3.141..3.142"]
    assert correct_answers(MATCH) == ["Canada -> Ottawa", "Italy -> Rome", "Japan -> Tokyo",
                                      "India -> New Delhi"]
    assert correct_answers(ESSAY) == [] and correct_answers(DESCRIPTION) == []


# -- what the learner sees --------------------------------------------------------------------


def _dump(view: PublicQuestion) -> str:
    return json.dumps(dataclasses.asdict(view), ensure_ascii=False)


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.type.value)
def test_public_view_keeps_the_answer_key_secret(question):
    view = public_view(question, shuffle_seed=1234)
    dumped = _dump(view)
    for secret in ("fraction", "feedback", "correct", "match_right", "Entombed, not buried",
                   "Yes!", "Close.", "Born there.", "Mention the UN."):
        assert secret not in dumped
    field_names = {f.name for f in dataclasses.fields(view)}
    assert field_names == {"type", "text", "text_format", "text_before", "text_after",
                           "choices", "stems"}


def test_public_view_of_open_questions_has_no_choices():
    for question in (SA, NUM, ESSAY, DESCRIPTION):
        view = public_view(question, 1)
        assert view.choices == () and view.stems == ()
    assert "Nazareth" not in _dump(public_view(SA, 1))
    assert "1822" not in _dump(public_view(NUM, 1))


def test_public_view_shuffles_choices_deterministically():
    q = one("Q {=a ~b ~c ~d ~e ~f ~g ~h}")
    first = public_view(q, "attempt-1")
    assert public_view(q, "attempt-1") == first
    assert sorted(c.text for c in first.choices) == list("abcdefgh")
    assert [c.key for c in first.choices] == list(range(8))
    orders = {tuple(c.text for c in public_view(q, seed).choices) for seed in range(20)}
    assert len(orders) > 10
    positions_of_right_answer = {
        [c.text for c in public_view(q, seed).choices].index("a") for seed in range(40)}
    assert len(positions_of_right_answer) > 4


def test_questions_sharing_a_seed_are_not_shuffled_alike():
    orders = set()
    for n in range(10):
        q = one(f"Question {n}? {{=a ~b ~c ~d ~e}}")
        orders.add(tuple(c.text for c in public_view(q, "same-seed").choices))
    assert len(orders) > 3


def test_public_view_truefalse_missingword_and_multiresponse():
    view = public_view(TF_TRUE, 5)
    assert [(c.key, c.text) for c in view.choices] == [(0, "True"), (1, "False")]
    view = public_view(MW, 5)
    assert (view.text_before, view.text_after) == ("Grant is ", " in Grant's tomb.")
    assert view.text == "Grant is _____ in Grant's tomb."
    assert sorted(c.text for c in view.choices) == ["buried", "entombed", "living"]
    assert not view.multiple and public_view(MR, 5).multiple


def test_public_view_matching_shuffles_items_and_choices():
    view = public_view(MATCH, 99)
    assert sorted(s.text for s in view.stems) == ["Canada", "India", "Italy", "Japan"]
    assert sorted(c.text for c in view.choices) == ["New Delhi", "Ottawa", "Rome", "Sydney",
                                                    "Tokyo"]
    assert all(c.text_format is TextFormat.PLAIN for c in view.choices)
    stem_orders = {tuple(s.text for s in public_view(MATCH, seed).stems) for seed in range(10)}
    assert len(stem_orders) > 1


# -- decoding what the learner submitted ------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, "x", 12345])
def test_decode_choice_keys_back_to_answers(seed):
    view = public_view(MC, seed)
    for choice in view.choices:
        index = decode_response(MC, seed, choice.key)
        assert MC.answers[index].text == choice.text
        assert decode_response(MC, seed, str(choice.key)) == index
    right = next(c.key for c in view.choices if c.text == "no one")
    assert grade(MC, decode_response(MC, seed, right)) == 1.0


def test_decode_multiple_response():
    seed = "s"
    view = public_view(MR, seed)
    keys = [c.key for c in view.choices if c.text in ("Grant", "Grant's wife")]
    assert grade(MR, decode_response(MR, seed, keys)) == 1.0
    assert grade(MR, decode_response(MR, seed, [str(k) for k in keys])) == 1.0
    assert decode_response(MR, seed, None) == set()
    single = view.choices[0]
    assert decode_response(MR, seed, single.key) == {
        next(i for i, a in enumerate(MR.answers) if a.text == single.text)}


def test_decode_truefalse():
    assert decode_response(TF_TRUE, 1, 0) is True
    assert decode_response(TF_TRUE, 1, "1") is False
    assert decode_response(TF_TRUE, 1, True) is True
    assert decode_response(TF_TRUE, 1, "") is None


def test_decode_matching():
    seed = 7
    view = public_view(MATCH, seed)
    capital = {"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo", "India": "New Delhi"}
    key_of = {c.text: c.key for c in view.choices}
    submitted = {str(s.key): str(key_of[capital[s.text]]) for s in view.stems}
    assert grade(MATCH, decode_response(MATCH, seed, submitted)) == 1.0
    first = view.stems[0]
    partial = {first.key: key_of[capital[first.text]], view.stems[1].key: ""}
    assert grade(MATCH, decode_response(MATCH, seed, partial)) == 0.25
    assert decode_response(MATCH, seed, None) == {}


def test_decode_text_answers_and_description():
    assert decode_response(SA, 1, "Nazareth") == "Nazareth"
    assert decode_response(NUM, 1, "1822") == "1822"
    assert decode_response(ESSAY, 1, None) is None
    assert decode_response(DESCRIPTION, 1, "anything") is None


@pytest.mark.parametrize(("question", "submitted"), [
    (MC, 4), (MC, "4"), (MC, "-1"), (MC, "x"), (MC, True), (MC, 1.5),
    (MR, ["0", "9"]), (MR, object()),
    (TF_TRUE, 2), (TF_TRUE, "yes"),
    (MATCH, {"9": "0"}), (MATCH, {"0": "9"}), (MATCH, ["0"]),
])
def test_decode_refuses_keys_the_view_did_not_offer(question, submitted):
    with pytest.raises(ValueError):
        decode_response(question, 1, submitted)
