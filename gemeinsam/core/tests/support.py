"""Test helpers shared by every app: a real SMTP inbox, Chromium's launch arguments and a
signed-in client."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from django.test import Client

# Debian's Chromium, kept off the network it would otherwise try to reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Inbox:
    """An SMTP handler (for aiosmtpd) that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def wait_for(self, recipient: str, timeout: float = 10) -> EmailMessage:
        """The first message to ``recipient``, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if recipient in str(message["To"]):
                    return message
            time.sleep(0.05)
        raise AssertionError(f"No mail to {recipient} arrived")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed_in(user: Any) -> Client:
    """A test client with ``user`` signed in."""
    client = Client()
    client.force_login(user)
    return client


def production_settings(tmp_path: Any, names: list[str], **environment: str) -> dict[str, Any]:
    """The values of ``names`` as the production settings read them from ``environment``
    (plus a secret key and a data directory), in a fresh interpreter, never from the test
    settings of this process."""
    import json
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {key: value for key, value in os.environ.items() if not key.startswith("GEMEINSAM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GEMEINSAM_SECRET_KEY": secrets.token_urlsafe(64),
            "GEMEINSAM_DATA_DIR": str(tmp_path),
            **environment,
        }
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = subprocess.run(  # this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded
