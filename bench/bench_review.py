"""Benchmark of the review app's critical path on a 50-page proposal PDF.

Times, without Streamlit, what the review page does:

* **upload**: analyse the bytes with character boxes (`Analyzer(boxes=True)`, accurate mode as
  in the app unless `--mode` says otherwise, the encoder on every core as in the app), store
  the document and its analysis, build the viewer's highlighted HTML (`document_html`) and
  render page 1 with highlights;
* **re-open**: open the same bytes again (store lookup by sha256: no analysis) and build the
  highlighted HTML;
* **page image from the store**: a fresh service (no memo) re-extracts the character boxes from
  the stored PDF and renders page 1 with highlights.

Each measurement uses a fresh temporary SQLite store; the spaCy pipeline is loaded once before
timing (the app keeps it in `st.cache_resource`). Run: `.venv/bin/python bench/bench_review.py`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analyzer.analyze import Analyzer
from analyzer.render import highlights_for, page_of_offset
from analyzer.review import ReviewService, document_html, merge_decisions
from analyzer.store import Store

PARAGRAPHS = (
    "The Contractor will deliver a user-friendly customer portal with reasonable response "
    "times, including but not limited to order tracking, invoicing and reporting.",
    "The Contractor shall migrate all necessary data from the legacy warehouse within 6 weeks "
    "of contract signature, using best efforts to avoid downtime where possible.",
    "Support is provided 24/7 with a response within 4 hours for severity-1 incidents; the "
    "service will be available 99.9% of the time, measured monthly.",
    "The Customer is responsible for providing test data and timely access to its staff. "
    "Licences for third-party software are not included in the price.",
    "We estimate the effort at approximately 120 person-days, based on the assumption that "
    "the interfaces listed in Annex B are stable. Dates for the pilot are TBD.",
    "Training will be delivered as needed, in a seamless and intuitive manner, with any other "
    "materials the Customer may require, at no additional cost.",
)


def build_pdf(pages: int = 50) -> bytes:
    """A proposal-like PDF of `pages` pages (headings and findings-rich paragraphs)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 20, 20)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(
            0, 8, f"{number}. Scope of work, part {number}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("Helvetica", size=10.5)
        for paragraph in PARAGRAPHS * 2:
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
    return bytes(pdf.output())


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a table (median and min of `--repeat` runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", default="accurate", help="accurate (the app's), fast, rules")
    args = parser.parse_args(argv)

    data = build_pdf(args.pages)
    analyzer = Analyzer(boxes=True, mode=args.mode, encoder_threads=os.cpu_count() or 1)
    analyzer.nlp  # noqa: B018 - load the pipeline before timing, as the app's cache does
    analyzer.model  # noqa: B018 - and the model of the mode

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1_000_000))

        def fresh_store() -> Store:
            return Store.open(f"sqlite:///{Path(tmp) / f'bench-{next(counter)}.db'}")

        def upload() -> None:
            with fresh_store() as store:
                service = ReviewService(store, analyzer)
                opened = service.open_bytes(data, "proposal.pdf")
                assert opened.ok and not opened.cached, opened.report.error
                document_html(opened.text, merge_decisions(opened.report.findings, []))
                first = next(f for f in opened.report.findings if f.start is not None)
                service.page_png(opened.sha256, 1, highlights_for(opened.report.findings, first.id))

        upload_times = _timed(upload, args.repeat)

        with fresh_store() as store:
            service = ReviewService(store, analyzer)
            opened = service.open_bytes(data, "proposal.pdf")
            findings = len(opened.report.findings)
            chars = len(opened.text)

            def reopen() -> None:
                again = ReviewService(store, analyzer).open_bytes(data, "proposal.pdf")
                assert again.cached
                document_html(again.text, merge_decisions(again.report.findings, []))

            reopen_times = _timed(reopen, args.repeat)

            def page_from_store() -> None:
                cold = ReviewService(store, analyzer)  # no memo: boxes from the stored bytes
                boxes = cold.page_boxes(opened.sha256)
                assert boxes is not None
                last = opened.report.findings[-1]
                page = last.page or page_of_offset(boxes, last.start or 0) or 1
                cold.page_png(opened.sha256, page, highlights_for(opened.report.findings))

            page_times = _timed(page_from_store, args.repeat)

    print(
        f"ScopeLens review bench: {args.pages}-page PDF, {chars:,} characters, "
        f"{findings} findings, {analyzer.mode} mode; Python {platform.python_version()}, "
        f"{args.repeat} runs"
    )
    rows = [
        ("upload -> highlighted HTML + page 1 image", upload_times),
        ("re-open (store lookup) -> highlighted HTML", reopen_times),
        ("page image from the stored PDF (cold)", page_times),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  {'median s':>9}  {'min s':>7}")
    for name, times in rows:
        print(f"{name:<{width}}  {statistics.median(times):>9.3f}  {min(times):>7.3f}")


if __name__ == "__main__":
    main()
