"""Settings for the floor baselines: a hello view on the same server settings as the site.

``BENCH_HELLO_BARE=1`` gives the bare Django hello: no middleware and no apps (allauth, for one,
refuses to start without its middleware). Otherwise the view runs through Gemeinsam's own
apps and middleware stack, page-cache lookup included.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403 (the site's settings, with two changes)

ROOT_URLCONF = "bench.hello_urls"
if os.environ.get("BENCH_HELLO_BARE") == "1":
    MIDDLEWARE: list[str] = []
    INSTALLED_APPS: list[str] = []
