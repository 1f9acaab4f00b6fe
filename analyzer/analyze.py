"""The one place that wires the steps: extract -> nlp -> detect -> checks -> findings -> summary.

Every other module owns one step; this module only composes them. Errors from any step are turned
into a `DocumentReport` with status "error" and a one-line reason, so one bad file never stops a
batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from analyzer.config import Limits, default_encoder_dir, default_model_dir, read_model_meta
from analyzer.errors import AnalyzerError, ModelError
from analyzer.types import Document, DocumentReport, Finding, ToolInfo, normalise_phrase
from analyzer.version import __version__

if TYPE_CHECKING:
    from spacy.language import Language

    from analyzer.classify.accurate import Decision
    from analyzer.classify.encoder import EncoderModel
    from analyzer.classify.fast import CompiledModel
    from analyzer.extract import Engine

logger = logging.getLogger(__name__)

Mode = Literal["accurate", "fast", "rules"]
"""Analysis modes (DESIGN.md "Analysis modes")."""

DEFAULT_MODEL = Path("<default>")
"""Sentinel: use the shipped model (see `analyzer.config.default_model_dir`)."""

CATEGORY_ORDER = {"missing": 0, "ambiguity": 1, "commitment": 2, "exclusion": 3, "assumption": 4}

OUT_OF_MEMORY = "out of memory while reading the file: split it and retry"
"""The error of a file that needs more memory than the process has."""


class Analyzer:
    """Analyses documents with one loaded pipeline (load once, reuse for many files).

    Args:
        engine: PDF text engine: "auto" (PDFium, pdfplumber where needed), "pdfium", "pdfplumber".
        limits: per-file limits; defaults from the environment (see `analyzer.config`).
        boxes: also extract PDF character boxes (for page-image highlighting).
        muted_phrases: phrases an organisation has dismissed as fine (the allow-list); phrase
            findings whose text matches one (case- and space-insensitive) are dropped.
        model_dir: folder of the linear classifier of fast mode (default: the shipped one);
            None runs the rules only, whatever the mode.
        mode: "accurate" (rules + the fine-tuned encoder), "fast" (rules + the linear model)
            or "rules". A missing or unloadable model falls back one step (accurate → fast →
            rules), with `model_warning` saying why.
        encoder_dir: folder of the accurate-mode encoder (default: the shipped one).
        encoder_threads: threads the encoder may use (1 in batch workers, which get a core
            each; the review app analyses one upload at a time and gives it every core).
    """

    def __init__(
        self,
        *,
        engine: Engine = "auto",
        limits: Limits | None = None,
        boxes: bool = False,
        muted_phrases: Iterable[str] = (),
        model_dir: Path | None = DEFAULT_MODEL,
        mode: Mode = "fast",
        encoder_dir: Path | None = DEFAULT_MODEL,
        encoder_threads: int = 1,
    ) -> None:
        if mode not in get_args(Mode):
            raise ValueError(f"unknown mode {mode!r}: use accurate, fast or rules")
        self.engine = engine
        self.limits = limits
        self.boxes = boxes
        self.muted_phrases = frozenset(normalise_phrase(p) for p in muted_phrases)
        self._nlp: Language | None = None
        self.model_dir = default_model_dir() if model_dir is DEFAULT_MODEL else model_dir
        self.encoder_dir = default_encoder_dir() if encoder_dir is DEFAULT_MODEL else encoder_dir
        self.encoder_threads = encoder_threads
        self.requested_mode: Mode = "rules" if model_dir is None else mode
        self._model: CompiledModel | None = None
        self._encoder: EncoderModel | None = None
        self._decision: Decision | None = None
        self._loaded = False
        self.model_warning: str | None = None

    def _load(self) -> None:
        """Load the model the mode asks for, falling back a step when it cannot be loaded."""
        if self._loaded:
            return
        self._loaded = True
        warnings = []
        if self.requested_mode == "accurate":
            from analyzer.classify.encoder import EncoderModel

            try:
                if self.encoder_dir is None:
                    raise ModelError("no encoder folder given")
                self._encoder = EncoderModel(self.encoder_dir, self.encoder_threads)
            except ModelError as exc:
                warnings.append(f"{exc.one_line()}; accurate mode unavailable")
        # Accurate mode needs the linear model only when its decision blends the two.
        wanted = self._encoder is None or "blend" in self._encoder.meta
        if self.requested_mode != "rules" and self.model_dir is not None and wanted:
            from analyzer.classify.model import load_for_inference

            try:
                self._model = load_for_inference(self.model_dir)
            except ModelError as exc:
                alone = "the encoder decides alone" if self._encoder else "running the rules only"
                warnings.append(f"{exc.one_line()}; {alone}")
        if self._encoder is not None:
            self._decision = self._accurate_decision(self._encoder, warnings)
        if warnings:
            self.model_warning = "; ".join(warnings)
            logger.warning(self.model_warning)

    def _accurate_decision(self, encoder: EncoderModel, warnings: list[str]) -> Decision:
        """The blend the encoder was tuned with, when its linear model is the one loaded."""
        from analyzer.classify.accurate import blend_decision, encoder_decision

        if "blend" not in encoder.meta or self._model is None:
            return encoder_decision(encoder)
        decision = blend_decision(encoder, self._model.source_sha256)
        if decision is None:
            warnings.append(
                f"{self.model_dir}: not the linear model the encoder's decision was tuned "
                "with; the encoder decides alone (scopelens train --encoder --tune-only tunes "
                "the blend for it)"
            )
            return encoder_decision(encoder)
        return decision

    @property
    def model(self) -> CompiledModel | None:
        """The linear classifier (fast mode), loaded on first use; None otherwise."""
        self._load()
        return self._model

    @property
    def encoder(self) -> EncoderModel | None:
        """The fine-tuned encoder (accurate mode), loaded on first use; None otherwise."""
        self._load()
        return self._encoder

    @property
    def mode(self) -> Mode:
        """The mode that actually runs (after any fallback)."""
        if self.encoder is not None:
            return "accurate"
        return "fast" if self.model is not None else "rules"

    @property
    def model_name(self) -> str | None:
        """How reports name the model in use: "<name>@<version>" (None for rules only)."""
        if self.encoder is not None:
            return self.encoder.label
        if self.model is None or self.model_dir is None:
            return None
        return f"{self.model_dir.name}@{linear_model_version(self.model_dir)}"

    @property
    def tool(self) -> ToolInfo:
        """The `tool` object reports carry."""
        return ToolInfo(version=__version__, model=self.model_name, mode=self.mode)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            from analyzer.nlp import load_pipeline

            self._nlp = load_pipeline()
        return self._nlp

    def analyze_path(self, path: str | Path, *, display_path: str | None = None) -> DocumentReport:
        """Extract and analyse one file; never raises for a bad file.

        Args:
            path: the file to read.
            display_path: the path to show in the report (defaults to `str(path)`).
        """
        from analyzer.extract import extract

        shown = display_path or str(path)
        try:
            document = extract(path, engine=self.engine, boxes=self.boxes, limits=self.limits)
        except AnalyzerError as exc:
            return error_report(shown, exc.one_line())
        except MemoryError:
            return error_report(shown, OUT_OF_MEMORY)
        if display_path is not None:
            document = replace(document, path=display_path)
        return self.analyze_document(document)

    def analyze_document(self, document: Document) -> DocumentReport:
        """Run detection and checks over an extracted document."""
        from analyzer.checks import run_checks
        from analyzer.nlp import detect
        from analyzer.scoring import count_words, summarize

        try:
            detection = detect(document, self.nlp)
            detected = list(detection.findings)
            if self.encoder is not None:
                from analyzer.classify.accurate import combine_accurate
                from analyzer.classify.features import sentence_examples

                detected = combine_accurate(
                    document.path,
                    sentence_examples(detection),
                    self.encoder,
                    self._model,
                    self._decision,
                )
            elif self.model is not None:
                from analyzer.classify.combine import combine
                from analyzer.classify.features import sentence_examples

                detected = combine(document.path, sentence_examples(detection), self.model)
            sentence_findings = [f for f in detected if not self._is_muted(f)]
            safeguards, missing = run_checks(document, sentence_findings)
        except AnalyzerError as exc:
            return error_report(document.path, exc.one_line(), document)
        findings = sort_findings([*missing, *sentence_findings])
        return DocumentReport(
            path=document.path,
            sha256=document.sha256,
            kind=document.kind,
            pages=document.pages,
            status="ok",
            error=None,
            text_chars=len(document.text),
            findings=findings,
            summary=summarize(findings, words=count_words(document.text)),
            safeguards=safeguards,
            document=document,
        )

    def _is_muted(self, finding: Finding) -> bool:
        return (
            bool(self.muted_phrases)
            and finding.category == "ambiguity"
            and finding.text is not None
            and normalise_phrase(finding.text) in self.muted_phrases
        )

    def analyze_bytes(self, data: bytes, name: str) -> DocumentReport:
        """Analyse an in-memory file (an upload); `name` gives its path and extension."""
        from analyzer.extract import extract_bytes

        try:
            document = extract_bytes(
                data, name, engine=self.engine, boxes=self.boxes, limits=self.limits
            )
        except AnalyzerError as exc:
            return error_report(name, exc.one_line())
        return self.analyze_document(document)

    def analyze_text(self, text: str, name: str = "input.txt") -> DocumentReport:
        """Analyse a string as if it were a .txt (or .md, by `name`) file."""
        return self.analyze_bytes(text.encode("utf-8"), name)


def linear_model_version(folder: Path) -> str:
    """The linear model's version: the tool version it was trained by and its corpus hash."""
    meta = read_model_meta(folder)
    if not meta:
        return "unknown"
    corpus = meta.get("corpus")
    corpus_sha = corpus.get("sha256", "") if isinstance(corpus, dict) else ""
    return f"{meta.get('version') or __version__}+{str(corpus_sha)[:8]}"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Document-level findings first, then by position; ties by category order."""
    return sorted(
        findings,
        key=lambda f: (
            f.start is not None,
            f.start if f.start is not None else -1,
            CATEGORY_ORDER.get(f.category, 9),
            f.end if f.end is not None else -1,
            f.type,
        ),
    )


def error_report(path: str, reason: str, document: Document | None = None) -> DocumentReport:
    """A report for a file that could not be analysed."""
    return DocumentReport(
        path=path,
        sha256=document.sha256 if document else None,
        kind=document.kind if document else None,
        pages=document.pages if document else None,
        status="error",
        error=reason,
        text_chars=0,
        findings=[],
        summary={},
    )


def analyze_path(path: str | Path) -> DocumentReport:
    """Analyse one file with a default `Analyzer`."""
    return Analyzer().analyze_path(path)


def analyze_text(text: str, name: str = "input.txt") -> DocumentReport:
    """Analyse a string with a default `Analyzer`."""
    return Analyzer().analyze_text(text, name)
