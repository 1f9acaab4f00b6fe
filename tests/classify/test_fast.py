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

from analyzer.classify.corpus import SENTENCE_LABELS, load_corpus
from analyzer.classify.fast import (
    CharNgramCounter,
    CompiledModel,
    HashedVocabulary,
    WordNgramCounter,
)
from analyzer.classify.features import feature_frame
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
