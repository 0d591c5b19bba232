"""A text progress bar for long management commands."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class ProgressBar:
    """Redrawn in place on a terminal; elsewhere (logs, CI) one line per tenth of the work."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self._last_tenth: dict[str, int] = {}

    def __call__(self, done: int, total: int, label: str = "") -> None:
        finished = done >= total
        if not self.interactive and not finished:
            tenth = done * 10 // total if total else 10
            if self._last_tenth.get(label) == tenth:
                return
            self._last_tenth[label] = tenth
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"[{bar}] {done:,}/{total:,} {label}".rstrip()
        if self.interactive:
            self.stream.write(f"\r{text}", ending="\n" if finished else "")
        else:
            self.stream.write(text)
        self.stream.flush()
