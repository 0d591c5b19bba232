"""A production install from the package alone: `pip install .` without extras, then it starts.

Usage: python3 .ci/check_install.py

1. copies the checkout's files (tracked and new, not ignored) into a scratch folder;
2. creates a fresh virtual environment there and installs the package without extras;
3. away from the checkout, with production settings (secret key, allowed hosts, https site
   address, a fresh data directory): `check --deploy --fail-level WARNING`, `migrate`,
   `compile_catalogues` and `collectstatic`;
4. answers the sign-in page in English and German through the installed code.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMOKE = """
import gemeinsam
assert "site-packages" in gemeinsam.__file__, gemeinsam.__file__
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="news.example.org")
for path, marker in [("/en/accounts/login/", 'lang="en"'), ("/de/accounts/login/", "Anmelden")]:
    response = client.get(path, secure=True)
    html = response.content.decode()
    assert response.status_code == 200, (path, response.status_code)
    assert marker in html and "<form" in html, path
print("installed site answers", gemeinsam.__file__)
"""


def _copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="gemeinsam-install-"))
    try:
        source, venv = scratch / "src", scratch / "venv"
        _copy_checkout(source)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
            check=True,
        )
        env = {key: value for key, value in os.environ.items() if not key.startswith("GEMEINSAM_")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "GEMEINSAM_SECRET_KEY": secrets.token_urlsafe(64),
                "GEMEINSAM_DATA_DIR": str(scratch / "data"),
                "GEMEINSAM_ALLOWED_HOSTS": "news.example.org",
                "GEMEINSAM_SITE_URL": "https://news.example.org",
            }
        )
        env.pop("PYTHONPATH", None)
        steps = [
            ["check", "--deploy", "--fail-level", "WARNING"],
            ["migrate", "--noinput", "-v0"],
            ["compile_catalogues"],
            ["collectstatic", "--noinput", "-v0"],
        ]
        for step in steps:
            print("+ django-admin", " ".join(step), flush=True)
            subprocess.run([python, "-m", "django", *step], cwd=scratch, env=env, check=True)
        subprocess.run([python, "-c", SMOKE], cwd=scratch, env=env, check=True)
    except subprocess.CalledProcessError as error:
        print(f"The installed package failed: {' '.join(map(str, error.cmd))}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
