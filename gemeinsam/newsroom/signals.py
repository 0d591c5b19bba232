"""Receivers that keep public caches true: any publish, unpublish or edit of shared content,
and any view restriction put on or taken off, makes cached anonymous pages, feeds, sitemaps
and the sets of public files stale."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import CollectionViewRestriction, PageViewRestriction, ReferenceIndex
from wagtail.signals import page_published, page_unpublished

from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom.models import (
    Author,
    Boilerplate,
    ChannelItem,
    PressContact,
    Topic,
    Video,
)


@receiver(page_published)
@receiver(page_unpublished)
def purge_on_page_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    # Which images a page uses decides which are public; index it now rather than in the
    # background, so its images are served the moment it goes live.
    if instance is not None:
        ReferenceIndex.create_or_update_for_object(instance)
    public_content_changed()


def _purge(sender: Any, **kwargs: Any) -> None:
    public_content_changed()


# A view restriction takes a live page (and the files only it uses) out of public view.
for _model in (
    Image,
    Author,
    Topic,
    PressContact,
    Boilerplate,
    Video,
    ChannelItem,
    PageViewRestriction,
    CollectionViewRestriction,
):
    post_save.connect(_purge, sender=_model, dispatch_uid=f"purge-save-{_model.__name__}")
    post_delete.connect(_purge, sender=_model, dispatch_uid=f"purge-delete-{_model.__name__}")
