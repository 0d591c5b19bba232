"""The seed steps: each runs, in an order fixed by what it builds on, and a second run of
``seed_demo`` changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.apps import apps

from gemeinsam.demo.registry import SeedRegistry, SeedStepError, registry


def _nothing() -> None:
    return None


def test_steps_run_after_the_steps_they_name_whatever_the_order_of_registration() -> None:
    steps = [
        ("newsroom", ()),
        ("members", ("newsroom",)),
        ("comments", ("members",)),
        ("ratings", ("members",)),
        ("faves", ("comments",)),
    ]
    orders = set()
    for permutation in itertools.permutations(steps):
        candidate = SeedRegistry()
        for name, after in permutation:
            candidate.register(name, _nothing, after=after)
        orders.add(tuple(step.name for step in candidate.ordered()))
    assert orders == {("newsroom", "members", "comments", "faves", "ratings")}


def test_a_step_after_an_unknown_step_is_refused() -> None:
    candidate = SeedRegistry()
    candidate.register("contests", _nothing, after=("members",))
    with pytest.raises(SeedStepError, match="unknown steps: members"):
        candidate.ordered()


def test_steps_waiting_for_each_other_are_refused() -> None:
    candidate = SeedRegistry()
    candidate.register("newsroom", _nothing)
    candidate.register("comments", _nothing, after=("faves",))
    candidate.register("faves", _nothing, after=("comments",))
    with pytest.raises(SeedStepError, match="comments, faves wait for each other"):
        candidate.ordered()


def test_a_name_registered_twice_is_refused() -> None:
    candidate = SeedRegistry()
    candidate.register("newsroom", _nothing)
    with pytest.raises(SeedStepError, match="twice"):
        candidate.register("newsroom", _nothing)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
@pytest.mark.slow
def test_every_registered_step_runs_once_in_order(run_seed_demo: Callable[[], str]) -> None:
    lines = run_seed_demo().splitlines()
    names = [step.name for step in registry.ordered()]
    reported = [line for line in lines if ":" in line]
    assert [line.split(":", 1)[0] for line in reported] == names
    # On an empty database every step adds something and says how long it took.
    assert all(line.endswith(" s.") for line in reported), reported


@pytest.mark.django_db
@pytest.mark.slow
def test_seeding_twice_changes_no_row(run_seed_demo: Callable[[], str]) -> None:
    run_seed_demo()
    before = _row_counts()
    again = run_seed_demo()
    assert "Demo content is already present; nothing changed." in again
    after = _row_counts()
    assert {
        label: (count, after[label]) for label, count in before.items() if after[label] != count
    } == {}
