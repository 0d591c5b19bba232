"""The demo: content for a fresh install and bulk data for benchmarks; nothing imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gemeinsam.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from gemeinsam.demo import community, conversations, newsroom, ratings
        from gemeinsam.demo.registry import register_seed_step

        # One step per feature area; a new area adds its module here and names the steps
        # whose content it builds on.
        register_seed_step("newsroom", newsroom.seed_step)
        register_seed_step("members", community.seed_members, after=("newsroom",))
        register_seed_step("comments", conversations.seed_comments, after=("members",))
        register_seed_step("discussions", conversations.seed_discussions, after=("members",))
        register_seed_step("ratings", ratings.seed_ratings, after=("members",))
        register_seed_step(
            "faves", community.seed_faves_and_shares, after=("comments", "discussions")
        )
