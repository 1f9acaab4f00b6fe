"""Property tests: extraction -> segmentation -> findings never breaks its promises.

Two kinds of input:

* generated text (proposal phrases mixed with Markdown/list/table syntax, control characters
  and random Unicode) run through extraction, the spaCy pipeline and the full analysis;
* mutated real documents — `examples/servicedesk-proposal.docx` and
  `examples/data-migration-sow.pdf` with bytes flipped, inserted, deleted — and mutated XML
  inside the DOCX, run through `extract_bytes`.

The promise: a Document whose offsets hold (`text[start:end] == finding.text`), or an
`AnalyzerError` with a one-line message; never another exception. `make fuzz` runs the same
contract for minutes (tests/fuzz/fuzz_extract.py); this file keeps to a few seconds.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fuzz_helpers import (
    SEED_DOCX,
    SEED_PDF,
    Op,
    check_document,
    mutate,
    replace_zip_part,
    run_one,
    zip_part,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.analyze import Analyzer
from analyzer.errors import AnalyzerError
from analyzer.extract import extract_bytes

PHRASES = (
    "The vendor will deliver the portal",
    " as needed",
    " including but not limited to",
    " etc.",
    " TBD",
    " [Client]",
    " within 6 weeks",
    " 99.9% uptime",
    " at no additional cost",
    " is out of scope.",
    "Assumptions: the client will provide access.",
    " approximately 120 person-days",
    " unlimited revisions",
    "Acme Inc. (the \u201cSupplier\u201d) shall",
    ". ",
    "; ",
    "e.g. ",
    "No. 5 ",
)
SYNTAX = (
    "\n",
    "\n\n",
    "\r\n",
    "# ",
    "## Scope ##",
    "1. ",
    "1.2 Scope of Work",
    "- ",
    "* ",
    "(a) ",
    "| a | b |\n|---|:-:|\n",
    "```\n",
    "---\n",
    "ARTICLE 5",
    "\t",
    "\x00",
    "\x0c",
    "\u2028",
    "\ufeff",
    "\u00ad",
    "   ",
)

text_strategy = st.lists(
    st.one_of(
        st.sampled_from(PHRASES),
        st.sampled_from(SYNTAX),
        st.text(max_size=12),
    ),
    max_size=40,
).map("".join)

FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def _analyzer() -> Analyzer:
    return Analyzer()


@cache
def _seed(path: str) -> bytes:
    return Path(path).read_bytes()


@FUZZ_SETTINGS
@given(text=text_strategy, markdown=st.booleans())
def test_fuzz_text_extract_and_detect(text: str, markdown: bool) -> None:
    run_one(text.encode("utf-8", "surrogatepass"), "doc.md" if markdown else "doc.txt", detect=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy)
def test_fuzz_text_full_analysis(text: str) -> None:
    report = _analyzer().analyze_bytes(text.encode("utf-8", "surrogatepass"), "doc.txt")
    if report.status == "error":
        assert report.error and len(report.error) <= 300 and report.error.isprintable()
        return
    document = extract_bytes(text.encode("utf-8", "surrogatepass"), "doc.txt")
    for finding in report.findings:
        if finding.start is None:
            assert finding.category == "missing"
            continue
        assert finding.end is not None
        assert 0 <= finding.start < finding.end <= report.text_chars == len(document.text)
        assert document.text[finding.start : finding.end] == finding.text


ops_strategy = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "overwrite"]),
        st.integers(min_value=0, max_value=2**20),
        st.binary(min_size=1, max_size=24),
    ),
    min_size=1,
    max_size=6,
)


@FUZZ_SETTINGS
@given(ops=ops_strategy, name=st.sampled_from(["sow.pdf", "sow.docx", "sow.txt", "sow"]))
def test_fuzz_mutated_pdf(ops: list[Op], name: str) -> None:
    run_one(mutate(_seed(str(SEED_PDF)), ops), name)


@FUZZ_SETTINGS
@given(ops=ops_strategy, name=st.sampled_from(["proposal.docx", "proposal.pdf", "proposal.md"]))
def test_fuzz_mutated_docx(ops: list[Op], name: str) -> None:
    run_one(mutate(_seed(str(SEED_DOCX)), ops), name)


@FUZZ_SETTINGS
@given(ops=ops_strategy, part=st.sampled_from(["word/document.xml", "word/styles.xml"]))
def test_fuzz_mutated_docx_xml(ops: list[Op], part: str) -> None:
    """Byte mutations rarely survive the zip CRC; mutate the XML inside and re-zip instead."""
    seed = _seed(str(SEED_DOCX))
    run_one(replace_zip_part(seed, part, mutate(zip_part(seed, part), ops)), "proposal.docx")


def test_fuzz_seeds_are_valid() -> None:
    """The unmutated seeds extract cleanly (else the mutation tests prove little)."""
    for path, kind in ((SEED_PDF, "pdf"), (SEED_DOCX, "docx")):
        doc = extract_bytes(_seed(str(path)), path.name)
        check_document(doc)
        assert doc.kind == kind and len(doc.blocks) > 10


def test_fuzz_run_one_flags_foreign_exceptions() -> None:
    """The contract is strict: only AnalyzerError counts as a clean refusal."""
    assert run_one(b"", "empty.txt") is None
    assert issubclass(AnalyzerError, Exception)
