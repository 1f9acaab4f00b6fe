"""The bulk inference path gives scikit-learn's numbers: same matrices, same probabilities."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from analyzer.classify import features as features_module
from analyzer.classify.corpus import SENTENCE_LABELS, load_corpus
from analyzer.classify.fast import (
    _SLOT_MULTIPLIER,
    CharNgramCounter,
    CompiledModel,
    HashedVocabulary,
    WordNgramCounter,
    _count_matrix,
)
from analyzer.classify.features import (
    SentenceExample,
    feature_frame,
    feature_rows,
    rule_features,
)
from analyzer.classify.model import (
    INFERENCE_FILE,
    MODEL_FILE,
    ScopeClassifier,
    file_sha256,
    load_for_inference,
)
from analyzer.classify.train import build_examples
from analyzer.config import default_model_dir
from analyzer.errors import ModelError
from analyzer.types import Finding

ROOT = Path(__file__).resolve().parents[2]

# Sentences that stress the char_wb word splitting: every kind of whitespace str.split() knows,
# case folds that change length, characters outside the BMP, lone surrogates, one-letter words.
AWKWARD = [
    "",
    "   ",
    "a",
    "I",
    "The Contractor shall deliver the system within 30 days.",
    "tabs\tand\nnew\r\nlines\x0band\x0cfeeds",
    "ideographic\u3000space and\u00a0no-break and\u2028line separator",
    "file\x1cseparators\x1dgroup\x1erecord\x1funit",
    "\u0130stanbul DİYARBAKIR straße ǅemal",
    "emoji 🚀🚀 rocket 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math",
    "lone \udcff surrogate",
    "x y z 1 2 3 ab cd ef",
    "supercalifragilisticexpialidocious " * 3,
]


@pytest.fixture(scope="module")
def shipped() -> ScopeClassifier:
    return ScopeClassifier.load(default_model_dir())


@pytest.fixture(scope="module")
def corpus_examples() -> object:
    records = load_corpus(ROOT / "corpus" / "labelled")
    # Every 7th record: all genres, a few hundred sentences, a few seconds.
    return build_examples(records[::7])


@pytest.mark.parametrize(
    ("name", "counter_type"), [("char", CharNgramCounter), ("word", WordNgramCounter)]
)
def test_counts_match_scikit_learn_on_awkward_text(
    shipped: ScopeClassifier, name: str, counter_type: type
) -> None:
    vectorizer = shipped.features_.named_transformers_[name]
    counter = counter_type(
        HashedVocabulary.from_terms(vectorizer.vocabulary_), vectorizer.ngram_range
    )
    reference = CountVectorizer(
        analyzer=vectorizer.analyzer,
        ngram_range=vectorizer.ngram_range,
        vocabulary=vectorizer.vocabulary_,
        dtype=np.float32,
    )
    texts = [*AWKWARD, " ".join(AWKWARD)]
    expected = reference.transform(texts)
    got = counter.counts(texts)
    assert got.shape == expected.shape
    assert (got != expected).nnz == 0
    assert got[4].nnz > 5  # a plain sentence hits the vocabulary


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_char_counts_match_scikit_learn_on_any_text(texts: list[str]) -> None:
    vocabulary_source = ["ab ab", "b c", "ä a", " x", "é ", "🚀a", *texts]
    fitted = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)).fit(vocabulary_source)
    counter = CharNgramCounter(HashedVocabulary.from_terms(fitted.vocabulary_), fitted.ngram_range)
    expected = fitted.transform(texts)
    got = counter.counts(texts)
    assert (got != expected.astype(np.float32)).nnz == 0


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(
        st.text(alphabet=st.sampled_from("ab_1é ßİ\t\n.-🚀\u0663"), max_size=30),
        min_size=1,
        max_size=6,
    )
)
def test_word_counts_match_scikit_learn_on_any_text(texts: list[str]) -> None:
    vocabulary_source = ["ab ab_1", "é1 ß", "ss ab", "١٢ ab", *texts]
    fitted = CountVectorizer(ngram_range=(1, 2)).fit(vocabulary_source)
    counter = WordNgramCounter(HashedVocabulary.from_terms(fitted.vocabulary_), fitted.ngram_range)
    expected = fitted.transform(texts)
    got = counter.counts(texts)
    assert (got != expected.astype(np.float32)).nnz == 0


def test_fast_features_equal_the_fitted_column_transformer(
    shipped: ScopeClassifier, corpus_examples: object
) -> None:
    sentences = corpus_examples.examples  # type: ignore[attr-defined]
    expected = shipped.features_.transform(feature_frame(sentences, shipped.rule_feature_scale))
    got = shipped.transform(sentences)
    assert got.shape == expected.shape
    assert abs(got - expected).max() < 1e-6
    assert got.nnz == expected.nnz
    # The rule block (the last columns) is exact: same names, same columns, same values.
    rules = shipped.features_.output_indices_["rules"]
    assert (got[:, rules] != expected[:, rules]).nnz == 0


def test_fast_probabilities_equal_the_calibrated_classifiers(
    shipped: ScopeClassifier, corpus_examples: object
) -> None:
    sentences = corpus_examples.examples  # type: ignore[attr-defined]
    matrix = shipped.features_.transform(feature_frame(sentences, shipped.rule_feature_scale))
    got = shipped.predict_proba(matrix)
    assert set(got) == set(SENTENCE_LABELS)
    for label in SENTENCE_LABELS:
        expected = shipped.label_models_[label].predict_proba(matrix)[:, 1]
        np.testing.assert_allclose(got[label], expected, rtol=0, atol=1e-12)
        assert ((got[label] >= 0) & (got[label] <= 1)).all()
    # The probabilities separate: some sentences are commitments, some are not.
    assert got["commitment"].max() > 0.9 and got["commitment"].min() < 0.1


def test_compiled_types_equal_the_type_models(
    shipped: ScopeClassifier, corpus_examples: object
) -> None:
    sentences = corpus_examples.examples  # type: ignore[attr-defined]
    matrix = shipped.features_.transform(feature_frame(sentences, shipped.rule_feature_scale))
    for family, model in shipped.type_models_.items():
        assert shipped.predict_types(matrix, family) == [str(t) for t in model.predict(matrix)]


def test_inference_file_round_trip_and_staleness(
    shipped: ScopeClassifier, corpus_examples: object, tmp_path: Path
) -> None:
    sentences = corpus_examples.examples  # type: ignore[attr-defined]
    path = tmp_path / "inference.npz"
    shipped.predictor().save(path, "a" * 64)
    loaded = CompiledModel.load(path, "a" * 64)
    assert loaded.name == shipped.name and loaded.thresholds == shipped.thresholds
    assert loaded.rule_feature_scale == shipped.rule_feature_scale == 0.25
    assert loaded.trusted_patterns == shipped.trusted_patterns
    matrix = loaded.transform(sentences)
    assert (matrix != shipped.transform(sentences)).nnz == 0
    for label, values in shipped.predict_proba(matrix).items():
        np.testing.assert_array_equal(loaded.predict_proba(matrix)[label], values)
    assert loaded.predict_types(matrix, "commitment") == shipped.predict_types(matrix, "commitment")
    with pytest.raises(ModelError, match="stale"):
        CompiledModel.load(path, "b" * 64)
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ModelError, match="cannot read"):
        CompiledModel.load(path, "a" * 64)


def test_shipped_inference_file_matches_the_shipped_model() -> None:
    folder = default_model_dir()
    digest = file_sha256(folder / MODEL_FILE)
    # Not stale: `scopelens train` writes both files together.
    assert CompiledModel.load(folder / INFERENCE_FILE, digest).name == "scopelens-clf"


def test_stale_inference_file_falls_back_to_the_skops_model(
    shipped: ScopeClassifier, tmp_path: Path
) -> None:
    folder = tmp_path / "model"
    shipped.save(folder, {"name": "copy"})
    (folder / INFERENCE_FILE).write_bytes(b"garbage")
    model = load_for_inference(folder)
    assert model.labels == list(SENTENCE_LABELS)
    (folder / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match="no model file"):
        load_for_inference(folder)


def test_scan_loads_the_model_without_scikit_learn() -> None:
    code = (
        "import sys; from analyzer.analyze import Analyzer; a = Analyzer();"
        "r = a.analyze_text('We will deliver unlimited revisions as needed.', 'x.txt');"
        "assert a.model is not None, a.model_warning;"
        "assert any(f.source.startswith('rule:') for f in r.findings);"
        "print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_long_documents_are_vectorised_in_chunks_with_the_same_rows(
    shipped: ScopeClassifier, corpus_examples: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analyzer.classify.fast as fast

    sentences = corpus_examples.examples  # type: ignore[attr-defined]
    whole = shipped.predictor().transform(sentences)
    monkeypatch.setattr(fast, "_CHUNK_ROWS", 7)
    chunked = shipped.predictor().transform(sentences)
    assert chunked.shape == whole.shape
    assert (chunked != whole).nnz == 0


def test_fast_path_handles_no_sentences(shipped: ScopeClassifier) -> None:
    matrix = shipped.transform([])
    assert matrix.shape[0] == 0
    assert all(len(p) == 0 for p in shipped.predict_proba(matrix).values())


# -- the vocabulary hash table --------------------------------------------------------------------


def _searchsorted_lookup(vocabulary: HashedVocabulary, keys: np.ndarray) -> tuple[object, object]:
    """The lookup the hash table replaced: a binary search in the sorted keys."""
    if vocabulary.size == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
    where = np.searchsorted(vocabulary.keys, keys)
    where[where == len(vocabulary.keys)] = 0
    hit = vocabulary.keys[where] == keys
    return hit, vocabulary.columns[where[hit]]


def _assert_same_lookup(vocabulary: HashedVocabulary, queries: np.ndarray) -> None:
    hit, columns = vocabulary.lookup(queries)
    expected_hit, expected_columns = _searchsorted_lookup(vocabulary, queries)
    np.testing.assert_array_equal(hit, expected_hit)
    np.testing.assert_array_equal(columns, expected_columns)
    assert columns.dtype == vocabulary.columns.dtype


def _vocabulary(keys: list[int]) -> HashedVocabulary:
    array = np.array(keys, dtype=np.uint64)
    order = np.argsort(array, kind="stable")
    columns = np.arange(len(keys), dtype=np.int64)[order]
    return HashedVocabulary(array[order], columns, len(keys))


_UINT64 = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.one_of(_UINT64, st.integers(0, 40)), max_size=60),
    others=st.lists(st.one_of(_UINT64, st.integers(0, 40)), max_size=60),
)
def test_hash_table_lookup_equals_binary_search(keys: list[int], others: list[int]) -> None:
    # Small numbers: repeated keys, key 0 in and out of the vocabulary, misses next to hits.
    vocabulary = _vocabulary(keys)
    _assert_same_lookup(vocabulary, np.array(keys + others + [0], dtype=np.uint64))


def test_hash_table_lookup_with_long_probe_chains() -> None:
    rng = np.random.default_rng(7)
    # Keys that share a few home slots: chains that run into each other and wrap around the
    # end of the table. key * multiplier = (slot << shift) + small, so the top bits are `slot`.
    slots, shift = 128, 64 - 7  # 30 keys -> 128 slots
    inverse = pow(_SLOT_MULTIPLIER, -1, 2**64)
    homes = [0, 1, 5, slots - 1, slots - 2]
    keys = [((home << shift) + small) * inverse % 2**64 for home in homes for small in range(6)]
    vocabulary = _vocabulary(keys)
    assert len(vocabulary._slot_keys) == slots and vocabulary._probes > 6
    near = [
        ((home << shift) + small) * inverse % 2**64 for home in range(slots) for small in (6, 99)
    ]
    _assert_same_lookup(vocabulary, np.array(keys + near + [0], dtype=np.uint64))
    # And many random keys: a real vocabulary's size.
    many = rng.integers(0, 2**64 - 1, size=20_000, dtype=np.uint64, endpoint=True)
    vocabulary = _vocabulary(many.tolist())
    queries = np.concatenate([many, rng.integers(0, 2**64 - 1, size=20_000, dtype=np.uint64)])
    _assert_same_lookup(vocabulary, rng.permutation(queries))


def test_hash_table_lookup_of_an_empty_vocabulary() -> None:
    vocabulary = HashedVocabulary(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), 0)
    hit, columns = vocabulary.lookup(np.array([0, 5], dtype=np.uint64))
    assert not hit.any() and len(columns) == 0


# -- the count matrix -----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    rows=st.integers(0, 6),
    width=st.integers(1, 9),
    cells=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8)), max_size=40),
    wide=st.booleans(),
)
def test_count_matrix_equals_scipy_sum_duplicates(
    rows: int, width: int, cells: list[tuple[int, int]], wide: bool
) -> None:
    from scipy.sparse import csr_matrix

    if wide:  # row * columns + column no longer fits 32 bits: uint64 keys
        width += 2**32
    cells = [(row, column) for row, column in cells if row < rows and column < width]
    row = np.array([r for r, _ in cells], dtype=np.int64)
    column = np.array([c for _, c in cells], dtype=np.int64)
    expected = csr_matrix((np.ones(len(row), dtype=np.float32), (row, column)), shape=(rows, width))
    expected.sum_duplicates()
    key_type = np.uint32 if max(rows, 1) * width < 2**32 else np.uint64
    keys = (row.astype(key_type) * key_type(width) + column.astype(key_type)).astype(key_type)
    half = len(keys) // 2
    got = _count_matrix([keys[:half], keys[half:]], (rows, width))
    assert got.shape == expected.shape and got.has_canonical_format
    for name in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))
        assert getattr(got, name).dtype == getattr(expected, name).dtype


# -- rule features --------------------------------------------------------------------------------


def _plain_rule_features(example: SentenceExample, section_kind: str | None) -> dict[str, float]:
    """The rule features with every regex searched: what the cheap cue tests must not change."""
    f = features_module
    text = example.text
    features: dict[str, float] = {}
    for finding in example.findings:
        features[f"rule:{finding.category}"] = 1.0
        features[f"rule:{finding.category}/{finding.type}"] = 1.0
        features[f"pattern:{finding.source}"] = 1.0
    ambiguity = sum(finding.category == "ambiguity" for finding in example.findings)
    features["n_ambiguity"] = float(min(ambiguity, 5))
    checks = [
        ("bound:vendor", f._VENDOR),
        ("bound:client", f._CLIENT),
        ("bound:mutual", f._MUTUAL),
        *((f"modal:{name}", regex) for name, regex in f._MODALS.items()),
        ("has:number", f._NUMBER),
        ("has:percent", f._PERCENT),
        ("has:money", f._MONEY),
        ("has:duration", f._DURATION),
        ("has:date", f._DATE),
        ("shape:list_marker", f._MARKER),
    ]
    for name, regex in checks:
        if regex.search(text):
            features[name] = 1.0
    if text.count("|") >= 2:
        features["shape:table_row"] = 1.0
    stripped = text.rstrip()
    if stripped.endswith("?"):
        features["shape:question"] = 1.0
    if stripped.endswith(":"):
        features["shape:label"] = 1.0
    if not stripped.endswith((".", "!", "?", ";", ":")):
        features["shape:fragment"] = 1.0
    features[f"words:{f._bucket(len(text.split()), (3, 8, 15, 30, 60))}"] = 1.0
    features[f"kind:{example.kind}"] = 1.0
    features[f"section_kind:{section_kind or 'none'}"] = 1.0
    if example.section:
        for word in sorted(set(f._WORD.findall(example.section[-1].lower()))):
            features[f"section_word:{word}"] = 1.0
    return features


# Pieces that make the cues, the regexes' words and their near misses, in every case.
_PIECES = [
    *"aAkKqQ019%$€/-|.:?;!'_ \t\n\u00a0\u3000",
    *("\u0130", "\u0131", "\u017f", "\u212a", "ß", "é", "١"),  # case folds, a non-ASCII digit
    *("shall", "Will", "'ll", "MUST", "may", "should", "could", "might", "agree", "agrees", " to"),
    *("undertake", "commits", "responsible", "Warrants", "ensure", "not", "nor", "excluded"),
    *("party", "Parties", "each", "the", "percent", "usd", "EUR", "euros", "dollar", "k"),
    *("hours", "hr", "days", "week", "months", "year", "fte", "person-days", "man", "mon"),
    *("jan", "Sept", "dec", "2027", "1999", "12/31/26", "q3", "we", "client", "contractor"),
    # Whole matches, so that every regex runs often.
    *("agree to", "Agrees To", "undertakes to", "commit to", "each party", "Neither Party"),
    *(" 5k ", "3 K", "1,5k", "q1", "Q4 ", "5 man-days", "2 person days", "3 HRS", "1.5 years"),
    *("Dec 5", "jan. 1", "sept 30", "MAY 2", "10 percent", "5 %", "$", "£", "usd", "5/6/27"),
]
_SENTENCES = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


def _example(text: str, section: tuple[str, ...] = ()) -> SentenceExample:
    finding = Finding(
        id="x",
        category="ambiguity",
        type="vague_term",
        severity="low",
        start=0,
        end=1,
        text="t",
        sentence=text,
        page=None,
        section=None,
        explanation="",
        suggestion="",
        source="rule:ambiguity.vague",
    )
    findings = (finding, finding) if "?" in text else ()
    return SentenceExample(0, len(text), text, section, "paragraph", None, findings)


@settings(max_examples=1000, deadline=None)
@given(text=_SENTENCES, heading=st.one_of(st.none(), _SENTENCES), kind=st.sampled_from([None, "x"]))
def test_rule_features_equal_every_regex_searched(
    text: str, heading: str | None, kind: str | None
) -> None:
    example = _example(text, (heading,) if heading is not None else ())
    expected = _plain_rule_features(example, kind)
    # Same names, same values, same order (the order feeds the sparse rows' indices).
    assert list(rule_features(example, kind).items()) == list(expected.items())


def test_feature_rows_scale_the_rule_features(corpus_examples: object) -> None:
    from analyzer.nlp.detect import section_kind

    corpus = corpus_examples.examples  # type: ignore[attr-defined]
    sentences = [*corpus[:300], *map(_example, AWKWARD)]
    texts, rows = feature_rows(sentences, 0.3)
    assert texts == [example.text for example in sentences]
    for example, row in zip(sentences, rows, strict=True):
        kind = section_kind(example.section)[0] if example.section else None
        expected = _plain_rule_features(example, kind)
        assert list(row.items()) == [(name, value * 0.3) for name, value in expected.items()]
