"""The `scopelens` command line. Thin: validate arguments, call one core function, print.

Heavy imports (spaCy, pdf libraries) happen inside the commands so `scopelens --help` is fast.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from analyzer import __version__

app = typer.Typer(
    name="scopelens",
    help="Find ambiguous scope, vendor commitments and missing safeguards in IT proposals, "
    "statements of work and contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    """Report formats of `scopelens scan`."""

    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scopelens {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """ScopeLens command line."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"scopelens: {message}", err=True)
    return typer.Exit(code)


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (walked recursively).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.json,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report to this file.")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")
    ] = 0,
    engine: Annotated[
        str, typer.Option(help="PDF text engine: auto, pdfium or pdfplumber.")
    ] = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Analyse documents (PDF, DOCX, TXT, Markdown) and write a report."""
    from analyzer.batch import iter_files
    from analyzer.batch import scan as run_scan
    from analyzer.report import render
    from analyzer.types import Report, ToolInfo

    if engine not in ("auto", "pdfium", "pdfplumber"):
        raise _fail(f"unknown --engine {engine!r}: use auto, pdfium or pdfplumber")
    if jobs < 0:
        raise _fail("--jobs must be 0 (all cores) or a positive number")
    items = list(iter_files(paths))
    if not items:
        raise _fail("nothing to scan: no PDF, DOCX, TXT or Markdown files under the given paths")
    workers = jobs or (os.cpu_count() or 1)
    workers = max(1, min(workers, len(items)))
    # HTML highlights need the document text, which only stays in this process.
    keep = fmt is Format.html
    if keep:
        workers = 1

    reports = []
    show_progress = len(items) > 1 and not quiet
    if show_progress:
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
            task = progress.add_task("Scanning", total=len(items))
            for report in run_scan(items, jobs=workers, engine=engine, keep_documents=keep):
                reports.append(report)
                progress.advance(task)
    else:
        reports = list(run_scan(items, jobs=workers, engine=engine, keep_documents=keep))

    reports.sort(key=lambda r: r.path)
    for report in reports:
        if report.status == "error":
            typer.echo(f"scopelens: {report.path}: {report.error}", err=True)
    text = render(Report(tool=ToolInfo(version=__version__), documents=reports), fmt.value)
    if out is None:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
    failed = sum(r.status == "error" for r in reports)
    if not quiet:
        typer.echo(
            f"scopelens: {len(reports)} file(s), {len(reports) - failed} analysed, {failed} failed",
            err=True,
        )
    if failed == len(reports):
        raise typer.Exit(1)


@app.command()
def evaluate(
    corpus: Annotated[Path, typer.Option(help="Folder with the labelled JSONL files.")] = Path(
        "corpus/labelled"
    ),
    split: Annotated[
        str, typer.Option(help="Split to evaluate: train, dev, test or all.")
    ] = "test",
) -> None:
    """Score the detectors against the labelled corpus (per-label precision/recall/F1)."""
    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.evaluate import evaluate_rules, format_table

    if split not in ("train", "dev", "test", "all"):
        raise _fail(f"unknown --split {split!r}: use train, dev, test or all")
    if not corpus.is_dir():
        raise _fail(f"{corpus}: corpus folder not found")
    try:
        records = load_corpus(corpus, None if split == "all" else split)  # type: ignore[arg-type]
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not records:
        raise _fail(f"{corpus}: no labelled sentences in split {split!r}")
    typer.echo(f"Rules only, split={split}, {len(records)} sentences\n")
    typer.echo(format_table(evaluate_rules(records)))


@app.command()
def review(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
) -> None:
    """Start the Streamlit review app (streamlit run app.py)."""
    import subprocess

    app_file = Path(__file__).resolve().parent.parent / "app.py"
    if not app_file.is_file():
        raise _fail(f"{app_file}: the review app is not installed beside the package")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_file),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    raise typer.Exit(subprocess.call(command))


annotations_app = typer.Typer(
    help="Reviewer decisions stored by the review app.", no_args_is_help=True
)
app.add_typer(annotations_app, name="annotations")


@annotations_app.command("export")
def annotations_export(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: SCOPELENS_DB_URL or the SQLite file)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write JSONL here instead of stdout.")
    ] = None,
    current_only: Annotated[
        bool, typer.Option("--current-only", help="Only each reviewer's latest decision.")
    ] = False,
) -> None:
    """Write reviewer decisions as JSONL (the record `scopelens train` reads)."""
    from analyzer.errors import StoreError
    from analyzer.store import Store

    try:
        with Store.open(db) as store:
            if out is None:
                count = store.export_annotations(sys.stdout, current_only=current_only)
            else:
                with out.open("w", encoding="utf-8") as handle:
                    count = store.export_annotations(handle, current_only=current_only)
    except StoreError as exc:
        raise _fail(exc.one_line()) from None
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"scopelens: exported {count} decision(s)", err=True)


def main() -> None:
    """Console-script entry point."""
    app()
