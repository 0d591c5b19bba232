"""WordPress as Debian ships it, serving the benchmark's story: the peer in ``bench/run.py``.

The stack is Debian 12's: the ``wordpress`` package (6.1, code in /usr/share/wordpress,
wp-content in /var/lib/wordpress), PHP 8.2 php-fpm with Debian's php.ini (opcache on),
MariaDB and nginx. Debian's /usr/share/wordpress/wp-config.php reads the settings from
/etc/wordpress/config-<host>.php, where <host> is the request's Host header with the port cut
off, so the site on ``127.0.0.1:<port>`` is configured by /etc/wordpress/config-127.0.0.1.php.
Our nginx pins that header (bench/wordpress_nginx.conf.in) so every request finds the file.

``start_wordpress`` recreates the database, runs WordPress's own installer over HTTP, inserts
the story and its comments with SQL (through the ``mariadb`` client, so the harness needs no
MySQL driver) and returns the running php-fpm and nginx. WordPress must not reach out to the
network while it is measured: wp-cron, outgoing HTTP and automatic updates are switched off.

Run ``python bench/wordpress.py`` for a manual check on port 8090.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NGINX_TEMPLATE = BENCH / "wordpress_nginx.conf.in"
PHP_FPM_TEMPLATE = BENCH / "php-fpm.conf.in"

HOST = "127.0.0.1"
MARIADB_PORT = 3306
DATABASE = "gemeinsam_bench_wp"
DATABASE_USER = "gemeinsam_bench_wp"
DEBIAN_CONFIG = Path("/etc/wordpress") / f"config-{HOST}.php"
PHP_FPM = "php-fpm8.2"

# The Debian packages the peer needs (nginx-light is enough for nginx).
DEBIAN_PACKAGES = ["nginx-light", "php-fpm", "php-mysql", "wordpress", "wrk", "mariadb-server"]

STARTUP_SECONDS = 30.0
STOP_SECONDS = 10.0


@dataclass
class WordPressComment:
    """One comment of the story; ``key`` and ``parent_key`` are our ids, for threading."""

    key: int
    parent_key: int | None
    author_name: str
    body_text: str
    created_at: datetime


@dataclass
class WordPressStory:
    """The story to publish: comments in id order, every parent before its replies."""

    title: str
    body_html: str
    published_at: datetime
    comments: list[WordPressComment] = field(default_factory=list)


@dataclass
class WordPressSite:
    """A running WordPress: the post's URL and its server processes (php-fpm first)."""

    url: str
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        """Stop nginx, then php-fpm, each with its whole process group; safe to call twice."""
        for process in reversed(self.processes):
            _stop_group(process)


# ------------------------------------------------------------------------------ packages


def ensure_packages() -> None:
    """Install the missing Debian packages (as root) and make sure MariaDB is answering."""
    missing = [package for package in DEBIAN_PACKAGES if not _package_installed(package)]
    if missing:
        if os.geteuid() != 0:
            raise RuntimeError(f"install these Debian packages first (as root): {missing}")
        environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=environment)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, env=environment)
    if not _mariadb_answers():
        _start_mariadb()


def _package_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and result.stdout.endswith(" installed")


def _answers(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:<port>."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


def _mariadb_answers() -> bool:
    return _answers(MARIADB_PORT)


def _start_mariadb() -> None:
    """Start MariaDB without systemd: Debian's init script if present, else mysqld_safe."""
    if shutil.which("service") and Path("/etc/init.d/mariadb").exists():
        subprocess.run(["service", "mariadb", "start"], check=False)
    else:
        subprocess.Popen(
            ["mysqld_safe"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while not _mariadb_answers():
        if time.monotonic() > deadline:
            raise RuntimeError(f"MariaDB does not answer on {HOST}:{MARIADB_PORT}")
        time.sleep(0.5)


# ------------------------------------------------------------------------------ the site


def start_wordpress(workdir: Path, port: int, story: WordPressStory) -> WordPressSite:
    """Set up WordPress from scratch on ``127.0.0.1:<port>`` with ``story`` as its one post.

    Recreates the database and its user, writes Debian's host config, starts php-fpm and
    nginx, runs the installer and inserts the story. Returns the post's URL and the
    processes. Raises ValueError for comments out of order and RuntimeError when the site
    does not come up as expected; the processes are stopped first.
    """
    _check_threading(story.comments)
    if not _mariadb_answers():
        raise RuntimeError(f"MariaDB is not answering on {HOST}:{MARIADB_PORT}")
    _check_opcache()
    _check_port_free(port)
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("php-fpm.sock", "php-fpm.pid", "nginx.pid"):
        (workdir / stale).unlink(missing_ok=True)

    password = secrets.token_hex(16)
    _create_database(password)
    _write_debian_config(port, password)
    _render(PHP_FPM_TEMPLATE, workdir / "php-fpm.conf", workdir, port)
    _render(NGINX_TEMPLATE, workdir / "wordpress_nginx.conf", workdir, port)

    site = WordPressSite(url="", processes=[])
    try:
        php = _spawn(
            [PHP_FPM, "-F", "-R", "-y", str(workdir / "php-fpm.conf")], workdir / "php-fpm.out"
        )
        site.processes.append(php)
        _wait_until(lambda: (workdir / "php-fpm.sock").exists(), "php-fpm's socket", site)
        nginx_command = ["nginx", "-g", "daemon off;", "-p", str(workdir)]
        nginx_command += ["-c", str(workdir / "wordpress_nginx.conf")]
        site.processes.append(_spawn(nginx_command, workdir / "nginx.out"))
        _wait_until(lambda: _answers(port), f"nginx on port {port}", site)

        base = f"http://{HOST}:{port}"
        _install(base)
        post_id = _insert_story(story, base)
        site.url = f"{base}/?p={post_id}"
        _verify(site.url, story)
    except BaseException:
        site.stop()
        raise
    return site


def _check_threading(comments: list[WordPressComment]) -> None:
    """Every reply must come after its parent: comments are inserted in list order."""
    seen: set[int] = set()
    for comment in comments:
        if comment.parent_key is not None and comment.parent_key not in seen:
            raise ValueError(f"comment {comment.key} comes before its parent {comment.parent_key}")
        seen.add(comment.key)


def _check_opcache() -> None:
    """php-fpm must run with opcache, as Debian configures it; anything else is not the peer."""
    info = subprocess.run([PHP_FPM, "-i"], capture_output=True, text=True, check=True).stdout
    if not re.search(r"^opcache\.enable => On", info, re.MULTILINE):
        raise RuntimeError(f"opcache is not enabled for {PHP_FPM} (see /etc/php/8.2/fpm)")


def _port_free(port: int) -> bool:
    """Whether nothing listens on the port (connections in TIME_WAIT do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _check_port_free(port: int) -> None:
    if not _port_free(port):
        raise RuntimeError(f"port {HOST}:{port} is in use (a WordPress from an earlier run?)")


def _render(template: Path, target: Path, workdir: Path, port: int) -> None:
    text = template.read_text().replace("@WORK@", str(workdir)).replace("@PORT@", str(port))
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise RuntimeError(f"{template.name}: placeholder {leftover.group()} was not filled in")
    target.write_text(text)


def _write_debian_config(port: int, password: str) -> None:
    """Write /etc/wordpress/config-127.0.0.1.php; WP_CONTENT_DIR stays Debian's default."""
    home = f"http://{HOST}:{port}"
    settings: dict[str, str | bool] = {
        "DB_NAME": DATABASE,
        "DB_USER": DATABASE_USER,
        "DB_PASSWORD": password,
        "DB_HOST": HOST,
        "WP_HOME": home,
        "WP_SITEURL": home,
        # No outgoing requests while measuring: no wp-cron, no HTTP out, no updates.
        "DISABLE_WP_CRON": True,
        "WP_HTTP_BLOCK_EXTERNAL": True,
        "AUTOMATIC_UPDATER_DISABLED": True,
    }
    lines = ["<?php", "// Written by Gemeinsam's bench/wordpress.py; rewritten on every run."]
    for name, value in settings.items():
        literal = "true" if value is True else _php_string(str(value))
        lines.append(f"define('{name}', {literal});")
    DEBIAN_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    DEBIAN_CONFIG.write_text("\n".join(lines) + "\n")
    DEBIAN_CONFIG.chmod(0o640)


def _php_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _spawn(command: list[str], output: Path) -> subprocess.Popen[bytes]:
    """Start a server in its own session, so that stopping it takes its workers along."""
    with output.open("ab") as log:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process group, wait for its leader, and kill whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + STOP_SECONDS
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until(ready: Callable[[], bool], what: str, site: WordPressSite) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        for process in site.processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{process.args!r} exited with {process.returncode} while waiting for {what}"
                )
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


# ------------------------------------------------------------------------------ HTTP


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Report redirects as they are: an uninstalled WordPress redirects to its installer."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Straight to 127.0.0.1: no proxy from the environment, no redirects followed.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def _http(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    """GET (or POST ``form`` to) a URL on 127.0.0.1; returns the status and the body."""
    if urllib.parse.urlsplit(url).hostname != HOST:
        raise ValueError(f"only {HOST} is allowed: {url}")
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with _OPENER.open(url, data=data, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _install(base: str) -> None:
    """Run WordPress's installer (step 2 of /wp-admin/install.php) and check the front page."""
    password = secrets.token_urlsafe(18)
    status, body = _http(
        f"{base}/wp-admin/install.php?step=2",
        {
            "weblog_title": "Gemeinsam benchmark peer",
            "user_name": "bench",
            "admin_password": password,
            "admin_password2": password,
            "pw_weak": "1",
            "admin_email": "bench@example.org",
            "blog_public": "0",
        },
    )
    if status != 200 or "Success" not in body:
        raise RuntimeError(f"WordPress's installer answered {status}: {_text_excerpt(body)}")
    status, body = _http(f"{base}/")
    if status != 200:
        raise RuntimeError(f"the front page answered {status} after installing")


def _text_excerpt(page: str, length: int = 300) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())[:length]


def _verify(url: str, story: WordPressStory) -> None:
    """The post must answer 200 with its title and the last comment on the page."""
    status, page = _http(url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}: {_text_excerpt(page)}")
    expected = [("title", story.title)]
    if story.comments:
        expected.append(("last comment", story.comments[-1].body_text))
    for what, text in expected:
        if not _shows(page, text):
            raise RuntimeError(f"{url} does not show the story's {what}: {text[:80]!r}")


def _shows(page: str, text: str) -> bool:
    """Whether ``text`` appears on the page, word for word.

    WordPress rewrites punctuation on display (curly quotes, dashes, <br /> for line breaks),
    so only the words and their order are compared.
    """
    words = re.findall(r"\w+", text)
    if not words:
        return True
    visible = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.search(r"\W+".join(map(re.escape, words)), visible) is not None


# ------------------------------------------------------------------------------ SQL


def _mariadb(sql: str, database: str | None = None) -> str:
    """Run SQL as MariaDB's root over 127.0.0.1 and return the tab-separated output."""
    command = ["mariadb", "-h", HOST, "-P", str(MARIADB_PORT), "-u", "root"]
    command += ["--batch", "--skip-column-names", "--default-character-set=utf8mb4"]
    if database:
        command.append(database)
    result = subprocess.run(command, input=sql, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"mariadb failed: {result.stderr.strip()}")
    return result.stdout


def _create_database(password: str) -> None:
    """Drop and recreate the database and its user (for TCP and socket connections)."""
    if not re.fullmatch(r"[0-9a-f]+", password):
        raise ValueError("the database password must be hex digits: it is quoted as it is")
    statements = [
        f"DROP DATABASE IF EXISTS {DATABASE};",
        f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;",
    ]
    for host in (HOST, "localhost"):
        account = f"'{DATABASE_USER}'@'{host}'"
        statements += [
            f"DROP USER IF EXISTS {account};",
            f"CREATE USER {account} IDENTIFIED BY '{password}';",
            f"GRANT ALL PRIVILEGES ON {DATABASE}.* TO {account};",
        ]
    _mariadb("\n".join(statements))


def _sql_text(value: str) -> str:
    """A string as a hex literal: nothing in it can break out of the SQL."""
    return f"CONVERT(X'{value.encode().hex()}' USING utf8mb4)" if value else "''"


def _sql_time(moment: datetime) -> str:
    """A UTC DATETIME literal; naive times are taken as UTC (WordPress keeps gmt_offset 0)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"'{aware.astimezone(UTC):%Y-%m-%d %H:%M:%S}'"


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:200] or "story"


# The statements are constant; the values arrive in user variables set just before them.
INSERT_POST = """
INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title,
    post_excerpt, post_status, comment_status, ping_status, post_password, post_name, to_ping,
    pinged, post_modified, post_modified_gmt, post_content_filtered, post_parent, guid,
    menu_order, post_type, post_mime_type, comment_count)
VALUES (1, @published, @published, @content, @title, '', 'publish', 'open', 'closed', '',
    @slug, '', '', @published, @published, '', 0, '', 0, 'post', '', @comment_count);
SET @post = LAST_INSERT_ID();
UPDATE wp_posts SET guid = CONCAT(@guid_prefix, @post) WHERE ID = @post;
"""
INSERT_COMMENT = """
INSERT INTO wp_comments (comment_post_ID, comment_author, comment_author_email,
    comment_author_url, comment_author_IP, comment_date, comment_date_gmt, comment_content,
    comment_karma, comment_approved, comment_agent, comment_type, comment_parent, user_id)
VALUES (@post, @author, '', '', '127.0.0.1', @created, @created, @content, 0, '1', '',
    'comment', @parent, 0);
"""
UPSERT_OPTION = """
INSERT INTO wp_options (option_name, option_value, autoload) VALUES (@name, @value, 'yes')
ON DUPLICATE KEY UPDATE option_value = VALUES(option_value);
"""
READING_OPTIONS = {
    "thread_comments": "1",
    "thread_comments_depth": "5",
    "page_comments": "0",
    # The installer turns on pretty permalinks when they work; the comparison uses ?p=ID.
    "permalink_structure": "",
    "rewrite_rules": "",
}


def _insert_story(story: WordPressStory, base: str) -> int:
    """Insert the story as a published post with its comments approved and threaded.

    Titles, names and comment texts are plain text, so they are stored HTML-escaped, as
    WordPress would store them after filtering a submission. Reading settings are set for
    the comparison: threaded comments five deep, all comments on one page, ?p=ID links.
    Returns the post's ID.
    """
    published = _sql_time(story.published_at)
    statements = [
        "START TRANSACTION;",
        _set(
            published=published,
            content=_sql_text(story.body_html),
            title=_sql_text(_escape(story.title)),
            slug=_sql_text(_slug(story.title)),
            comment_count=str(len(story.comments)),
            guid_prefix=_sql_text(f"{base}/?p="),
        ),
        INSERT_POST,
    ]
    positions: dict[int, int] = {}
    for position, comment in enumerate(story.comments):
        parent = "0" if comment.parent_key is None else f"@comment{positions[comment.parent_key]}"
        statements += [
            _set(
                author=_sql_text(_escape(comment.author_name)),
                created=_sql_time(comment.created_at),
                content=_sql_text(_escape(comment.body_text)),
                parent=parent,
            ),
            INSERT_COMMENT,
            f"SET @comment{position} = LAST_INSERT_ID();",
        ]
        positions[comment.key] = position
    for name, value in READING_OPTIONS.items():
        statements += [_set(name=_sql_text(name), value=_sql_text(value)), UPSERT_OPTION]
    statements += ["COMMIT;", "SELECT @post;"]
    output = _mariadb("\n".join(statements), DATABASE)
    return int(output.split()[-1])


def _set(**values: str) -> str:
    """One SET statement for user variables; the values are SQL literals or variables."""
    return "SET " + ", ".join(f"@{name} = {value}" for name, value in values.items()) + ";"


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


# ------------------------------------------------------------------------------ manual check


def _sample_story(comments: int = 100) -> WordPressStory:
    """A story like the benchmark's: a few paragraphs and threaded comments, some replies."""
    published = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    paragraphs = [
        f"<p>Absatz {number}: Der Stadtrat hat am Montag über die neuen Radwege beraten. "
        "Anwohnerinnen und Anwohner kamen zu Wort, die Verwaltung stellte Zahlen vor.</p>"
        for number in range(1, 9)
    ]
    story = WordPressStory(
        title="Stadtrat beschließt neue Radwege für die Innenstadt",
        body_html="\n".join(paragraphs),
        published_at=published,
    )
    for key in range(1, comments + 1):
        story.comments.append(
            WordPressComment(
                key=key,
                parent_key=None if key % 3 == 1 else key - 1,
                author_name=f"Leserin {key}",
                body_text=f"Kommentar {key}: I don't think that's \"enough\" -- "
                f"wir brauchen mehr Platz fürs Rad.\nZweite Zeile {key}.",
                created_at=published + timedelta(minutes=key),
            )
        )
    return story


def main() -> None:
    """Start WordPress on port 8090, load it briefly with wrk, and stop it again."""
    ensure_packages()
    with tempfile.TemporaryDirectory(prefix="gemeinsam-wordpress-") as directory:
        site = start_wordpress(Path(directory) / "wordpress", 8090, _sample_story())
        try:
            status, page = _http(site.url)
            print(f"{site.url}: {status}, {len(page.encode())} bytes")
            wrk = ["wrk", "-t1", "-c32", "-d5s", "--latency", site.url]
            print(subprocess.run(wrk, capture_output=True, text=True, check=True).stdout)
        finally:
            site.stop()


if __name__ == "__main__":
    main()
