"""A newcomer signs up, confirms the address from the mail, signs in, switches to French."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_signup_verify_login_french_logout(page, live_server):
    email = "fatou.sow@douanes.example.sn"
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Full name, as it should appear on your certificates").fill("Fatou Sow")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill("baobab and mangroves")
    page.get_by_label("Repeat the password").fill("baobab and mangroves")
    page.get_by_label("Country").select_option("SN")
    page.get_by_label("Organisation").fill("Direction générale des douanes")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Time zone").select_option("Africa/Dakar")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    # The verification mail, as delivered from the outbox.
    [mail] = live_server.mail_to(email)
    assert mail["Subject"] == "Confirm your e-mail address"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/verify-email/\S+", text).group(0)
    page.goto(link)
    assert "is confirmed" in page.content()

    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("baobab and mangroves")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome, Fatou Sow.").wait_for()

    # Switch the interface to French with the switcher (a plain form, no script).
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("link", name="Mon compte").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="Mon compte").click()
    assert page.get_by_label("Langue préférée").input_value() == "fr"  # saved in the profile

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").wait_for()
    page.goto("/account")
    assert "/login" in page.url
