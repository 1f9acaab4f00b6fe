"""Bulk inference for a fitted `ScopeClassifier`: the same numbers as scikit-learn, fewer steps.

Scikit-learn's `char_wb` vectoriser builds every character n-gram of every sentence as a Python
string and looks each up in a dict: on a contract that is most of the classifier's time. Here
the n-grams are hashed in bulk with numpy instead (a polynomial hash over the code points,
prefix sums make any window's hash two array operations) and looked up in a sorted array of the
vocabulary's hashes. The counts then go through the vectoriser's own fitted `TfidfTransformer`,
so the TF-IDF arithmetic is scikit-learn's. The calibrated logistic regressions are folded into
one sparse-dense product for all labels and folds, followed by the fitted sigmoid calibrators.

Training still uses the scikit-learn objects; this module only reads their fitted attributes.
tests/classify/test_fast.py checks that matrices and probabilities match scikit-learn's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

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


class _Vocabulary:
    """A fitted vectoriser's vocabulary as sorted hashes, for bulk lookups."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        terms = list(vocabulary)
        hasher = _WindowHasher("".join(terms))
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        keys = _salted(hasher.raw(starts, lengths), lengths)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
        order = np.argsort(keys)
        self.keys, self.columns = keys[order], columns[order]
        self.size = len(terms)

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
    matrix.sum_duplicates()
    matrix.sort_indices()
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
        vocabulary: the vectoriser's `vocabulary_` (n-gram -> column).
        ngram_range: its `ngram_range`.
    """

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        self.min_n, self.max_n = ngram_range
        self.vocabulary = _Vocabulary(vocabulary)

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

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        if not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
            raise ValueError(f"word n-grams of {ngram_range} are not supported")
        self.min_n, self.max_n = ngram_range
        self.vocabulary = _Vocabulary(vocabulary)

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


def _counter_for(transformer: Any) -> CharNgramCounter | WordNgramCounter | None:
    """The bulk counter that can stand in for a fitted TF-IDF vectoriser, if any."""
    if not hasattr(transformer, "_tfidf"):
        return None
    plain = (
        transformer.preprocessor is None
        and transformer.tokenizer is None
        and transformer.stop_words is None
        and transformer.strip_accents is None
        and transformer.lowercase
    )
    if plain and transformer.analyzer == "char_wb":
        return CharNgramCounter(transformer.vocabulary_, transformer.ngram_range)
    default_tokens = transformer.token_pattern == r"(?u)\b\w\w+\b"
    if (
        plain
        and default_tokens
        and transformer.analyzer == "word"
        and transformer.ngram_range[1] <= 2
    ):
        return WordNgramCounter(transformer.vocabulary_, transformer.ngram_range)
    return None


class FastPredictor:
    """Feature matrix and calibrated probabilities of a fitted `ScopeClassifier`.

    Args:
        features: the classifier's fitted `ColumnTransformer` (word, char, rules).
        label_models: label -> fitted `CalibratedClassifierCV` (sigmoid, binary).
    """

    def __init__(self, features: Any, label_models: dict[str, Any]) -> None:
        self.steps: list[tuple[str, Any, Any]] = []
        for _name, transformer, column in features.transformers_:
            if transformer == "drop":
                continue
            counter = _counter_for(transformer)
            self.steps.append((column, transformer, counter))
        self.labels = list(label_models)
        weights, intercepts, calibrations = [], [], []
        for label in self.labels:
            folds = label_models[label].calibrated_classifiers_
            for fold in folds:
                estimator, (calibrator,) = fold.estimator, fold.calibrators
                weights.append(estimator.coef_.ravel())
                intercepts.append(float(estimator.intercept_[0]))
                calibrations.append((float(calibrator.a_), float(calibrator.b_)))
        self.folds = [len(label_models[label].calibrated_classifiers_) for label in self.labels]
        self.weights = np.column_stack(weights) if weights else np.zeros((0, 0))
        self.intercepts = np.asarray(intercepts)
        self.slopes = np.asarray([a for a, _ in calibrations])
        self.offsets = np.asarray([b for _, b in calibrations])

    def transform(self, texts: Sequence[str], features: Sequence[dict[str, float]]) -> csr_matrix:
        """The classifier's feature matrix for sentences and their rule-feature dicts."""
        from scipy.sparse import csr_matrix, hstack

        if not texts:  # scikit-learn's transformers refuse zero rows
            return csr_matrix((0, self.weights.shape[0]), dtype=np.float32)
        columns = {"text": texts, "features": features}
        blocks = []
        for column, transformer, counter in self.steps:
            if counter is not None:
                blocks.append(transformer._tfidf.transform(counter.counts(texts), copy=False))
            else:
                blocks.append(transformer.transform(columns[column]))
        return hstack(blocks, format="csr")

    def predict_proba(self, matrix: csr_matrix) -> dict[str, np.ndarray]:
        """Calibrated probability of each label for each row (the mean over the CV folds)."""
        from scipy.special import expit

        scores = np.asarray(matrix @ self.weights) + self.intercepts
        fold_probabilities = expit(-(self.slopes * scores + self.offsets))
        out: dict[str, np.ndarray] = {}
        first = 0
        for label, count in zip(self.labels, self.folds, strict=True):
            total = np.zeros(matrix.shape[0])
            for column in range(first, first + count):
                total += fold_probabilities[:, column]
            out[label] = total / count
            first += count
        return out
