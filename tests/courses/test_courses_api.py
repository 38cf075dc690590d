"""/api/v1/themes and /api/v1/courses: the same services as the pages."""

from __future__ import annotations

from sqlalchemy import select

from elearn.courses import editing
from elearn.courses.models import Course


def get_course(db, slug="customs-trade") -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def test_themes(client, synced):
    body = client.get("/api/v1/themes").get_json()
    assert [(t["slug"], t["courses"]) for t in body] == [
        ("customs", 1), ("reporting", 1), ("pcbs", 0)]
    assert body[0]["audiences"] == ["Customs officers"]


def test_courses_by_theme_and_language(client, synced):
    everything = client.get("/api/v1/courses").get_json()
    assert [c["slug"] for c in everything] == ["customs-trade", "article-15"]
    french = client.get("/api/v1/courses?lang=fr").get_json()
    assert [(c["slug"], c["language"], c["title"]) for c in french] == [
        ("customs-trade", "fr", "Contrôle des échanges pour les douanes")]
    assert french[0]["languages"] == ["en", "fr"] and french[0]["original_language"] == "en"
    assert french[0]["url"] == "http://elearn.test/courses/customs-trade"
    reporting = client.get("/api/v1/courses?theme=reporting").get_json()
    assert [c["slug"] for c in reporting] == ["article-15"]
    assert client.get("/api/v1/courses?q=electronic").get_json()[0]["slug"] == "article-15"
    assert client.get("/api/v1/courses?theme=pcbs").get_json() == []


def test_bad_filters(client, synced):
    unknown = client.get("/api/v1/courses?theme=nope")
    assert unknown.status_code == 404 and unknown.get_json()["message"] == \
        "There is no theme 'nope'."
    bad = client.get("/api/v1/courses?lang=xx")
    assert bad.status_code == 422 and "lang" in bad.get_json()["errors"]["query"]


def test_course_with_modules(client, synced):
    body = client.get("/api/v1/courses/customs-trade?lang=fr").get_json()
    assert body["title"] == "Contrôle des échanges pour les douanes"
    assert [(m["number"], m["slug"], m["language"]) for m in body["modules"]] == [
        (1, "why", "fr"), (2, "hs-codes", "en"), (3, "detecting", "en")]
    assert body["quiz"] == {
        "bank": "trade-final", "pass_mark": 70, "attempts_allowed": 2,
        "time_limit_minutes": 15, "questions_per_attempt": 5, "shuffle_answers": False,
        "show_feedback": True, "show_correct_answers": False}
    assert client.get("/api/v1/courses/article-15").get_json()["quiz"] is None


def test_module_html(client, synced):
    body = client.get("/api/v1/courses/customs-trade/modules/hs-codes").get_json()
    assert body["html"].startswith('<h1 id="hs-codes">HS codes</h1>')
    assert '<a href="#codes">Codes</a>' in body["toc"]
    assert (body["previous"], body["next"], body["number"]) == ("why", "detecting", 2)


def test_unknown_slugs_are_404_with_a_message(client, synced, make_user, api_token):
    headers = api_token(make_user())
    for method, url, message in [
        ("GET", "/api/v1/courses/nope", "There is no course 'nope'."),
        ("GET", "/api/v1/courses/customs-trade/modules/nope",
         "The course has no module 'nope'."),
        ("PUT", "/api/v1/courses/nope/enrolment", "There is no course 'nope'."),
        ("PUT", "/api/v1/courses/customs-trade/modules/nope/completion",
         "The course has no module 'nope'."),
        ("GET", "/api/v1/courses/nope/progress", "There is no course 'nope'."),
    ]:
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 404, url
        assert response.get_json() == {"code": 404, "status": "Page not found",
                                       "message": message}


def test_writes_and_progress_need_a_token(client, synced, make_user, login):
    login(make_user())  # the session cookie does not count for the API
    for method, url in [("PUT", "/api/v1/courses/customs-trade/enrolment"),
                        ("DELETE", "/api/v1/courses/customs-trade/enrolment"),
                        ("PUT", "/api/v1/courses/customs-trade/modules/why/completion"),
                        ("GET", "/api/v1/courses/customs-trade/progress")]:
        response = client.open(url, method=method)
        assert response.status_code == 401, url
        assert response.get_json()["message"] == "A valid API token is required."


def test_enrol_complete_progress_and_leave(client, synced, make_user, api_token):
    headers = api_token(make_user())
    first = client.put("/api/v1/courses/customs-trade/enrolment", headers=headers)
    assert first.status_code == 201
    assert first.get_json()["progress"] == {"completed": 0, "total": 3, "percent": 0,
                                            "is_complete": False}
    assert client.put("/api/v1/courses/customs-trade/enrolment",
                      headers=headers).status_code == 200
    done = client.put("/api/v1/courses/customs-trade/modules/hs-codes/completion",
                      headers=headers)
    assert done.status_code == 200
    assert done.get_json()["module"] == "hs-codes" and done.get_json()["completed_at"]
    assert done.get_json()["progress"]["percent"] == 33
    progress = client.get("/api/v1/courses/customs-trade/progress", headers=headers).get_json()
    assert progress["enrolled"] and progress["completed"] == 1
    assert [(m["slug"], bool(m["completed_at"])) for m in progress["modules"]] == [
        ("why", False), ("hs-codes", True), ("detecting", False)]
    left = client.delete("/api/v1/courses/customs-trade/enrolment", headers=headers)
    assert left.status_code == 204
    progress = client.get("/api/v1/courses/customs-trade/progress", headers=headers).get_json()
    assert not progress["enrolled"] and progress["completed"] == 1


def test_unpublished_courses_are_hidden_from_learners_not_trainers(client, synced, db,
                                                                   make_user, api_token):
    editing.set_course_published(get_course(db), False)
    db.session.commit()
    learner, trainer = api_token(make_user()), api_token(make_user(role="trainer"))
    assert client.get("/api/v1/courses/customs-trade", headers=learner).status_code == 404
    assert client.get("/api/v1/courses/customs-trade", headers=trainer).status_code == 200
    assert [c["slug"] for c in client.get("/api/v1/courses").get_json()] == ["article-15"]
    refused = client.put("/api/v1/courses/customs-trade/enrolment", headers=trainer)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == "This course is not open for enrolment yet."


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/themes", "/api/v1/courses", "/api/v1/courses/{slug}",
                 "/api/v1/courses/{slug}/modules/{module}", "/api/v1/courses/{slug}/enrolment",
                 "/api/v1/courses/{slug}/modules/{module}/completion",
                 "/api/v1/courses/{slug}/progress"):
        assert path in paths
