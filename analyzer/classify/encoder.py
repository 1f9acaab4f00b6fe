"""The accurate-mode encoder at scan time: int8 ONNX run by onnxruntime, tokenised by tokenizers.

A model folder holds `model.onnx` (a fine-tuned all-MiniLM-L6-v2 with three heads, see
`encoder_train`), `tokenizer.json` and `meta.json` (thresholds, calibration, provenance). It is
loaded once per process and run over a document's sentences in batches sorted by length, with
dynamic padding; onnxruntime uses one thread, since the batch runner already gives each core a
process (the review app gives it every core). Nothing here imports PyTorch or reaches the
network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.classify.corpus import SENTENCE_LABELS
from analyzer.errors import ModelError
from analyzer.types import TYPES_BY_CATEGORY

COMMITMENT_TYPES: tuple[str, ...] = TYPES_BY_CATEGORY["commitment"]
AMBIGUITY_TYPES: tuple[str, ...] = TYPES_BY_CATEGORY["ambiguity"]
TAGS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in AMBIGUITY_TYPES for p in ("B", "I")))
"""BIO tags of ambiguity phrases, one B and one I per phrase type."""

MAX_TOKENS = 128
MAX_SECTION_CHARS = 80
BATCH_TOKENS = 4096
"""Tokens per onnxruntime call (batch size x padded length): bounds memory on long sentences."""


@dataclass(frozen=True, slots=True)
class PhraseSpan:
    """An ambiguity phrase the encoder found; offsets are relative to the sentence."""

    start: int
    end: int
    type: str
    confidence: float


@dataclass(frozen=True, slots=True)
class TokenTag:
    """One token of the sentence as the phrase head sees it (offsets relative to the sentence).

    `support` is the probability that the token lies in an ambiguity phrase (1 - P(O));
    `type` and `begins` come from the most likely non-O tag.
    """

    start: int
    end: int
    support: float
    type: str
    begins: bool


@dataclass(frozen=True, slots=True)
class EncoderPrediction:
    """The encoder's view of one sentence (calibrated probabilities)."""

    probabilities: dict[str, float]
    commitment_type: str
    phrases: tuple[PhraseSpan, ...]
    tokens: tuple[TokenTag, ...] = ()

    def support(self, start: int, end: int) -> float:
        """The strongest phrase support of any token overlapping [start, end) of the sentence."""
        return max((t.support for t in self.tokens if t.start < end and start < t.end), default=0.0)


def load_tokenizer(path: Path) -> Any:
    """The WordPiece tokenizer as the encoder reads it: no padding, `MAX_TOKENS` at most."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    return tokenizer


def encode_pair(tokenizer: Any, text: str, section: str | None) -> Any:
    """Tokenise a sentence with its section heading as segment B (`load_tokenizer` truncates,
    the longer segment first)."""
    context = (section or "")[:MAX_SECTION_CHARS]
    return tokenizer.encode(text, context) if context else tokenizer.encode(text)


def encoder_label(meta: dict[str, Any], folder: Path) -> str:
    """`<name>@<version>` of an encoder from its meta.json (the folder name when unnamed)."""
    return f"{meta.get('name', folder.name)}@{meta.get('version', '0')}"


def decode_phrases(tokens: Sequence[TokenTag], threshold: float) -> tuple[PhraseSpan, ...]:
    """Phrases from token tags: runs of tokens whose support reaches `threshold`.

    A run breaks where the type changes or a token is tagged as a phrase's beginning after a
    gap; a span's confidence is the weakest support in it.
    """
    spans: list[PhraseSpan] = []
    current: list[Any] | None = None  # [start, end, type, min support]
    for token in tokens:
        if token.support < threshold:
            if current:
                spans.append(PhraseSpan(*current))
            current = None
            continue
        if (
            current is not None
            and token.type == current[2]
            and (not token.begins or token.start == current[1])
        ):
            current[1] = token.end
            current[3] = min(current[3], token.support)
        else:
            if current:
                spans.append(PhraseSpan(*current))
            current = [token.start, token.end, token.type, token.support]
    if current:
        spans.append(PhraseSpan(*current))
    return tuple(spans)


class EncoderModel:
    """A loaded encoder folder; `predict` runs it over sentences.

    Args:
        folder: the model folder (model.onnx, tokenizer.json, meta.json).
        threads: onnxruntime's threads: 1 where a batch gives each core a worker process; the
            review app, which analyses one upload at a time, gives it every core.
    """

    def __init__(self, folder: Path, threads: int = 1) -> None:
        self.folder = folder
        try:
            self.meta: dict[str, Any] = json.loads(
                (folder / "meta.json").read_text(encoding="utf-8")
            )
            self.tokenizer = load_tokenizer(folder / "tokenizer.json")
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, threads)
            options.inter_op_num_threads = 1
            self.session = ort.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except FileNotFoundError as exc:
            missing = Path(str(exc.filename)).name
            raise ModelError(f"{folder}: encoder file missing ({missing})") from None
        except ImportError as exc:
            raise ModelError(f"accurate mode needs {exc.name} (pip install scopelens)") from exc
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise ModelError(f"{folder}: cannot load the encoder: {exc}") from exc
        self.name: str = self.meta.get("name", folder.name)
        self.version: str = str(self.meta.get("version", "0"))
        self.label = encoder_label(self.meta, folder)
        """How reports and findings name this encoder: `<name>@<version>`."""
        self.thresholds: dict[str, float] = self.meta["thresholds"]
        # A rule hit lowers the bar: the encoder only vetoes rule findings it is sure about.
        self.veto_thresholds: dict[str, float] = self.meta.get("veto_thresholds", self.thresholds)
        self.calibration: dict[str, list[float]] = self.meta["calibration"]
        self.phrase_threshold: float = float(self.meta.get("phrase_threshold", 0.5))
        self.phrase_veto: float = float(self.meta.get("phrase_veto", self.phrase_threshold))
        self.trusted_patterns: frozenset[str] = frozenset(self.meta.get("trusted_patterns", []))

    def predict(
        self, texts: Sequence[str], sections: Sequence[str | None]
    ) -> list[EncoderPrediction]:
        """Predictions for sentences (with their section headings), in input order."""
        encodings = [
            encode_pair(self.tokenizer, text, section)
            for text, section in zip(texts, sections, strict=True)
        ]
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out: list[EncoderPrediction | None] = [None] * len(encodings)
        position = 0
        while position < len(order):
            width = len(encodings[order[position]].ids)
            # Sorted by length: the batch ends where the longest row would overflow the budget.
            end = position + 1
            while end < len(order) and (end - position + 1) * len(encodings[order[end]].ids) <= max(
                BATCH_TOKENS, width
            ):
                end += 1
            chunk = order[position:end]
            for index, prediction in zip(
                chunk, self._run([encodings[i] for i in chunk]), strict=True
            ):
                out[index] = prediction
            position = end
        return [p for p in out if p is not None]

    def _run(self, encodings: Sequence[Any]) -> list[EncoderPrediction]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        labels, ctype, tags = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )
        probabilities = self._calibrated(labels)
        tag_probs = _softmax(tags)
        results = []
        for row, encoding in enumerate(encodings):
            tokens = self._tokens(encoding, tag_probs[row])
            results.append(
                EncoderPrediction(
                    probabilities=dict(
                        zip(SENTENCE_LABELS, probabilities[row].tolist(), strict=True)
                    ),
                    commitment_type=COMMITMENT_TYPES[int(ctype[row].argmax())],
                    phrases=decode_phrases(tokens, self.phrase_threshold),
                    tokens=tokens,
                )
            )
        return results

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        """Platt-scaled probabilities per label (slope, intercept fitted on dev)."""
        slopes = np.array([self.calibration[label][0] for label in SENTENCE_LABELS])
        intercepts = np.array([self.calibration[label][1] for label in SENTENCE_LABELS])
        return 1.0 / (1.0 + np.exp(-(logits * slopes + intercepts)))

    @staticmethod
    def _tokens(encoding: Any, probs: np.ndarray) -> tuple[TokenTag, ...]:
        """The sentence's own tokens (segment A) with their phrase support and best tag."""
        tokens = []
        for i, ((start, end), type_id, special) in enumerate(
            zip(encoding.offsets, encoding.type_ids, encoding.special_tokens_mask, strict=True)
        ):
            if special or type_id == 1 or end <= start:
                continue
            best = int(probs[i][1:].argmax()) + 1
            prefix, kind = TAGS[best].split("-", 1)
            tokens.append(TokenTag(start, end, 1.0 - float(probs[i][0]), kind, prefix == "B"))
        return tuple(tokens)


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)
