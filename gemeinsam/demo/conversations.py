"""The demo's conversations: comments and replies under the stories and discussions on the
host's topics, in English under the English stories and in German under the German ones,
posted through the conversations services by the demo members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gemeinsam.accounts.models import User
from gemeinsam.conversations.models import Comment, DiscussionThread, DiscussionTopic
from gemeinsam.conversations.services import post_comment, start_thread
from gemeinsam.core.engagement import target_reference
from gemeinsam.demo.community import demo_members, demo_story


@dataclass(frozen=True)
class Said:
    """A comment by the demo member ``author``, with the replies it drew."""

    author: str
    text: str
    replies: tuple[Said, ...] = field(default=())


COMMENTS: dict[tuple[str, str], list[Said]] = {
    ("founders-talk", "en"): [
        Said(
            "tom",
            "I joined in 2014 after the first version of this talk in the church hall. "
            "Ten years later we own 38 roofs. Thank you for starting this!",
            (
                Said(
                    "priya",
                    "Same here. The story of the first roof on the bakery still makes me smile.",
                    (
                        Said(
                            "tom",
                            "The bakery roof still delivers, by the way: I checked the "
                            "dashboard last week.",
                        ),
                    ),
                ),
                Said(
                    "claire",
                    "Is there a transcript? I'd love to share it with our tenants' association.",
                ),
            ),
        ),
        Said(
            "henrik",
            "What I liked most: the founders were honest about the year the inverters failed. "
            "That is why I trust the cooperative with my savings.",
            (
                Said(
                    "daniel",
                    "Agreed. I'd like to hear more about how the reserve fund works today.",
                ),
            ),
        ),
        Said(
            "priya",
            "Could we invite the founders to the school for questions and answers? The "
            "children who watch the live output would love it.",
        ),
    ],
    ("community-roof-online", "en"): [
        Said(
            "claire",
            "Forty members over three weekends, amazing. Whom do I ask if I want to help on "
            "the next roof?",
            (
                Said(
                    "henrik",
                    "Write to the office: they keep a list of helpers for the tram depot "
                    "roof. I'm on it already.",
                ),
            ),
        ),
        Said(
            "daniel",
            "58,000 kWh a year from one school roof is more than I expected. Is the output "
            "online somewhere?",
            (
                Said(
                    "priya",
                    "The school shows it live in the hallway, and its website links to a "
                    "public dashboard.",
                ),
            ),
        ),
    ],
    ("agm-12-march", "en"): [
        Said("tom", "Postal vote sent. See you all on the 12th!"),
    ],
    ("a-day-on-the-roof", "en"): [
        Said(
            "priya", "The third picture is my favourite: you can see the hill where we had lunch."
        ),
    ],
    ("gruendergespraech", "de"): [
        Said(
            "marie",
            "Ich war beim Jubiläumsabend dabei, schön, dass es jetzt eine Aufzeichnung gibt. "
            "Die Geschichte vom ersten Dach auf der Bäckerei kannte ich noch nicht.",
            (
                Said(
                    "sabine",
                    "Die Bäckerei gibt es immer noch, und das Dach liefert auch noch Strom!",
                    (
                        Said(
                            "marie",
                            "Dann hole ich mir dort am Samstag ein Brötchen und schaue es mir an.",
                        ),
                    ),
                ),
                Said(
                    "yusuf",
                    "Gibt es das Gespräch auch mit Untertiteln? Meine Eltern würden es gern sehen.",
                ),
            ),
        ),
        Said(
            "katrin",
            "Ehrlich und ohne Schönfärberei, gerade beim Thema Wechselrichter. Genau deshalb "
            "bin ich Mitglied.",
            (
                Said(
                    "matthias",
                    "Sehe ich genauso. Einen Bericht über die Rücklagen fände ich spannend.",
                ),
            ),
        ),
    ],
    ("buergerdach-am-netz", "de"): [
        Said(
            "sophie",
            "Großartige Arbeit! Wo kann ich mich als Helferin für das nächste Dach melden?",
            (
                Said(
                    "katrin",
                    "Schreib einfach ans Büro, dort gibt es eine Liste für das Dach auf dem "
                    "Straßenbahnhof.",
                ),
            ),
        ),
        Said(
            "elif",
            "Meine Tochter geht auf die Schule und erzählt jeden Tag, wie viel Strom das Dach "
            "gerade macht.",
        ),
    ],
    ("gv-12-maerz", "de"): [
        Said("matthias", "Briefwahlunterlagen sind abgeschickt. Bis zum 12.!"),
    ],
    ("ein-tag-auf-dem-dach", "de"): [
        Said("yusuf", "Das zweite Bild würde ich mir glatt an die Wand hängen."),
    ],
}


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class Discussion:
    topic: str
    author: str
    title: str
    body: str
    replies: tuple[Said, ...]


TOPICS = [
    Topic("roofs", "Roofs and panels", "Ideas for new roofs and questions about the panels."),
    Topic(
        "genossenschaft",
        "Rund um die Genossenschaft",
        "Fragen an Vorstand und Mitglieder: Versammlung, Dividende, Mitmachen.",
    ),
]

DISCUSSIONS = [
    Discussion(
        "roofs",
        "claire",
        "Which roof should come after the tram depot?",
        "The tram depot will be the largest roof in town. What should follow it? I'd "
        "suggest the sports hall on Karl-Heine-Straße.",
        (
            Said("tom", "The sports hall gets sun all afternoon. Good choice."),
            Said(
                "henrik",
                "What about the library? It has a flat roof and the city owns it.",
                (Said("claire", "The library would be great, and everyone would see it."),),
            ),
        ),
    ),
    Discussion(
        "genossenschaft",
        "sabine",
        "Wer kommt mit zur Generalversammlung?",
        "Ich fahre am 12. März mit dem Rad hin und freue mich über Begleitung. Treffpunkt "
        "17:30 Uhr am Lindenauer Markt.",
        (
            Said("marie", "Ich komme mit!"),
            Said(
                "elif",
                "Ich bin auch dabei und bringe meine Nachbarin mit.",
                (Said("sabine", "Wunderbar, dann sind wir schon zu viert."),),
            ),
        ),
    ),
]


def _post(members: dict[str, User], target: Any, said: Said, parent: Comment | None = None) -> int:
    """Post ``said`` and its replies on ``target`` unless its author posted it already;
    returns how many comments were posted. What a member who left would have said is left
    out, with its replies."""
    author = members.get(said.author)
    if author is None:
        return 0
    content_type_id, object_id = target_reference(target)
    comment = Comment.objects.filter(
        author=author, content_type_id=content_type_id, object_id=object_id, body=said.text
    ).first()
    posted = 0
    if comment is None:
        comment = post_comment(author=author, target=target, body=said.text, parent=parent)
        posted = 1
    for reply in said.replies:
        posted += _post(members, target, reply, comment)
    return posted


def seed_comments() -> str | None:
    """The conversations' seed step: comments and replies under the demo stories in both
    languages. Adds what is missing."""
    members = demo_members()
    if not members:
        return None
    posted = 0
    for (slug, language), comments in COMMENTS.items():
        story = demo_story(slug, language)
        if story is None:
            continue
        for said in comments:
            posted += _post(members, story, said)
    return f"{posted} comments created" if posted else None


def seed_discussions() -> str | None:
    """The conversations' second seed step: the host's discussion topics, with discussions
    the demo members started and replied to. Adds what is missing."""
    members = demo_members()
    if not members:
        return None
    topics = {}
    new_topics = started = replies = 0
    for topic in TOPICS:
        topics[topic.slug], created = DiscussionTopic.objects.get_or_create(
            slug=topic.slug, defaults={"name": topic.name, "description": topic.description}
        )
        new_topics += created
    for discussion in DISCUSSIONS:
        thread = DiscussionThread.objects.filter(
            topic=topics[discussion.topic], title=discussion.title
        ).first()
        if thread is None:
            if discussion.author not in members:
                continue
            thread = start_thread(
                author=members[discussion.author],
                topic=topics[discussion.topic],
                title=discussion.title,
                body=discussion.body,
            )
            started += 1
        for said in discussion.replies:
            replies += _post(members, thread, said)
    if not (new_topics or started or replies):
        return None
    return f"{new_topics} topics, {started} discussions and {replies} replies created"
