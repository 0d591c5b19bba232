"""Fixtures of the demo's tests: running ``seed_demo`` as ``make run`` does."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def run_seed_demo(django_capture_on_commit_callbacks: Any) -> Callable[[], str]:
    """Run ``seed_demo`` with its on-commit work (the events the services announce) done,
    and return what it printed."""

    def run() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=out)
        return out.getvalue()

    return run
