"""A WordPress export moves in whole: posts, categories, tags, authors, threaded comments."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gemeinsam.conversations.models import Comment
from gemeinsam.newsroom.models import ArticlePage, Author, Topic

pytestmark = pytest.mark.django_db


def wxr(
    *,
    posts: int,
    comments_per_post: int,
    secure: bool = True,
    protected: frozenset[int] = frozenset(),
    with_authors: bool = True,
) -> bytes:
    """An export like WordPress writes it: comments reply to earlier ones in chains. Posts
    numbered in ``protected`` carry a password; without ``with_authors`` the first element
    of a WordPress namespace is a post's excerpt."""
    scheme = "https" if secure else "http"
    items = []
    comment_id = 0
    for number in range(1, posts + 1):
        comments = []
        first = comment_id + 1
        for position in range(comments_per_post):
            comment_id += 1
            parent = 0 if position % 5 == 0 else comment_id - 1
            date = f"2020-01-{(position % 28) + 1:02d} 10:{position % 60:02d}:00"
            comments.append(f"""
      <wp:comment>
        <wp:comment_id>{comment_id}</wp:comment_id>
        <wp:comment_author><![CDATA[Guest {comment_id}]]></wp:comment_author>
        <wp:comment_author_email>guest{comment_id}@example.org</wp:comment_author_email>
        <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
        <wp:comment_content><![CDATA[Comment {comment_id} <em>{number}</em>]]></wp:comment_content>
        <wp:comment_approved>1</wp:comment_approved>
        <wp:comment_type>comment</wp:comment_type>
        <wp:comment_parent>{parent}</wp:comment_parent>
      </wp:comment>""")
        del first
        items.append(f"""
    <item>
      <title>Post number {number}</title>
      <excerpt:encoded><![CDATA[]]></excerpt:encoded>
      <dc:creator><![CDATA[editor]]></dc:creator>
      <content:encoded><![CDATA[First paragraph of post {number}.

Second paragraph, <a href="https://example.org" onclick="x()">a link</a>.<script>1</script>
]]></content:encoded>
      <wp:post_id>{number}</wp:post_id>
      <wp:post_date_gmt>2019-05-{(number % 28) + 1:02d} 08:00:00</wp:post_date_gmt>
      <wp:post_name>post-number-{number}</wp:post_name>
      <wp:status>publish</wp:status>
      <wp:post_type>post</wp:post_type>
      <wp:post_password>{"hunter2" if number in protected else ""}</wp:post_password>
      <category domain="category" nicename="company"><![CDATA[Company]]></category>
      <category domain="post_tag" nicename="solar"><![CDATA[Solar]]></category>
      {"".join(comments)}
    </item>""")
    items.append("""
    <item><title>A page</title><wp:post_id>9999</wp:post_id><wp:status>publish</wp:status>
      <wp:post_type>page</wp:post_type></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:excerpt="{scheme}://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{scheme}://wordpress.org/export/1.2/">
  <channel>
    <title>Old blog</title>
    <link>https://blog.example.org</link>
    {AUTHOR if with_authors else ""}
    {"".join(items)}
  </channel>
</rss>""".encode()


AUTHOR = """<wp:author><wp:author_login><![CDATA[editor]]></wp:author_login>
      <wp:author_display_name><![CDATA[Erika Editor]]></wp:author_display_name></wp:author>"""


def run(path: Path) -> str:
    out = io.StringIO()
    call_command("import_wordpress", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("secure", [True, False])
def test_a_hundred_posts_with_a_thousand_comments_import_exactly_twice_without_duplicates(
    newsroom, tmp_path: Path, secure: bool
) -> None:
    export = tmp_path / "export.xml"
    export.write_bytes(wxr(posts=100, comments_per_post=10, secure=secure))

    first = run(export)
    second = run(export)

    assert "Posts: 100 new" in first
    assert "Posts: 0 new, 100 already there" in second
    assert ArticlePage.objects.count() == 100
    assert Comment.objects.count() == 1000
    assert Comment.objects.filter(parent__isnull=True).count() == 200
    reply = Comment.objects.get(guest_name="Guest 5")
    assert reply.parent.guest_name == "Guest 4"
    assert reply.depth == 4
    assert reply.root.guest_name == "Guest 1"
    post = ArticlePage.objects.get(slug="post-number-7")
    assert post.first_published_at.strftime("%Y-%m-%d %H:%M") == "2019-05-08 08:00"
    assert list(post.authors.values_list("name", flat=True)) == ["Erika Editor"]
    assert post.topic.name == "Company"
    assert list(post.tags.names()) == ["Solar"]
    html = str(post.body)
    assert "<script" not in html
    assert "onclick" not in html
    assert Author.objects.filter(slug="editor").count() == 1
    assert Topic.objects.filter(slug="company").count() == 1


def test_malformed_xml_gives_a_clear_error_and_stores_nothing(newsroom, tmp_path: Path) -> None:
    export = tmp_path / "broken.xml"
    export.write_bytes(wxr(posts=2, comments_per_post=2)[:-40])

    with pytest.raises(CommandError, match=r"not valid XML.*Nothing was imported"):
        run(export)
    assert not ArticlePage.objects.exists()


def test_entity_expansion_is_refused(newsroom, tmp_path: Path) -> None:
    export = tmp_path / "bomb.xml"
    export.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<rss xmlns:wp="https://wordpress.org/export/1.2/"><channel><title>&b;</title>'
        b"</channel></rss>"
    )

    with pytest.raises(CommandError, match="Nothing was imported"):
        run(export)


def test_a_file_that_is_not_a_wordpress_export_is_refused(newsroom, tmp_path: Path) -> None:
    export = tmp_path / "feed.xml"
    export.write_bytes(b"<rss><channel><title>Just a feed</title></channel></rss>")

    with pytest.raises(CommandError, match="not a WordPress export"):
        run(export)
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.xml")


def test_password_protected_posts_are_imported_as_drafts_and_named(
    newsroom, tmp_path: Path, client
) -> None:
    export = tmp_path / "export.xml"
    export.write_bytes(wxr(posts=3, comments_per_post=2, protected=frozenset({2})))

    output = run(export)

    protected = ArticlePage.objects.get(slug="post-number-2")
    assert not protected.live
    assert protected.has_unpublished_changes  # a draft revision to review
    assert client.get("/en/stories/post-number-1/").status_code == 200
    assert client.get("/en/stories/post-number-2/").status_code == 404
    assert "1 password-protected posts were imported as drafts, not published" in output
    assert "Post number 2" in output
    assert set(ArticlePage.objects.live().values_list("slug", flat=True)) == {
        "post-number-1",
        "post-number-3",
    }
    assert "Posts: 0 new, 3 already there" in run(export)
    assert not ArticlePage.objects.get(slug="post-number-2").live


def test_the_excerpt_namespace_is_not_taken_for_the_export_s_own(newsroom, tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_bytes(wxr(posts=2, comments_per_post=1, with_authors=False))

    output = run(export)

    assert "Posts: 2 new" in output
    assert Comment.objects.count() == 2


@pytest.fixture
def refuse_post(db):  # type: ignore[no-untyped-def]
    """Makes the database refuse to record one WordPress post, as a full disk would."""
    from django.db import connection

    def install(wp_id: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "CREATE TRIGGER refuse_post BEFORE INSERT ON newsroom_importeditem "
                    f"WHEN NEW.kind = 'post' AND NEW.source_id = '{wp_id}' "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )
            else:
                cursor.execute(
                    "CREATE FUNCTION refuse_post() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.kind = 'post' AND NEW.source_id = '{wp_id}' THEN "
                    "RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER refuse_post BEFORE INSERT ON newsroom_importeditem "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_post()"
                )

    def remove() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER refuse_post")
            else:
                cursor.execute("DROP TRIGGER refuse_post ON newsroom_importeditem")
                cursor.execute("DROP FUNCTION refuse_post()")

    install.remove = remove  # type: ignore[attr-defined]
    return install


def test_each_post_is_committed_with_its_comments_and_a_rerun_completes(
    newsroom, tmp_path: Path, refuse_post
) -> None:
    export = tmp_path / "export.xml"
    export.write_bytes(wxr(posts=4, comments_per_post=3))
    refuse_post("3")

    with pytest.raises(CommandError) as stopped:
        run(export)

    message = str(stopped.value)
    assert "refused post 3 of 4 ('Post number 3')" in message
    assert "The 2 posts before it are stored; run the command again" in message
    assert sorted(ArticlePage.objects.values_list("slug", flat=True)) == [
        "post-number-1",
        "post-number-2",
    ]
    assert Comment.objects.count() == 6  # the stored posts' comments, none of post 3's

    refuse_post.remove()
    output = run(export)

    assert "Posts: 2 new, 2 already there. Comments: 6 new, 6 already there" in output
    assert ArticlePage.objects.count() == 4
    assert Comment.objects.count() == 12
