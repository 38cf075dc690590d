"""GIFT parser and writer: Moodle's documented examples, every option, errors with their
line numbers, and the write -> parse round trip."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from elearn.quizzes.gift import (
    Answer,
    GiftError,
    GiftErrors,
    Question,
    QuestionType,
    TextFormat,
    parse_gift,
    write_gift,
)

QT = QuestionType
TF = TextFormat
SAMPLES = Path(__file__).parent / "gift_samples"


def one(text: str) -> Question:
    questions = parse_gift(text)
    assert len(questions) == 1, questions
    return questions[0]


def pairs(question: Question) -> list[tuple[str, float]]:
    return [(a.text, a.fraction) for a in question.answers]


def errors(text: str) -> list[tuple[int, str]]:
    with pytest.raises(GiftErrors) as info:
        parse_gift(text, "bank.gift")
    return [(e.line, e.message) for e in info.value]


def assert_round_trip(questions: list[Question]) -> None:
    written = write_gift(questions)
    assert parse_gift(written) == questions, written


# -- every example of Moodle's GIFT documentation (docs.moodle.org/en/GIFT_format), of
# -- question/format/gift/examples.txt and of the header of format.php ---------------------

DOC_EXAMPLES = [
    # Multiple choice
    ("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}",
     QT.MULTICHOICE, "Who's buried in Grant's tomb?",
     [("Grant", 0), ("Jefferson", 0), ("no one", 1)]),
    ("Grant is {~buried =entombed ~living} in Grant's tomb.",
     QT.MISSINGWORD, "Grant is _____ in Grant's tomb.",
     [("buried", 0), ("entombed", 1), ("living", 0)]),
    ("The American holiday of Thanksgiving is celebrated on the {\n    ~second\n    ~third\n"
     "    =fourth\n} Thursday of November.",
     QT.MISSINGWORD,
     "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.",
     [("second", 0), ("third", 0), ("fourth", 1)]),
    ("Japanese characters originally came from what country? {\n    ~India\n    =China\n"
     "    ~Korea\n    ~Egypt}",
     QT.MULTICHOICE, "Japanese characters originally came from what country?",
     [("India", 0), ("China", 1), ("Korea", 0), ("Egypt", 0)]),
    # Multiple choice with multiple right answers
    ("What two people are entombed in Grant's tomb? {\n   ~%-100%No one\n   ~%50%Grant\n"
     "   ~%50%Grant's wife\n   ~%-100%Grant's father\n}",
     QT.MULTIRESPONSE, "What two people are entombed in Grant's tomb?",
     [("No one", -1), ("Grant", 0.5), ("Grant's wife", 0.5), ("Grant's father", -1)]),
    ("What two people are entombed in Grant's tomb? {\n    ~No one\n    ~%50%Grant\n"
     "    ~%50%Grant's wife\n    ~Grant's father }",
     QT.MULTIRESPONSE, "What two people are entombed in Grant's tomb?",
     [("No one", 0), ("Grant", 0.5), ("Grant's wife", 0.5), ("Grant's father", 0)]),
    ("What two people are entombed in Grant's tomb? {\n    ~%-50%No one\n    ~%50%Grant\n"
     "    ~%50%Grant's wife\n    ~%-50%Grant's father }",
     QT.MULTIRESPONSE, "What two people are entombed in Grant's tomb?",
     [("No one", -0.5), ("Grant", 0.5), ("Grant's wife", 0.5), ("Grant's father", -0.5)]),
    # Short answer
    ("Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}",
     QT.SHORTANSWER, "Who's buried in Grant's tomb?",
     [("Grant", 1), ("Ulysses S. Grant", 1), ("Ulysses Grant", 1)]),
    ("Who's buried in Grant's tomb?{=no one =nobody}",
     QT.SHORTANSWER, "Who's buried in Grant's tomb?", [("no one", 1), ("nobody", 1)]),
    ("Two plus two equals {=four =4}.",
     QT.SHORTANSWER, "Two plus two equals _____.", [("four", 1), ("4", 1)]),
    # True-false
    ("Grant is buried in Grant's tomb.{F}",
     QT.TRUEFALSE, "Grant is buried in Grant's tomb.", [("True", 0), ("False", 1)]),
    ("Grant is buried in Grant's tomb.{FALSE}",
     QT.TRUEFALSE, "Grant is buried in Grant's tomb.", [("True", 0), ("False", 1)]),
    ("The sun rises in the east.{T}",
     QT.TRUEFALSE, "The sun rises in the east.", [("True", 1), ("False", 0)]),
    # Matching
    ("Match the following countries with their corresponding capitals. {\n"
     "    =Canada -> Ottawa\n    =Italy  -> Rome\n    =Japan  -> Tokyo\n"
     "    =India  -> New Delhi\n    ####It's good to know the capitals\n    }",
     QT.MATCHING, "Match the following countries with their corresponding capitals.",
     [("Canada", 0), ("Italy", 0), ("Japan", 0), ("India", 0)]),
    ("Matching Question. {\n    =subquestion1 -> subanswer1\n    =subquestion2 -> subanswer2\n"
     "    =subquestion3 -> subanswer3\n    }",
     QT.MATCHING, "Matching Question.",
     [("subquestion1", 0), ("subquestion2", 0), ("subquestion3", 0)]),
    ("Match the following countries with their corresponding\n"
     "capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}",
     QT.MATCHING, "Match the following countries with their corresponding\ncapitals.",
     [("Canada", 0), ("Italy", 0), ("Japan", 0)]),
    # Missing word
    ("Moodle costs {~lots of money =nothing ~a small amount} to download from moodle.org.",
     QT.MISSINGWORD, "Moodle costs _____ to download from moodle.org.",
     [("lots of money", 0), ("nothing", 1), ("a small amount", 0)]),
    # Numerical
    ("When was Ulysses S. Grant born?{#1822:5}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1)]),
    ("When was Ulysses S. Grant born?{#1822:1}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1)]),
    ("When was Ulysses S. Grant born? {#1822}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1)]),
    ("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.",
     QT.NUMERICAL, "What is the value of pi (to 3 decimal places)? _____.", [("3.14159", 1)]),
    ("What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}.",
     QT.NUMERICAL, "What is the value of pi (to 3 decimal places)? _____.", [("3.1415", 1)]),
    ("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.",
     QT.NUMERICAL, "What is the value of pi (to 3 decimal places)? _____.",
     [("3.141..3.142", 1)]),
    ("When was Ulysses S. Grant born? {#\n    =1822:0      # Correct! Full credit.\n"
     "    =%50%1822:2  # He was born in 1822. Half credit for being close.\n}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1), ("1822", 0.5)]),
    ("When was Ulysses S. Grant born? {#\n    =1822:0\n    =%50%1822:2}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1), ("1822", 0.5)]),
    # Essay, description
    ("Write a short biography of Dag Hammarskjöld. {}",
     QT.ESSAY, "Write a short biography of Dag Hammarskjöld.", []),
    ("You can use your pencil and paper for these next math questions.",
     QT.DESCRIPTION, "You can use your pencil and paper for these next math questions.", []),
    # The quick examples at the top of the page
    ("// true/false\n::Q1:: 1+1=2 {T}", QT.TRUEFALSE, "1+1=2", [("True", 1), ("False", 0)]),
    ("// multiple choice with specified feedback for right and wrong answers\n"
     "::Q2:: What's between orange and green in the spectrum?\n"
     "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }",
     QT.MULTICHOICE, "What's between orange and green in the spectrum?",
     [("yellow", 1), ("red", 0), ("blue", 0)]),
    ("// fill-in-the-blank\n::Q3:: Two plus {=two =2} equals four.",
     QT.SHORTANSWER, "Two plus _____ equals four.", [("two", 1), ("2", 1)]),
    ("// matching\n::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }",
     QT.MATCHING, "Which animal eats which food?", [("cat", 0), ("dog", 0)]),
    ("// math range question\n::Q5:: What is a number from 1 to 5? {#3:2}",
     QT.NUMERICAL, "What is a number from 1 to 5?", [("3", 1)]),
    ("// math range specified with interval end points\n"
     "::Q6:: What is a number from 1 to 5? {#1..5}",
     QT.NUMERICAL, "What is a number from 1 to 5?", [("1..5", 1)]),
    ("// multiple numeric answers with partial credit and feedback\n"
     "::Q7:: When was Ulysses S. Grant born? {#\n         =1822:0      # Correct! Full credit.\n"
     "         =%50%1822:2  # He was born in 1822. Half credit for being close.\n}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1), ("1822", 0.5)]),
    ("// essay\n::Q8:: How are you? {}", QT.ESSAY, "How are you?", []),
    # Options: line comments, question names
    ("// Subheading: Numerical questions below\nWhat's 2 plus 2? {#4}",
     QT.NUMERICAL, "What's 2 plus 2?", [("4", 1)]),
    ("::Kanji Origins::Japanese characters originally\ncame from what country? {=China}",
     QT.SHORTANSWER, "Japanese characters originally\ncame from what country?", [("China", 1)]),
    ("::Thanksgiving Date::The American holiday of Thanksgiving is\n"
     "celebrated on the {~second ~third =fourth} Thursday of November.",
     QT.MISSINGWORD,
     "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of November.",
     [("second", 0), ("third", 0), ("fourth", 1)]),
    # Feedback
    ("What's the answer to this multiple-choice question? {\n"
     "~wrong answer#feedback comment on the wrong answer\n"
     "~another wrong answer#feedback comment on this wrong answer\n=right answer#Very good!}",
     QT.MULTICHOICE, "What's the answer to this multiple-choice question?",
     [("wrong answer", 0), ("another wrong answer", 0), ("right answer", 1)]),
    ("Who's buried in Grant's tomb?{\n=no one#excellent answer!\n=nobody#excellent answer!}",
     QT.SHORTANSWER, "Who's buried in Grant's tomb?", [("no one", 1), ("nobody", 1)]),
    ("Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}",
     QT.TRUEFALSE, "Grant is buried in Grant's tomb.", [("True", 0), ("False", 1)]),
    # Specify text format
    ("[markdown]Who's buried in **Grant's tomb**?{\n=no one#excellent answer!\n"
     "=nobody#excellent answer!}",
     QT.SHORTANSWER, "Who's buried in **Grant's tomb**?", [("no one", 1), ("nobody", 1)]),
    # Percentage answer weights
    ("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}",
     QT.MULTICHOICE, "Difficult question.",
     [("wrong answer", 0), ("half credit answer", 0.5), ("full credit answer", 1)]),
    ("::Jesus' hometown::Jesus Christ was from {\n"
     "    ~Jerusalem#This was an important city, but the wrong answer.\n"
     "    ~%25%Bethlehem#He was born here, but not raised here.\n"
     "    ~%50%Galilee#You need to be more specific.\n    =Nazareth#Yes! That's right!\n}",
     QT.MULTICHOICE, "Jesus Christ was from",
     [("Jerusalem", 0), ("Bethlehem", 0.25), ("Galilee", 0.5), ("Nazareth", 1)]),
    ("::Jesus' hometown::Jesus Christ was from {\n"
     "    ~Jerusalem#This was an important city, but the wrong answer.\n"
     "    ~%25%Bethlehem#He was born here, but not raised here.\n"
     "    ~%50%Galilee#You need to be more specific.\n    =Nazareth#Yes! That's right!}.",
     QT.MISSINGWORD, "Jesus Christ was from _____.",
     [("Jerusalem", 0), ("Bethlehem", 0.25), ("Galilee", 0.5), ("Nazareth", 1)]),
    ("::Jesus' hometown:: Jesus Christ was from {\n    =Nazareth#Yes! That's right!\n"
     "    =%75%Nazereth#Right, but misspelled.\n"
     "    =%25%Bethlehem#He was born here, but not raised here.}",
     QT.SHORTANSWER, "Jesus Christ was from",
     [("Nazareth", 1), ("Nazereth", 0.75), ("Bethlehem", 0.25)]),
    # Special characters
    ("Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }",
     QT.MULTICHOICE, "Which answer equals 5?", [("= 2 + 2", 0), ("= 2 + 3", 1), ("= 2 + 4", 0)]),
    ("::GIFT Control Characters::\nWhich of the following is NOT a control character for "
     "the GIFT import format? {\n   ~ \\~     # \\~ is a control character.\n"
     "   ~ \\=     # \\= is a control character.\n   ~ \\#     # \\# is a control character.\n"
     "   ~ \\{     # \\{ is a control character.\n   ~ \\}     # \\} is a control character.\n"
     "   = \\\\     # Correct! \\\\ (backslash) is not a control character. BUT,\n"
     "              it is used to escape the control characters. So, to specify\n"
     "              a literal backslash, you must escape it with a backslash\n"
     "              (as shown in this example).\n}",
     QT.MULTICHOICE,
     "Which of the following is NOT a control character for the GIFT import format?",
     [("~", 0), ("=", 0), ("#", 0), ("{", 0), ("}", 0), ("\\", 1)]),
    # More complicated examples of examples.txt
    ("::Grant's Tomb::Grant is {\n      ~buried#No one is buried there.\n"
     "      =entombed#Right answer!\n      ~living#We hope not!\n} in Grant's tomb.",
     QT.MISSINGWORD, "Grant is _____ in Grant's tomb.",
     [("buried", 0), ("entombed", 1), ("living", 0)]),
    ("Difficult multiple choice question.{\n     ~wrong answer           #comment on wrong answer\n"
     "     ~%50%half credit answer #comment on answer\n     =full credit answer     #well done!}",
     QT.MULTICHOICE, "Difficult multiple choice question.",
     [("wrong answer", 0), ("half credit answer", 0.5), ("full credit answer", 1)]),
    ("::Jesus' hometown (Short answer ex.):: Jesus Christ was from {\n"
     "     =Nazareth#Yes! That's right!\n     =%75%Nazereth#Right, but misspelled.\n"
     "     =%25%Bethlehem#He was born here, but not raised here.\n}.",
     QT.SHORTANSWER, "Jesus Christ was from _____.",
     [("Nazareth", 1), ("Nazereth", 0.75), ("Bethlehem", 0.25)]),
    ("//this comment will be ignored by the filter\n::Numerical example::\n"
     "When was Ulysses S. Grant born? {#\n     =1822:0      #Correct! 100% credit\n"
     "     =%50%1822:2  #He was born in 1822.\n                  You get 50% credit for being "
     "close.\n}",
     QT.NUMERICAL, "When was Ulysses S. Grant born?", [("1822", 1), ("1822", 0.5)]),
]


@pytest.mark.parametrize(("gift", "qtype", "text", "answers"), DOC_EXAMPLES)
def test_moodle_documentation_examples(gift, qtype, text, answers):
    question = one(gift)
    assert question.type is qtype
    assert question.text == text
    assert pairs(question) == answers
    assert_round_trip([question])


def test_doc_examples_in_one_file_are_separated_by_blank_lines():
    questions = parse_gift("\n\n".join(gift for gift, *_ in DOC_EXAMPLES))
    assert [q.type for q in questions] == [qtype for _gift, qtype, *_ in DOC_EXAMPLES]
    assert_round_trip(questions)


def test_doc_feedback_examples():
    q = one("::Q2:: What's between orange and green in the spectrum?\n"
            "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }")
    assert q.name == "Q2"
    assert [a.feedback for a in q.answers] == ["right; good!", "wrong, it's yellow",
                                               "wrong, it's yellow"]
    q = one("When was Ulysses S. Grant born? {#\n     =1822:0      #Correct! 100% credit\n"
            "     =%50%1822:2  #He was born in 1822.\n                  You get 50% credit.\n}")
    assert [a.feedback for a in q.answers] == [
        "Correct! 100% credit", "He was born in 1822.\nYou get 50% credit."]
    assert [(a.value, a.tolerance) for a in q.answers] == [(1822, 0), (1822, 2)]


def test_doc_control_characters_feedback_keeps_backslashes_and_lines():
    q = one(next(gift for gift, *_ in DOC_EXAMPLES if "GIFT Control Characters" in gift))
    assert q.name == "GIFT Control Characters"
    assert q.answers[0].feedback == "~ is a control character."
    assert q.answers[5].feedback.startswith(
        "Correct! \\ (backslash) is not a control character. BUT,\nit is used")


def test_doc_numerical_ranges():
    q = one("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.")
    (answer,) = q.answers
    assert answer.value == pytest.approx(3.1415)
    assert answer.tolerance == pytest.approx(0.0005)
    assert (answer.min, answer.max) == (pytest.approx(3.141), pytest.approx(3.142))
    assert q.text_before == "What is the value of pi (to 3 decimal places)? "
    assert q.text_after == "."
    q = one("::Q5:: What is a number from 1 to 5? {#3:2}")
    assert (q.answers[0].min, q.answers[0].max) == (1, 5)


def test_doc_matching_general_feedback():
    q = one(next(gift for gift, *_ in DOC_EXAMPLES if "It's good to know" in gift))
    assert [a.match_right for a in q.answers] == ["Ottawa", "Rome", "Tokyo", "New Delhi"]
    assert q.general_feedback == "It's good to know the capitals"


def test_doc_truefalse_feedback_goes_to_the_wrong_choice():
    q = one("Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}")
    assert q.correct_truefalse is False
    true, false = q.answers
    assert true.feedback == "No one is buried in Grant's tomb."
    assert false.feedback == ""


# -- Moodle's own unit tests (question/format/gift/tests/giftformat_test.php) ----------------


def test_moodle_import_match_with_formats_and_extra_choice():
    q = one("// question: 2  name: Moodle activities\n"
            "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
            "    =[html]An activity supporting asynchronous discussions. -> Forum\n"
            "    =[moodle]A teacher asks a question and specifies a choice of multiple "
            "responses. -> Choice\n"
            "    =[plain]A bank of record entries which participants can add to. -> Database\n"
            "    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki\n"
            "    = -> Chat\n}")
    assert (q.type, q.name, q.text_format) == (QT.MATCHING, "Moodle activities", TF.HTML)
    assert q.text == "Match the <b>activity</b> to the description."
    assert q.general_feedback_format is TF.HTML
    assert [a.text_format for a in q.answers] == [TF.HTML, TF.MOODLE, TF.PLAIN, TF.MARKDOWN,
                                                  TF.HTML]
    assert [a.match_right for a in q.answers] == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert q.answers[4].text == ""
    assert len(q.stems) == 4
    assert q.match_choices == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert_round_trip([q])


def test_moodle_import_multichoice_formats():
    q = one("::Q2:: What's between orange and green in the spectrum?\n{\n"
            "    =yellow # right; good!\n    ~red # [html]wrong, it's yellow\n"
            "    ~[plain]blue # wrong, it's yellow\n}")
    assert pairs(q) == [("yellow", 1), ("red", 0), ("blue", 0)]
    assert [a.text_format for a in q.answers] == [TF.MOODLE, TF.MOODLE, TF.PLAIN]
    assert [(a.feedback, a.feedback_format) for a in q.answers] == [
        ("right; good!", TF.MOODLE), ("wrong, it's yellow", TF.HTML),
        ("wrong, it's yellow", TF.MOODLE)]
    assert_round_trip([q])


@pytest.mark.parametrize(("block", "fractions"), [
    ("~%50%yellow # right; good!\n~%-100%red # [html]wrong\n~%50%off-beige # right; good!\n"
     "~%-100%[plain]blue # wrong", [0.5, -1, 0.5, -1]),
    ("~%100%yellow # right; good!\n~%-50%red # wrong\n~%-50%blue # wrong", [1, -0.5, -0.5]),
])
def test_moodle_import_multichoice_multi(block, fractions):
    q = one("::colours:: What's between orange and green in the spectrum?\n{\n" + block + "\n}")
    assert q.type is QT.MULTIRESPONSE
    assert not q.single
    assert [a.fraction for a in q.answers] == fractions
    assert_round_trip([q])


def test_moodle_import_numerical_with_wrong_answer_feedback():
    q = one("::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}")
    assert [(a.text, a.fraction, a.tolerance, a.feedback) for a in q.answers] == [
        ("3", 1, 2, ""), ("*", 0, 0, "Completely wrong")]
    assert q.answers[1].is_catch_all
    assert_round_trip([q])


def test_moodle_import_shortanswer_with_wildcard_and_general_feedback():
    q = one("::Shortanswer::Which is the best animal?{\n    =Frog#Good!\n"
            "    =%50%Cat#What is it with Moodlers and cats?\n    =%0%*#Completely wrong\n"
            "    ####[html]Here is some general feedback!\n}")
    assert pairs(q) == [("Frog", 1), ("Cat", 0.5), ("*", 0)]
    assert (q.general_feedback, q.general_feedback_format) == (
        "Here is some general feedback!", TF.HTML)
    assert_round_trip([q])


def test_moodle_import_truefalse_with_both_feedbacks():
    q = one("// true/false\n::Q1:: 42 is the Absolute Answer to everything.{\n"
            "FALSE#42 is the Ultimate Answer.#You gave the right answer.}")
    assert q.type is QT.TRUEFALSE and q.correct_truefalse is False
    assert [a.feedback for a in q.answers] == ["42 is the Ultimate Answer.",
                                               "You gave the right answer."]
    assert_round_trip([q])


@pytest.mark.parametrize("block", ["{T}", "{TRUE}"])
def test_moodle_import_truefalse_true(block):
    q = one("// name 0-11\n::2-08 TSL::TSL is blablabla." + block)
    assert (q.name, q.text, q.correct_truefalse) == ("2-08 TSL", "TSL is blablabla.", True)
    assert [a.feedback for a in q.answers] == ["", ""]


def test_moodle_import_backslash():
    q = one("// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}")
    assert q.text == "A \\ B \\\\ C"
    assert write_gift([q]) == "::double backslash::A \\\\ B \\\\\\\\ C{}\n\n"


def test_moodle_import_pre_content_lines_are_trimmed_like_a_file_import():
    q = one("::Q001::[html]<p>What would running the test method print?</p>\n<pre>\n"
            "    public void test() \\{\n        method1();\n    \\}\n</pre>\n{}")
    assert q.type is QT.ESSAY and q.text_format is TF.HTML
    assert q.text == ("<p>What would running the test method print?</p>\n<pre>\n"
                      "public void test() {\nmethod1();\n}\n</pre>")


def test_moodle_import_tags_and_idnumber_from_comments():
    q = one("// This question is to test importing tags: [tag:tag] [tag:other-tag].\n"
            "// And an idnumber: [id:myid].\n::Question name:: How are you? {}")
    assert (q.idnumber, q.tags) == ("myid", ["tag", "other-tag"])
    q = one("// [id: with \\] bracket ] [tag:a\\]b]\nQ? {}")
    assert (q.idnumber, q.tags) == ("with ] bracket", ["a]b"])
    assert_round_trip([q])


def test_moodle_export_format_matches_moodle_writer_for_simple_questions():
    q = one("::Q8::How are you?{}")
    assert write_gift([q]) == "::Q8::How are you?{}\n\n"
    q = one("::Q1::42 is the Absolute Answer to everything.{TRUE#[html]42 is the Ultimate "
            "Answer.#You gave the right answer.}")
    assert write_gift([q]) == ("::Q1::42 is the Absolute Answer to everything.{TRUE#[html]42 "
                               "is the Ultimate Answer.#You gave the right answer.}\n\n")


# -- types and their details -------------------------------------------------------------------


def test_multichoice_single_with_several_right_answers_and_penalties():
    q = one("Q {=a =b ~%-50%c ~d}")
    assert q.type is QT.MULTICHOICE and q.single
    assert pairs(q) == [("a", 1), ("b", 1), ("c", -0.5), ("d", 0)]
    assert_round_trip([q])


def test_multichoice_text_before_first_marker_is_a_wrong_answer_like_moodle():
    assert pairs(one("Q {x ~a =b}")) == [("x", 0), ("a", 0), ("b", 1)]


def test_shortanswer_without_equals_sign_like_moodle():
    q = one("1 + 2 \\= {3}")
    assert (q.type, q.text, pairs(q)) == (QT.SHORTANSWER, "1 + 2 =", [("3", 1)])


@pytest.mark.parametrize("weight, fraction", [
    ("100", 1), ("90", 0.9), ("83.33333", 0.8333333), ("83.333", 0.8333333), ("75", 0.75),
    ("66.66667", 0.6666667), ("50", 0.5), ("33.33333", 0.3333333), ("25", 0.25), ("20", 0.2),
    ("16.66667", 0.1666667), ("14.28571", 0.1428571), ("12.5", 0.125), ("11.11111", 0.1111111),
    ("10", 0.1), ("5", 0.05), ("0", 0), ("-5", -0.05), ("-33.33333", -0.3333333), ("-100", -1),
])
def test_weights_are_moodles_grade_options(weight, fraction):
    q = one(f"Q {{=%{weight}%a =b}}")
    assert q.answers[0].fraction == fraction


def test_matching_merges_equal_right_hand_texts_and_keeps_extra_choices():
    q = one("Q {=a -> x =b -> x =c -> y = -> z}")
    assert [(a.text, a.match_right) for a in q.answers] == [
        ("a", "x"), ("b", "x"), ("c", "y"), ("", "z")]
    assert q.match_choices == ["x", "y", "z"]
    assert [i for i, _a in q.stems] == [0, 1, 2]


def test_matching_pairs_keep_hash_and_take_first_arrow():
    q = one("Q {=a#1 -> b#2 =c -> d -> e}")
    assert [(a.text, a.match_right) for a in q.answers] == [("a#1", "b#2"), ("c", "d -> e")]


def test_numerical_forms():
    q = one("Q {#\n=%50%-1.5e1:0.5#neg\n=*#anything\n=.5\n}")
    assert [(a.text, a.fraction, a.value, a.tolerance) for a in q.answers] == [
        ("-1.5e1", 0.5, -15, 0.5), ("*", 1, None, 0), (".5", 1, 0.5, 0)]
    assert q.answers[1].is_catch_all
    assert_round_trip([q])


def test_numerical_catch_all_feedback_without_hash():
    q = one("Q {#5~}")
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [("5", 1, ""), ("*", 0, "")]
    assert_round_trip([q])


def test_essay_and_description():
    essay = one("Describe your NIP. {####[html]<p>Look for inventories.</p>}")
    assert essay.type is QT.ESSAY and essay.needs_manual_grading
    assert (essay.general_feedback, essay.general_feedback_format) == (
        "<p>Look for inventories.</p>", TF.HTML)
    description = one("::Intro::[markdown]Read *this* first.")
    assert description.type is QT.DESCRIPTION and not description.is_graded
    assert (description.name, description.text, description.text_format) == (
        "Intro", "Read *this* first.", TF.MARKDOWN)


@pytest.mark.parametrize(("gift", "qtype"), [
    ("Write about {} here.", QT.ESSAY),
    ("It is {T} that POPs persist.", QT.TRUEFALSE),
    ("Adopted in {#2001} in Stockholm.", QT.NUMERICAL),
    ("Match {=a -> b =c -> d} now.", QT.MATCHING),
    ("Tick {~%50%a ~%50%b ~c} all.", QT.MULTIRESPONSE),
])
def test_every_type_can_be_embedded_in_the_text(gift, qtype):
    q = one(gift)
    assert q.type is qtype and q.embedded and "_____" in q.text
    assert_round_trip([q])


def test_missing_word_keeps_text_before_and_after():
    q = one("::mw::[html]<b>Grant</b> is {~buried =entombed} in <i>Grant's</i> tomb.")
    assert q.text_format is TF.HTML
    assert (q.text_before, q.text_after) == ("<b>Grant</b> is ", " in <i>Grant's</i> tomb.")
    assert q.text == "<b>Grant</b> is _____ in <i>Grant's</i> tomb."
    q = one("{=Two =2} plus two equals four.")
    assert (q.text_before, q.text_after, q.text) == ("", " plus two equals four.",
                                                     "_____ plus two equals four.")
    assert_round_trip([q])


def test_answer_block_at_the_end_is_not_embedded_even_with_trailing_spaces():
    q = one("Q? {T}   ")
    assert not q.embedded and q.text_before is None and q.text == "Q?"


# -- names, comments, categories, formats, escapes -------------------------------------------


def test_default_name_is_the_start_of_the_text():
    assert one("Who? {T}").name == "Who?"
    assert one("[html]<p>Who <b>is</b>\nthere?</p>{T}").name == "Who is there?"
    long = "word " * 30 + "{T}"
    name = one(long).name
    assert name.endswith("...") and len(name) <= 83 and not name.startswith(" ")
    assert one("::::Named by text{T}").name == "Named by text"


def test_name_is_unescaped_and_may_contain_braces():
    q = one("::Q\\:1 {draft}::Text{T}")
    assert q.name == "Q:1 {draft}"
    assert_round_trip([q])


def test_comments_are_whole_lines_only():
    q = one("// heading\nSee http://example.org/x {\n  // between answers\n"
            "=yes // not a comment\n~no\n}")
    assert q.text == "See http://example.org/x"
    assert pairs(q) == [("yes // not a comment", 1), ("no", 0)]


def test_comment_only_paragraphs_and_blank_lines_with_spaces_are_skipped():
    questions = parse_gift("// only a comment\n// another\n\n \t \nQ1 {T}\n   \n\n\nQ2 {F}\n")
    assert [(q.text, q.line) for q in questions] == [("Q1", 5), ("Q2", 9)]


def test_category_applies_to_following_questions():
    questions = parse_gift("Q0 {T}\n\n$CATEGORY: tom/dick/harry\n\nQ1 {T}\n\nQ2 {F}\n\n"
                           "// switch\n$CATEGORY: $course$/top/Default for POPs\n\nQ3 {T}")
    assert [(q.text, q.category) for q in questions] == [
        ("Q0", None), ("Q1", "tom/dick/harry"), ("Q2", "tom/dick/harry"),
        ("Q3", "$course$/top/Default for POPs")]
    assert_round_trip(questions)


def test_format_tags_everywhere():
    q = one("[html]<p>Q</p>{\n=[markdown]*a*#[plain]fb\n~b#fb2\n####gf\n}")
    assert (q.text, q.text_format) == ("<p>Q</p>", TF.HTML)
    a, b = q.answers
    assert (a.text, a.text_format, a.feedback, a.feedback_format) == (
        "*a*", TF.MARKDOWN, "fb", TF.PLAIN)
    assert (b.text_format, b.feedback_format) == (TF.HTML, TF.HTML)
    assert (q.general_feedback, q.general_feedback_format) == ("gf", TF.HTML)
    assert_round_trip([q])


def test_format_tag_after_space_in_general_feedback_stays_text_like_moodle():
    q = one("Q {T#### [html]x}")
    assert (q.general_feedback, q.general_feedback_format) == ("[html]x", TF.MOODLE)
    assert_round_trip([q])


@pytest.mark.parametrize("text", [
    "[POPs](https://www.pops.int) are persistent.",
    "[POPs][1] are persistent.",
    "[1] Which annex?",
    "[not a format] x",
])
def test_brackets_that_are_not_format_tags_are_text(text):
    q = one(text + "{T}")
    assert q.text == text and q.text_format is TF.MOODLE
    assert_round_trip([q])


def test_explicit_format_protects_a_leading_bracket():
    q = one("[moodle][Draft] Is it?{T}")
    assert q.text == "[Draft] Is it?"
    assert_round_trip([q])


@pytest.mark.parametrize(("escaped", "plain"), [
    ("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"), ("\\:", ":"),
    ("\\\\", "\\"), ("\\n", "\n"), ("\\a", "\\a"), ("\\\\n", "\\n"), ("\\\\\\:", "\\:"),
])
def test_escapes(escaped, plain):
    q = one(f"::n{escaped}::A{escaped}B {{=c{escaped}d#e{escaped}f ~g}}")
    assert q.name == f"n{plain}".strip()  # names are trimmed
    assert q.text == f"A{plain}B"
    assert (q.answers[0].text, q.answers[0].feedback) == (f"c{plain}d", f"e{plain}f")
    assert_round_trip([q])


def test_escaped_newline_at_the_edge_is_trimmed_like_moodle():
    assert one("Q\\n{T}").text == "Q"


def test_unicode_crlf_cr_and_bom():
    text = "\ufeff::Langue::Quelle est la réponse ?\r\n{=réponse}\r\n\r\n::中文::问题？{T}"
    questions = parse_gift(text)
    assert [(q.name, q.text, q.line) for q in questions] == [
        ("Langue", "Quelle est la réponse ?", 1), ("中文", "问题？", 4)]
    assert parse_gift(text.replace("\r\n", "\r")) == questions
    assert parse_gift(text.encode("utf-8")) == questions


def test_question_and_answer_line_numbers():
    questions = parse_gift("// c\n\n\n// c2\n::Q::Text\ncontinued {\n  ~a\n  =b\n}\n\n"
                           "Q2 {\n~x\n// mid\n=y#fb\n~z\n}\n")
    assert [q.line for q in questions] == [5, 11]
    assert [a.line for a in questions[0].answers] == [7, 8]
    assert [a.line for a in questions[1].answers] == [12, 14, 15]


# -- errors -------------------------------------------------------------------------------------


def test_error_string_and_collection():
    error = GiftError("quizzes/pops.gift", 12, "unclosed answer block '{'")
    assert str(error) == "quizzes/pops.gift:12: unclosed answer block '{'"
    assert isinstance(error, ValueError)
    with pytest.raises(GiftErrors) as info:
        parse_gift("Q1 {~a}\n\nQ2 {T}\n\nQ3 {#x}", "bank.gift")
    assert len(info.value) == 2
    assert str(info.value) == (
        "bank.gift:1: multiple choice question needs at least 2 answers\n"
        "bank.gift:5: numerical answer 'x' is not a number")


def test_one_bad_question_rejects_the_whole_file():
    with pytest.raises(GiftErrors):
        parse_gift("Q1 {T}\n\nQ2 {~a ~b}\n\nQ3 {F}")


@pytest.mark.parametrize(("gift", "expected"), [
    # braces
    ("Q1 {T}\n\nQ2 {=a\n=b\n\nQ3 {F}", [(3, "unclosed answer block '{'")]),
    ("Q1 {=a\n=b\nQ2 {=c}", [(1, "unclosed answer block '{'")]),
    ("Q1\nhas } here {T}",
     [(2, "'}' without an opening '{' (write \\} for a literal brace)")]),
    ("Q1 }", [(1, "'}' without an opening '{' (write \\} for a literal brace)")]),
    ("Q1 {T}\nQ2 {F}", [(2, "a second answer block in the same question: separate questions "
                           "with a blank line, or write \\{ and \\} for literal braces")]),
    ("Q1 {T}\n// c\nQ2 {F}", [(3, "a second answer block in the same question: separate "
                                  "questions with a blank line, or write \\{ and \\} for "
                                  "literal braces")]),
    # names, texts, categories
    ("::Q1 Text {T}", [(1, "question name is not closed with '::'")]),
    ("\n::Q1::{T}", [(2, "question text is empty")]),
    ("$CATEGORY: a/b\n::Q1::Text{T}",
     [(2, "a $CATEGORY line must be followed by a blank line before the next question")]),
    ("$CATEGORY:", [(1, "$CATEGORY needs a category name")]),
    ("$category: a/b", [(1, "write '$CATEGORY:' in capital letters (found '$category:')")]),
    # formats
    ("[HTML]<p>Q</p>{T}",
     [(1, "unknown text format '[HTML]'; use [html], [markdown], [plain] or [moodle]")]),
    ("Q {\n=a\n~[mardown]*b*\n}",
     [(3, "unknown text format '[mardown]'; use [html], [markdown], [plain] or [moodle]")]),
    # multiple choice
    ("Q {~}", [(1, "multiple choice question needs at least 2 answers")]),
    ("Q {~a}", [(1, "multiple choice question needs at least 2 answers")]),
    ("Q {\n~a\n~\n=c}", [(3, "multiple choice answer is empty")]),
    ("Q\n{~a ~b ~c}", [(1, "multiple choice question has no correct answer")]),
    ("Q {~%50%a ~%30%b ~c}",
     [(1, "the positive answer weights add up to 80%; they must add up to 100%")]),
    ("Q {~%50%a ~%50%b ~%50%c}",
     [(1, "the positive answer weights add up to 150%; they must add up to 100%")]),
    ("Q {\n=a\n=%50%b\n~c}", [(3, "'=' always gives full marks: write '~%50%' for partial "
                                  "credit in a multiple choice question")]),
    ("Q {=a ~%35%b}", [(1, "answer weight 35% is not one Moodle accepts: use one of 100, 90, "
                           "83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, "
                           "16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 or their negatives")]),
    ("Q {=a ~%--5%b}", [(1, "answer weight '--5' is not a number")]),
    # matching
    ("Q {=a -> b}", [(1, "matching question needs at least 2 pairs")]),
    ("Q {=a -> b = -> c}", [(1, "matching question needs at least 2 pairs")]),
    ("Q {\n=a -> b\n=c\n=d -> e\n}", [(3, "matching pair 'c' has no '->'")]),
    ("Q {=a -> b =c ->}", [(1, "matching pair 'c' has nothing after '->'")]),
    # true/false
    ("Q {true}", [(1, "'true' is not a true/false answer: write {TRUE}, {FALSE}, {T} or {F} "
                      "in capitals (or {=true} for a short answer)")]),
    ("Q {f#because}", [(1, "'f' is not a true/false answer: write {TRUE}, {FALSE}, {T} or {F} "
                           "in capitals (or {=f} for a short answer)")]),
    # short answer
    ("Q {=%50%a =%25%b}", [(1, "short answer question has no answer worth full marks")]),
    ("Q {\n=a\n=\n}", [(3, "short answer is empty")]),
    # numerical
    ("Q {#abc}", [(1, "numerical answer 'abc' is not a number")]),
    ("Q\n{#\n=1822:0\n=abc:2\n}", [(4, "numerical answer 'abc' is not a number")]),
    ("Q {#3,14}", [(1, "numerical answer '3,14' is not a number: use a dot (.) as the "
                       "decimal separator")]),
    ("Q {#5:x}", [(1, "numerical tolerance 'x' is not a number")]),
    ("Q {#1..x}", [(1, "numerical range '1..x' is not valid: write it as min..max, e.g. 1..5")]),
    ("Q {#}", [(1, "numerical question has no answers")]),
    ("Q {#=%50%5}", [(1, "numerical question has no answer worth full marks")]),
])
def test_malformed_input(gift, expected):
    assert errors(gift) == expected


def test_all_errors_are_reported_with_their_lines():
    gift = ("::Good::Q {T}\n\n"          # 1
            "::Bad1::Q {~a}\n\n"         # 3
            "::Bad2::Q {\n"              # 5
            "=%35%x\n"                   # 6
            "=%65%y\n"                   # 7
            "=z\n}\n\n"                  # 8
            "Bad3 {#\n=1\n=two\n}\n")    # 11-13
    assert [line for line, _m in errors(gift)] == [3, 6, 7, 13]


def test_invalid_utf8():
    with pytest.raises(GiftErrors) as info:
        parse_gift(b"Q1 {T}\n\nQ2 \xff {T}", "bank.gift")
    assert str(info.value) == "bank.gift:3: the file is not UTF-8 text"


def test_messages_are_translatable_strings_outside_an_app():
    (line, message), = errors("Q {#abc}")
    assert isinstance(message, str) and "abc" in message


# -- writer and round trip -----------------------------------------------------------------------


def test_sample_bank_parses_as_expected():
    questions = parse_gift((SAMPLES / "pops_basics.gift").read_text("utf-8"),
                           "pops_basics.gift")
    assert [q.type for q in questions] == [
        QT.NUMERICAL, QT.MISSINGWORD, QT.MULTICHOICE, QT.MULTIRESPONSE, QT.TRUEFALSE,
        QT.SHORTANSWER, QT.NUMERICAL, QT.MATCHING, QT.ESSAY, QT.DESCRIPTION, QT.MULTICHOICE,
        QT.SHORTANSWER, QT.MULTICHOICE, QT.NUMERICAL, QT.TRUEFALSE]
    first = questions[0]
    assert (first.idnumber, first.tags, first.line) == ("sc-001", ["basics", "treaty"], 7)
    assert first.category == "$course$/top/Stockholm Convention/Basics"
    assert questions[-1].category == "$course$/top/Stockholm Convention/Reporting"
    escapes = questions[10]
    assert escapes.name == "Escapes : all of them"
    assert escapes.text == "Which symbol is { } in set notation? \\ What is 1 = 1?"
    assert pairs(escapes)[0] == ("braces ~ curly brackets", 1)
    article15 = questions[6]
    assert [(a.text, a.fraction) for a in article15.answers] == [
        ("4", 1), ("3..5", 0.5), ("*", 0)]
    assert questions[11].text == ("La Convention de Stockholm porte sur les polluants "
                                  "organiques _____.")


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.gift")), ids=lambda p: p.name)
def test_round_trip_of_sample_files(sample):
    questions = parse_gift(sample.read_text("utf-8"), sample.name)
    written = write_gift(questions)
    assert parse_gift(written) == questions
    assert write_gift(parse_gift(written)) == written


def test_round_trip_of_awkward_texts():
    q = Question(
        QT.MULTICHOICE, "n: {x} #1 ~ =", "[html] looks like a tag % and \\ and\nnewline",
        TF.MOODLE,
        [Answer("%50% starts like a weight", 1.0), Answer("[plain] x", 0.0, "%fb#\\"),
         Answer("also right", 1.0, "", TF.HTML), Answer("->", -0.5)],
        general_feedback="[b] ####", category="a/b: c", idnumber="id]1", tags=["t]", "u"])
    assert_round_trip([q])


def test_round_trip_of_numerical_catch_all_not_last():
    q = Question(QT.NUMERICAL, "n", "N?", answers=[
        Answer("*", 0.0, "first", value=None, tolerance=0.0),
        Answer("5", 1.0, value=5.0, tolerance=0.5)])
    assert_round_trip([q])
    assert "=%0%*#first" in write_gift([q])


def test_round_trip_of_built_questions_with_derived_numbers():
    q = Question(QT.NUMERICAL, "n", "N?", answers=[
        Answer("", 1.0, value=0.1, tolerance=0.0005)])
    (back,) = parse_gift(write_gift([q]))
    assert (back.answers[0].value, back.answers[0].tolerance) == (0.1, 0.0005)


def test_writer_output_shape():
    gift = write_gift(parse_gift("$CATEGORY: c\n\n// [tag:x]\n::N::Q {=a#yes ~%50%b ~c}"))
    assert gift == "$CATEGORY: c\n\n// [tag:x]\n::N::Q{\n\t=a#yes\n\t~%50%b\n\t~c\n}\n\n"


@pytest.mark.parametrize(("question", "message"), [
    (Question(QT.SHORTANSWER, "n", "Q", answers=[Answer("a->b", 1.0), Answer("c", 1.0)]),
     "'->'"),
    (Question(QT.MATCHING, "n", "Q", answers=[Answer("a->b", match_right="c"),
                                              Answer("d", match_right="e")]), "'->'"),
    (Question(QT.MULTICHOICE, "n", "Q", answers=[Answer("a", 0.5), Answer("b")]),
     "no 100% answer"),
    (Question(QT.MISSINGWORD, "n", "Q", answers=[Answer("a", 1.0), Answer("b")]),
     "text_before"),
])
def test_writer_refuses_what_gift_cannot_express(question, message):
    with pytest.raises(ValueError, match=message):
        write_gift([question])


def test_short_answer_with_an_arrow_is_written_without_equals_sign():
    q = one("Balance it: {2H2 + O2 -> 2H2O#Yes}")
    assert (q.type, pairs(q)) == (QT.SHORTANSWER, [("2H2 + O2 -> 2H2O", 1)])
    assert "{2H2 + O2 -> 2H2O#Yes}" in write_gift([q])
    assert_round_trip([q])


def test_embedded_block_with_only_an_escaped_newline_after_it():
    q = one("Fill in {=x}\\n")
    assert (q.embedded, q.text_after, q.text) == (True, "", "Fill in _____")
    assert_round_trip([q])


_ATOMS = ["a", "b c", "é", "中", "[html]", "[x]", "%50%", "%", "->", "#", "####", "\\#",
          "\\=", "\\~", "\\{", "\\}", "\\:", "\\\\", "\\n", " ", "\n", "*", "1822", ":2",
          "..", "-1", "T", "//c\n", ":", "_____", "$"]
_MARKS = ["=", "~", "~%50%", "~%-100%", "=%50%", "~%100%", "= ", "#", "#=%50%", "#~"]


def test_round_trip_of_generated_questions():
    """Whatever the parser accepts, the writer writes back to the same questions."""
    rnd = random.Random(20240517)

    def bits(k: int) -> str:
        return "".join(rnd.choice(_ATOMS) for _ in range(rnd.randint(0, k)))

    accepted = 0
    for _ in range(1500):
        block = " ".join(rnd.choice(_MARKS) + bits(3) + rnd.choice(["", "#" + bits(2),
                                                                    " -> " + bits(2)])
                         for _ in range(rnd.randint(0, 4)))
        gift = (rnd.choice(["", "::" + bits(2) + "::"]) + bits(4) + "{" + block
                + rnd.choice(["", "####" + bits(2)]) + "}" + rnd.choice(["", bits(2)]))
        try:
            questions = parse_gift(gift)
        except GiftErrors:
            continue
        accepted += 1
        assert parse_gift(write_gift(questions)) == questions, gift
    assert accepted > 300


def test_writer_refuses_to_drop_a_category():
    with pytest.raises(ValueError, match="no category"):
        write_gift([Question(QT.ESSAY, "a", "A", category="c"), Question(QT.ESSAY, "b", "B")])


def test_equality_ignores_line_numbers():
    assert one("Q {T}") == one("\n\n\nQ {T}")
