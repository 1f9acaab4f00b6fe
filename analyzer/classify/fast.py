"""Inference for a trained `ScopeClassifier` as plain numpy arrays: scikit-learn's numbers, faster.

Scikit-learn's `char_wb` vectoriser builds every character n-gram of every sentence as a Python
string and looks each up in a dict: on a contract that was most of the classifier's time. Here
the n-grams are hashed in bulk with numpy instead (a polynomial hash over the code points;
prefix sums make any window's hash two array operations) and looked up in a sorted array of the
vocabulary's hashes; word unigrams and bigrams likewise. TF-IDF weighting, the rule-feature
block, the calibrated logistic regressions (one sparse-dense product for every label and CV
fold, then the fitted sigmoids) and the type models repeat scikit-learn's arithmetic.

Training uses the scikit-learn objects; `CompiledModel.from_classifier` reads their fitted
attributes, and `scopelens train` saves the result as `inference.npz` beside `model.skops`, so a
scan loads arrays without importing scikit-learn or skops. tests/classify/test_fast.py checks
matrices, probabilities and types against scikit-learn's.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.classify.features import SentenceExample, feature_rows
from analyzer.errors import ModelError

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Hash arithmetic is modulo 2**64 (numpy's unsigned overflow wraps). The multiplier is odd, so
# it has an inverse: hash(text[a:b]) = (S[b] - S[a]) * P**-a, with S the prefix sums of
# code[i] * P**i. A 64-bit collision between a sentence's n-gram and one of ~30,000 vocabulary
# n-grams is about as likely as a cosmic-ray bit flip.
_MULTIPLIER = 0x100000001B3
_INVERSE = pow(_MULTIPLIER, -1, 2**64)
_LENGTH_SALT = 0x9E3779B97F4A7C15


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 … base**(count-1) modulo 2**64."""
    steps = np.full(count, base, dtype=np.uint64)
    steps[0] = 1
    return np.cumprod(steps, dtype=np.uint64)


def _codes(text: str) -> np.ndarray:
    """The code points of `text` as uint64 (lone surrogates included, as Python holds them)."""
    data = text.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(data, dtype=np.uint32).astype(np.uint64)


class _WindowHasher:
    """Hashes of arbitrary windows of one string."""

    def __init__(self, text: str) -> None:
        self.codes = _codes(text)
        size = len(self.codes)
        self.powers = _powers(_MULTIPLIER, size + 1)
        with np.errstate(over="ignore"):
            self.prefix = np.zeros(size + 1, dtype=np.uint64)
            np.cumsum(self.codes * self.powers[:size], out=self.prefix[1:])
        self.inverse = _powers(_INVERSE, size + 1)

    def raw(self, starts: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
        """Unsalted hash of each window text[start:start+length]."""
        with np.errstate(over="ignore"):
            return (self.prefix[starts + lengths] - self.prefix[starts]) * self.inverse[starts]


def _salted(raw: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
    """Mix the string length into its hash (a window's hash alone ignores trailing zeros)."""
    with np.errstate(over="ignore"):
        return raw ^ (np.asarray(lengths, dtype=np.uint64) * np.uint64(_LENGTH_SALT))


class HashedVocabulary:
    """A fitted vectoriser's vocabulary as sorted hashes, for bulk lookups.

    Args:
        keys: salted hashes of the terms, sorted.
        columns: the column of each key.
        size: number of columns (terms).
    """

    def __init__(self, keys: np.ndarray, columns: np.ndarray, size: int) -> None:
        self.keys, self.columns, self.size = keys, columns, size

    @classmethod
    def from_terms(cls, vocabulary: dict[str, int]) -> HashedVocabulary:
        """Hash a vectoriser's `vocabulary_` (term -> column)."""
        terms = list(vocabulary)
        hasher = _WindowHasher("".join(terms))
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        keys = _salted(hasher.raw(starts, lengths), lengths)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
        order = np.argsort(keys)
        return cls(keys[order], columns[order], len(terms))

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of keys in the vocabulary, their columns)."""
        if self.size == 0:
            return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
        where = np.searchsorted(self.keys, keys)
        where[where == self.size] = 0
        hit = self.keys[where] == keys
        return hit, self.columns[where[hit]]


def _count_matrix(rows: list[np.ndarray], cols: list[np.ndarray], shape: tuple[int, int]) -> Any:
    """Sparse float32 counts from (row, column) occurrences, indices sorted as scikit-learn's."""
    from scipy.sparse import csr_matrix

    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    matrix = csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)), shape=shape)
    matrix.sum_duplicates()  # also sorts the indices
    return matrix


def _padded_words(text: str) -> str:
    """`char_wb`'s view of a sentence: each lower-cased word between spaces, words touching.

    " w1  w2 ": an n-gram lies inside one padded word exactly when it holds no two adjacent
    spaces, because words themselves hold no whitespace.
    """
    words = text.lower().split()
    return f" {'  '.join(words)} " if words else ""


class CharNgramCounter:
    """Counts of a fitted `char_wb` vectoriser's vocabulary n-grams, without Python strings.

    Args:
        vocabulary: the vectoriser's vocabulary, hashed.
        ngram_range: its `ngram_range`.
    """

    def __init__(self, vocabulary: HashedVocabulary, ngram_range: tuple[int, int]) -> None:
        self.min_n, self.max_n = ngram_range
        self.vocabulary = vocabulary

    def counts(self, texts: Sequence[str]) -> csr_matrix:
        """Sparse float32 count matrix (rows = texts), as `CountVectorizer.transform` makes."""
        padded = [_padded_words(text) for text in texts]
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        total = int(lengths.sum())
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        joined = "".join(padded)
        hasher = _WindowHasher(joined)
        spaces = hasher.codes == 32
        # breaks[i]: how many adjacent-space pairs end before position i (word boundaries).
        breaks = np.zeros(total + 1, dtype=np.int64)
        if total > 1:
            np.cumsum(spaces[:-1] & spaces[1:], out=breaks[2:])
        row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        for n in range(self.min_n, min(self.max_n, total) + 1):
            starts = np.arange(total - n + 1, dtype=np.int64)
            starts = starts[breaks[starts + n] == breaks[starts + 1]]
            hit, columns = self.vocabulary.lookup(_salted(hasher.raw(starts, n), n))
            rows.append(row_of[starts[hit]])
            cols.append(columns)
        return _count_matrix(rows, cols, (len(texts), self.vocabulary.size))


# `\w` of Python's `re` (the default token pattern `(?u)\b\w\w+\b`): alphanumeric or "_".
_ASCII_WORD = np.array([chr(c).isalnum() or chr(c) == "_" for c in range(128)])


def _word_characters(codes: np.ndarray) -> np.ndarray:
    r"""Mask of the code points `re` counts as `\w`."""
    word = np.zeros(len(codes), dtype=bool)
    ascii_ = codes < 128
    word[ascii_] = _ASCII_WORD[codes[ascii_]]
    other = ~ascii_
    if other.any():
        distinct, inverse = np.unique(codes[other], return_inverse=True)
        flags = np.array([_is_word_code(int(c)) for c in distinct], dtype=bool)
        word[other] = flags[inverse]
    return word


def _is_word_code(code: int) -> bool:
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate is not a word character
        return False
    return chr(code).isalnum()


class WordNgramCounter:
    r"""Counts of a fitted word vectoriser's unigrams and bigrams (default token pattern).

    Tokens are the maximal runs of two or more word characters in the lower-cased sentence,
    which is what `(?u)\b\w\w+\b` finds; a bigram is two neighbouring tokens joined by a space.
    """

    def __init__(self, vocabulary: HashedVocabulary, ngram_range: tuple[int, int]) -> None:
        if not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
            raise ValueError(f"word n-grams of {ngram_range} are not supported")
        self.min_n, self.max_n = ngram_range
        self.vocabulary = vocabulary

    def counts(self, texts: Sequence[str]) -> csr_matrix:
        """Sparse float32 count matrix (rows = texts), as `CountVectorizer.transform` makes."""
        lowered = [text.lower() for text in texts]
        lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + 1
        hasher = _WindowHasher("\n".join(lowered) + "\n")  # "\n" ends every token
        word = _word_characters(hasher.codes)
        edge = np.diff(np.concatenate(([0], word.astype(np.int8), [0])))
        starts = np.flatnonzero(edge == 1)
        sizes = np.flatnonzero(edge == -1) - starts
        keep = sizes >= 2
        starts, sizes = starts[keep], sizes[keep]
        row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[starts]
        raw = hasher.raw(starts, sizes)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        if self.min_n == 1:
            hit, columns = self.vocabulary.lookup(_salted(raw, sizes))
            rows.append(row_of[hit])
            cols.append(columns)
        if self.max_n == 2 and len(starts) > 1:
            pair = np.flatnonzero(row_of[1:] == row_of[:-1])
            first, second = pair, pair + 1
            with np.errstate(over="ignore"):
                # hash("a b") = hash("a") + P**len(a) * (" " + P * hash("b"))
                shift = hasher.powers[sizes[first]]
                joined = raw[first] + shift * (np.uint64(32) + np.uint64(_MULTIPLIER) * raw[second])
            hit, columns = self.vocabulary.lookup(_salted(joined, sizes[first] + 1 + sizes[second]))
            rows.append(row_of[first[hit]])
            cols.append(columns)
        return _count_matrix(rows, cols, (len(texts), self.vocabulary.size))


def _normalize_rows(matrix: csr_matrix) -> None:
    """Scale each row to unit L2 norm in place, as scikit-learn's `normalize` does for CSR."""
    squares = (matrix.data * matrix.data).astype(np.float64)
    starts = matrix.indptr[:-1]
    filled = starts < matrix.indptr[1:]
    norms = np.zeros(matrix.shape[0])
    if squares.size:
        norms[filled] = np.sqrt(np.add.reduceat(squares, starts[filled]))
    lengths = np.diff(matrix.indptr)
    per_value = np.repeat(norms, lengths)
    nonzero = per_value != 0.0
    matrix.data[nonzero] = (matrix.data[nonzero] / per_value[nonzero]).astype(np.float32)


@dataclass
class TextBlock:
    """One TF-IDF block of the feature matrix: n-gram counts, sublinear tf, idf, L2 norm."""

    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    vocabulary: HashedVocabulary
    idf: np.ndarray  # float32, per column

    def __post_init__(self) -> None:
        counter = CharNgramCounter if self.analyzer == "char_wb" else WordNgramCounter
        self.counter = counter(self.vocabulary, self.ngram_range)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of `texts` (what the fitted `TfidfVectorizer.transform` returns)."""
        matrix = self.counter.counts(texts)
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix.data *= self.idf[matrix.indices]
        _normalize_rows(matrix)
        return matrix


@dataclass
class DictBlock:
    """The rule-feature block: a fitted `DictVectorizer`'s names and columns."""

    columns: dict[str, int]

    def transform(self, rows: Sequence[dict[str, float]]) -> csr_matrix:
        """One sparse row per feature dict; unknown names are ignored, as scikit-learn does."""
        from scipy.sparse import csr_matrix

        indices: list[int] = []
        values: list[float] = []
        indptr = [0]
        for row in rows:
            for name, value in row.items():
                column = self.columns.get(name)
                if column is not None:
                    indices.append(column)
                    values.append(value)
            indptr.append(len(indices))
        return csr_matrix(
            (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(rows), len(self.columns)),
        )


_FILE_VERSION = 2  # 2: records the rule-feature scale
_CHUNK_ROWS = 2048  # sentences vectorised at a time


@dataclass
class CompiledModel:
    """A trained `ScopeClassifier` as plain arrays: what `combine` needs, nothing else.

    Built from the fitted scikit-learn objects (`from_classifier`) or read from the
    `inference.npz` saved beside `model.skops` (`load`): numpy arrays only, no pickle, and no
    scikit-learn import, so a scan starts in a fraction of the time. The file records the
    sha256 of the `model.skops` it was made from; a stale one is refused.
    """

    name: str
    thresholds: dict[str, float]
    veto_thresholds: dict[str, float]
    trusted_patterns: frozenset[str]
    blocks: list[tuple[str, TextBlock | DictBlock]]  # (input column, block), in matrix order
    labels: list[str]
    folds: list[int]
    weights: np.ndarray  # (features, sum(folds)): one logistic regression per label and fold
    intercepts: np.ndarray
    slopes: np.ndarray  # sigmoid calibration: p = 1 / (1 + exp(slope * score + offset))
    offsets: np.ndarray
    type_classes: dict[str, list[str]] = field(default_factory=dict)
    type_weights: dict[str, np.ndarray] = field(default_factory=dict)  # (features, classes)
    type_intercepts: dict[str, np.ndarray] = field(default_factory=dict)
    rule_feature_scale: float = 1.0  # the rule-feature weight the model was trained with

    @property
    def n_features(self) -> int:
        """Width of the feature matrix."""
        return int(self.weights.shape[0])

    # -- inference -----------------------------------------------------------------------------

    def transform(self, examples: Sequence[SentenceExample]) -> csr_matrix:
        """The feature matrix of sentences: [word TF-IDF | char TF-IDF | rule features]."""
        from scipy.sparse import csr_matrix, hstack, vstack

        texts, features = feature_rows(examples, self.rule_feature_scale)
        if not texts:
            return csr_matrix((0, self.n_features), dtype=np.float32)
        # Rows are independent; chunks bound the hashing arrays (several 8-byte values per
        # character) on a very long document.
        chunks = []
        for first in range(0, len(texts), _CHUNK_ROWS):
            columns: dict[str, Sequence[Any]] = {
                "text": texts[first : first + _CHUNK_ROWS],
                "features": features[first : first + _CHUNK_ROWS],
            }
            parts = [block.transform(columns[column]) for column, block in self.blocks]
            chunks.append(hstack(parts, format="csr"))
        return chunks[0] if len(chunks) == 1 else vstack(chunks, format="csr")

    def predict_proba(self, matrix: csr_matrix) -> dict[str, np.ndarray]:
        """Calibrated probability of each label for each row (the mean over the CV folds)."""
        scores = np.asarray(matrix @ self.weights) + self.intercepts
        fold_probabilities = 1.0 / (1.0 + np.exp(self.slopes * scores + self.offsets))
        out: dict[str, np.ndarray] = {}
        first = 0
        for label, count in zip(self.labels, self.folds, strict=True):
            total = np.zeros(matrix.shape[0])
            for column in range(first, first + count):
                total += fold_probabilities[:, column]
            out[label] = total / count
            first += count
        return out

    def predict_types(self, matrix: csr_matrix, family: str) -> list[str | None]:
        """Most likely type of each row within `family` ("commitment" or "ambiguity")."""
        classes = self.type_classes.get(family)
        if classes is None or matrix.shape[0] == 0:
            return [None] * matrix.shape[0]
        scores = np.asarray(matrix @ self.type_weights[family]) + self.type_intercepts[family]
        return [classes[i] for i in scores.argmax(axis=1)]

    # -- building and persistence --------------------------------------------------------------

    @classmethod
    def from_classifier(cls, classifier: Any) -> CompiledModel:
        """Read the fitted attributes of a `ScopeClassifier` (its scikit-learn objects)."""
        blocks: list[tuple[str, TextBlock | DictBlock]] = []
        for _name, transformer, column in classifier.features_.transformers_:
            if transformer == "drop":
                continue
            if hasattr(transformer, "_tfidf"):
                _check_plain_text_vectorizer(transformer)
                block: TextBlock | DictBlock = TextBlock(
                    transformer.analyzer,
                    tuple(transformer.ngram_range),
                    HashedVocabulary.from_terms(transformer.vocabulary_),
                    np.asarray(transformer.idf_, dtype=np.float32),
                )
            else:
                block = DictBlock({k: int(v) for k, v in transformer.vocabulary_.items()})
            blocks.append((column, block))
        labels = list(classifier.label_models_)
        weights, intercepts, slopes, offsets, folds = [], [], [], [], []
        for label in labels:
            calibrated = classifier.label_models_[label].calibrated_classifiers_
            folds.append(len(calibrated))
            for fold in calibrated:
                estimator, (calibrator,) = fold.estimator, fold.calibrators
                weights.append(estimator.coef_.ravel())
                intercepts.append(float(estimator.intercept_[0]))
                slopes.append(float(calibrator.a_))
                offsets.append(float(calibrator.b_))
        model = cls(
            name=classifier.name,
            thresholds=dict(classifier.thresholds),
            veto_thresholds=dict(classifier.veto_thresholds),
            trusted_patterns=frozenset(classifier.trusted_patterns),
            blocks=blocks,
            labels=labels,
            folds=folds,
            weights=np.column_stack(weights).astype(np.float64),
            intercepts=np.asarray(intercepts),
            slopes=np.asarray(slopes),
            offsets=np.asarray(offsets),
            rule_feature_scale=float(classifier.rule_feature_scale),
        )
        for family, estimator in classifier.type_models_.items():
            model.type_classes[family] = [str(c) for c in estimator.classes_]
            model.type_weights[family] = np.ascontiguousarray(estimator.coef_.T, dtype=np.float64)
            model.type_intercepts[family] = np.asarray(estimator.intercept_, dtype=np.float64)
        return model

    def save(self, path: Path, source_sha256: str) -> None:
        """Write the arrays to `path` (.npz), naming the model.skops they came from by sha256."""
        arrays: dict[str, np.ndarray] = {
            "weights": self.weights,
            "intercepts": self.intercepts,
            "slopes": self.slopes,
            "offsets": self.offsets,
        }
        blocks = []
        for i, (column, block) in enumerate(self.blocks):
            if isinstance(block, TextBlock):
                arrays[f"block{i}_keys"] = block.vocabulary.keys
                arrays[f"block{i}_columns"] = block.vocabulary.columns
                arrays[f"block{i}_idf"] = block.idf
                blocks.append(
                    {
                        "column": column,
                        "analyzer": block.analyzer,
                        "ngram_range": list(block.ngram_range),
                        "size": block.vocabulary.size,
                    }
                )
            else:
                blocks.append({"column": column, "analyzer": "dict", "names": block.columns})
        for family in self.type_classes:
            arrays[f"type_{family}_weights"] = self.type_weights[family]
            arrays[f"type_{family}_intercepts"] = self.type_intercepts[family]
        header = {
            "version": _FILE_VERSION,
            "source_sha256": source_sha256,
            "name": self.name,
            "thresholds": self.thresholds,
            "veto_thresholds": self.veto_thresholds,
            "trusted_patterns": sorted(self.trusted_patterns),
            "blocks": blocks,
            "labels": self.labels,
            "folds": self.folds,
            "type_classes": self.type_classes,
            "rule_feature_scale": self.rule_feature_scale,
        }
        arrays["header"] = np.array(json.dumps(header, sort_keys=True))
        with path.open("wb") as handle:
            np.savez_compressed(handle, allow_pickle=False, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path, source_sha256: str) -> CompiledModel:
        """Read an `inference.npz` (never unpickles).

        Raises:
            ModelError: missing, unreadable, of another version, or made from another model.skops.
        """
        try:
            with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
            header = json.loads(str(arrays.pop("header")))
            if header.get("version") != _FILE_VERSION:
                raise ModelError(f"{path}: unsupported inference file version")
            if header.get("source_sha256") != source_sha256:
                raise ModelError(f"{path}: made from another model.skops (stale)")
            blocks: list[tuple[str, TextBlock | DictBlock]] = []
            for i, spec in enumerate(header["blocks"]):
                if spec["analyzer"] == "dict":
                    blocks.append((spec["column"], DictBlock(dict(spec["names"]))))
                    continue
                vocabulary = HashedVocabulary(
                    arrays[f"block{i}_keys"], arrays[f"block{i}_columns"], int(spec["size"])
                )
                text_block = TextBlock(
                    spec["analyzer"],
                    (int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
                    vocabulary,
                    arrays[f"block{i}_idf"],
                )
                blocks.append((spec["column"], text_block))
            model = cls(
                name=header["name"],
                thresholds=dict(header["thresholds"]),
                veto_thresholds=dict(header["veto_thresholds"]),
                trusted_patterns=frozenset(header["trusted_patterns"]),
                blocks=blocks,
                labels=list(header["labels"]),
                folds=[int(n) for n in header["folds"]],
                weights=arrays["weights"],
                intercepts=arrays["intercepts"],
                slopes=arrays["slopes"],
                offsets=arrays["offsets"],
                rule_feature_scale=float(header["rule_feature_scale"]),
            )
            for family, classes in header["type_classes"].items():
                model.type_classes[family] = list(classes)
                model.type_weights[family] = arrays[f"type_{family}_weights"]
                model.type_intercepts[family] = arrays[f"type_{family}_intercepts"]
        except ModelError:
            raise
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from None
        return model


def _check_plain_text_vectorizer(vectorizer: Any) -> None:
    """Refuse vectoriser options the bulk counters do not reproduce."""
    plain = (
        vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and vectorizer.stop_words is None
        and vectorizer.strip_accents is None
        and vectorizer.lowercase
        and vectorizer.sublinear_tf
        and vectorizer.norm == "l2"
        and vectorizer.use_idf
        and not vectorizer.binary
    )
    if vectorizer.analyzer == "word":
        plain = plain and vectorizer.token_pattern == r"(?u)\b\w\w+\b"
        plain = plain and vectorizer.ngram_range[1] <= 2
    if not plain or vectorizer.analyzer not in ("word", "char_wb"):
        raise ModelError(f"unsupported text vectoriser for fast inference: {vectorizer!r}")
