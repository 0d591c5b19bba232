"""The seed steps ``manage.py seed_demo`` runs, one per feature area, in a fixed order.

A step fills in what its area of the demo is missing and says what it added, or returns
None when everything was there already: ``seed_demo`` runs on every start of ``make run``,
so running a step twice must change nothing. A step names the steps whose content it
builds on (``after``); the order is worked out from those names alone, ties broken by
name, so it never depends on which module registered first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SeedStep:
    """One area of the demo: ``run`` adds what is missing and returns a sentence saying
    what it added, or None when nothing was missing."""

    name: str
    run: Callable[[], str | None]
    after: tuple[str, ...] = ()


class SeedStepError(Exception):
    """The registered steps cannot be run: a name twice, an unknown ``after`` or a cycle."""


class SeedRegistry:
    def __init__(self) -> None:
        self._steps: dict[str, SeedStep] = {}

    def register(
        self, name: str, run: Callable[[], str | None], *, after: tuple[str, ...] = ()
    ) -> None:
        """Add the step ``name``, to run after every step named in ``after``."""
        if name in self._steps:
            raise SeedStepError(f"The seed step {name!r} is registered twice.")
        self._steps[name] = SeedStep(name=name, run=run, after=tuple(after))

    def ordered(self) -> list[SeedStep]:
        """Every step, each after the steps it names; among steps free to run, by name."""
        for step in self._steps.values():
            unknown = [name for name in step.after if name not in self._steps]
            if unknown:
                raise SeedStepError(
                    f"The seed step {step.name!r} runs after unknown steps: {', '.join(unknown)}."
                )
        done: list[SeedStep] = []
        waiting = dict(self._steps)
        while waiting:
            placed = {step.name for step in done}
            ready = sorted(
                name
                for name, step in waiting.items()
                if all(needed in placed for needed in step.after)
            )
            if not ready:
                raise SeedStepError(
                    f"The seed steps {', '.join(sorted(waiting))} wait for each other."
                )
            done.append(waiting.pop(ready[0]))
        return done


# The demo's registry, filled by ``DemoConfig.ready()``.
registry = SeedRegistry()
register_seed_step = registry.register
