"""Production settings pass Django's deployment checks; every setting is documented."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from gemeinsam.core.tests.support import production_settings

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GEMEINSAM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GEMEINSAM_SECRET_KEY": secrets.token_urlsafe(64),
            "GEMEINSAM_DATA_DIR": str(tmp_path),
            "GEMEINSAM_ALLOWED_HOSTS": "news.example.org",
            "GEMEINSAM_SITE_URL": "https://news.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_read_from_the_environment_is_documented() -> None:
    code = "\n".join(
        path.read_text() for path in [*ROOT.glob("config/*.py"), *ROOT.glob("gemeinsam/**/*.py")]
    )
    used = set(re.findall(r'(?<![\w.])env(?:_bool|_list)?\("([A-Z_]+)"', code))
    used |= set(re.findall(r'"GEMEINSAM_([A-Z_]+)"', code))
    documented = set(
        re.findall(r"^GEMEINSAM_([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert used, "no settings found: the pattern is out of date"
    assert not used - documented, f"undocumented: {sorted(used - documented)}"


HSTS = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]


def test_hsts_covers_only_the_site_s_own_host_unless_configured(tmp_path: Path) -> None:
    assert production_settings(tmp_path, HSTS, GEMEINSAM_ALLOWED_HOSTS="news.example.org") == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }
    chosen = production_settings(
        tmp_path,
        HSTS,
        GEMEINSAM_ALLOWED_HOSTS="news.example.org",
        GEMEINSAM_HSTS_INCLUDE_SUBDOMAINS="true",
        GEMEINSAM_HSTS_PRELOAD="1",
    )
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert chosen["SECURE_HSTS_PRELOAD"] is True
