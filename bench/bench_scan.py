"""Scan benchmark on the real documents in ../shared/data: `make bench` (not part of CI).

Measures, in one run, side by side:
- raw PDFium text extraction (pypdfium2 `get_text_range` per page) over the CUAD PDFs;
- pdfplumber `extract_text` over the same PDFs, all of them (`--quick`: a subset, extrapolated);
- the whole scan (`analyzer.batch.Scanner`, what `scopelens scan` runs) in fast mode (rules +
  linear model) with 1 and 2 worker processes, cache off; then a first scan filling an empty
  cache (2 processes) and a warm re-scan from it; then Dask (local, 2);
- the same scan in accurate mode (rules + the int8 ONNX encoder) with 1 and 2 processes;
- the time to first finding for one ~50-page PDF (`scopelens scan -f jsonl`, a new process);
- a per-stage breakdown (extract, nlp, classify, checks, report), timed by calling the stages
  in the order `analyzer.analyze` does;
- peak RSS of 100 vs 1,000 documents (repeats of small CUAD PDFs), each in its own process.

Each scan runs in a fresh subprocess (`--child`), which samples the RSS of its whole process
tree (itself and its workers) from /proc. Results are printed and written to bench/results.md.

Usage: python bench/bench_scan.py [--quick] [--out bench/results.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CUAD = DATA / "cuad" / "CUAD_v1" / "full_contract_pdf"
SOLICITATIONS = DATA / "sow_rfp"


# ---------------------------------------------------------------------------------------------
# Memory: the process tree's RSS, sampled from /proc
# ---------------------------------------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:", "PPid:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return values


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _descendants(root: int) -> list[int]:
    found, frontier = [], [root]
    while frontier:
        children = _children(frontier.pop())
        found.extend(children)
        frontier.extend(children)
    return found


class TreeMemory:
    """Samples the RSS of this process and its descendants every `interval` seconds (KB)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_total = 0
        self.peak_child = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = _status(me).get("VmRSS", 0)
            for pid in _descendants(me):
                status = _status(pid)
                total += status.get("VmRSS", 0)
                self.peak_child = max(self.peak_child, status.get("VmHWM", 0))
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------------
# Child: one scan, measured
# ---------------------------------------------------------------------------------------------


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one scan as `scopelens scan` would (streamed JSON to /dev/null); return measures."""
    from analyzer.batch import JsonStream, ScanItem, Scanner
    from analyzer.cache import ScanCache, scan_fingerprint
    from analyzer.config import Limits, default_encoder_dir, default_model_dir

    files = Path(spec["files"]).read_text(encoding="utf-8").splitlines()
    files = (files * (spec.get("repeat_to", 0) // max(1, len(files)) + 1))[
        : spec.get("repeat_to") or len(files)
    ]
    cache = None
    if spec.get("cache_dir"):
        fingerprint = spec.get("fingerprint") or scan_fingerprint(
            default_model_dir(), mode=spec.get("mode", "fast"), encoder_dir=default_encoder_dir()
        )
        cache = ScanCache(Path(spec["cache_dir"]), fingerprint)
    limits = Limits()
    scanner = Scanner(
        jobs=spec["jobs"],
        mode=spec.get("mode", "fast"),
        timeout=limits.timeout_s,
        limits=limits,
        cache=cache,
        dask=spec.get("dask"),
    )
    pages = ok = count = 0
    with TreeMemory() as memory, open(os.devnull, "w", encoding="utf-8") as sink:
        stream = JsonStream(sink)
        started = time.perf_counter()
        first = None
        for report in scanner.run(ScanItem(f) for f in files):
            if first is None:
                first = time.perf_counter() - started
            stream.write(report, scanner.tool)
            count += 1
            if report.status == "ok":
                ok += 1
                pages += report.pages or 0
        stream.close(scanner.tool)
        wall = time.perf_counter() - started
    return {
        "wall": wall,
        "first": first,
        "documents": count,
        "ok": ok,
        "pages": pages,
        "cached": scanner.stats.cached,
        "mode": scanner.tool.mode,
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec from the bench process.
        "rss_parent_kb": _status(os.getpid()).get("VmHWM", 0),
        "rss_worker_kb": memory.peak_child,
        "rss_tree_kb": memory.peak_total,
    }


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run `child(spec)` in a fresh interpreter (clean memory, clean imports)."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench child failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Measurements in this process
# ---------------------------------------------------------------------------------------------


def pdfium_raw(files: list[Path]) -> tuple[int, float]:
    """(pages, seconds) of pypdfium2 `get_text_range` over every page of `files`."""
    import pypdfium2 as pdfium

    pages, started = 0, time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(path)
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                textpage = page.get_textpage()
                textpage.get_text_range()
                textpage.close()
                page.close()
                pages += 1
        finally:
            pdf.close()
    return pages, time.perf_counter() - started


def pdfplumber_subset(files: list[Path], budget_s: float) -> tuple[int, float, int]:
    """(pages, seconds, files) of pdfplumber `extract_text` until `budget_s` is spent."""
    import pdfplumber

    pages, started, used = 0, time.perf_counter(), 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
        used += 1
        if time.perf_counter() - started > budget_s:
            break
    return pages, time.perf_counter() - started, used


STAGES = ("extract", "nlp", "classify", "checks", "report")


def stage_breakdown(files: list[Path]) -> dict[str, float]:
    """Seconds per stage over `files`, calling the stages as `Analyzer.analyze_document` does."""
    from analyzer.analyze import Analyzer, sort_findings
    from analyzer.checks import run_checks
    from analyzer.classify.combine import combine
    from analyzer.classify.features import sentence_examples
    from analyzer.errors import AnalyzerError
    from analyzer.extract import extract
    from analyzer.nlp import detect
    from analyzer.report import to_json
    from analyzer.scoring import count_words, summarize
    from analyzer.types import DocumentReport, Report

    analyzer = Analyzer()
    nlp, model = analyzer.nlp, analyzer.model
    spent = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        spent[stage] += time.perf_counter() - started

    for path in files:
        try:
            with timed("extract"):
                document = extract(path)
        except AnalyzerError:
            continue
        with timed("nlp"):
            detection = detect(document, nlp)
        with timed("classify"):
            findings = list(detection.findings)
            if model is not None:
                findings = combine(document.path, sentence_examples(detection), model)
        with timed("checks"):
            safeguards, missing = run_checks(document, findings)
            ordered = sort_findings([*missing, *findings])
            summary = summarize(ordered, words=count_words(document.text))
        with timed("report"):
            report = DocumentReport(
                path=document.path,
                sha256=document.sha256,
                kind=document.kind,
                pages=document.pages,
                status="ok",
                error=None,
                text_chars=len(document.text),
                findings=ordered,
                summary=summary,
                safeguards=safeguards,
            )
            to_json(Report(analyzer.tool, [report]))
    return spent


def first_finding(path: Path) -> tuple[float, float]:
    """(seconds to the first output line, total seconds) of `scopelens scan -f jsonl` (cold)."""
    command = [sys.executable, "-m", "analyzer", "scan", str(path), "-f", "jsonl", "-q"]
    started = time.perf_counter()
    with subprocess.Popen(
        [*command, "--no-cache", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        first = time.perf_counter() - started
        process.stdout.read()
    total = time.perf_counter() - started
    if '"findings": [{' not in line:
        raise RuntimeError("the first line holds no finding")
    return first, total


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


_BURN = "x = 0\nfor i in range(20_000_000):\n    x += i\n"


def cpu_parallelism(jobs: int = 2) -> float:
    """Effective cores: `jobs` x (time of one CPU-bound process / time of `jobs` at once).

    2.0 on two free cores; about 1.0 where the two vCPUs share one core's worth of time.
    """

    def burn(count: int) -> float:
        started = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-c", _BURN]) for _ in range(count)]
        for process in processes:
            process.wait()
        return time.perf_counter() - started

    return jobs * burn(1) / burn(jobs)


def cache_store_ms(cache_dir: Path) -> float:
    """Milliseconds to store one report (the cost a first scan pays per file for the cache)."""
    from analyzer.cache import CACHE_FILE, ScanCache
    from analyzer.types import ToolInfo

    source = sqlite3.connect(cache_dir / CACHE_FILE)
    rows = source.execute("SELECT sha256, fingerprint FROM reports").fetchall()
    source.close()
    if not rows:
        return 0.0
    reader = ScanCache(cache_dir, rows[0][1])
    hits = [reader.get(sha, f"copy-{i}") for i, (sha, _) in enumerate(rows)]
    reader.close()
    with tempfile.TemporaryDirectory() as tmp, ScanCache(Path(tmp), "bench") as writer:
        started = time.perf_counter()
        for (sha, _), hit in zip(rows, hits, strict=True):
            if hit is not None:
                writer.put(sha, hit.report, ToolInfo())
        return (time.perf_counter() - started) * 1000 / len(rows)


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _write_list(folder: Path, name: str, files: list[Path]) -> str:
    path = folder / name
    path.write_text("\n".join(map(str, files)), encoding="utf-8")
    return str(path)


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if not CUAD.is_dir():
        print(f"bench_scan: {CUAD} not found: the benchmark needs ../shared/data; skipped")
        return 0
    cuad = sorted(p for p in CUAD.rglob("*") if p.suffix.lower() == ".pdf")
    solicitations = sorted(
        p for p in SOLICITATIONS.rglob("*") if p.suffix.lower() in (".pdf", ".docx")
    )
    if args.quick:
        cuad, solicitations = cuad[:12], solicitations[:6]
    sizes = {p: _pdf_pages(p) for p in cuad}
    smallest = sorted(cuad, key=lambda p: (sizes[p], str(p)))[:50]
    fifty = min(cuad, key=lambda p: (abs(sizes[p] - 50), str(p)))
    rows: list[tuple[str, str]] = []
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    say(f"# Scan benchmark ({time.strftime('%Y-%m-%d')})\n")
    say(
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}. Corpus: {len(cuad)} CUAD contract PDFs "
        f"({sum(sizes.values())} pages) and {len(solicitations)} solicitation PDF/DOCX files "
        "from ../shared/data. `python bench/bench_scan.py` (`make bench`).\n"
    )
    bench_started = time.perf_counter()
    cores = cpu_parallelism(2)
    say(
        f"CPU check: two CPU-bound processes at once run at {cores:.2f}x the throughput of "
        "one (2.00 = two free cores). Parallel speed-ups below cannot exceed it.\n"
    )
    with tempfile.TemporaryDirectory(prefix="scopelens-bench-") as tmp:
        folder = Path(tmp)
        cuad_list = _write_list(folder, "cuad.txt", cuad)

        raw_pages, raw_s = pdfium_raw(cuad)
        # Side by side with the accurate scan: pdfplumber on every file (a subset with --quick).
        plumber_pages, plumber_s, plumber_files = pdfplumber_subset(
            cuad, 4 if args.quick else float("inf")
        )
        plumber_rate = plumber_pages / plumber_s
        print("extraction measured", flush=True)

        one = run_child({"jobs": 1, "files": cuad_list})
        print(f"jobs 1 done ({one['wall']:.0f} s)", flush=True)
        # Both speed-up runs have the cache off: storing reports is work the parent does, and
        # only one of them would pay it.
        two = run_child({"jobs": 2, "files": cuad_list})
        print(f"jobs 2 done ({two['wall']:.0f} s)", flush=True)
        # A first scan as users run it (cache on, empty): each report is stored as it arrives,
        # so the warm re-scan compares against what an unchanged folder first cost.
        cache_dir = folder / "cache"
        # One fingerprint for both runs: a rule edited meanwhile must not turn hits into misses.
        from analyzer.cache import scan_fingerprint
        from analyzer.config import default_model_dir

        fingerprint = scan_fingerprint(default_model_dir(), mode="fast")
        cached = {"cache_dir": str(cache_dir), "fingerprint": fingerprint}
        filling = run_child({"jobs": 2, "files": cuad_list, **cached})
        print(f"first scan with the cache done ({filling['wall']:.0f} s)", flush=True)
        warm = run_child({"jobs": 2, "files": cuad_list, **cached})
        store_ms = cache_store_ms(cache_dir)
        print("cache done", flush=True)
        dask = None
        if not args.no_dask:
            try:
                import distributed  # noqa: F401
            except ImportError:
                print("Dask not installed: skipped (pip install 'scopelens[dask]')")
            else:
                dask = run_child({"jobs": 2, "files": cuad_list, "dask": "local"})
                print("dask done", flush=True)
        accurate_one = run_child({"jobs": 1, "files": cuad_list, "mode": "accurate"})
        print(f"accurate jobs 1 done ({accurate_one['wall']:.0f} s)", flush=True)
        accurate_two = run_child({"jobs": 2, "files": cuad_list, "mode": "accurate"})
        print(f"accurate jobs 2 done ({accurate_two['wall']:.0f} s)", flush=True)
        sol = None
        if solicitations:
            print("solicitations ...", flush=True)
            sol = run_child({"jobs": 2, "files": _write_list(folder, "sol.txt", solicitations)})
        small_list = _write_list(folder, "small.txt", smallest)
        mem_small = run_child(
            {"jobs": 2, "files": small_list, "repeat_to": 20 if args.quick else 100}
        )
        mem_large = run_child(
            {"jobs": 2, "files": small_list, "repeat_to": 100 if args.quick else 1000}
        )
        print(f"memory done ({mem_small['wall']:.0f} s, {mem_large['wall']:.0f} s)", flush=True)
        first_s, first_total = first_finding(fifty)
        stages = stage_breakdown(cuad[:40] if not args.quick else cuad)

    pages = one["pages"]
    rate1 = pages / one["wall"]
    raw_rate = raw_pages / raw_s
    say("## Throughput (CUAD PDFs; cache off unless the row says otherwise)\n")
    say("| run | files | pages | wall s | pages/s | docs/s | peak RSS (parent / worker / tree) |")
    say("|---|---:|---:|---:|---:|---:|---|")
    say(
        f"| raw PDFium `get_text_range` | {len(cuad)} | {raw_pages} | {raw_s:.1f} | "
        f"{raw_rate:.0f} | {len(cuad) / raw_s:.1f} | - |"
    )
    if plumber_files == len(cuad):
        say(
            f"| pdfplumber `extract_text` | {len(cuad)} | {plumber_pages} | {plumber_s:.1f} | "
            f"{plumber_rate:.1f} | {len(cuad) / plumber_s:.2f} | - |"
        )
    else:
        say(
            f"| pdfplumber `extract_text` (first {plumber_files} files, {plumber_pages} pages; "
            f"corpus extrapolated) | {len(cuad)} | {raw_pages} | "
            f"~{raw_pages / plumber_rate:.0f} (extrapolated) | {plumber_rate:.1f} | - | - |"
        )
    for name, run in (
        (f"scan --mode accurate --jobs 1 ({accurate_one['mode']})", accurate_one),
        (f"scan --mode accurate --jobs 2 ({accurate_two['mode']})", accurate_two),
        ("scan --mode fast --jobs 1", one),
        ("scan --mode fast --jobs 2", two),
        (
            f"scan --jobs 2, first scan filling an empty cache ({filling['cached']} duplicate "
            "files answered from it)",
            filling,
        ),
    ):
        say(
            f"| {name} | {run['documents']} | {run['pages']} | {run['wall']:.1f} | "
            f"{run['pages'] / run['wall']:.1f} | {run['documents'] / run['wall']:.2f} | "
            f"{_mb(run['rss_parent_kb'])} / {_mb(run['rss_worker_kb'])} / "
            f"{_mb(run['rss_tree_kb'])} |"
        )
    if dask is not None:
        say(
            f"| scan --dask local (2 workers) | {dask['documents']} | {dask['pages']} | "
            f"{dask['wall']:.1f} | {dask['pages'] / dask['wall']:.1f} | "
            f"{dask['documents'] / dask['wall']:.2f} | tree {_mb(dask['rss_tree_kb'])} |"
        )
    if sol is not None:
        say(
            f"| scan --jobs 2, solicitations (PDF+DOCX) | {sol['documents']} | {sol['pages']} | "
            f"{sol['wall']:.1f} | - | {sol['documents'] / sol['wall']:.2f} | "
            f"{_mb(sol['rss_parent_kb'])} / {_mb(sol['rss_worker_kb'])} / "
            f"{_mb(sol['rss_tree_kb'])} |"
        )
    say("")
    accurate_rate = accurate_two["pages"] / accurate_two["wall"]
    rows = [
        (
            "accurate scan (--jobs 2) vs pdfplumber extract_text alone, same files",
            f"{accurate_rate / plumber_rate:.2f}x ({accurate_rate:.1f} vs {plumber_rate:.1f} "
            "pages/s)",
        ),
        (
            "accurate mode, pages/s per core (--jobs 1, incl. startup)",
            f"{accurate_one['pages'] / accurate_one['wall']:.1f}",
        ),
        ("fast mode: full analysis, pages/s per core (--jobs 1, incl. startup)", f"{rate1:.1f}"),
        (
            "--jobs 2 / --jobs 1 speed-up (CPU ceiling of this machine in brackets)",
            f"{one['wall'] / two['wall']:.2f}x ({cores:.2f}x)",
        ),
        ("whole scan (--jobs 1) / raw PDFium time", f"{one['wall'] / raw_s:.0f}x"),
        (
            "fast scan (--jobs 1) vs pdfplumber extract_text alone",
            f"scan is {rate1 / plumber_rate:.1f}x faster",
        ),
        (
            "re-scan of the unchanged folder, warm cache (vs the first scan filling the cache "
            "with --jobs 2 / vs --jobs 1)",
            f"{filling['wall'] / warm['wall']:.0f}x / {one['wall'] / warm['wall']:.0f}x "
            f"({warm['wall']:.2f} s, {warm['cached']} of {warm['documents']} from the cache)",
        ),
        ("cache cost of a first scan: storing one report", f"{store_ms:.2f} ms"),
    ]
    if dask is not None:
        rows.append(
            ("Dask local 2 workers / --jobs 1 speed-up", f"{one['wall'] / dask['wall']:.2f}x")
        )
    rows.append(
        (
            f"time to first finding, one {sizes[fifty]}-page PDF (new process, model load incl.)",
            f"{first_s:.1f} s (whole command {first_total:.1f} s)",
        )
    )
    rows.append(
        (
            f"peak RSS, {mem_large['documents']} vs {mem_small['documents']} documents "
            "(parent / one worker / whole tree)",
            f"{_mb(mem_large['rss_parent_kb'])} vs {_mb(mem_small['rss_parent_kb'])} / "
            f"{_mb(mem_large['rss_worker_kb'])} vs {_mb(mem_small['rss_worker_kb'])} / "
            f"{_mb(mem_large['rss_tree_kb'])} vs {_mb(mem_small['rss_tree_kb'])}",
        )
    )
    say("## Ratios\n")
    say("| measure | value |")
    say("|---|---|")
    for name, value in rows:
        say(f"| {name} | {value} |")
    total = sum(stages.values())
    say(f"\n## Per stage (in process, first {min(40, len(cuad))} CUAD PDFs, model loaded)\n")
    say("| stage | seconds | share |")
    say("|---|---:|---:|")
    for stage in STAGES:
        say(f"| {stage} | {stages[stage]:.2f} | {stages[stage] / total:.0%} |")
    say(f"| total | {total:.2f} | 100% |")
    say(
        "\nNotes: each scan runs in a fresh process with `Scanner` (what `scopelens scan` runs), "
        "streaming JSON to /dev/null, timeout on, so its wall time includes starting the "
        "workers and loading the pipeline and model. The memory runs repeat the 50 smallest "
        "CUAD PDFs. Peak RSS is sampled from /proc every 0.5 s: parent = the scanning "
        "process, worker = the largest worker's high-water mark, tree = the largest sum over "
        "all processes.\n"
    )
    print(f"bench_scan: done in {time.perf_counter() - bench_started:.0f} s")
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"bench_scan: wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
