"""Fuzz the extractors for minutes at a time: `make fuzz` (not part of the pytest run).

The contract under test is `fuzz_helpers.run_one`: every input yields a valid Document or an
`AnalyzerError` with a one-line message. Anything else is a crash; so is an input that takes
longer than `--timeout` seconds (a quadratic regex, a hang) or blows the memory limit.

Two engines:

* atheris (coverage-guided libFuzzer, `pip install atheris`): used when importable. Crashes
  are written to `--artifacts` as `crash-*`/`timeout-*`/`oom-*` files.
* builtin: a seeded random mutation loop over the same seeds, with a time budget; used when
  atheris is missing. Crashes are written to `--artifacts` as `builtin-crash-*` files.

The first byte of each input picks what the rest is fed as (see `MODES`), so one corpus covers
PDF, DOCX, DOCX-XML, TXT, Markdown and extension-less files.

Usage:
    python tests/fuzz/fuzz_extract.py [--seconds 300] [--engine auto|atheris|builtin]
                                      [--detect] [--artifacts DIR]
    python tests/fuzz/fuzz_extract.py --reproduce FILE...   # re-run saved inputs, show errors
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests" / "hostile"), str(ROOT)]

DEFAULT_ARTIFACTS = ROOT / "test-artifacts" / "fuzz"

MODES: tuple[tuple[str, str], ...] = (
    ("raw", "input.pdf"),
    ("raw", "input.docx"),
    ("raw", "input.txt"),
    ("raw", "input.md"),
    ("docx-xml", "input.docx"),
    ("raw", "input"),
)
"""(how to use the payload, file name given to extract_bytes), chosen by data[0] % len."""


def decode(data: bytes) -> tuple[bytes, str]:
    """The (file bytes, file name) an input stands for."""
    if not data:
        return b"", "input.txt"
    how, name = MODES[data[0] % len(MODES)]
    payload = data[1:]
    if how == "docx-xml":
        from fuzz_helpers import SEED_DOCX, replace_zip_part

        payload = replace_zip_part(_template_docx(SEED_DOCX), "word/document.xml", payload)
    return payload, name


_TEMPLATE: dict[Path, bytes] = {}


def _template_docx(path: Path) -> bytes:
    if path not in _TEMPLATE:
        _TEMPLATE[path] = path.read_bytes()
    return _TEMPLATE[path]


def seeds() -> list[bytes]:
    """Seed inputs (mode byte + payload): the examples and a few hostile builders' outputs."""
    from builders import (
        BILLION_LAUGHS,
        PROPOSAL_TEXT,
        proposal_docx,
        proposal_pdf,
    )
    from fuzz_helpers import SEED_DOCX, SEED_MD, SEED_PDF, zip_part

    def mode(index: int) -> bytes:
        return bytes([index])

    docx_xml = zip_part(SEED_DOCX.read_bytes(), "word/document.xml")
    return [
        mode(0) + SEED_PDF.read_bytes(),
        mode(0) + proposal_pdf(),
        mode(1) + SEED_DOCX.read_bytes(),
        mode(1) + proposal_docx(),
        mode(2) + PROPOSAL_TEXT.encode(),
        mode(2) + PROPOSAL_TEXT.encode("utf-16"),
        mode(3) + SEED_MD.read_bytes(),
        mode(4) + docx_xml,
        mode(4) + BILLION_LAUGHS,
        mode(5) + SEED_PDF.read_bytes()[:4096],
    ]


def make_target(detect: bool) -> Callable[[bytes], None]:
    """The function fuzzed: decode the input and check the extraction contract."""
    from fuzz_helpers import run_one

    def target(data: bytes) -> None:
        payload, name = decode(data)
        text_mode = name.endswith((".txt", ".md"))
        run_one(payload, name, detect=detect and text_mode)

    return target


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


def run_atheris(args: argparse.Namespace) -> int:
    import atheris

    with atheris.instrument_imports(include=["analyzer", "docx", "charset_normalizer"]):
        # The format modules load lazily: import them here so their code is instrumented.
        import analyzer.extract.docx
        import analyzer.extract.pdf
        import analyzer.extract.text  # noqa: F401

        target = make_target(args.detect)
    corpus = args.artifacts / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds():
        (corpus / f"seed-{hashlib.sha1(seed).hexdigest()[:12]}").write_bytes(seed)
    libfuzzer = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_mb}",
        "-max_len=2097152",
        f"-artifact_prefix={args.artifacts}/",
        "-print_final_stats=1",
        *args.libfuzzer,
    ]
    atheris.Setup(libfuzzer, target)
    atheris.Fuzz()
    return 0


def run_builtin(args: argparse.Namespace) -> int:
    """Random byte mutations of the seeds until the time budget is spent."""
    from fuzz_helpers import mutate

    target = make_target(args.detect)
    rng = random.Random(args.seed)
    pool = seeds()
    deadline = time.monotonic() + args.seconds
    runs = crashes = 0
    args.artifacts.mkdir(parents=True, exist_ok=True)
    while time.monotonic() < deadline:
        base = rng.choice(pool)
        ops = [
            (
                rng.choice(("flip", "insert", "delete", "overwrite")),
                rng.randrange(1, max(2, len(base))),
                rng.randbytes(rng.randint(1, 32)),
            )
            for _ in range(rng.randint(1, 8))
        ]
        data = base[:1] + mutate(base[1:], ops)
        started = time.monotonic()
        try:
            target(data)
        except Exception:
            crashes += 1
            _save(args.artifacts, "builtin-crash", data, traceback.format_exc())
        elapsed = time.monotonic() - started
        if elapsed > args.timeout:
            crashes += 1
            _save(args.artifacts, "builtin-slow", data, f"took {elapsed:.1f} s\n")
        runs += 1
        if len(pool) < 200 and rng.random() < 0.02:
            pool.append(data)  # keep some mutants as new bases, as coverage fuzzers do
    print(f"builtin fuzzing: {runs} inputs, {crashes} crash(es), artifacts in {args.artifacts}")
    return 1 if crashes else 0


def _save(folder: Path, kind: str, data: bytes, report: str) -> None:
    name = f"{kind}-{hashlib.sha1(data).hexdigest()[:16]}"
    (folder / name).write_bytes(data)
    (folder / f"{name}.txt").write_text(report, encoding="utf-8")
    print(f"{kind}: {folder / name}\n{report}", file=sys.stderr)


def reproduce(paths: list[Path], detect: bool) -> int:
    """Re-run saved inputs; print what each does (for turning crashes into tests)."""
    target = make_target(detect)
    failed = 0
    for path in paths:
        data = path.read_bytes()
        payload, name = decode(data)
        started = time.monotonic()
        try:
            target(data)
            outcome = "ok (Document or AnalyzerError)"
        except Exception:
            failed += 1
            outcome = traceback.format_exc()
        elapsed = time.monotonic() - started
        print(f"{path}: as {name!r}, {len(payload)} bytes, {elapsed:.2f} s: {outcome}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300, help="time budget (default 300)")
    parser.add_argument("--engine", choices=("auto", "atheris", "builtin"), default="auto")
    parser.add_argument("--detect", action="store_true", help="also run NLP on text inputs")
    parser.add_argument("--timeout", type=int, default=10, help="seconds per input (slow = bug)")
    parser.add_argument("--rss-mb", type=int, default=3072, help="memory limit (atheris)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (builtin engine)")
    parser.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS)
    parser.add_argument("--reproduce", type=Path, nargs="+", help="re-run saved inputs")
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags (after --)")
    args = parser.parse_args(argv)
    args.artifacts = args.artifacts.resolve()
    if args.reproduce:
        return reproduce(args.reproduce, args.detect)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "builtin"
            print("atheris is not installed: using the builtin mutation loop", file=sys.stderr)
        else:
            engine = "atheris"
    return run_atheris(args) if engine == "atheris" else run_builtin(args)


if __name__ == "__main__":
    sys.exit(main())
