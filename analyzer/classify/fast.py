"""Inference for a trained `ScopeClassifier` as plain numpy arrays: scikit-learn's numbers, faster.

Scikit-learn's `char_wb` vectoriser builds every character n-gram of every sentence as a Python
string and looks each up in a dict: on a contract that was most of the classifier's time. Here
the n-grams are hashed in bulk with numpy instead (a polynomial hash over the code points;
prefix sums make any window's hash two array operations) and looked up in a hash table of the
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

    def salted_windows(self, length: int) -> np.ndarray:
        """Salted hash of every window of `length` characters, by start (slices, no gathers)."""
        count = len(self.codes) - length + 1
        with np.errstate(over="ignore"):
            hashes = self.prefix[length:] - self.prefix[:count]
            hashes *= self.inverse[:count]
            hashes ^= np.uint64(length * _LENGTH_SALT % 2**64)  # as `_salted`
        return hashes


def _salted(raw: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
    """Mix the string length into its hash (a window's hash alone ignores trailing zeros)."""
    with np.errstate(over="ignore"):
        return raw ^ (np.asarray(lengths, dtype=np.uint64) * np.uint64(_LENGTH_SALT))


# Multiplier of the vocabulary's hash table (odd: a key's top bits times it spread over slots).
_SLOT_MULTIPLIER = 0xD6E8FEB86659FD93
_SLOTS_PER_KEY = 4  # table size: a power of two >= 4 slots per key keeps the probe chains short


class HashedVocabulary:
    """A fitted vectoriser's vocabulary as hashes (sorted, as `inference.npz` stores them) and
    a hash table over them, for bulk lookups.

    Lookups go through an open-addressing hash table built here from `keys` and `columns`
    (linear probing, vectorised over all queries at once): a binary search of millions of
    n-gram hashes in ~20,000 sorted keys was the costliest step of vectorising a document.

    Args:
        keys: salted hashes of the terms, sorted.
        columns: the column of each key.
        size: number of columns (terms).
    """

    def __init__(self, keys: np.ndarray, columns: np.ndarray, size: int) -> None:
        self.keys, self.columns, self.size = keys, columns, size
        self._build_table()

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

    def _build_table(self) -> None:
        """Fill the hash table: slot keys, slot columns (-1: empty), longest probe chain."""
        keys = np.asarray(self.keys, dtype=np.uint64)
        # A repeated key resolves to its first occurrence, as the binary search did.
        keys, first = np.unique(keys, return_index=True)
        columns = np.asarray(self.columns, dtype=np.int64)[first]
        bits = max(3, int(max(1, _SLOTS_PER_KEY * len(keys)) - 1).bit_length())
        slots = 1 << bits
        self._mask = slots - 1
        self._shift = np.uint64(64 - bits)
        # Empty slots hold key 0 with column -1. A query equal to 0 can stop on one: a miss,
        # since probing for a present key passes occupied slots only.
        self._slot_keys = np.zeros(slots, dtype=np.uint64)
        self._slot_columns = np.full(slots, -1, dtype=np.int64)
        occupied = np.zeros(slots, dtype=bool)
        position = self._home(keys)
        pending = np.arange(len(keys))
        probes = 0
        while pending.size:
            # Each round, every pending key tries its current slot; of the keys that want one
            # free slot the first takes it, the others (and those facing a taken slot) step on.
            probes += 1
            at = position[pending]
            free = ~occupied[at]
            _, winner = np.unique(at[free], return_index=True)
            placed = pending[free][winner]
            where = position[placed]
            self._slot_keys[where] = keys[placed]
            self._slot_columns[where] = columns[placed]
            occupied[where] = True
            waiting = np.ones(len(pending), dtype=bool)
            waiting[np.flatnonzero(free)[winner]] = False
            pending = pending[waiting]
            position[pending] = (position[pending] + 1) & self._mask
        # A present key lies at most `probes - 1` slots past its home slot.
        self._probes = probes

    def _home(self, keys: np.ndarray) -> np.ndarray:
        """Home slot of each key: the top bits of key * odd constant."""
        with np.errstate(over="ignore"):
            slots = keys * np.uint64(_SLOT_MULTIPLIER)
        np.right_shift(slots, self._shift, out=slots)
        if np.dtype(np.intp).itemsize == 8:
            return slots.view(np.intp)  # < 2**63 after the shift: the same numbers, no copy
        return slots.astype(np.intp)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of keys in the vocabulary, their columns)."""
        if self.size == 0:
            return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=self.columns.dtype)
        slot = self._home(keys)
        found = self._slot_keys[slot] == keys
        # Most queries settle on their home slot; the others probe on, a slot per round, until
        # an empty slot (absent: probing for a present key passes occupied slots only) or the
        # end of the longest chain (absent too).
        rest = np.flatnonzero(~found)
        rest_slot = slot[rest]
        for _ in range(1, self._probes):
            going = self._slot_columns[rest_slot] >= 0
            rest, rest_slot = rest[going], rest_slot[going]
            if not rest.size:
                break
            rest_slot = (rest_slot + 1) & self._mask
            equal = self._slot_keys[rest_slot] == keys[rest]
            done = rest[equal]
            found[done] = True
            slot[done] = rest_slot[equal]
            rest, rest_slot = rest[~equal], rest_slot[~equal]
        columns = self._slot_columns[slot[found]]
        empty = columns < 0
        if empty.any():  # a query equal to an empty slot's key 0
            found[np.flatnonzero(found)[empty]] = False
            columns = columns[~empty]
        return found, columns.astype(self.columns.dtype, copy=False)


def _count_matrix(keys: list[np.ndarray], shape: tuple[int, int]) -> Any:
    """Sparse float32 counts from occurrences keyed row * columns + column, as scikit-learn's.

    What scipy's COO -> CSR and `sum_duplicates` made (indices sorted, duplicates summed, the
    same index dtype), several times faster: one sort of the flat keys (numpy sorts integers
    with SIMD) and a count of each run of equal keys.
    """
    from scipy.sparse import csr_matrix

    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    if not flat.size:
        matrix = csr_matrix(shape, dtype=np.float32)
        matrix.has_canonical_format = True
        return matrix
    flat.sort()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    counts = np.diff(np.append(starts, flat.size)).astype(np.float32)
    distinct = flat[starts]
    width = flat.dtype.type(shape[1])
    rows = distinct // width
    index = _index_dtype(shape, flat.size)
    indptr: np.ndarray = np.zeros(shape[0] + 1, dtype=index)
    np.cumsum(np.bincount(rows.astype(np.intp), minlength=shape[0]), out=indptr[1:])
    matrix = csr_matrix((counts, (distinct - rows * width).astype(index), indptr), shape=shape)
    matrix.has_canonical_format = True  # sorted, no duplicates: true by construction
    return matrix


def _index_dtype(shape: tuple[int, int], occurrences: int) -> type:
    """scipy's choice for COO -> CSR: int32 when the shape and occurrence count fit in it."""
    return np.int32 if max(*shape, occurrences) <= np.iinfo(np.int32).max else np.int64


def _key_dtype(shape: tuple[int, int]) -> type:
    """The narrowest unsigned type holding row * columns + column (uint32 sorts faster)."""
    return np.uint32 if max(shape[0], 1) * max(shape[1], 1) < 2**32 else np.uint64


def _row_offsets(lengths: np.ndarray, width: int, dtype: type) -> np.ndarray:
    """row * width for every character of the joined texts (`lengths` per row)."""
    return np.repeat(np.arange(len(lengths), dtype=dtype) * dtype(width), lengths)


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
        joined = "".join(padded)
        total = len(joined)
        shape = (len(texts), self.vocabulary.size)
        key_type = _key_dtype(shape)
        offsets = _row_offsets(lengths, shape[1], key_type)
        keys: list[np.ndarray] = []
        hasher = _WindowHasher(joined)
        spaces = hasher.codes == 32
        # breaks[i]: how many adjacent-space pairs end before position i (word boundaries).
        breaks = np.zeros(total + 1, dtype=np.int64)
        if total > 1:
            np.cumsum(spaces[:-1] & spaces[1:], out=breaks[2:])
        for n in range(self.min_n, min(self.max_n, total) + 1):
            # Windows inside one padded word: breaks[s + n] == breaks[s + 1], for every s at once.
            inside = breaks[n:] == breaks[1 : total - n + 2]
            starts = np.flatnonzero(inside)
            hit, columns = self.vocabulary.lookup(hasher.salted_windows(n)[inside])
            keys.append(offsets[starts[hit]] + columns.astype(key_type))
        return _count_matrix(keys, shape)


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
        shape = (len(texts), self.vocabulary.size)
        key_type = _key_dtype(shape)
        offsets = row_of.astype(key_type) * key_type(shape[1])
        raw = hasher.raw(starts, sizes)
        keys: list[np.ndarray] = []
        if self.min_n == 1:
            hit, columns = self.vocabulary.lookup(_salted(raw, sizes))
            keys.append(offsets[hit] + columns.astype(key_type))
        if self.max_n == 2 and len(starts) > 1:
            pair = np.flatnonzero(row_of[1:] == row_of[:-1])
            first, second = pair, pair + 1
            with np.errstate(over="ignore"):
                # hash("a b") = hash("a") + P**len(a) * (" " + P * hash("b"))
                shift = hasher.powers[sizes[first]]
                joined = raw[first] + shift * (np.uint64(32) + np.uint64(_MULTIPLIER) * raw[second])
            hit, columns = self.vocabulary.lookup(_salted(joined, sizes[first] + 1 + sizes[second]))
            keys.append(offsets[first[hit]] + columns.astype(key_type))
        return _count_matrix(keys, shape)


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
    source_sha256: str = ""  # sha256 of the model.skops it was made from ("": not known)

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
            np.savez_compressed(handle, allow_pickle=False, **arrays)

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
                source_sha256=source_sha256,
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
