"""A newsroom at the scale Gemeinsam is built for, written in bulk for benchmarks.

``seed_scale("large")`` adds 20,000 members (15,000 of them fans), about a million follows,
5,000 stories of every type with images, 127,000 comments (100,000 of them threaded under one
story), 100,000 ratings and 50,000 faves to the demo newsroom. Going through the services
would take hours, so rows are written straight to the tables: with COPY on PostgreSQL and
``executemany`` on SQLite, with ids assigned here so that threads, paths and counters can be
computed before anything is written. Every stored counter (comment replies and faves, rating
aggregates, engagement counts) is computed from the rows written, so the result is exactly
what members using the site would have produced.

Left out on purpose: the search index (``manage.py update_index`` fills it, which takes
minutes at this size), page revisions (the stories are published without an edit history)
and notifications.
"""

from __future__ import annotations

import html
import io
import json
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Locale, Page

from gemeinsam.accounts.models import User
from gemeinsam.community.models import Activity, EngagementCount, Fan, Fave, Follow, TagFollow
from gemeinsam.conversations.models import (
    MAX_DEPTH,
    Comment,
    ThreadPlace,
    ancestors_in_path,
    place_in_thread,
)
from gemeinsam.conversations.services import comment_score
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.models import CustomImage
from gemeinsam.demo.newsroom import scene_png
from gemeinsam.newsroom.models import (
    STORY_TYPES,
    ArticlePage,
    Author,
    PressReleasePage,
    StoryIndexPage,
    StoryPage,
    StoryTag,
    Topic,
    VideoPage,
)
from gemeinsam.ratings.models import Rating, RatingAggregate

# Members sign in to the scale data with this password (it is a benchmark fixture).
MEMBER_PASSWORD = "scale-member-password"  # noqa: S105
MEMBER_EMAIL = "member{number:05d}@members.example"

# The two stories the benchmarks read: the viral video with the crowd under it, and an
# article with exactly 100 comments, which the comparison with WordPress serves too.
CROWDED_SLUG = "storm-over-lindenau-how-the-solar-park-came-through"
REFERENCE_SLUG = "a-year-of-community-solar-in-lindenau"
REFERENCE_COMMENTS = 100


@dataclass(frozen=True)
class Scale:
    members: int
    fans: int
    stories: int
    crowded_comments: int
    other_comments: int
    ratings: int
    faves: int
    follows_per_member: int
    images: int


SCALES: dict[str, Scale] = {
    "large": Scale(
        members=20_000,
        fans=15_000,
        stories=5_000,
        crowded_comments=100_000,
        other_comments=27_000,
        ratings=100_000,
        faves=50_000,
        follows_per_member=50,
        images=24,
    ),
    # The same shapes a hundred times smaller, for tests and a quick look.
    "small": Scale(
        members=200,
        fans=150,
        stories=60,
        crowded_comments=1_000,
        other_comments=270,
        ratings=1_000,
        faves=500,
        follows_per_member=10,
        images=3,
    ),
}

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Ilse",
    "Jonas",
    "Karl",
    "Lena",
    "Mia",
    "Noah",
    "Ole",
    "Paula",
    "Quentin",
    "Rosa",
    "Sami",
    "Tilda",
    "Ulla",
    "Vera",
    "Wim",
    "Xaver",
    "Yara",
    "Zoe",
    "Aylin",
    "Bilal",
    "Chiara",
    "Dario",
]
LAST_NAMES = [
    "Albers",
    "Bauer",
    "Claasen",
    "Demir",
    "Engel",
    "Fischer",
    "Graf",
    "Hoffmann",
    "Ivanova",
    "Jung",
    "Krüger",
    "Lange",
    "Meyer",
    "Nowak",
    "Otto",
    "Peters",
    "Quast",
    "Richter",
    "Schulz",
    "Taş",
    "Ulrich",
    "Vogel",
    "Weber",
    "Yılmaz",
    "Zimmer",
]
WORDS = [
    "solar",
    "panel",
    "roof",
    "cooperative",
    "member",
    "village",
    "energy",
    "storage",
    "battery",
    "grid",
    "wind",
    "winter",
    "summer",
    "yield",
    "kilowatt",
    "neighbour",
    "school",
    "meeting",
    "council",
    "field",
    "farm",
    "heat",
    "pump",
    "tariff",
    "share",
    "dividend",
    "assembly",
    "lindenau",
    "river",
    "bridge",
    "market",
    "sunrise",
    "cloud",
    "storm",
    "repair",
    "inverter",
    "cable",
    "meter",
    "contract",
    "future",
    "children",
    "garden",
    "workshop",
    "volunteers",
    "evening",
    "report",
    "budget",
    "plan",
]
TAG_NAMES = [
    "Solar",
    "Storage",
    "Wind",
    "Members",
    "Assembly",
    "Tariffs",
    "Schools",
    "Heating",
    "Grid",
    "Repairs",
    "Events",
    "Volunteers",
    "Budget",
    "Farming",
    "Weather",
    "Mobility",
    "Climate",
    "Neighbours",
    "Press",
    "Photos",
]


@dataclass
class Progress:
    report: Callable[[int, int, str], None] | None
    total: int
    done: int = 0

    def step(self, amount: int, label: str) -> None:
        self.done += amount
        if self.report is not None:
            self.report(min(self.done, self.total), self.total, label)


@dataclass
class SeedResult:
    members: int = 0
    fans: int = 0
    follows: int = 0
    tag_follows: int = 0
    stories: int = 0
    stories_by_type: dict[str, int] = field(default_factory=dict)
    images: int = 0
    comments: int = 0
    crowded_comments: int = 0
    ratings: int = 0
    faves: int = 0
    activities: int = 0


COMMENT_COLUMNS = [
    "id",
    "content_type_id",
    "object_id",
    "author_id",
    "guest_name",
    "body",
    "body_html",
    "parent_id",
    "root_id",
    "path",
    "depth",
    "created_at",
    "edited_at",
    "is_deleted",
    "is_hidden",
    "is_official",
    "fave_count",
    "reply_count",
    "score",
]


class AlreadySeededError(Exception):
    """The scale data is already there; seeding again would add a second crowd."""


# --------------------------------------------------------------------------- bulk writing


class BulkWriter:
    """Writes rows of plain values straight into a model's table, fast on both databases."""

    BATCH = 5_000

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.touched: list[type[models.Model]] = []

    def _converters(
        self, model: type[models.Model], columns: Sequence[str]
    ) -> list[Callable[[Any], Any] | None]:
        by_column = {f.column: f for f in model._meta.local_concrete_fields}
        converters: list[Callable[[Any], Any] | None] = []
        for column in columns:
            kind = by_column[column].get_internal_type()
            if kind == "DateTimeField" and self.vendor != "postgresql":
                converters.append(connection.ops.adapt_datetimefield_value)
            elif kind == "UUIDField":
                converters.append(lambda value: value.hex if self.vendor != "postgresql" else value)
            elif kind == "JSONField":
                converters.append(json.dumps)
            else:
                converters.append(None)
        return converters

    @staticmethod
    def _with_defaults(
        model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> tuple[list[str], Iterable[Sequence[Any]]]:
        """Add the model's other columns that have a default, so rows stay valid when a
        model gains a field."""
        extra = [
            field
            for field in model._meta.local_concrete_fields
            if field.column not in columns and not field.primary_key and field.has_default()
        ]
        missing = [
            str(field.column)
            for field in model._meta.local_concrete_fields
            if field.column not in columns and not field.null and not field.has_default()
        ]
        if missing:
            raise ValueError(f"No value for {model.__name__}.{', '.join(missing)}.")
        if not extra:
            return list(columns), rows
        defaults = tuple(field.get_default() for field in extra)
        return [*columns, *(str(field.column) for field in extra)], (
            (*row, *defaults) for row in rows
        )

    def write(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        columns, rows = self._with_defaults(model, columns, rows)
        converters = self._converters(model, columns)
        if any(converters):
            rows = (
                tuple(
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                )
                for row in rows
            )
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        written = 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                        if progress is not None and written % self.BATCH == 0:
                            progress(self.BATCH)
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names are ours)
                batch: list[Sequence[Any]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == self.BATCH:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch.clear()
                        if progress is not None:
                            progress(self.BATCH)
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        if progress is not None:
            progress(written % self.BATCH)
        if model not in self.touched:
            self.touched.append(model)
        return written

    def write_objects(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        """Insert model instances into ``model``'s own table only (one level of a page's
        multi-table inheritance), ids included."""
        fields = model._meta.local_concrete_fields
        size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
        manager = model._base_manager
        for start in range(0, len(objects), size):
            manager._insert(objects[start : start + size], fields=fields, using=connection.alias)  # type: ignore[attr-defined]
        if model not in self.touched:
            self.touched.append(model)

    def reset_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids written here."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.touched)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def next_id(model: type[models.Model]) -> int:
    last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


# ------------------------------------------------------------------------------ the seed


def seed_scale(
    name: str,
    *,
    report: Callable[[int, int, str], None] | None = None,
    seed: int = 42,
) -> SeedResult:
    """Add the scale data set ``name`` (see :data:`SCALES`) to the demo newsroom."""
    scale = SCALES[name]
    if User.objects.filter(email=MEMBER_EMAIL.format(number=1)).exists():
        raise AlreadySeededError
    index = (
        StoryIndexPage.objects.filter(locale=Locale.get_default()).order_by("path").first()
        or StoryIndexPage.objects.order_by("path").first()
    )
    if index is None:
        raise LookupError("There is no story index: load the demo newsroom first.")
    comments = scale.crowded_comments + scale.other_comments
    total = (
        scale.members * 2
        + scale.fans
        + scale.members * scale.follows_per_member
        + scale.stories * 3
        + comments * 2
        + scale.ratings * 2
        + scale.faves * 2
    )
    progress = Progress(report, total)
    with transaction.atomic():
        seeder = _Seeder(scale, index, random.Random(seed), progress)  # noqa: S311 (test data)
        result = seeder.run()
    if report is not None:
        report(total, total, "done")
    public_content_changed()
    return result


class _Seeder:
    def __init__(
        self, scale: Scale, index: StoryIndexPage, rng: random.Random, progress: Progress
    ) -> None:
        self.scale = scale
        self.index = index
        self.rng = rng
        self.progress = progress
        self.writer = BulkWriter()
        self.now = timezone.now().replace(microsecond=0)
        self.result = SeedResult()
        self.activities: list[tuple[int, str, int, int, datetime]] = []

    def run(self) -> SeedResult:
        self.members()
        self.social()
        self.stories()
        self.comments()
        self.ratings()
        self.faves()
        self.write_activities()
        self.writer.reset_sequences()
        return self.result

    # ---------------------------------------------------------------------- members

    def members(self) -> None:
        scale, rng = self.scale, self.rng
        first_id = next_id(User)
        password = make_password(MEMBER_PASSWORD)
        self.member_ids = list(range(first_id, first_id + scale.members))
        self.joined: dict[int, datetime] = {}
        rows = []
        for number, member_id in enumerate(self.member_ids, start=1):
            joined = self.now - timedelta(days=1100 * (1 - number / scale.members) + 5)
            self.joined[member_id] = joined
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            rows.append(
                (
                    member_id,
                    password,
                    False,
                    first,
                    last,
                    False,
                    True,
                    joined,
                    MEMBER_EMAIL.format(number=number),
                    f"{first} {last[0]}." if number % 3 else "",
                )
            )
        self.writer.write(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "first_name",
                "last_name",
                "is_staff",
                "is_active",
                "date_joined",
                "email",
                "display_name",
            ],
            rows,
            lambda n: self.progress.step(n, "members"),
        )
        # Verified addresses, so that every member can sign in.
        from allauth.account.models import EmailAddress

        first_address = next_id(EmailAddress)
        self.writer.write(
            EmailAddress,
            ["id", "user_id", "email", "verified", "primary"],
            (
                (first_address + n, member_id, MEMBER_EMAIL.format(number=n + 1), True, True)
                for n, member_id in enumerate(self.member_ids)
            ),
            lambda n: self.progress.step(n, "members"),
        )
        self.result.members = scale.members

    # ----------------------------------------------------------------------- social

    def social(self) -> None:
        scale, rng = self.scale, self.rng
        fans = self.member_ids[: scale.fans]
        first_fan = next_id(Fan)
        self.writer.write(
            Fan,
            ["id", "user_id", "created_at"],
            (
                (first_fan + n, member_id, self.joined[member_id] + timedelta(hours=2))
                for n, member_id in enumerate(fans)
            ),
            lambda n: self.progress.step(n, "fans"),
        )
        self.result.fans = len(fans)

        # A few members are followed by many (the active ones), most by some.
        count = len(self.member_ids)
        popular = self.member_ids[: max(1, count // 50)]
        first_follow = next_id(Follow)

        def follow_rows() -> Iterable[tuple[int, int, int, datetime]]:
            next_pk = first_follow
            spread = scale.follows_per_member
            for member_id in self.member_ids:
                wanted = rng.randint(spread // 5, spread * 9 // 5)
                chosen = set(rng.sample(popular, min(len(popular), wanted // 4)))
                while len(chosen) < min(wanted, count - 1):
                    chosen.add(self.member_ids[rng.randrange(count)])
                chosen.discard(member_id)
                since = self.joined[member_id]
                for followed in sorted(chosen):
                    yield (next_pk, member_id, followed, since + timedelta(days=1))
                    next_pk += 1

        self.result.follows = self.writer.write(
            Follow,
            ["id", "follower_id", "followed_id", "created_at"],
            follow_rows(),
            lambda n: self.progress.step(n, "follows"),
        )

        self.tags = self._tags()
        first_tag_follow = next_id(TagFollow)
        tag_rows: list[tuple[int, int, int, datetime]] = []
        for member_id in self.member_ids[::3]:
            for tag in rng.sample(self.tags, 2):
                tag_rows.append((first_tag_follow + len(tag_rows), member_id, tag, self.now))
        self.result.tag_follows = self.writer.write(
            TagFollow, ["id", "user_id", "tag_id", "created_at"], tag_rows
        )

    def _tags(self) -> list[int]:
        slugs = {name.lower(): name for name in TAG_NAMES}
        existing = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        for slug, name in slugs.items():
            if slug not in existing:
                existing[slug] = Tag.objects.create(name=name, slug=slug).pk
        return list(existing.values())

    # ---------------------------------------------------------------------- stories

    def _images(self) -> list[int]:
        ids = []
        for number in range(self.scale.images):
            title = f"Lindenau scene {number + 1}"
            image = CustomImage(
                title=title,
                alt_text=f"Solar panels in the hills around Lindenau, view {number + 1}",
                credit="Lindenau Solar eG",
                licence="cc-by-4.0",
                is_listed=True,
            )
            image.file = ImageFile(
                io.BytesIO(scene_png(1000 + number, title, size=(1200, 750))),
                name=f"lindenau-scene-{number + 1}.png",
            )
            image.save()
            ids.append(image.pk)
        self.result.images = len(ids)
        return ids

    def _text(self, words: int) -> str:
        sentence = " ".join(self.rng.choice(WORDS) for _ in range(words))
        return sentence[0].upper() + sentence[1:] + "."

    def _paragraphs(self, count: int) -> list[str]:
        return [
            " ".join(self._text(self.rng.randint(9, 18)) for _ in range(5)) for _ in range(count)
        ]

    def stories(self) -> None:
        scale, rng = self.scale, self.rng
        image_ids = self._images()
        authors = list(Author.objects.values_list("pk", flat=True))
        topics = list(
            Topic.objects.filter(locale_id=self.index.locale_id).values_list("pk", flat=True)
        )
        index = self.index
        last_child = index.get_last_child()
        step = Page._str2int(last_child.path[-Page.steplen :]) + 1 if last_child else 1
        first_id = next_id(Page)
        depth = index.depth + 1
        self.story_ids: list[int] = []
        self.story_types: dict[int, int] = {}
        self.published: dict[int, datetime] = {}
        pages_by_type: dict[type[StoryPage], list[StoryPage]] = defaultdict(list)
        tag_rows: list[tuple[int, int, int]] = []
        author_rows: list[tuple[int, int]] = []
        first_tag_row = next_id(StoryTag)
        for number in range(scale.stories):
            page_id = first_id + number
            model = STORY_TYPES[number % len(STORY_TYPES)]
            slug = f"story-{number + 1:05d}"
            title = self._text(rng.randint(5, 9)).rstrip(".")
            published = self.now - timedelta(minutes=(scale.stories - number) * 210 + 600)
            if number == scale.stories - 1:
                model, slug = VideoPage, CROWDED_SLUG
                title = "Storm over Lindenau: how the solar park came through"
                published = self.now - timedelta(hours=6)
            elif number == scale.stories - 2:
                model, slug = ArticlePage, REFERENCE_SLUG
                title = "A year of community solar in Lindenau"
                published = self.now - timedelta(days=4)
            page = self._story(model, page_id, slug, title, published, rng.choice(image_ids))
            page.path = Page._get_path(index.path, depth, step + number)
            page.depth = depth
            page.locale_id = index.locale_id
            page.url_path = f"{index.url_path}{slug}/"
            if topics and number % 3 == 0:
                page.topic_id = rng.choice(topics)
            pages_by_type[model].append(page)
            self.story_ids.append(page_id)
            self.published[page_id] = published
            for tag in rng.sample(self.tags, 2):
                tag_rows.append((first_tag_row + len(tag_rows), tag, page_id))
            if authors:
                author_rows.append((page_id, rng.choice(authors)))
        content_types = ContentType.objects.get_for_models(*STORY_TYPES)
        for model, pages in pages_by_type.items():
            for page in pages:
                page.content_type_id = content_types[model].pk
                self.story_types[page.pk] = content_types[model].pk
            for level in (Page, StoryPage, model):
                self.writer.write_objects(level, pages)
                self.progress.step(len(pages), "stories")
            self.result.stories_by_type[model.type_slug] = len(pages)
        Page.objects.filter(pk=index.pk).update(numchild=index.numchild + scale.stories)
        self.writer.write(StoryTag, ["id", "tag_id", "content_object_id"], tag_rows)
        through = StoryPage.authors.through
        first_author_row = next_id(through)
        self.writer.write(
            through,
            ["id", "storypage_id", "author_id"],
            ((first_author_row + n, *row) for n, row in enumerate(author_rows)),
        )
        self.result.stories = scale.stories
        self.crowded_id = self.story_ids[-1]
        self.reference_id = self.story_ids[-2]

    def _story(
        self,
        model: type[StoryPage],
        page_id: int,
        slug: str,
        title: str,
        published: datetime,
        image_id: int,
    ) -> StoryPage:
        paragraphs = self._paragraphs(4)
        rich = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
        fields: dict[str, Any] = {}
        if model in (ArticlePage, PressReleasePage):
            fields["body"] = [
                {
                    "type": "paragraph",
                    "value": f"<p>{html.escape(text)}</p>",
                    "id": str(uuid.uuid4()),
                }
                for text in paragraphs
            ]
            if model is PressReleasePage:
                fields["dateline"] = "Lindenau"
        else:
            fields["body"] = rich
        if model is VideoPage:
            fields["external_url"] = "https://video.example/watch/lindenau"
        page = model(
            id=page_id,
            title=title,
            draft_title=title,
            slug=slug,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            latest_revision_created_at=published,
            translation_key=uuid.uuid4(),
            summary=paragraphs[0][:300],
            lead_image_id=image_id,
            **fields,
        )
        page.page_ptr_id = page_id
        page.storypage_ptr_id = page_id
        return page

    # --------------------------------------------------------------------- comments

    def comments(self) -> None:
        """The crowd under the viral video, the reference story's 100 and the rest spread
        over the archive; about a third are replies, threaded up to the display depth."""
        scale, rng = self.scale, self.rng
        self.comment_ids: list[int] = []
        self.comment_story: dict[int, int] = {}
        self.next_comment = next_id(Comment)
        self.comment_rows: list[list[Any]] = []
        self._thread(self.crowded_id, scale.crowded_comments, reply_share=0.7)
        self._thread(self.reference_id, REFERENCE_COMMENTS, reply_share=0.3)
        others = [pk for pk in self.story_ids if pk not in (self.crowded_id, self.reference_id)]
        remaining = scale.other_comments - REFERENCE_COMMENTS
        per_story = Counter(rng.choice(others) for _ in range(remaining))
        for story_id, count in sorted(per_story.items()):
            self._thread(story_id, count, reply_share=0.3)
        self.result.comments = len(self.comment_rows)
        self.result.crowded_comments = scale.crowded_comments

    def _thread(self, story_id: int, count: int, *, reply_share: float) -> None:
        rng = self.rng
        content_type_id = self.story_types[story_id]
        start = self.published[story_id] + timedelta(minutes=5)
        span = max((self.now - start).total_seconds() - 60, 60)
        # Replies go to one of the latest comments, as conversations do.
        recent: list[ThreadPlace] = []
        for number in range(count):
            comment_id = self.next_comment
            self.next_comment += 1
            author = self.member_ids[rng.randrange(len(self.member_ids))]
            created = start + timedelta(seconds=span * number / count)
            parent = None
            if recent and rng.random() < reply_share:
                parent = recent[rng.randrange(len(recent))]
                if parent.depth + 1 >= MAX_DEPTH:
                    parent = None
            place = place_in_thread(comment_id, parent)
            text = self._text(rng.randint(6, 30))
            # The columns of COMMENT_COLUMNS; the counters and score are filled in later.
            self.comment_rows.append(
                [
                    comment_id,
                    content_type_id,
                    story_id,
                    author,
                    "",
                    text,
                    f"<p>{html.escape(text)}</p>",
                    parent.id if parent else None,
                    place.root_id,
                    place.path,
                    place.depth,
                    created,
                    None,
                    False,
                    False,
                    False,
                    0,
                    0,
                    0.0,
                ]
            )
            self.comment_ids.append(comment_id)
            self.comment_story[comment_id] = story_id
            recent.append(place)
            if len(recent) > 300:
                recent.pop(0)

    def _write_comments(self, fave_counts: Counter[int]) -> None:
        by_id = {row[0]: row for row in self.comment_rows}
        for row in self.comment_rows:
            row[16] = fave_counts.get(row[0], 0)
            if row[7] is not None:
                for ancestor in ancestors_in_path(row[9]):
                    by_id[ancestor][17] += 1
        for row in self.comment_rows:
            row[18] = comment_score(fave_count=row[16], reply_count=row[17])
        self.writer.write(
            Comment,
            COMMENT_COLUMNS,
            self.comment_rows,
            lambda n: self.progress.step(n, "comments"),
        )
        for row in self.comment_rows:
            verb = Activity.Verb.REPLIED if row[7] is not None else Activity.Verb.COMMENTED
            self.activities.append((row[3], verb, row[1], row[2], row[11]))
        self.progress.step(len(self.comment_rows), "comments")

    # ---------------------------------------------------------------------- ratings

    def ratings(self) -> None:
        scale, rng = self.scale, self.rng
        weights = [1, 1, 2, 3, 5, 8, 12, 14, 10, 6]
        crowded_share = min(scale.ratings // 5, len(self.member_ids))
        plan: dict[int, int] = {self.crowded_id: crowded_share}
        rest = scale.ratings - crowded_share
        others = [pk for pk in self.story_ids if pk != self.crowded_id]
        for position, story_id in enumerate(others):
            plan[story_id] = rest // len(others) + (1 if position < rest % len(others) else 0)
        first_rating = next_id(Rating)
        rows: list[tuple[Any, ...]] = []
        aggregates: list[tuple[Any, ...]] = []
        first_aggregate = next_id(RatingAggregate)
        for story_id, count in plan.items():
            if not count:
                continue
            content_type_id = self.story_types[story_id]
            raters = rng.sample(self.member_ids, count)
            values = rng.choices(range(1, 11), weights=weights, k=count)
            when = self.published[story_id] + timedelta(hours=1)
            for member_id, value in zip(raters, values, strict=True):
                rows.append(
                    (
                        first_rating + len(rows),
                        member_id,
                        content_type_id,
                        story_id,
                        value,
                        when,
                        when,
                    )
                )
                self.activities.append(
                    (member_id, Activity.Verb.RATED, content_type_id, story_id, when)
                )
            stars = Counter(values)
            aggregates.append(
                (
                    first_aggregate + len(aggregates),
                    content_type_id,
                    story_id,
                    count,
                    sum(values),
                    *(stars.get(value, 0) for value in range(1, 11)),
                    self.now,
                )
            )
        self.result.ratings = self.writer.write(
            Rating,
            ["id", "user_id", "content_type_id", "object_id", "value", "created_at", "updated_at"],
            rows,
            lambda n: self.progress.step(n, "ratings"),
        )
        self.writer.write(
            RatingAggregate,
            [
                "id",
                "content_type_id",
                "object_id",
                "count",
                "total",
                *(f"stars_{value}" for value in range(1, 11)),
                "updated_at",
            ],
            aggregates,
        )
        self.progress.step(len(rows), "ratings")

    # ------------------------------------------------------------------------ faves

    def faves(self) -> None:
        """Four fifths of the faves go to stories, the rest to comments under the crowd."""
        scale, rng = self.scale, self.rng
        comment_type = ContentType.objects.get_for_model(Comment).pk
        story_faves = scale.faves * 4 // 5
        crowd = [cid for cid in self.comment_ids if self.comment_story[cid] == self.crowded_id]
        chosen: set[tuple[int, int, int]] = set()
        while len(chosen) < story_faves:
            story_id = self.story_ids[int(len(self.story_ids) * rng.random() ** 0.5)]
            chosen.add(
                (
                    self.member_ids[rng.randrange(len(self.member_ids))],
                    self.story_types[story_id],
                    story_id,
                )
            )
        while len(chosen) < scale.faves:
            comment_id = crowd[int(len(crowd) * rng.random() ** 3)]
            chosen.add(
                (self.member_ids[rng.randrange(len(self.member_ids))], comment_type, comment_id)
            )
        first_fave = next_id(Fave)
        rows: list[tuple[int, int, int, int, datetime]] = []
        counts: Counter[tuple[int, int]] = Counter()
        for member_id, content_type_id, object_id in sorted(chosen):
            when = self.now - timedelta(minutes=rng.randint(10, 60 * 24 * 60))
            rows.append((first_fave + len(rows), member_id, content_type_id, object_id, when))
            counts[(content_type_id, object_id)] += 1
            self.activities.append(
                (member_id, Activity.Verb.FAVED, content_type_id, object_id, when)
            )
        self.result.faves = self.writer.write(
            Fave,
            ["id", "user_id", "content_type_id", "object_id", "created_at"],
            rows,
            lambda n: self.progress.step(n, "faves"),
        )
        first_count = next_id(EngagementCount)
        self.writer.write(
            EngagementCount,
            ["id", "content_type_id", "object_id", "faves", "shares"],
            (
                (first_count + n, content_type_id, object_id, faves, 0)
                for n, ((content_type_id, object_id), faves) in enumerate(sorted(counts.items()))
            ),
        )
        self.progress.step(len(rows), "faves")
        self._write_comments(
            Counter({object_id: n for (ct, object_id), n in counts.items() if ct == comment_type})
        )

    def write_activities(self) -> None:
        self.activities.sort(key=lambda row: row[4])
        first = next_id(Activity)
        self.result.activities = self.writer.write(
            Activity,
            ["id", "actor_id", "verb", "content_type_id", "object_id", "created_at"],
            ((first + n, *row) for n, row in enumerate(self.activities)),
        )
