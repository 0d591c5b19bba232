"""The demo's community: members who sign in with one known password, fans of the host,
follows, and the faves and shares of stories and comments, all written by the services.

Everything here is added to the demo newsroom only: on a site whose content is its own,
the steps find no demo stories and create nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from taggit.models import Tag

from gemeinsam.accounts.models import User
from gemeinsam.accounts.services import update_profile
from gemeinsam.community.models import Fan, Fave, Follow, Share, TagFollow
from gemeinsam.community.services import (
    become_fan,
    follow_member,
    follow_tag,
    set_fave,
    set_share,
)
from gemeinsam.conversations.models import Comment
from gemeinsam.core.engagement import target_reference
from gemeinsam.newsroom.models import StoryPage

# Every demo member signs in with this password (documented in the README).
MEMBER_PASSWORD = "lindenau-demo-member"  # noqa: S105
MEMBER_EMAIL = "{key}@members.lindenau-solar.example"

# The story the demo's ratings centre on, in both languages.
FOUNDERS = {"en": "founders-talk", "de": "gruendergespraech"}


@dataclass(frozen=True)
class DemoMember:
    key: str
    name: str
    bio: str


MEMBERS = [
    DemoMember("tom", "Tom Fletcher", "Member since 2014, helps on roof days."),
    DemoMember("priya", "Priya Nair", "Teacher at the Lindenau school; our roof's biggest fan."),
    DemoMember("henrik", "Henrik Olsen", "Electrician. Ask me about inverters."),
    DemoMember("claire", "Claire Dubois", "Moved to Lindenau in 2021 and joined the week after."),
    DemoMember("daniel", "Daniel Okafor", "Likes numbers, especially kilowatt hours."),
    DemoMember("marie", "Marie Schubert", "Mitglied der ersten Stunde, wohnt am Lindenauer Markt."),
    DemoMember("sabine", "Sabine Krause", "Fährt Rad, baut Dächer, liebt Sitzungsprotokolle."),
    DemoMember("katrin", "Katrin Lehmann", "Kassenprüferin der Genossenschaft."),
    DemoMember("yusuf", "Yusuf Arslan", "Fotografiert jedes neue Dach."),
    DemoMember("matthias", "Matthias Brandt", "Rentner, verfolgt jede Generalversammlung."),
    DemoMember("sophie", "Sophie Wagner", "Studiert Energietechnik in Leipzig."),
    DemoMember("elif", "Elif Kaya", "Mutter von zwei Schulkindern, die den Strom live verfolgen."),
]

# Members who are not fans of the host (yet): the count shows the others.
NOT_FANS = {"daniel", "elif"}

FOLLOWS = [
    ("tom", "priya"),
    ("priya", "tom"),
    ("claire", "tom"),
    ("henrik", "priya"),
    ("daniel", "claire"),
    ("tom", "marie"),
    ("marie", "tom"),
    ("marie", "sabine"),
    ("sabine", "marie"),
    ("katrin", "marie"),
    ("yusuf", "sabine"),
    ("matthias", "katrin"),
    ("sophie", "marie"),
    ("elif", "yusuf"),
]
TAG_FOLLOWS = [("tom", "solar"), ("priya", "schools"), ("marie", "solar"), ("sabine", "members")]

# Who faves and who shares which story, by slug and language.
STORY_FAVES = {
    ("founders-talk", "en"): ["tom", "priya", "claire", "henrik", "daniel", "marie"],
    ("community-roof-online", "en"): ["claire", "daniel", "henrik", "tom"],
    ("a-day-on-the-roof", "en"): ["priya", "claire"],
    ("gruendergespraech", "de"): ["marie", "sabine", "katrin", "yusuf", "matthias"],
    ("buergerdach-am-netz", "de"): ["sophie", "elif", "katrin"],
    ("ein-tag-auf-dem-dach", "de"): ["yusuf", "elif"],
    ("gv-12-maerz", "de"): ["matthias"],
}
STORY_SHARES = {
    ("founders-talk", "en"): ["tom", "claire"],
    ("community-roof-online", "en"): ["henrik"],
    ("gruendergespraech", "de"): ["marie"],
    ("buergerdach-am-netz", "de"): ["katrin"],
}
# How many other members fave the n-th demo comment (repeating), so that "best" differs
# from "oldest".
COMMENT_FAVES = [3, 1, 0, 2, 4, 0, 1]


def member_email(key: str) -> str:
    return MEMBER_EMAIL.format(key=key)


def demo_story(slug: str, language: str) -> StoryPage | None:
    """The live demo story ``slug`` in ``language``, or None on a site without it."""
    page = StoryPage.objects.live().filter(slug=slug, locale__language_code=language).first()
    return page.specific if page is not None else None


def demo_members() -> dict[str, User]:
    """The demo members who can take part, by key: one whose account staff deactivated
    is left out (the services would refuse them), and is not created again."""
    emails = [member_email(member.key) for member in MEMBERS]
    by_email = {user.email: user for user in User.objects.filter(email__in=emails, is_active=True)}
    return {
        member.key: by_email[member_email(member.key)]
        for member in MEMBERS
        if member_email(member.key) in by_email
    }


def seed_members() -> str | None:
    """The community's seed step: the demo members (e-mail verified, with a profile), the
    fans of the host and who follows whom. Adds what is missing; needs the demo newsroom."""
    if demo_story(FOUNDERS["en"], "en") is None:
        return None
    existing = set(
        User.objects.filter(email__in=[member_email(m.key) for m in MEMBERS]).values_list(
            "email", flat=True
        )
    )
    created = 0
    for member in MEMBERS:
        email = member_email(member.key)
        if email in existing:
            continue
        user = User.objects.create_user(
            email=email, password=MEMBER_PASSWORD, display_name=member.name
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        update_profile(actor=user, user=user, display_name=member.name, bio=member.bio, links=[])
        created += 1
    members = demo_members()
    fans = 0
    for key, user in members.items():
        if key not in NOT_FANS and not Fan.objects.filter(user=user).exists():
            fans += become_fan(user=user)
    follows = 0
    for follower, followed in FOLLOWS:
        if follower not in members or followed not in members:
            continue
        if not Follow.objects.filter(
            follower=members[follower], followed=members[followed]
        ).exists():
            follows += follow_member(user=members[follower], member=members[followed])
    for key, slug in TAG_FOLLOWS:
        tag = Tag.objects.filter(slug=slug).first() if key in members else None
        if tag is not None and not TagFollow.objects.filter(user=members[key], tag=tag).exists():
            follows += follow_tag(user=members[key], tag=tag)
    if not (created or fans or follows):
        return None
    return f"{created} members, {fans} fans and {follows} follows created"


def _story_targets(
    plan: dict[tuple[str, str], list[str]], members: dict[str, User]
) -> list[tuple[StoryPage, list[User]]]:
    """The demo stories of ``plan`` with the members (who can take part) planned for each."""
    targets = []
    for (slug, language), keys in plan.items():
        story = demo_story(slug, language)
        if story is not None:
            targets.append((story, [members[key] for key in keys if key in members]))
    return targets


def seed_faves_and_shares() -> str | None:
    """The community's second seed step: demo members fave and share stories and fave each
    other's comments (never their own). Adds what is missing."""
    members = demo_members()
    if not members:
        return None
    faves = shares = 0
    for story, users in _story_targets(STORY_FAVES, members):
        for user in users:
            faves += _fave(user, story)
    for story, users in _story_targets(STORY_SHARES, members):
        content_type_id, object_id = target_reference(story)
        for user in users:
            if not Share.objects.filter(
                user=user, content_type_id=content_type_id, object_id=object_id
            ).exists():
                shares += set_share(user=user, target=story, shared=True)
    # Who faves which comment follows from the plan alone, not from who can take part
    # now, so that a member leaving changes nothing for the others.
    keys = [member.key for member in MEMBERS]
    comments = (
        Comment.objects.filter(author__email__in=[member_email(key) for key in keys])
        .select_related("author")
        .order_by("pk")
    )
    for number, comment in enumerate(comments):
        author_email = comment.author.email if comment.author is not None else ""
        others = [key for key in keys if member_email(key) != author_email]
        start = number % len(others)
        for key in (others[start:] + others[:start])[: COMMENT_FAVES[number % len(COMMENT_FAVES)]]:
            if key in members:
                faves += _fave(members[key], comment)
    if not (faves or shares):
        return None
    return f"{faves} faves and {shares} shares created"


def _fave(user: User, target: StoryPage | Comment) -> int:
    content_type_id, object_id = target_reference(target)
    if Fave.objects.filter(
        user=user, content_type_id=content_type_id, object_id=object_id
    ).exists():
        return 0
    return int(set_fave(user=user, target=target, faved=True))
