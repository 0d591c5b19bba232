"""Demo content for a fresh install: a fictional energy cooperative's newsroom in two languages.

Every text here was written for Gemeinsam; every image, video and document is generated.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.models import Locale, Page, Site

from gemeinsam.core.models import CustomImage
from gemeinsam.newsroom.models import (
    ArticlePage,
    Author,
    Boilerplate,
    HomePage,
    LegalPage,
    NewsPage,
    PhotoStoryImage,
    PhotoStoryPage,
    PressContact,
    PressKitDocument,
    PressKitImage,
    PressKitPage,
    PressReleaseAttachment,
    PressReleasePage,
    StoryIndexPage,
    StoryPage,
    Topic,
    Video,
    VideoCaption,
    VideoPage,
)

ORGANISATION = "Lindenau Solar eG"


# ------------------------------------------------------------------------ generated media


def scene_png(seed: int, label: str, size: tuple[int, int] = (1600, 1000)) -> bytes:
    """A landscape with sky, sun, hills and solar panels, drawn from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 (drawing, not security)
    width, height = size
    image = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = (rng.randint(40, 90), rng.randint(110, 170), rng.randint(190, 240))
    bottom = (rng.randint(200, 250), rng.randint(180, 230), rng.randint(140, 200))
    for y in range(height):
        t = y / height
        colour = tuple(int(top[i] * (1 - t) + bottom[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    sun_x, sun_y = rng.randint(200, width - 200), rng.randint(120, 320)
    draw.ellipse((sun_x - 90, sun_y - 90, sun_x + 90, sun_y + 90), fill=(255, 214, 102))
    for layer in range(3):
        base = int(height * (0.55 + layer * 0.12))
        green = (40 + layer * 25, 110 + layer * 20, 60 + layer * 10)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            wave = math.sin(x / (220 + layer * 60) + seed + layer) * (40 - layer * 8)
            points.append((x, int(base + wave)))
        points.append((width, height))
        draw.polygon(points, fill=green)
    for panel in range(rng.randint(4, 8)):
        x = 120 + panel * 170
        y = int(height * 0.72) + rng.randint(-20, 20)
        draw.polygon(
            [(x, y), (x + 140, y - 30), (x + 160, y + 40), (x + 20, y + 70)],
            fill=(30, 50, 90),
            outline=(200, 210, 230),
        )
    font = ImageFont.load_default(size=56)
    draw.rectangle((0, height - 110, width, height), fill=(20, 24, 30))
    draw.text((48, height - 90), label, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def make_video_webm(seconds: int = 4, fps: int = 12) -> bytes | None:
    """A short WebM clip of a sun crossing the sky; None where PyAV is not installed."""
    try:
        import av
    except ImportError:
        return None
    buffer = io.BytesIO()
    container = av.open(buffer, "w", format="webm")
    stream = container.add_stream("libvpx", rate=fps)
    stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
    frames = seconds * fps
    for index in range(frames):
        frame = PILImage.new("RGB", (640, 360), (30, 80 + index, 150))
        draw = ImageDraw.Draw(frame)
        x = int(40 + index * (560 / frames))
        draw.ellipse((x, 60, x + 60, 120), fill=(255, 214, 102))
        draw.rectangle((0, 260, 640, 360), fill=(50, 120, 70))
        for packet in stream.encode(av.VideoFrame.from_image(frame)):  # type: ignore[no-untyped-call]
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return buffer.getvalue()


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and a few lines of text."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = [f"BT /F1 20 Tf 72 770 Td ({escape(title)}) Tj ET"]
    for number, line in enumerate(lines):
        body.append(f"BT /F1 12 Tf 72 {730 - number * 18} Td ({escape(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


CAPTIONS = {
    "en": "WEBVTT\n\n00:00.000 --> 00:02.000\nMorning over the Lindenau roofs.\n\n"
    "00:02.000 --> 00:04.000\nThe sun crosses our panels.\n",
    "de": "WEBVTT\n\n00:00.000 --> 00:02.000\nMorgen über den Dächern von Lindenau.\n\n"
    "00:02.000 --> 00:04.000\nDie Sonne zieht über unsere Module.\n",
}


# ------------------------------------------------------------------------------- content


@dataclass
class Demo:
    home: HomePage
    home_de: HomePage
    index: StoryIndexPage
    index_de: StoryIndexPage
    en: Locale
    de: Locale


def _image(seed: int, title: str, alt: str, credit: str = "Lindenau Solar eG") -> CustomImage:
    image = CustomImage(title=title, alt_text=alt, credit=credit, licence="cc-by-4.0", caption="")
    slug = title.lower().replace(" ", "-")[:40]
    image.file = ImageFile(io.BytesIO(scene_png(seed, title)), name=f"{slug}.png")
    image.save()
    return image


def _document(title: str, lines: list[str]) -> Document:
    document = Document(title=title)
    slug = title.lower().replace(" ", "-")[:40]
    document.file.save(f"{slug}.pdf", ContentFile(make_pdf(title, lines)), save=False)
    document.save()
    return document


def _publish(page: Page, *, days_ago: float | None = None) -> Page:
    page.save_revision().publish()
    if days_ago is not None:
        when = timezone.now() - timedelta(days=days_ago)
        Page.objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)
    page.refresh_from_db()
    return page


def _translate(
    page: Page,
    locale: Locale,
    *,
    days_ago: float | None = None,
    publish: bool = True,
    **fields: Any,
) -> Page:
    translation = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    if publish:
        return _publish(translation, days_ago=days_ago)
    return translation


def _site_tree(en: Locale, de: Locale) -> Demo:
    root = Page.get_first_root_node()
    for welcome in Page.objects.filter(depth=2).not_type(HomePage):
        if not welcome.get_children().exists():
            Site.objects.filter(root_page=welcome).delete()
            welcome.delete()
    home = root.add_child(
        instance=HomePage(
            title=f"Newsroom of {ORGANISATION}",
            slug="home",
            locale=en,
            intro="<p>News, pictures and press material from the energy cooperative of "
            "Lindenau — and the conversation of its 2,400 members.</p>",
        )
    )
    url = urlsplit(settings.SITE_URL)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": url.hostname or "localhost",
            "port": url.port or (443 if url.scheme == "https" else 80),
            "root_page": home,
            "site_name": ORGANISATION,
        },
    )
    home_de = _translate(
        home,
        de,
        title=f"Newsroom der {ORGANISATION}",
        intro="<p>Nachrichten, Bilder und Pressematerial der Energiegenossenschaft "
        "Lindenau — und das Gespräch ihrer 2.400 Mitglieder.</p>",
    )
    index = home.add_child(instance=StoryIndexPage(title="Stories", slug="stories"))
    index_de = _translate(index, de, title="Geschichten", slug="geschichten")
    return Demo(home, home_de, index, index_de, en, de)


LEGAL = {
    "imprint": (
        "Imprint",
        "Impressum",
        "<p>Lindenau Solar eG, Am Lindenhof 4, 04177 Leipzig. Represented by the board: "
        "Lena Vogt, Jonas Berger. Register of cooperatives GnR 123 (Leipzig).</p>",
        "<p>Lindenau Solar eG, Am Lindenhof 4, 04177 Leipzig. Vertreten durch den Vorstand: "
        "Lena Vogt, Jonas Berger. Genossenschaftsregister GnR 123 (Leipzig).</p>",
    ),
    "privacy": (
        "Privacy policy",
        "Datenschutzerklärung",
        "<p>Reading this newsroom sets no cookies and loads nothing from other servers. "
        "When you sign in, we keep a session cookie until you sign out.</p>",
        "<p>Das Lesen dieses Newsrooms setzt keine Cookies und lädt nichts von anderen "
        "Servern. Wenn Sie sich anmelden, speichern wir ein Sitzungs-Cookie bis zur Abmeldung.</p>",
    ),
    "terms": (
        "Terms of use",
        "Nutzungsbedingungen",
        "<p>Press material may be used for editorial purposes with the credit given.</p>",
        "<p>Pressematerial darf mit Quellenangabe redaktionell verwendet werden.</p>",
    ),
    "contact": (
        "Contact",
        "Kontakt",
        "<p>Write to presse@lindenau-solar.example or call +49 341 555 0100.</p>",
        "<p>Schreiben Sie an presse@lindenau-solar.example oder rufen Sie +49 341 555 0100 an.</p>",
    ),
}


def _legal_pages(demo: Demo) -> None:
    for kind, (title_en, title_de, body_en, body_de) in LEGAL.items():
        page = demo.home.add_child(
            instance=LegalPage(title=title_en, slug=kind, kind=kind, body=body_en, live=False)
        )
        _publish(page)
        _translate(page, demo.de, title=title_de, body=body_de)


def seed_step() -> str | None:
    """The newsroom's seed step: the whole demo newsroom, unless a home page exists."""
    return None if seed_newsroom() is None else "Demo newsroom created"


@transaction.atomic
def seed_newsroom() -> Demo | None:
    """Create the demo newsroom; returns None (and changes nothing) if a home page exists."""
    if HomePage.objects.exists():
        return None
    en = Locale.objects.get_or_create(language_code="en")[0]
    de = Locale.objects.get_or_create(language_code="de")[0]
    demo = _site_tree(en, de)
    _legal_pages(demo)

    lena = Author.objects.create(
        name="Lena Vogt",
        slug="lena-vogt",
        role="Head of communications",
        bio="Lena writes about the cooperative's projects and talks to members and press.",
    )
    jonas = Author.objects.create(
        name="Jonas Berger",
        slug="jonas-berger",
        role="Board member",
        bio="Jonas looks after finances and the annual general meeting.",
    )
    aylin = Author.objects.create(
        name="Aylin Demir",
        slug="aylin-demir",
        role="Engineer",
        bio="Aylin plans the roofs and explains how the panels work.",
    )
    topics = {}
    for slug, (name_en, name_de) in {
        "projects": ("Projects", "Projekte"),
        "company": ("Company", "Unternehmen"),
        "community": ("Community", "Gemeinschaft"),
    }.items():
        topic = Topic.objects.create(name=name_en, slug=slug, locale=en)
        translated = topic.copy_for_translation(de)
        translated.name = name_de
        translated.save()
        topics[slug] = (topic, translated)

    press_lena = PressContact.objects.create(
        name="Lena Vogt",
        role="Head of communications",
        organisation=ORGANISATION,
        email="presse@lindenau-solar.example",
        phone="+49 341 555 0100",
        mobile="+49 170 555 0101",
        languages="German, English",
    )
    press_jonas = PressContact.objects.create(
        name="Jonas Berger",
        role="Board member",
        organisation=ORGANISATION,
        email="vorstand@lindenau-solar.example",
        phone="+49 341 555 0102",
        languages="German",
    )
    boiler = Boilerplate.objects.create(
        title=f"About {ORGANISATION}",
        locale=en,
        text="<p>Lindenau Solar eG is an energy cooperative founded in 2012 by residents of "
        "Leipzig-Lindenau. Its 2,400 members own 38 solar roofs.</p>",
    )
    boiler_de = boiler.copy_for_translation(de)
    boiler_de.title = f"Über die {ORGANISATION}"
    boiler_de.text = (
        "<p>Die Lindenau Solar eG ist eine Energiegenossenschaft, 2012 von "
        "Bewohnern Leipzig-Lindenaus gegründet. Ihren 2.400 Mitgliedern "
        "gehören 38 Solardächer.</p>"
    )
    boiler_de.save()

    roof = _image(1, "Community roof", "Solar panels on a school roof under a clear sky")
    hills = _image(2, "Evening panels", "Rows of solar panels on green hills at sunset")
    team = _image(3, "Installation day", "Panels leaning on a hillside, ready to be mounted")
    meeting = _image(4, "General meeting", "A landscape with the sun high above green fields")
    gallery = [
        _image(10 + n, f"Roof day {n + 1}", alt)
        for n, alt in enumerate(
            [
                "Morning light on the first row of panels",
                "Panels reflecting the blue sky",
                "The school roof seen from the hill",
                "Evening sun over the finished roof",
            ]
        )
    ]
    logo = _image(20, "Press photo wide", "Wide view of the cooperative's largest solar field")

    def story(
        model: type[StoryPage],
        parent: Page,
        *,
        days_ago: float,
        tags: list[str],
        authors: list[Author],
        **fields: Any,
    ) -> StoryPage:
        page = parent.add_child(instance=model(live=False, **fields))
        page.authors.set(authors)
        page.tags.set(tags)
        page.save()
        return _publish(page, days_ago=days_ago).specific

    article = story(
        ArticlePage,
        demo.index,
        days_ago=9,
        tags=["solar", "schools"],
        authors=[aylin, lena],
        title="Our community roof on the Lindenau school is online",
        slug="community-roof-online",
        summary="186 panels, 61 kilowatts peak and a lesson plan: the school roof built by "
        "members now feeds the grid.",
        lead_image=roof,
        topic=topics["projects"][0],
        body=[
            (
                "paragraph",
                "<p>On Saturday morning the last of 186 panels clicked into its "
                "rail. Forty members had carried, screwed and wired for three "
                "weekends.</p>",
            ),
            ("heading", "What the roof delivers"),
            (
                "paragraph",
                "<p>The roof yields about 58,000 kilowatt hours a year — the "
                "electricity of 19 households. The school uses a third of it.</p>",
            ),
            (
                "quote",
                {
                    "text": "The children watch the live output on the hallway screen.",
                    "source": "Aylin Demir",
                },
            ),
            ("image", {"image": team, "caption": "Mounting day in October"}),
        ],
    )
    _translate(
        article,
        de,
        days_ago=9,
        title="Unser Bürgerdach auf der Lindenauer Schule ist am Netz",
        slug="buergerdach-am-netz",
        summary="186 Module, 61 Kilowatt Peak und ein Unterrichtsentwurf: das von Mitgliedern "
        "gebaute Schuldach speist ein.",
        topic=topics["projects"][1],
        body=[
            (
                "paragraph",
                "<p>Am Samstagmorgen rastete das letzte von 186 Modulen ein. Vierzig "
                "Mitglieder haben an drei Wochenenden getragen, geschraubt und "
                "verkabelt.</p>",
            ),
            ("heading", "Was das Dach liefert"),
            (
                "paragraph",
                "<p>Das Dach erzeugt rund 58.000 Kilowattstunden im Jahr — den Strom "
                "von 19 Haushalten. Die Schule nutzt ein Drittel davon.</p>",
            ),
            (
                "quote",
                {
                    "text": "Die Kinder verfolgen die Leistung live am Flurbildschirm.",
                    "source": "Aylin Demir",
                },
            ),
            ("image", {"image": team, "caption": "Montagetag im Oktober"}),
        ],
    )

    news = story(
        NewsPage,
        demo.index,
        days_ago=1,
        tags=["members", "meeting"],
        authors=[jonas],
        title="Annual general meeting on 12 March",
        slug="agm-12-march",
        summary="Members vote on two new roofs and the 2026 dividend.",
        lead_image=meeting,
        topic=topics["company"][0],
        body="<p>The meeting starts at 18:00 in the Lindenau community hall. Members can "
        "also vote by post until 10 March.</p>",
    )
    _translate(
        news,
        de,
        days_ago=1,
        title="Generalversammlung am 12. März",
        slug="gv-12-maerz",
        summary="Die Mitglieder stimmen über zwei neue Dächer und die Dividende 2026 ab.",
        topic=topics["company"][1],
        body="<p>Die Versammlung beginnt um 18 Uhr im Stadtteilsaal Lindenau. Briefwahl ist "
        "bis zum 10. März möglich.</p>",
    )

    photos = demo.index.add_child(
        instance=PhotoStoryPage(
            live=False,
            title="A day on the roof",
            slug="a-day-on-the-roof",
            summary="From the first light to the last screw: the school roof in four pictures.",
            lead_image=gallery[0],
            topic=topics["community"][0],
            body="<p>Photos by members who helped on the final weekend.</p>",
        )
    )
    for number, image in enumerate(gallery):
        PhotoStoryImage.objects.create(
            page=photos, image=image, sort_order=number, caption=image.alt_text
        )
    photos.authors.set([lena])
    photos.tags.set(["solar", "photos"])
    photos.save()
    photos = _publish(photos, days_ago=7).specific
    _translate(
        photos,
        de,
        days_ago=7,
        title="Ein Tag auf dem Dach",
        slug="ein-tag-auf-dem-dach",
        summary="Vom ersten Licht bis zur letzten Schraube: das Schuldach in vier Bildern.",
        topic=topics["community"][1],
        body="<p>Fotos von Mitgliedern, die am letzten Wochenende mitgeholfen haben.</p>",
    )

    clip = make_video_webm()
    if clip is not None:
        video = Video(
            title="Sunrise over Lindenau",
            poster=hills,
            credit=ORGANISATION,
            licence="cc-by-4.0",
            description="Four seconds of sun crossing the cooperative's panels.",
            transcript="[No speech.] Morning over the Lindenau roofs. The sun crosses the "
            "panels from left to right.",
        )
        video.file.save("sunrise-over-lindenau.webm", ContentFile(clip), save=False)
        video.save()
        for number, (language, label) in enumerate([("en", "English"), ("de", "Deutsch")]):
            caption = VideoCaption(video=video, language=language, label=label, sort_order=number)
            caption.file.save(
                f"sunrise-{language}.vtt", ContentFile(CAPTIONS[language].encode()), save=False
            )
            caption.save()
        clip_story = story(
            VideoPage,
            demo.index,
            days_ago=5,
            tags=["solar", "video"],
            authors=[aylin],
            title="Sunrise over Lindenau",
            slug="sunrise-over-lindenau",
            summary="A short film of a morning on our largest solar field.",
            lead_image=hills,
            topic=topics["projects"][0],
            video=video,
            body="<p>Filmed from the hill above the field.</p>",
        )
        _translate(
            clip_story,
            de,
            days_ago=5,
            title="Sonnenaufgang über Lindenau",
            slug="sonnenaufgang-ueber-lindenau",
            summary="Ein kurzer Film über einen Morgen auf unserem größten Solarfeld.",
            topic=topics["projects"][1],
            body="<p>Gefilmt vom Hügel über dem Feld.</p>",
        )
    talk = story(
        VideoPage,
        demo.index,
        days_ago=12,
        tags=["video", "members"],
        authors=[lena],
        title="Ten years of the cooperative: the founders' talk",
        slug="founders-talk",
        summary="The three founders look back — hosted on an outside video platform.",
        lead_image=logo,
        topic=topics["community"][0],
        external_url="https://video.example.org/watch/lindenau-founders",
        body="<p>A recording of the anniversary evening.</p>",
    )
    _translate(
        talk,
        de,
        days_ago=12,
        title="Zehn Jahre Genossenschaft: das Gründergespräch",
        slug="gruendergespraech",
        summary="Die drei Gründer blicken zurück — auf einer externen Videoplattform.",
        topic=topics["community"][1],
        body="<p>Ein Mitschnitt des Jubiläumsabends.</p>",
    )

    fact_sheet = _document(
        "Fact sheet Lindenau Solar",
        [
            "Founded 2012 in Leipzig-Lindenau",
            "2,400 members",
            "38 solar roofs",
            "4.1 GWh per year",
        ],
    )
    release = demo.index.add_child(
        instance=PressReleasePage(
            live=False,
            title="Lindenau Solar passes 2,400 members",
            slug="2400-members",
            summary="The cooperative grew by 30 percent in a year and plans two more roofs.",
            dateline="Leipzig",
            lead_image=logo,
            topic=topics["company"][0],
            boilerplate=boiler,
            body=[
                (
                    "paragraph",
                    "<p>Lindenau Solar eG welcomed its 2,400th member this week. "
                    "The cooperative grew by 30 percent in twelve months.</p>",
                )
            ],
        )
    )
    release.contacts.set([press_lena, press_jonas])
    release.authors.set([lena])
    release.tags.set(["members", "press"])
    release.save()
    PressReleaseAttachment.objects.create(page=release, document=fact_sheet, sort_order=0)
    release = _publish(release, days_ago=0.5).specific
    _translate(
        release,
        de,
        days_ago=0.5,
        title="Lindenau Solar zählt 2.400 Mitglieder",
        slug="2400-mitglieder",
        dateline="Leipzig",
        boilerplate=boiler_de,
        topic=topics["company"][1],
        summary="Die Genossenschaft wuchs in einem Jahr um 30 Prozent und plant zwei "
        "weitere Dächer.",
        body=[
            (
                "paragraph",
                "<p>Die Lindenau Solar eG hat diese Woche ihr 2.400. Mitglied begrüßt.</p>",
            )
        ],
    )

    lift = timezone.now() + timedelta(days=3)
    embargoed = demo.index.add_child(
        instance=PressReleasePage(
            live=False,
            title="Lindenau Solar to build the city's largest community roof",
            slug="largest-community-roof",
            summary="A 900-kilowatt roof on the tram depot, financed by members.",
            dateline="Leipzig",
            lead_image=hills,
            boilerplate=boiler,
            topic=topics["projects"][0],
            body=[
                (
                    "paragraph",
                    "<p>Under embargo: the cooperative and the city's transport "
                    "company sign a lease for the tram depot roof.</p>",
                )
            ],
            go_live_at=lift,
        )
    )
    embargoed.contacts.set([press_lena])
    embargoed.tags.set(["press", "solar"])
    embargoed.save()
    embargoed.save_revision().publish()
    embargoed_de = embargoed.copy_for_translation(de).specific
    embargoed_de.title = "Lindenau Solar baut das größte Bürgerdach der Stadt"
    embargoed_de.slug = "groesstes-buergerdach"
    embargoed_de.summary = (
        "Ein 900-Kilowatt-Dach auf dem Straßenbahnhof, von Mitgliedern finanziert."
    )
    embargoed_de.boilerplate = boiler_de
    embargoed_de.go_live_at = lift
    embargoed_de.save_revision().publish()

    kit = demo.index.add_child(
        instance=PressKitPage(
            live=False,
            title="Press kit: Lindenau Solar",
            slug="press-kit",
            summary="Photos, logo-free landscapes and the fact sheet, free for editorial use.",
            lead_image=logo,
            topic=topics["company"][0],
            body="<p>All images may be used with the credit “Lindenau Solar eG”.</p>",
        )
    )
    for number, image in enumerate([roof, hills, logo]):
        PressKitImage.objects.create(page=kit, image=image, sort_order=number)
    PressKitDocument.objects.create(page=kit, document=fact_sheet, sort_order=0)
    kit.tags.set(["press"])
    kit.save()
    kit = _publish(kit, days_ago=30).specific
    _translate(
        kit,
        de,
        days_ago=30,
        title="Pressemappe: Lindenau Solar",
        slug="pressemappe",
        summary="Fotos, Landschaften und das Datenblatt, frei für redaktionelle Nutzung.",
        topic=topics["company"][1],
        body="<p>Alle Bilder dürfen mit dem Vermerk „Lindenau Solar eG“ genutzt werden.</p>",
    )
    # Renaming the translated copies made redirects from slugs nobody ever saw.
    Redirect.objects.all().delete()
    return demo
