"""End-to-end check of `make run` in a fresh clone: it serves, works in the background, lifts
an embargo on time, and leaves no process behind after Ctrl-C.

Usage: python .ci/check_make_run.py [--embargo] [--port 8765]

1. clones the committed HEAD into a scratch folder and starts `make run` there;
2. waits until the home page answers 200 and a background task has completed;
3. with --embargo: creates a press release (and its German translation, with an image) whose
   embargo lifts two minutes ahead, checks it is absent from every public output; shortly
   before the lift leaves a publish run RUNNING as a killed worker would, and kills the real
   worker; then checks that every output shows it within 60 s after the lift — without
   running anything by hand — that the run was reclaimed and the worker restarted;
4. sends SIGINT to `make run` and checks that none of its processes is left.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent

CREATE_RELEASE = """
import io, json
from datetime import timedelta
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Locale
from gemeinsam.core.models import CustomImage
from gemeinsam.newsroom.models import PressReleasePage, StoryIndexPage

buffer = io.BytesIO()
PILImage.new("RGB", (320, 200), "#aa3300").save(buffer, format="PNG")
image = CustomImage(title="Embargo check image", alt_text="Red square", credit="Check")
image.file = ImageFile(buffer, name="embargo-check.png")
image.save()
index = StoryIndexPage.objects.get(locale__language_code="en")
lift = timezone.now() + timedelta(seconds=120)
release = index.add_child(instance=PressReleasePage(
    title="Zebra embargo check", slug="zebra-embargo-check", summary="Zebra summary.",
    body=[("paragraph", "<p>Zebra body.</p>")], lead_image=image, go_live_at=lift, live=False,
))
release.save_revision().publish()
german = release.copy_for_translation(Locale.objects.get(language_code="de")).specific
german.title = "Zebra Sperrfrist Probe"
german.go_live_at = lift
german.save_revision().publish()
rendition = image.get_rendition("width-1200")
print(json.dumps({"lift": lift.timestamp(), "image": image.file.url,
                  "rendition": rendition.url}))
"""

# A publish run left RUNNING by a worker that was killed: it blocks the job until its lease
# runs out (started just over its lease before the lift, so the lease ends right at it).
LEAVE_STUCK_RUN = """
import json
from datetime import timedelta
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from gemeinsam.core.scheduler import registered_jobs
job = next(job for job in registered_jobs() if job.name == "publish-due-content")
started = timezone.now() - timedelta(seconds=job.lease_seconds - {seconds_to_lift})
run = DBTaskResult.objects.create(
    status="RUNNING", task_path=job.task.module_path, args_kwargs={{"args": [], "kwargs": {{}}}},
    backend_name="default", started_at=started, worker_ids=["worker-killed-by-the-check"],
)
print(json.dumps(str(run.pk)))
"""

STUCK_RUN_STATUS = """
from django_tasks_db.models import DBTaskResult
run = DBTaskResult.objects.get(pk="{pk}")
print(run.status + " " + run.exception_class_path)
"""

TASK_DONE = """
from django_tasks_db.models import DBTaskResult
print(DBTaskResult.objects.filter(status="SUCCESSFUL").count())
"""


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def outputs(base: str, media: dict[str, str]) -> dict[str, tuple[int, str]]:
    paths = [
        "/en/",
        "/de/",
        "/en/stories/",
        "/en/stories/?type=press-release",
        "/en/search/?q=Zebra",
        "/de/search/?q=Zebra",
        "/en/feeds/rss/",
        "/en/feeds/atom/",
        "/en/feeds/json/",
        "/de/feeds/rss/",
        "/en/feeds/type/press-release/rss/",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/en/media-library/",
        "/en/stories/zebra-embargo-check/",
        "/oembed/?format=json&url=" + quote(f"{base}/en/stories/zebra-embargo-check/", safe=""),
        media["image"],
        media["rendition"],
    ]
    return {path: get(base + path) for path in paths}


def mentions_release(path: str, status: int, body: str) -> bool:
    if path.startswith("/media/"):
        return status == 200
    # Not the bare word "Zebra": the search page repeats the query in its search box.
    markers = ("zebra-embargo-check", "Zebra embargo check", "Zebra Sperrfrist", "Embargo check")
    return status == 200 and any(marker in body for marker in markers)


def manage(clone: Path, env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [str(clone / ".venv/bin/python"), "manage.py", "shell", "-c", code],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def kill_worker(clone: Path) -> int | None:
    """SIGKILL the task worker of this clone (as the OOM killer would); return its pid."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd == str(clone) and b"db_worker" in command:
            os.kill(int(proc.name), signal.SIGKILL)
            return int(proc.name)
    return None


def our_processes(clone: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(clone)) or str(clone) in command:
            found.append(f"{proc.name}: {command[:120]}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embargo", action="store_true")
    parser.add_argument("--port", default="8765")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="gemeinsam-run-"))
    clone = scratch / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMEINSAM_", "VIRTUAL_ENV"))}
    env |= {
        "GEMEINSAM_PORT": args.port,
        "GEMEINSAM_SITE_URL": f"http://127.0.0.1:{args.port}",
        "GEMEINSAM_INSECURE_HTTP": "1",
    }
    base = f"http://127.0.0.1:{args.port}"
    log = (scratch / "make-run.log").open("w")
    started = time.monotonic()
    run = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failures: list[str] = []
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and get(base + "/en/")[0] != 200:
            if run.poll() is not None:
                failures.append(f"make run exited early with {run.returncode}")
                break
            time.sleep(2)
        else:
            if get(base + "/en/")[0] != 200:
                failures.append("the site did not answer 200 within 15 minutes")
        if not failures:
            print(f"site answers 200 after {time.monotonic() - started:.0f} s")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and manage(clone, env, TASK_DONE) == "0":
                time.sleep(2)
            done = int(manage(clone, env, TASK_DONE))
            print(f"background tasks completed: {done}")
            if not done:
                failures.append("no background task completed within 60 s")
        if not failures and args.embargo:
            media = eval_json(manage(clone, env, CREATE_RELEASE))
            before = outputs(base, media)
            leaks = [p for p, (s, b) in before.items() if mentions_release(p, s, b)]
            print(f"before the lift: {len(before)} outputs checked, {len(leaks)} show it")
            failures += [f"visible before the lift: {p}" for p in leaks]
            # Shortly before the lift: a worker dies mid-task and leaves its run RUNNING, and
            # the real worker is killed too. The supervisor restarts it; the scheduler
            # reclaims the run after its lease; the release must still lift on time.
            time.sleep(max(0.0, media["lift"] - 20 - time.time()))
            stuck = eval_json(
                manage(
                    clone, env, LEAVE_STUCK_RUN.format(seconds_to_lift=media["lift"] - time.time())
                )
            )
            killed = kill_worker(clone)
            print(f"left a publish run RUNNING ({stuck}); killed the worker (pid {killed})")
            if killed is None:
                failures.append("found no task worker to kill")
            wait = media["lift"] - time.time()
            time.sleep(max(0.0, wait))
            deadline = time.time() + 60
            missing = list(before)
            while time.time() < deadline and missing:
                time.sleep(3)
                after = outputs(base, media)
                missing = [p for p, (s, b) in after.items() if not mentions_release(p, s, b)]
            print(
                f"after the lift: {len(before) - len(missing)}/{len(before)} outputs show it "
                f"within {60 - max(0, deadline - time.time()):.0f} s"
            )
            failures += [f"still missing 60 s after the lift: {p}" for p in missing]
            status = manage(clone, env, STUCK_RUN_STATUS.format(pk=stuck))
            print(f"the run left RUNNING is now: {status}")
            if status != "FAILED gemeinsam.core.scheduler.LeaseExpiredError":
                failures.append(f"the run left RUNNING was not reclaimed: {status}")
            restarted = f"worker (pid {killed}) was killed by SIGKILL"
            if restarted not in (scratch / "make-run.log").read_text():
                failures.append("the supervisor did not report restarting the killed worker")
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            failures.append("make run did not stop within 30 s of Ctrl-C")
        time.sleep(1)
        left = our_processes(clone)
        if left:
            failures.append(f"processes left after Ctrl-C: {left}")
            for line in left:
                os.kill(int(line.split(":")[0]), signal.SIGKILL)
        log.close()
    if failures:
        print("make run check FAILED:\n  " + "\n  ".join(failures))
        print((scratch / "make-run.log").read_text()[-4000:])
        return 1
    print("make run check passed: no process left after Ctrl-C")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def eval_json(text: str) -> dict[str, object]:
    import json

    return json.loads(text)  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
