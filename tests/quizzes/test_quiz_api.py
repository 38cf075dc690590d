"""The quiz API: start or resume, get, save answers, submit; the key stays secret."""

from __future__ import annotations

import json

from tests.quizzes.quiz_helpers import SECRETS, right_responses, slot_of

START = "/api/v1/courses/customs-quiz/quiz/attempts"


def attempt_of(db, attempt_id):
    from elearn.quizzes.models import QuizAttempt

    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def assert_no_key(body: dict) -> None:
    """Nothing but the learner's own responses may hint at the right answers."""
    questions = [{k: v for k, v in q.items() if k != "response"} for q in body["questions"]]
    text = json.dumps({**body, "questions": questions}, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret
    for question in body["questions"]:
        for name in ("fraction", "feedback_html", "general_feedback_html",
                     "right_answers_html", "state"):
            assert name not in question, name
    assert body["score"] is None and body["passed"] is None


def test_start_resume_get_save_submit(client, db, quiz_course, enrolled, api_token, clock):
    headers = api_token(enrolled())
    started = client.post(START, headers=headers)
    assert started.status_code == 201
    body = started.get_json()
    assert body["state"] == "in_progress" and body["number"] == 1
    assert body["seconds_left"] == 20 * 60 and len(body["questions"]) == 8
    assert_no_key(body)
    mc = next(q for q in body["questions"] if "Which of these" in q["text_html"])
    assert sorted(c["key"] for c in mc["choices"]) == [0, 1, 2]
    assert {c["html"] for c in mc["choices"]} == {"DDT", "Water", "Table salt"}
    match = next(q for q in body["questions"] if q["type"] == "matching")
    assert {i["html"] for i in match["items"]} == {"Annex A", "Annex B", "Annex C"}
    mw = next(q for q in body["questions"] if q["type"] == "missingword")
    assert mw["embedded"] and mw["text_before_html"] == "DDT is listed in Annex"

    resumed = client.post(START, headers=headers)
    assert resumed.status_code == 200 and resumed.get_json()["id"] == body["id"]

    attempt = attempt_of(db, body["id"])
    answers = {str(slot): value for slot, value in right_responses(attempt).items()}
    clock.advance(4)
    saved = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                       json={"answers": answers})
    assert saved.status_code == 200
    got = client.get(f"/api/v1/attempts/{body['id']}", headers=headers).get_json()
    assert_no_key(got)
    assert got["seconds_left"] == 16 * 60
    by_slot = {q["slot"]: q["response"] for q in got["questions"]}
    assert by_slot[slot_of(attempt, "SA")] == "geneva"
    assert by_slot[slot_of(attempt, "MR")] == sorted(answers[str(slot_of(attempt, "MR"))])

    done = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=headers)
    assert done.status_code == 200
    result = done.get_json()
    assert result["state"] == "needs_grading" and result["score"] is None
    mc = next(q for q in result["questions"] if q["slot"] == slot_of(attempt, "MC"))
    assert mc["state"] == "correct" and mc["fraction"] == 1.0
    assert mc["feedback_html"] == ["Yes, DDT is listed in Annex B."]
    assert mc["general_feedback_html"] == "DDT is the best known POP."
    assert mc["right_answers_html"] == ["DDT"]

    late = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                      json={"answers": {"1": None}})
    assert late.status_code == 409 and "has been submitted" in late.get_json()["message"]
    assert client.post(f"/api/v1/attempts/{body['id']}/submit",
                       headers=headers).status_code == 409


def test_graded_result_and_settings(client, db, quiz_course, enrolled, api_token, clock):
    quiz_course.show_feedback = False
    quiz_course.show_correct_answers = False
    db.session.commit()
    headers = api_token(enrolled())
    body = client.post(START, headers=headers).get_json()
    attempt = attempt_of(db, body["id"])
    answers = {str(s): v for s, v in right_responses(attempt).items()
               if s != slot_of(attempt, "ESSAY")}
    client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
               json={"answers": answers})
    result = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=headers).get_json()
    assert result["state"] == "graded" and result["score"] == 87.5 and result["passed"] is True
    for question in result["questions"]:
        assert question["feedback_html"] == [] and question["right_answers_html"] == []
        assert question["general_feedback_html"] == ""


def test_invalid_answers_are_422_and_save_nothing(client, db, quiz_course, enrolled, api_token,
                                                  clock):
    headers = api_token(enrolled())
    body = client.post(START, headers=headers).get_json()
    attempt = attempt_of(db, body["id"])
    sa, mc = slot_of(attempt, "SA"), slot_of(attempt, "MC")
    bad = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                     json={"answers": {str(sa): "Geneva", str(mc): 9}})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {str(mc): ["This answer is not one of the options offered."]}
    assert all(a.response is None for a in attempt_of(db, body["id"]).answers)
    malformed = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                           json={"responses": {}})
    assert malformed.status_code == 422


def test_true_false_may_be_sent_as_a_boolean(client, db, quiz_course, enrolled, api_token,
                                            clock):
    headers = api_token(enrolled())
    body = client.post(START, headers=headers).get_json()
    tf = str(slot_of(attempt_of(db, body["id"]), "TF"))
    saved = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                       json={"answers": {tf: True}}).get_json()
    question = next(q for q in saved["questions"] if str(q["slot"]) == tf)
    true_key = next(c["key"] for c in question["choices"] if c["html"] == "True")
    assert question["response"] == true_key
    result = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=headers).get_json()
    assert next(q for q in result["questions"] if str(q["slot"]) == tf)["fraction"] == 1.0


def test_deadline_closes_and_refuses(client, db, quiz_course, enrolled, api_token, clock):
    headers = api_token(enrolled())
    body = client.post(START, headers=headers).get_json()
    attempt = attempt_of(db, body["id"])
    sa = str(slot_of(attempt, "SA"))
    client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
               json={"answers": {sa: "Geneva"}})
    clock.advance(20)
    late = client.put(f"/api/v1/attempts/{body['id']}/answers", headers=headers,
                      json={"answers": {sa: "Bern"}})
    assert late.status_code == 409
    assert "time limit" in late.get_json()["message"]
    got = client.get(f"/api/v1/attempts/{body['id']}", headers=headers).get_json()
    assert got["state"] == "graded" and got["closed_by_deadline"] and got["score"] == 12.5
    assert client.post(f"/api/v1/attempts/{body['id']}/submit",
                       headers=headers).status_code == 409


def test_permissions(client, db, quiz_course, enrolled, make_user, api_token, clock):
    assert client.post(START).status_code == 401
    outsider = api_token(make_user())
    refused = client.post(START, headers=outsider)
    assert refused.status_code == 403 and "Enrol in this course" in refused.get_json()["message"]
    assert client.post("/api/v1/courses/nope/quiz/attempts", headers=outsider).status_code == 404
    body = client.post(START, headers=api_token(enrolled())).get_json()
    other = api_token(enrolled())
    for method, url in (("get", f"/api/v1/attempts/{body['id']}"),
                        ("put", f"/api/v1/attempts/{body['id']}/answers"),
                        ("post", f"/api/v1/attempts/{body['id']}/submit")):
        response = getattr(client, method)(url, headers=other, json={"answers": {}})
        assert response.status_code == 404, url


def test_attempt_limit_is_409(client, db, quiz_course, enrolled, api_token, clock):
    headers = api_token(enrolled())
    for _ in range(2):
        body = client.post(START, headers=headers).get_json()
        client.post(f"/api/v1/attempts/{body['id']}/submit", headers=headers)
    refused = client.post(START, headers=headers)
    assert refused.status_code == 409 and "all 2 attempts" in refused.get_json()["message"]


def test_openapi_documents_the_quiz_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/courses/{slug}/quiz/attempts", "/api/v1/attempts/{attempt_id}",
            "/api/v1/attempts/{attempt_id}/answers",
            "/api/v1/attempts/{attempt_id}/submit"} <= set(paths)
