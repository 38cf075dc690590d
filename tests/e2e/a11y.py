"""Helpers for the browser audits: axe-core, page weight, script-free pages.

axe-core comes from the npm registry (``package.json`` at the repository root; ``make
install``, ``npm ci`` or CI fetch it into ``node_modules/``). The site's Content-Security-
Policy forbids injected script, so pages to audit are opened in a browser context made
with ``bypass_csp=True`` (:func:`audit_context`); the site itself never needs script.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: What axe checks: WCAG 2.1 A and AA, and axe's best practices (landmarks, heading
#: order, one main landmark...), which a screen-reader user notices too.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: On a phone, also WCAG 2.2's target size (24 by 24 CSS pixels, or spaced apart).
PHONE_TAGS = [*AXE_TAGS, "wcag22aa"]
#: A small phone, as many of the programme's learners use.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}

#: The budget of a page with its stylesheet (DESIGN.md: pages on slow links).
PAGE_BUDGET = 50 * 1024


def require_axe() -> None:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing): run "
                    "`npm ci` (or `make install`) at the repository root to run the "
                    "accessibility audits")


def audit_context(browser, base_url: str, **options):
    """A browser context in which axe may be injected (the site's CSP is bypassed)."""
    options.setdefault("locale", "en-GB")
    options.setdefault("timezone_id", "Africa/Nairobi")
    return browser.new_context(base_url=base_url, bypass_csp=True, **options)


def axe_violations(page, tags: list[str] = AXE_TAGS) -> list[dict]:
    """Run axe-core on the page as it is; its violations (empty when there are none)."""
    require_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
                 .then(r => r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                     nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                               summary: n.failureSummary}))})))""",
        tags,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, label: str = "", tags: list[str] = AXE_TAGS) -> None:
    """axe finds nothing on the page; otherwise fail, listing every violation."""
    violations = axe_violations(page, tags)
    where = f"{label} ({page.url})" if label else page.url
    assert not violations, f"axe violations on {where}:\n{describe(violations)}"
    # axe no longer reports duplicate ids outside ARIA references; labels and fragment
    # links still depend on them.
    duplicates = page.evaluate("""() => {
        const seen = new Set(), twice = new Set();
        for (const e of document.querySelectorAll('[id]'))
            (seen.has(e.id) ? twice : seen).add(e.id);
        return [...twice];
    }""")
    assert not duplicates, f"duplicate ids on {where}: {duplicates}"


class Weigher:
    """What the browser received for the page on screen: its HTML document and the
    stylesheets it links to, with their sizes in bytes.

    Sizes are the bodies as received after any content decoding; the site does not
    compress, so these are the bytes on the wire too.
    """

    def __init__(self, page):
        self.page = page
        self._responses: list = []
        self._stylesheets: dict[str, int] = {}
        page.on("response", lambda response: self._responses.append(response))
        # A stylesheet comes once, then from the cache: its size is read when it arrives.
        page.on("requestfinished", self._read_stylesheet)

    def _read_stylesheet(self, request) -> None:
        response = request.response()
        if request.resource_type == "stylesheet" and response and response.status == 200:
            self._stylesheets[request.url] = len(response.body())

    def _document(self):
        documents = [r for r in self._responses if r.request.resource_type == "document"
                     and r.frame == self.page.main_frame and not 300 <= r.status < 400]
        assert documents, "no page was loaded"
        return documents[-1]

    @property
    def sizes(self) -> dict[str, int]:
        document = self._document()
        sizes = {document.url: len(document.body())}
        links = self.page.eval_on_selector_all("link[rel=stylesheet]", "ls => ls.map(l => l.href)")
        for href in links:
            assert href in self._stylesheets, f"{href} was not received: {self._stylesheets}"
            sizes[href] = self._stylesheets[href]
        return sizes

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def html(self) -> str:
        """The page's HTML as the server sent it (before axe or anything else ran)."""
        return self._document().text()

    def reset(self) -> None:
        """Forget the pages that came before (the stylesheet's size is remembered)."""
        self._responses.clear()

    def report(self) -> str:
        return ", ".join(f"{url}: {size} B" for url, size in self.sizes.items())


# -- a site with something on every page ---------------------------------------------------

PASSWORD = "audit every page twice"
COURSE = "customs-trade"
MODULE = "hs-codes"
BANK = "customs-trade-final"


class World:
    """The live site filled for the audits: people of each role (signed-in browser states)
    and the identifiers the pages need (a webinar, a registration, attempts, a certificate)."""

    def __init__(self, live_server, browser):
        self.live_server, self.browser = live_server, browser
        self.states: dict[str, dict] = {"anonymous": {"cookies": [], "origins": []}}
        self.ids: dict[str, object] = {"course": COURSE, "module": MODULE, "bank": BANK}

    def context(self, role: str = "anonymous", **options):
        return audit_context(self.browser, self.live_server.url,
                             storage_state=self.states[role], **options)

    def path(self, template: str) -> str:
        return template.format(**self.ids)

    def app(self):
        from elearn import create_app

        return create_app("development", SQLALCHEMY_DATABASE_URI=self.live_server.database_url,
                          BASE_URL=self.live_server.url)

    def sign_in(self, role: str, email: str) -> None:
        context = self.context()
        try:
            page = context.new_page()
            page.goto("/login")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
            self.states[role] = context.storage_state()
        finally:
            context.close()


def build_world(live_server, browser) -> World:
    world = World(live_server, browser)
    live_server.flask("content", "sync")
    live_server.flask("webinars", "load-samples")
    for role in ("learner", "trainer", "admin"):
        email = f"audit.{role}@example.org"
        live_server.flask("users", "create", "--email", email, "--name", f"Audit {role.title()}",
                          "--role", role, "--password", PASSWORD, "--country", "KE",
                          "--timezone", "Africa/Nairobi")
        world.sign_in(role, email)

    # The learner enrols, submits one attempt of the closing quiz and starts another.
    context = world.context("learner")
    try:
        page = context.new_page()
        page.goto(f"/courses/{COURSE}")
        page.locator("form[action$='/enrol'] button").click()
        page.goto(f"/courses/{COURSE}/quiz")
        page.locator("form[action$='/quiz/start'] button").click()
        page.wait_for_url("**/quiz/attempts/*")
        world.ids["done_attempt"] = int(page.url.rstrip("/").rsplit("/", 1)[1])
        page.locator("button[name=submit]").click()
        page.wait_for_url("**/review")
        page.goto(f"/courses/{COURSE}/quiz")
        page.locator("form[action$='/quiz/start'] button").click()
        page.wait_for_url("**/quiz/attempts/*")
        world.ids["open_attempt"] = int(page.url.rstrip("/").rsplit("/", 1)[1])
        world.states["learner"] = context.storage_state()
    finally:
        context.close()

    # A webinar with a guest registration, and a certificate for the learner.
    from elearn.accounts.services import find_user_by_email
    from elearn.certificates.services import issue_for_completion, record_completion
    from elearn.courses.services import get_course
    from elearn.extensions import db
    from elearn.webinars.models import Webinar
    from elearn.webinars.registrations import register

    app = world.app()
    with app.test_request_context():
        webinar = db.session.execute(
            db.select(Webinar).where(Webinar.status == "scheduled")
            .order_by(Webinar.starts_at)).scalars().first()
        registration = register(webinar.id, name="Audit Guest", email="audit.guest@example.org",
                                country="KE", organisation="Kenya Revenue Authority").registration
        learner = find_user_by_email("audit.learner@example.org")
        course = get_course(COURSE, learner)
        completion, _ = record_completion(learner, course.id, score=90.0)
        certificate = issue_for_completion(learner, completion,
                                           course_title=course.text("en").title,
                                           theme_title=course.theme.title)
        db.session.commit()
        world.ids.update(webinar=webinar.id, token=registration.manage_token,
                         code=certificate.code)
        db.session.remove()
    return world
