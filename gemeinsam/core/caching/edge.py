"""Purging a CDN or nginx in front of the site when scopes change (Wagtail's frontend cache).

Anonymous pages may be shared at the edge for ``EDGE_CACHE_SECONDS``. When a scope changes,
the addresses that show it are purged there too, so readers see a new comment or rating
at once instead of after the edge's lifetime. Which addresses show a scope is answered by
resolvers: Wagtail pages and registered engagement targets here, collections by the apps
that own them (:func:`register_edge_urls`). The purge itself is Wagtail's background task,
sent to each backend in ``WAGTAILFRONTENDCACHE`` (configured from the environment, see
docs/operations.md); with none configured nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page, Site

from gemeinsam.core.caching.scopes import SITE, Scope
from gemeinsam.core.engagement import is_registered, kind_of

UrlResolver = Callable[[Scope], Iterable[str]]
_resolvers: list[UrlResolver] = []


def register_edge_urls(resolver: UrlResolver) -> None:
    """``resolver(scope)`` returns the absolute addresses that show ``scope`` (or none)."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def site_home_urls() -> list[str]:
    """The home page of each site, in every language it is translated into."""
    urls: list[str] = []
    for site in Site.objects.select_related("root_page"):
        for page in site.root_page.get_translations(inclusive=True).live():
            url = page.get_full_url()
            if url:
                urls.append(url)
    return urls


def _object_urls(scope: Scope) -> list[str]:
    if scope == SITE:
        return site_home_urls()
    label, _, pk = scope.rpartition(":")
    if label.startswith("collection") or "." not in label:
        return []
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    if issubclass(model, Page):
        page = Page.objects.filter(pk=pk).first()
        url = page.specific.get_full_url() if page is not None else None
        return [url] if url else []
    if not is_registered(model):
        return []
    obj = model._default_manager.filter(pk=pk).first()
    kind = kind_of(model)
    if obj is None or not kind.is_public(obj):
        return []
    path = kind.get_url(obj)
    return [path if "://" in path else _absolute(path)] if path else []


def _absolute(path: str) -> str:
    site = Site.objects.filter(is_default_site=True).first()
    return (site.root_url if site is not None else "") + path


def urls_for(scopes: Iterable[Scope]) -> list[str]:
    """The addresses that show any of ``scopes``, each once."""
    urls: dict[str, None] = {}
    for scope in scopes:
        for resolver in (_object_urls, *_resolvers):
            urls.update(dict.fromkeys(resolver(scope)))
    return list(urls)


def purge_edge(scopes: frozenset[Scope]) -> None:
    """Purge the addresses that show ``scopes`` from every configured edge cache."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    urls = urls_for(scopes)
    if urls:
        purge_urls_from_cache(urls)
