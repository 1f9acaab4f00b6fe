"""What the command-line modules share: one-line failures, the progress bar, option parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast, get_args

import typer

if TYPE_CHECKING:
    from analyzer.analyze import Mode


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `scopelens: <message>` on stderr; return the Exit to raise (usage errors: 2)."""
    typer.echo(f"scopelens: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def progress_bar(
    total: int, *, enabled: bool, label: str = "Scanning"
) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr; yields the function that advances it by one file."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)


def parse_mode(name: str) -> Mode:
    """The analysis mode named by `--mode`; any other name is a usage error."""
    from analyzer.analyze import Mode

    if name not in get_args(Mode):
        raise fail(f"unknown --mode {name!r}: use accurate, fast or rules")
    return cast("Mode", name)
