"""A new member's first visit, in a real browser: sign up with a confirmation mail over SMTP,
follow a member and a tag, fave, rate and comment on a story, get mentioned and shared back,
then download all data and delete the account. Every page is checked by axe-core in English
and, where a German page exists, in German."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Browser, Page, expect

from gemeinsam.accounts.models import User
from gemeinsam.community.models import Follow
from gemeinsam.conversations.models import Comment
from gemeinsam.core.models import DeletionRequest
from gemeinsam.core.tests.support import Inbox
from gemeinsam.demo.newsroom import seed_newsroom
from gemeinsam.newsroom.models import ArticlePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLOCKING = {"serious", "critical"}
NEW_EMAIL = "noah@example.org"
NEW_NAME = "Noah Neu"
NEW_PASSWORD = "a-long-and-unusual-passphrase-41"
MIA_EMAIL = "mia@example.org"
MIA_PASSWORD = "mias-own-passphrase-77"


class Accessibility:
    """Runs axe-core on pages and keeps every serious or critical violation by page."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.failures: dict[str, list[str]] = {}

    def check(self, page: Page, label: str) -> None:
        page.wait_for_load_state()
        results = self.axe.run(page)
        found = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"{[node['target'] for node in violation['nodes']][:3]}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING
        ]
        if found:
            self.failures[f"{label} {page.url}"] = found


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_a_new_member_walks_through_gemeinsam(
    live_server: Any, browser: Browser, smtp_inbox: Inbox, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    assert seed_newsroom() is not None
    mia = User.objects.create_user(email=MIA_EMAIL, password=MIA_PASSWORD, display_name="Mia")
    EmailAddress.objects.create(user=mia, email=MIA_EMAIL, verified=True, primary=True)
    assert not Follow.objects.filter(follower=mia).exists()
    story = ArticlePage.objects.live().get(locale__language_code="en", slug="community-roof-online")
    story_de = ArticlePage.objects.live().filter(locale__language_code="de").first()
    assert story_de is not None
    base = live_server.url
    axe = Accessibility()

    noah_context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    noah_context.set_default_timeout(10_000)
    page = noah_context.new_page()

    # Sign up and confirm the address with the link from the mail.
    page.goto(f"{base}/de/accounts/signup/")
    axe.check(page, "de signup")
    page.goto(f"{base}/en/accounts/signup/")
    axe.check(page, "en signup")
    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    message = smtp_inbox.wait_for(NEW_EMAIL)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    link = next(
        url for url in re.findall(r"https?://\S+", body.get_content()) if "/confirm-email/" in url
    )
    assert link.startswith(f"{base}/en/accounts/confirm-email/")
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    noah = User.objects.get(email=NEW_EMAIL)

    # Choose a display name.
    page.goto(f"{base}/en/members/settings/profile/")
    axe.check(page, "en profile settings")
    page.get_by_label("Display name").fill(NEW_NAME)
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()
    noah.refresh_from_db()
    assert noah.display_name == NEW_NAME
    page.goto(f"{base}/de/members/settings/profile/")
    axe.check(page, "de profile settings")

    # Follow Mia and the #solar tag.
    page.goto(f"{base}/en/members/{mia.pk}/")
    axe.check(page, "en member profile")
    page.get_by_role("button", name="Follow Mia").click()
    expect(page.get_by_role("button", name="Following Mia")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Follow.objects.filter(follower=noah, followed=mia).exists()
    page.goto(f"{base}/de/members/{mia.pk}/")
    axe.check(page, "de member profile")
    page.goto(f"{base}/en/tags/solar/")
    page.get_by_role("button", name="Follow #solar").click()
    expect(page.get_by_role("button", name="Following #solar")).to_be_visible()

    # Open the story from the tag page, fave it, rate it and comment on it.
    page.get_by_role("link", name=story.title).first.click()
    page.wait_for_url(f"**{story.url}")
    page.get_by_role("button", name="Fave", exact=True).click()
    expect(page.get_by_role("button", name="Faved", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_label("8 stars", exact=True).check()
    page.get_by_role("button", name="Rate", exact=True).click()
    expect(page.locator(".rating-average")).to_have_text("8.0")
    page.get_by_label("Your comment").fill(f"Wonderful roof! @member-{mia.pk}, you were there too.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body", has_text="Wonderful roof!")).to_be_visible()
    page.locator("article.comment").first.get_by_role("link", name=f"Reply to {NEW_NAME}").click()
    page.get_by_label(f"Your reply to {NEW_NAME}").fill("And the lesson plan is online as well.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".comment-body", has_text="lesson plan is online")).to_be_visible()
    assert Comment.objects.filter(author=noah).count() == 2
    page.reload()
    axe.check(page, "en story signed in")
    page.goto(f"{base}{story_de.url}")
    axe.check(page, "de story signed in")

    # Mia, in her own browser, is told about the mention, reports nothing but looks at the
    # report form, and shares the story with her followers.
    mia_context = browser.new_context(viewport={"width": 1280, "height": 900})
    mia_context.set_default_timeout(10_000)
    mia_page = mia_context.new_page()
    _sign_in(mia_page, base, MIA_EMAIL, MIA_PASSWORD)
    mia_page.get_by_role("link", name="Notifications").click()
    mention = mia_page.locator(".feed-entry", has_text=f"{NEW_NAME} mentioned you")
    expect(mention).to_be_visible()
    expect(mention.get_by_role("link")).to_have_attribute("href", re.compile(re.escape(story.url)))
    axe.check(mia_page, "en notifications")
    mia_page.goto(f"{base}/de/community/notifications/")
    axe.check(mia_page, "de notifications")
    mia_page.goto(f"{base}{story.url}")
    first = Comment.objects.filter(author=noah, parent__isnull=True).get()
    mia_page.locator(f"#comment-{first.pk}").get_by_role(
        "link", name=f"Report the comment by {NEW_NAME}"
    ).click()
    content_type = ContentType.objects.get_for_model(Comment)
    mia_page.wait_for_url(f"**/en/report/{content_type.pk}/{first.pk}/")
    axe.check(mia_page, "en report form")
    mia_page.goto(f"{base}/de/report/{content_type.pk}/{first.pk}/")
    axe.check(mia_page, "de report form")
    mia_page.goto(f"{base}{story.url}")
    mia_page.get_by_role("button", name="Share with followers").click()
    expect(mia_page.get_by_role("button", name="Shared with followers")).to_be_visible()
    mia_context.close()

    # Back as the new member: Mia's share is in the feed.
    page.goto(f"{base}/en/")
    page.get_by_role("link", name="Your feed").click()
    expect(page.locator(".feed-entry", has_text="Mia shared").first).to_contain_text(story.title)
    axe.check(page, "en feed")
    page.goto(f"{base}/de/community/feed/")
    axe.check(page, "de feed")

    # Download all data.
    page.goto(f"{base}/de/members/privacy/")
    axe.check(page, "de privacy")
    page.goto(f"{base}/en/members/privacy/")
    axe.check(page, "en privacy")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    path = download_info.value.path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        names = archive.namelist()
        assert "README.md" in names
        documents = [name for name in names if name.endswith(".json")]
        assert documents
        for name in documents:
            json.loads(archive.read(name))

    # Delete the account, keeping nothing of the comments' text.
    page.get_by_label("Delete their text").check()
    page.get_by_label("Your password, to confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your account will be deleted on")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    assert DeletionRequest.objects.filter(user=noah).exists()
    noah_context.close()

    assert not axe.failures, json.dumps(axe.failures, indent=2)
