"""Profiles: editing with a clean avatar, safe links, inert text, blocks that hide both ways."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gemeinsam.accounts.models import Block, Mute, Profile, User
from gemeinsam.accounts.selectors import member_profile
from gemeinsam.accounts.services import BlockError, block_member, mute_member
from gemeinsam.accounts.tests.conftest import csrf_client
from gemeinsam.core.personal_data import is_registered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_site")]

SETTINGS = "/en/members/settings/profile/"


def _photo_with_exif(size: tuple[int, int] = (1200, 800)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS: north, latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("holiday.jpg", out.getvalue(), content_type="image/jpeg")


def _profile_data(token: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "display_name": "Ada",
        "bio": "I write about the sea.",
        "link_1": "",
        "link_2": "",
        "link_3": "",
        "csrfmiddlewaretoken": token,
    }
    data.update(changes)
    return data


def test_member_saves_profile_and_avatar_loses_exif_and_shrinks(member, run_tasks) -> None:
    client, token = csrf_client(member)
    photo = _photo_with_exif()
    with Image.open(io.BytesIO(photo.read())) as original:
        assert original.getexif()
    photo.seek(0)

    with run_tasks(execute=True):
        response = client.post(
            SETTINGS, _profile_data(token, link_1="https://ada.example.org/", avatar=photo)
        )

    assert response.status_code == 303
    assert response["Location"] == SETTINGS
    profile = Profile.objects.get(user=member)
    assert profile.links == ["https://ada.example.org/"]
    assert profile.avatar.name.startswith("avatars/")
    assert "holiday" not in profile.avatar.name
    with profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 400
        assert image.size == (400, 267)
        assert not image.getexif()
        assert "exif" not in image.info
    member.refresh_from_db()
    assert member.display_name == "Ada"


def test_replacing_the_avatar_deletes_the_old_file(member, run_tasks) -> None:
    client, token = csrf_client(member)
    with run_tasks(execute=True):
        client.post(SETTINGS, _profile_data(token, avatar=_photo_with_exif()))
    old = Profile.objects.get(user=member).avatar
    storage, old_name = old.storage, old.name

    with run_tasks(execute=True):
        client.post(SETTINGS, _profile_data(token, avatar=_photo_with_exif((300, 300))))

    assert not storage.exists(old_name)
    assert storage.exists(Profile.objects.get(user=member).avatar.name)


def test_a_file_that_is_not_an_image_is_rejected_with_a_message(member) -> None:
    client, token = csrf_client(member)
    fake = SimpleUploadedFile("me.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")

    response = client.post(SETTINGS, _profile_data(token, avatar=fake))

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is not an image we can read." in html
    assert 'id="id_avatar_error" role="alert"' in html
    assert not Profile.objects.filter(user=member).exists()


def test_an_oversized_avatar_is_rejected(member) -> None:
    client, token = csrf_client(member)
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1))

    response = client.post(SETTINGS, _profile_data(token, avatar=big))

    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "ftp://files.example.org/", "data:text/html,hi", "example.org"],
)
def test_links_must_be_http_or_https(member, link: str) -> None:
    client, token = csrf_client(member)

    response = client.post(SETTINGS, _profile_data(token, link_2=link))

    assert response.status_code == 400
    assert "starting with http:// or https://" in response.content.decode()
    assert not Profile.objects.filter(user=member).exists()


def test_profile_page_shows_name_bio_links_and_member_since(member) -> None:
    client, token = csrf_client(member)
    client.post(SETTINGS, _profile_data(token, link_1="http://ada.example.org/blog"))

    html = Client().get(f"/en/members/{member.pk}/").content.decode()

    assert "Ada" in html
    assert "I write about the sea." in html
    assert '<a href="http://ada.example.org/blog" rel="nofollow ugc noopener">' in html
    assert "Member since" in html
    assert "Recent activity" in html


def test_saving_the_profile_refreshes_the_cached_public_page(
    member, django_capture_on_commit_callbacks
) -> None:
    reader = Client()
    assert "Ada" not in reader.get(f"/en/members/{member.pk}/").content.decode()
    client, token = csrf_client(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETTINGS, _profile_data(token))

    assert "I write about the sea." in reader.get(f"/en/members/{member.pk}/").content.decode()


def test_anonymous_profile_page_sets_no_cookie_and_has_no_forms(member) -> None:
    response = Client().get(f"/en/members/{member.pk}/")

    assert response.status_code == 200
    assert not response.cookies
    assert "<form" not in response.content.decode()


def test_xss_in_display_name_and_bio_renders_inert(member) -> None:
    client, token = csrf_client(member)
    client.post(
        SETTINGS,
        _profile_data(
            token,
            display_name="<script>alert('name')</script>",
            bio='<img src=x onerror="alert(1)">\n"><svg onload=alert(2)>',
        ),
    )

    html = Client().get(f"/en/members/{member.pk}/").content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg" not in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_inactive_or_missing_members_have_no_profile(member) -> None:
    member.is_active = False
    member.save()

    assert Client().get(f"/en/members/{member.pk}/").status_code == 404
    assert Client().get("/en/members/999999/").status_code == 404


# ---------------------------------------------------------------- block and mute


def test_block_hides_the_profiles_both_ways(member, other_member) -> None:
    client, token = csrf_client(member)

    response = client.post(f"/en/members/{other_member.pk}/block/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 303
    assert response["Location"] == "/en/members/settings/blocked/#blocked"
    assert Block.objects.filter(blocker=member, blocked=other_member).exists()
    assert client.get(f"/en/members/{other_member.pk}/").status_code == 404
    blocked_side = Client()
    blocked_side.force_login(other_member)
    assert blocked_side.get(f"/en/members/{member.pk}/").status_code == 404
    assert Client().get(f"/en/members/{member.pk}/").status_code == 200
    assert other_member.public_name in client.get("/en/members/settings/blocked/").content.decode()


def test_unblock_shows_the_profile_again(member, other_member) -> None:
    block_member(actor=member, target=other_member)
    client, token = csrf_client(member)

    response = client.post(
        f"/en/members/{other_member.pk}/unblock/", {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 303
    assert client.get(f"/en/members/{other_member.pk}/").status_code == 200


def test_blocking_yourself_is_refused_with_a_message(member) -> None:
    with pytest.raises(BlockError, match="You cannot block yourself"):
        block_member(actor=member, target=member)
    client, token = csrf_client(member)

    response = client.post(
        f"/en/members/{member.pk}/block/", {"csrfmiddlewaretoken": token}, follow=True
    )

    assert "You cannot block yourself." in response.content.decode()
    assert not Block.objects.exists()


def test_mute_without_javascript_redirects_back_to_the_buttons(member, other_member) -> None:
    client, token = csrf_client(member)

    response = client.post(f"/en/members/{other_member.pk}/mute/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 303
    assert response["Location"] == f"/en/members/{other_member.pk}/#relationship"
    assert Mute.objects.filter(muter=member, muted=other_member).exists()
    assert "Unmute" in client.get(f"/en/members/{other_member.pk}/").content.decode()


def test_mute_with_htmx_returns_the_updated_buttons(member, other_member) -> None:
    mute_member(actor=member, target=other_member)
    client, token = csrf_client(member)

    response = client.post(
        f"/en/members/{other_member.pk}/unmute/",
        {"csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="member-actions" id="relationship">')
    assert ">Mute</button>" in html
    assert not Mute.objects.exists()


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", SETTINGS),
        ("post", SETTINGS),
        ("get", "/en/members/settings/mail/"),
        ("get", "/en/members/settings/blocked/"),
        ("post", "/en/members/{other}/block/"),
        ("post", "/en/members/{other}/unblock/"),
        ("post", "/en/members/{other}/mute/"),
        ("post", "/en/members/{other}/unmute/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(other_member, method: str, path: str) -> None:
    response = getattr(Client(), method)(path.format(other=other_member.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


@pytest.mark.parametrize("action", ["block", "unblock", "mute", "unmute"])
def test_member_actions_need_a_csrf_token(member, other_member, action: str) -> None:
    client, _token = csrf_client(member)

    response = client.post(f"/en/members/{other_member.pk}/{action}/")

    assert response.status_code == 403
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


def test_profile_settings_need_a_csrf_token(member) -> None:
    client, _token = csrf_client(member)

    response = client.post(SETTINGS, {"display_name": "Mallory"})

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.display_name == ""


@pytest.mark.parametrize("action", ["block", "mute"])
def test_member_actions_answer_only_post(member, other_member, action: str) -> None:
    client = Client()
    client.force_login(member)

    assert client.get(f"/en/members/{other_member.pk}/{action}/").status_code == 405


def test_settings_change_only_the_signed_in_member(member, other_member) -> None:
    client, token = csrf_client(member)

    client.post(SETTINGS, _profile_data(token, display_name="Changed", user=other_member.pk))

    other_member.refresh_from_db()
    assert other_member.display_name == "Other"
    assert not Profile.objects.filter(user=other_member).exists()


def test_blocking_a_missing_member_is_not_found(member) -> None:
    client, token = csrf_client(member)

    response = client.post("/en/members/999999/block/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 404


# ---------------------------------------------------------------- queries and registry


def test_profile_costs_one_query_anonymous_and_three_for_another_member(
    member, other_member
) -> None:
    Profile.objects.create(user=member, bio="Hi")
    from django.contrib.auth.models import AnonymousUser

    with CaptureQueriesContext(connection) as anonymous:
        assert member_profile(member.pk, viewer=AnonymousUser()) is not None
    with CaptureQueriesContext(connection) as own:
        assert member_profile(member.pk, viewer=member) is not None
    with CaptureQueriesContext(connection) as other:
        assert member_profile(member.pk, viewer=other_member) is not None

    assert (len(anonymous), len(own), len(other)) == (1, 1, 3)


def test_anonymous_profile_page_costs_three_queries_then_comes_from_the_cache(
    member, django_assert_num_queries
) -> None:
    Profile.objects.create(user=member, bio="Hi", links=["https://a.example.org/"])
    anonymous = Client()
    anonymous.get("/en/members/999999/")  # warms the layout's per-process caches

    # The profile with its user, the member's recent activity, the follower count.
    with django_assert_num_queries(3):
        first = anonymous.get(f"/en/members/{member.pk}/")
    with django_assert_num_queries(0):
        second = anonymous.get(f"/en/members/{member.pk}/")

    assert first.content == second.content
    assert second["X-Cache"] == "hit"


def test_accounts_models_are_in_the_personal_data_registry() -> None:
    assert is_registered(User, "pk")
    assert is_registered(Profile, "user")
    assert is_registered(Block, "blocker")
    assert is_registered(Block, "blocked")
    assert is_registered(Mute, "muter")
    assert is_registered(Mute, "muted")


def _saved_avatar(member: User) -> tuple[str, bytes]:
    """The member's stored avatar: its name and bytes."""
    profile = Profile.objects.get(user=member)
    with profile.avatar.open("rb") as stored:
        return profile.avatar.name, stored.read()


def _jpeg(size: tuple[int, int], **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, format="JPEG", **options)
    return out.getvalue()


def _bomb() -> bytes:
    from gemeinsam.core.tests.test_uploads import png_header_only

    return png_header_only(30_000, 30_000)


def _many_pixels() -> bytes:
    out = io.BytesIO()
    Image.new("L", (5000, 4000)).save(out, format="PNG")  # 20 MP, a few KB
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_bomb, "The image has too many pixels (at most 16 megapixels)."),
        (_many_pixels, "The image has too many pixels (at most 16 megapixels)."),
        (
            lambda: _jpeg((900, 700))[:4000],
            "The image is damaged or incomplete; please save it again and retry.",
        ),
    ],
    ids=["decompression-bomb", "over-16-megapixels", "cut-short"],
)
def test_a_bad_picture_is_refused_with_a_message_and_the_old_avatar_stays(
    member, run_tasks, make: Any, message: str
) -> None:
    client, token = csrf_client(member)
    with run_tasks(execute=True):
        client.post(SETTINGS, _profile_data(token, avatar=_photo_with_exif()))
    before = _saved_avatar(member)

    response = client.post(
        SETTINGS,
        _profile_data(token, display_name="Changed", avatar=SimpleUploadedFile("me.png", make())),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_avatar_error" role="alert"' in html
    assert _saved_avatar(member) == before
    member.refresh_from_db()
    assert member.display_name == "Ada"  # nothing of the refused form was saved


def test_the_request_decodes_nothing_and_the_task_decodes_once_keeping_no_comment(
    member, run_tasks, monkeypatch, tmp_path
) -> None:
    from PIL import ImageFile

    from gemeinsam.core.tests.test_uploads import SECRET, exiftool_tags, metadata_in

    decodes: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def counting_load(self: Any) -> Any:
        if self.tile:  # pixels still to decode
            decodes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."
    photo = _jpeg((3200, 2400), comment=SECRET, exif=exif)
    client, token = csrf_client(member)

    with run_tasks() as tasks:
        response = client.post(
            SETTINGS, _profile_data(token, avatar=SimpleUploadedFile("me.jpg", photo))
        )

    assert response.status_code == 303
    assert decodes == []  # the request only read the header
    with run_tasks(execute=True):  # the task, and what it leaves for after its commit
        for task in tasks:
            task()
    assert decodes == [(1600, 1200)]  # once, at half the scale: still twice the stored size
    _name, stored = _saved_avatar(member)
    assert SECRET not in stored
    (tmp_path / "avatar.jpg").write_bytes(stored)
    assert metadata_in(exiftool_tags(tmp_path / "avatar.jpg")) == {}


def test_a_gif_avatar_is_stored_as_a_fresh_png(member, run_tasks, tmp_path) -> None:
    from gemeinsam.core.tests.test_uploads import SECRET, exiftool_tags, gif_with_comment_and_xmp

    client, token = csrf_client(member)
    gif = SimpleUploadedFile("moving.gif", gif_with_comment_and_xmp())

    with run_tasks(execute=True):
        assert client.post(SETTINGS, _profile_data(token, avatar=gif)).status_code == 303

    name, stored = _saved_avatar(member)
    assert name.endswith(".png")
    assert SECRET not in stored
    (tmp_path / "avatar.png").write_bytes(stored)
    tags = exiftool_tags(tmp_path / "avatar.png")
    assert not [tag for tag in tags if "XMP" in tag or tag.endswith("Comment")]
