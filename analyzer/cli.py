"""The `scopelens` command line. Thin: validate arguments, call one core function, print.

Heavy imports (spaCy, pdf libraries) happen inside the commands so `scopelens --help` is fast.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, cast, get_args

import typer

from analyzer.cli_support import fail as _fail
from analyzer.cli_support import parse_mode as _mode
from analyzer.cli_support import progress_bar as _progress
from analyzer.cli_team import import_documents, projects_app, users_app
from analyzer.version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from analyzer.extract import Engine
    from analyzer.types import DocumentReport, ToolInfo

app = typer.Typer(
    name="scopelens",
    help="Find ambiguous scope, vendor commitments and missing safeguards in IT proposals, "
    "statements of work and contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text: "scopelens[train]" is not a markup tag
)


# Options shared by several commands (scan and handover analyse; train and evaluate read the
# corpus).
EngineOption = Annotated[str, typer.Option(help="PDF text engine: auto, pdfium or pdfplumber.")]
ModeOption = Annotated[
    str,
    typer.Option(
        help="accurate (rules + the fine-tuned encoder), fast (rules + the linear model, "
        "for huge archives) or rules."
    ),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(help="Linear classifier folder for fast mode (default: the shipped one)."),
]
EncoderOption = Annotated[
    Path | None,
    typer.Option(help="Encoder folder for accurate mode (default: the shipped one)."),
]
CorpusOption = Annotated[
    Path | None,
    typer.Option(help="Folder with the labelled JSONL files (default: ./corpus/labelled)."),
]
RulesOnlyOption = Annotated[
    bool, typer.Option("--rules-only", help="Use no model (the same as --mode rules).")
]


class Format(StrEnum):
    """Report formats of `scopelens scan`."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"
    html = "html"


def _version(value: bool) -> None:
    if value:
        from analyzer.analyze import Analyzer

        analyzer = Analyzer(mode="accurate")
        if analyzer.model_name is None:
            model = f"none ({analyzer.model_warning or 'rules only'})"
        else:
            folder = analyzer.encoder_dir if analyzer.mode == "accurate" else analyzer.model_dir
            model = f"{analyzer.model_name}, {analyzer.mode} mode ({folder})"
        typer.echo(f"scopelens {__version__}\nmodel: {model}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """ScopeLens command line."""


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (walked recursively).")],
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="Report format. json and jsonl are written as each file finishes (in the "
            "order files finish; --sort orders them by path at the end).",
        ),
    ] = Format.json,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report to this file.")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")
    ] = 0,
    engine: EngineOption = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    mode: ModeOption = "accurate",
    model: ModelOption = None,
    encoder: EncoderOption = None,
    rules_only: RulesOnlyOption = False,
    portfolio: Annotated[
        Path | None,
        typer.Option(
            "--portfolio",
            help="Also write the portfolio table (one row per document, ranked by risk score, "
            "with the safeguards each lacks) to this CSV file.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds one file may take before its worker is stopped and the file reported "
            "as timed out (0 = no limit; default SCOPELENS_TIMEOUT_S or 300).",
        ),
    ] = None,
    max_mb: Annotated[
        int | None,
        typer.Option("--max-mb", help="Skip files larger than this (default 200 MB)."),
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option("--max-pages", help="Skip PDFs with more pages (default 5000)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Analyse every file again; leave the cache alone.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Scan cache folder (default SCOPELENS_CACHE_DIR or the user cache folder).",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run on Dask distributed: a scheduler address (tcp://host:8786) or 'local' "
            "(needs pip install 'scopelens[dask]'; see docs/scale.md).",
        ),
    ] = None,
    sort: Annotated[
        bool,
        typer.Option("--sort", help="json/jsonl: order documents by path (holds all in memory)."),
    ] = False,
) -> None:
    """Analyse documents (PDF, DOCX, TXT, Markdown) and write a report.

    With several documents the HTML report opens with the portfolio: documents ranked by risk,
    the phrases and rules that fire most, and which documents lack which safeguards.
    Re-scans answer unchanged files from the scan cache (see --no-cache).
    """
    from dataclasses import replace

    from analyzer.analyze import DEFAULT_MODEL
    from analyzer.batch import JsonStream, Scanner, iter_files
    from analyzer.batch.dask import DaskUnavailableError
    from analyzer.cache import default_cache_dir
    from analyzer.config import Limits
    from analyzer.errors import printable

    pdf_engine = _engine(engine)
    if jobs < 0:
        raise _fail("--jobs must be 0 (all cores) or a positive number")
    if timeout is not None and timeout < 0:
        raise _fail("--timeout must be 0 (no limit) or a positive number of seconds")
    for name, value in (("--max-mb", max_mb), ("--max-pages", max_pages)):
        if value is not None and value <= 0:
            raise _fail(f"{name} must be a positive number")
    items = list(iter_files(paths))
    if not items:
        raise _fail("nothing to scan: no PDF, DOCX, TXT or Markdown files under the given paths")
    limits = Limits()
    if max_mb is not None:
        limits = replace(limits, max_file_bytes=max_mb * 1024 * 1024)
    if max_pages is not None:
        limits = replace(limits, max_pages=max_pages)
    analysis_mode = _mode("rules" if rules_only else mode)
    model_dir = None if analysis_mode == "rules" else (model or DEFAULT_MODEL)
    encoder_dir = encoder or DEFAULT_MODEL
    workers = max(1, min(jobs or (os.cpu_count() or 1), len(items)))
    scanner = Scanner(
        jobs=workers,
        engine=pdf_engine,
        limits=limits,
        model_dir=model_dir,
        mode=analysis_mode,
        encoder_dir=encoder_dir,
        timeout=limits.timeout_s if timeout is None else timeout,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        # HTML highlights need the extracted text: workers send it back.
        keep_documents=fmt is Format.html,
        dask=dask,
    )
    streaming = fmt in (Format.json, Format.jsonl) and not sort
    keep_reports = not streaming or portfolio is not None
    try:
        handle = sys.stdout if out is None else out.open("w", encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
    stream = JsonStream(handle, lines=fmt is Format.jsonl) if streaming else None
    reports = []
    problems: list[tuple[str, str]] = []
    count = failed = 0
    try:
        with _progress(len(items), enabled=len(items) > 1 and not quiet) as advance:
            for report in scanner.run(items):
                count += 1
                if report.status == "error":
                    failed += 1
                    problems.append((report.path, report.error or "error"))
                if stream is not None:
                    stream.write(report, scanner.tool)
                if keep_reports:
                    reports.append(report)
                advance()
        if stream is not None:
            stream.close(scanner.tool)
        else:
            _write_full(handle, reports, scanner.tool, fmt.value, sort=True)
    except OSError as exc:
        raise _fail(f"cannot write {out or 'the report'}: {exc.strerror or exc}") from None
    except DaskUnavailableError as exc:  # Dask missing or its scheduler unreachable
        raise _fail(str(exc)) from None
    finally:
        if scanner.cache is not None:
            scanner.cache.close()
        if out is not None:
            handle.close()
    for warning in scanner.stats.warnings:
        typer.echo(f"scopelens: warning: {warning}", err=True)
    for path, error in sorted(problems):
        # printable(): a newline or terminal escape in a file name stays on one line.
        typer.echo(f"scopelens: {printable(path)}: {printable(error)}", err=True)
    if portfolio is not None:
        from analyzer.report.portfolio import build_portfolio, to_portfolio_csv
        from analyzer.types import Report

        reports.sort(key=lambda r: r.path)
        _write(portfolio, to_portfolio_csv(build_portfolio(Report(scanner.tool, reports))))
    if not quiet:
        cached = scanner.stats.cached
        typer.echo(
            f"scopelens: {count} file(s), {count - failed} analysed, {failed} failed"
            + (f", {cached} answered from the cache" if cached else ""),
            err=True,
        )
    if failed == count:
        raise typer.Exit(1)


def _write_full(
    handle: TextIO, reports: list[DocumentReport], tool: ToolInfo, fmt: str, *, sort: bool
) -> None:
    """Render a whole report (csv, md, html, sorted json) and write it."""
    from analyzer.batch import JsonStream
    from analyzer.types import Report

    if sort:
        reports.sort(key=lambda r: r.path)
    if fmt in ("json", "jsonl"):
        stream = JsonStream(handle, lines=fmt == "jsonl")
        for report in reports:
            stream.write(report, tool)
        stream.close(tool)
        return
    from analyzer.report import render

    text = render(Report(tool=tool, documents=reports), fmt)  # type: ignore[arg-type]
    handle.write(text)
    if not text.endswith("\n"):
        handle.write("\n")


def _write(path: Path, data: str | bytes) -> None:
    """Write a report file, turning an OS error into a one-line failure."""
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None


@app.command()
def handover(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The documents of one deal (proposal, SOW, contract) or folders with them."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the pack here: .docx, .md or .html (default: Markdown on stdout).",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Title of the pack (default: the document's title).")
    ] = None,
    engine: EngineOption = "auto",
    mode: ModeOption = "accurate",
    model: ModelOption = None,
    encoder: EncoderOption = None,
    rules_only: RulesOnlyOption = False,
    reviewed: Annotated[
        bool,
        typer.Option(
            "--reviewed",
            help="Honour the reviewers' decisions in the store: for each document stored "
            "there (same sha256), dismissed findings drop out, relabels apply and added "
            "findings join (the decision an admin adjudicated or the reviewers agree on). "
            "Other documents are used as analysed.",
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL for --reviewed (default: SCOPELENS_DB_URL or the SQLite file).",
        ),
    ] = None,
) -> None:
    """Write the delivery handover pack: commitments, exclusions, assumptions, gaps, questions.

    With --reviewed the pack lists the findings as the reviewers left them in the store.
    """
    from analyzer.analyze import DEFAULT_MODEL, Analyzer, error_report
    from analyzer.batch import iter_files
    from analyzer.errors import StoreError, UsageError
    from analyzer.report.handover import build_pack, decisions_for
    from analyzer.report.handover_render import format_for_path, render_pack

    if db is not None and not reviewed:
        raise _fail("--db goes with --reviewed: it names the store of the reviewers' decisions")
    pdf_engine = _engine(engine)
    try:
        fmt = format_for_path(out) if out is not None else "md"
    except UsageError as exc:
        raise _fail(exc.one_line()) from None
    items = list(iter_files(paths))
    if not items:
        raise _fail("nothing to read: no PDF, DOCX, TXT or Markdown files under the given paths")
    if reviewed:
        from analyzer.review.decisions import reviewed_report
        from analyzer.store import Store

        try:  # an unreachable store fails now, not after the analysis
            Store.open(db).close()
        except StoreError as exc:
            raise _fail(exc.one_line()) from None
    # In this process, in the order given: the pack quotes and locates sentences, so it needs
    # the extracted text, and proposal -> SOW -> contract is the order to read them in.
    analysis_mode = _mode("rules" if rules_only else mode)
    analyzer = Analyzer(
        engine=pdf_engine,
        model_dir=None if analysis_mode == "rules" else (model or DEFAULT_MODEL),
        mode=analysis_mode,
        encoder_dir=encoder or DEFAULT_MODEL,
    )
    if analyzer.model_warning:
        typer.echo(f"scopelens: warning: {analyzer.model_warning}", err=True)
    reports = []
    for item in items:
        if item.problem:
            reports.append(error_report(item.path, item.problem))
            continue
        try:
            reports.append(analyzer.analyze_path(item.path))
        except Exception as exc:  # a bug must not hide the other documents of the deal
            reason = f"internal error ({type(exc).__name__}): please report this file"
            reports.append(error_report(item.path, reason))
    for report in reports:
        if report.status == "error":
            typer.echo(f"scopelens: {report.path}: {report.error}", err=True)
    if all(r.status == "error" for r in reports):
        raise _fail("no document could be analysed, so there is no pack", 1)
    if reviewed:
        found = 0
        try:
            with Store.open(db) as store:
                for number, report in enumerate(reports):
                    document, sha = report.document, report.sha256
                    if report.status != "ok" or document is None or sha is None:
                        continue
                    if store.get_document(sha) is None:
                        continue
                    resolved = decisions_for(report, store.resolved_decisions(sha))
                    reports[number] = reviewed_report(report, resolved, document.text)
                    found += 1
        except StoreError as exc:
            raise _fail(exc.one_line()) from None
        typer.echo(
            f"scopelens: reviewers' decisions applied to {found} of {len(reports)} document(s)"
            + ("" if found else ": none of them is in the store"),
            err=True,
        )
    pack = build_pack(reports, tool=analyzer.tool, title=title)
    data = render_pack(pack, fmt)
    if out is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
    else:
        _write(out, data)
    typer.echo(
        f"scopelens: handover pack of {len(reports)} document(s): {len(pack.ledger)} "
        f"commitments, {len(pack.missing)} missing safeguards, {pack.question_count} questions"
        + (f" -> {out}" if out is not None else ""),
        err=True,
    )


@app.command()
def evaluate(
    corpus: CorpusOption = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder the corpus sources are in (default: SCOPELENS_DATA or ../shared/data)."
        ),
    ] = None,
    split: Annotated[str, typer.Option(help="Split to score: dev, train or all.")] = "dev",
    final: Annotated[
        bool,
        typer.Option("--final", help="Score the held-out test split (for the final report only)."),
    ] = False,
    mode: Annotated[
        str, typer.Option(help="accurate, fast, rules, or all (each of them, side by side).")
    ] = "all",
    genre: Annotated[
        str | None,
        typer.Option(help="Only documents of one genre (contract, proposal, solicitation, ...)."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
) -> None:
    """Run the product on the corpus documents and score its findings by offsets (P/R/F1)."""
    import json
    import os

    from analyzer.analyze import Analyzer
    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.product_eval import (
        ProductScores,
        evaluate_product,
        format_product_table,
    )

    if split == "test" and not final:
        raise _fail("the test split is scored only with --final, for the final report")
    if split not in ("train", "dev", "all"):
        raise _fail(f"unknown --split {split!r}: use dev, train or all (or --final for test)")
    modes = ["accurate", "fast", "rules"] if mode == "all" else [_mode(mode)]
    corpus = _corpus_dir(corpus)
    data_dir = data or Path(os.environ.get("SCOPELENS_DATA", "../shared/data"))
    if not data_dir.is_dir():
        raise _fail(f"{data_dir}: the documents folder is missing: pass --data DIR")
    chosen = "test" if final else split
    try:
        records = load_corpus(corpus, None if chosen == "all" else chosen)  # type: ignore[arg-type]
    except ValueError as exc:
        raise _fail(str(exc)) from None
    records = [r for r in records if r.start is not None and genre in (None, r.genre)]
    if not records:
        raise _fail(f"{corpus}: no labelled sentences with offsets in split {chosen!r}")
    results: dict[str, ProductScores] = {}
    for name in modes:
        analyzer = Analyzer(mode=_mode(name))
        if analyzer.mode != name:
            typer.echo(
                f"scopelens: warning: {name} mode unavailable: {analyzer.model_warning}", err=True
            )
            continue
        with _progress(len({r.doc_id for r in records}), enabled=True) as advance:
            results[name] = evaluate_product(
                records, data_dir, analyzer.analyze_path, progress=lambda _i, _n: advance()
            )
    typer.echo(f"## Split {chosen}: the product run end to end, scored by offsets\n")
    typer.echo(format_product_table(results))
    if chosen != "test" and set(results) - {"rules"}:
        # `scopelens train` fits the linear model on train + dev (train.train_model).
        typer.echo(
            "\nNote: the linear model was trained on the train and dev splits: fast mode and "
            "accurate mode's blend are optimistic here. The test split (--final) is the "
            "honest measure.",
            err=True,
        )
    if json_out is not None:
        payload = {"split": chosen, "modes": {k: v.to_dict() for k, v in results.items()}}
        _write(json_out, json.dumps(payload, indent=2) + "\n")


def _blend_partner(progress: Callable[[str], None]) -> Path | None:
    """The linear model accurate mode is tuned to blend with: the shipped one, when present."""
    from analyzer.classify.model import MODEL_FILE
    from analyzer.config import default_model_dir

    folder = default_model_dir()
    if (folder / MODEL_FILE).is_file():
        progress(f"the decision is tuned to blend the encoder with {folder}")
        return folder
    progress(f"no linear model at {folder}: the decision is tuned for the encoder alone")
    return None


@app.command()
def train(
    corpus: CorpusOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Model folder to write (default: the shipped model).")
    ] = None,
    encoder: Annotated[
        bool,
        typer.Option(
            "--encoder",
            help="Fine-tune the accurate-mode encoder instead of the linear model "
            "(needs pip install 'scopelens[train]'; hours on a laptop).",
        ),
    ] = False,
    epochs: Annotated[int, typer.Option(help="--encoder: passes over the train split.")] = 5,
    tune_only: Annotated[
        bool,
        typer.Option(
            "--tune-only",
            help="--encoder: only re-tune the decision thresholds of an existing encoder on "
            "the dev split (no PyTorch needed).",
        ),
    ] = False,
    with_annotations: Annotated[
        str | None,
        typer.Option(
            "--with-annotations",
            help="Reviewer decisions to learn from: an exported JSONL file or a database URL.",
        ),
    ] = None,
    curve: Annotated[
        bool, typer.Option("--curve/--no-curve", help="Also compute the learning curve.")
    ] = True,
) -> None:
    """Train a model from the corpus (and reviewer decisions); print its cross-validated or dev
    scores. The test split is never read here (see `scopelens evaluate --final`)."""
    import json

    from analyzer.classify.train import (
        format_learning_curve,
        load_annotation_examples,
        train_model,
    )
    from analyzer.config import default_encoder_dir, default_model_dir
    from analyzer.errors import AnalyzerError

    corpus = _corpus_dir(corpus)

    def progress(message: str) -> None:
        typer.echo(f"scopelens: {message}", err=True)

    if encoder and tune_only:
        from analyzer.classify.accurate import tune_encoder

        folder = out or default_encoder_dir()
        try:
            tuned = tune_encoder(folder, corpus, _blend_partner(progress), progress)
        except (ValueError, AnalyzerError) as exc:
            raise _fail(str(exc)) from None
        typer.echo(f"Decision of {folder} re-tuned on dev: {json.dumps(tuned)}")
        return
    if encoder:
        if with_annotations:
            raise _fail("--with-annotations trains the linear model only (drop --encoder)")
        try:
            from analyzer.classify.encoder_train import TrainConfig, train_encoder
        except ImportError as exc:
            raise _fail(f"--encoder needs {exc.name}: pip install 'scopelens[train]'") from None
        folder = out or default_encoder_dir()
        try:
            meta = train_encoder(
                corpus, folder, TrainConfig(epochs=epochs), progress, _blend_partner(progress)
            )
        except ValueError as exc:
            raise _fail(str(exc)) from None
        typer.echo(f"Encoder written to {folder} ({meta['name']}@{meta['version']})\n")
        typer.echo("Dev F1 of the sentence heads at their tuned thresholds:\n")
        typer.echo("\n".join(f"  {k}: {v:.3f}" for k, v in meta["dev_f1_sentence_model"].items()))
        return
    folder = out or default_model_dir()
    extra = None
    if with_annotations:
        try:
            extra = load_annotation_examples(with_annotations)
        except (AnalyzerError, OSError, ValueError) as exc:
            raise _fail(f"cannot read reviewer decisions from {with_annotations}: {exc}") from None
        progress(f"{len(extra.records)} sentences from reviewer decisions")
    try:
        meta = train_model(corpus, folder, extra=extra, with_curve=curve, progress=progress)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Model written to {folder} (corpus sha256 {meta['corpus']['sha256'][:12]})\n")
    typer.echo("Cross-validated F1 (train + dev, by document):\n")
    typer.echo("\n".join(f"  {label}: {f1:.3f}" for label, f1 in meta["cv_f1"].items()))
    if meta["learning_curve"]:
        typer.echo("\nLearning curve (dev F1 by share of train documents):\n")
        typer.echo(format_learning_curve(meta["learning_curve"]))
    if folder == default_model_dir():
        progress(
            "accurate mode blends the encoder with this model only once the blend is tuned "
            "for it (until then the encoder decides alone): scopelens train --encoder --tune-only"
        )


def _corpus_dir(given: Path | None) -> Path:
    """The corpus folder to use, or a one-line usage error saying how to give one."""
    from analyzer.config import CORPUS_HINT, default_corpus_dir

    corpus = given or default_corpus_dir()
    if corpus is None:
        raise _fail(f"no corpus/labelled folder here: {CORPUS_HINT}")
    if not corpus.is_dir():
        raise _fail(f"{corpus}: corpus folder not found: {CORPUS_HINT}")
    return corpus


def _engine(name: str) -> Engine:
    """The PDF engine named by `--engine`; any other name is a usage error."""
    from analyzer.extract import Engine

    if name not in get_args(Engine):
        raise _fail(f"unknown --engine {name!r}: use auto, pdfium or pdfplumber")
    return cast("Engine", name)


@app.command()
def review(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address to bind. Anything but 127.0.0.1 needs a user first "
            "(scopelens users add NAME --role admin)."
        ),
    ] = "127.0.0.1",
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: SCOPELENS_DB_URL or the SQLite file)."),
    ] = None,
) -> None:
    """Start the Streamlit review app (the package's `analyzer/app/main.py`)."""
    import subprocess

    from analyzer.app import MAIN_SCRIPT as app_file
    from analyzer.config import is_loopback
    from analyzer.errors import StoreError
    from analyzer.store import ENV_DB_URL, Store

    if not app_file.is_file():
        raise _fail(f"{app_file}: the review app is missing from the installed package")
    if db:
        os.environ[ENV_DB_URL] = db
    if not is_loopback(address):
        try:
            with Store.open(db) as store:
                users = store.count_users()
        except StoreError as exc:
            raise _fail(exc.one_line()) from None
        if users == 0:
            raise _fail(
                f"refusing to serve on {address} with no user accounts: create an admin first "
                "(scopelens users add NAME --role admin), or serve on 127.0.0.1"
            )
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
        "--client.toolbarMode",
        "minimal",
        # Document text is confidential: an error box must not show it, nor offer "Ask
        # Google / ChatGPT" links that put it into a URL. The details go to the server log.
        "--client.showErrorDetails",
        "none",
    ]
    raise typer.Exit(subprocess.call(command))


app.add_typer(users_app, name="users")
app.add_typer(projects_app, name="projects")
app.command("import")(import_documents)


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
    resolved: Annotated[
        bool,
        typer.Option(
            "--resolved",
            help="One decision per finding: an admin's adjudication, else the decision its "
            "reviewers agree on (findings in dispute are left out).",
        ),
    ] = False,
) -> None:
    """Write reviewer decisions as JSONL (the record `scopelens train` reads)."""
    from analyzer.errors import StoreError
    from analyzer.store import Store

    if current_only and resolved:
        raise _fail("choose one of --current-only and --resolved")
    try:
        with Store.open(db) as store:
            if out is None:
                count = store.export_annotations(
                    sys.stdout, current_only=current_only, resolved=resolved
                )
            else:
                with out.open("w", encoding="utf-8") as handle:
                    count = store.export_annotations(
                        handle, current_only=current_only, resolved=resolved
                    )
    except StoreError as exc:
        raise _fail(exc.one_line()) from None
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"scopelens: exported {count} decision(s)", err=True)


def main() -> None:
    """Console-script entry point."""
    app()
