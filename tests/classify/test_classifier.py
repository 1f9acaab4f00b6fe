"""The trained classifier: features, thresholds, rules+model merge, skops round trip."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from needs import skip_or_fail

from analyzer.analyze import Analyzer
from analyzer.classify.combine import (
    SentencePrediction,
    combine_sentence,
    decide,
)
from analyzer.classify.corpus import parse_record
from analyzer.classify.features import (
    RULE_FEATURE_SCALE,
    SentenceExample,
    feature_frame,
    rule_features,
)
from analyzer.classify.model import MODEL_FILE, ScopeClassifier
from analyzer.classify.train import (
    build_examples,
    fit,
    load_annotation_examples,
    score,
    tune_thresholds,
)
from analyzer.errors import ModelError
from analyzer.types import Finding

SENTENCES = [
    # (text, section, commitment type or None, exclusion, assumption, estimate, ambiguity phrase)
    (
        "The Contractor shall deliver the migration plan within 6 weeks.",
        "Deliverables",
        "deadline",
        False,
        False,
        False,
        None,
    ),
    (
        "We will provide full support as needed.",
        "Scope",
        "deliverable",
        False,
        False,
        False,
        ("as needed", "escape_clause"),
    ),
    (
        "The Vendor will implement a user-friendly portal.",
        "Scope",
        "deliverable",
        False,
        False,
        False,
        ("user-friendly", "subjective"),
    ),
    ("Hardware procurement is not included.", "Out of scope", None, True, False, False, None),
    ("Data cleansing is out of scope.", "Out of scope", None, True, False, False, None),
    (
        "The Client will provide API access before kick-off.",
        "Assumptions",
        None,
        False,
        True,
        False,
        None,
    ),
    ("The Customer is responsible for test data.", "Assumptions", None, False, True, False, None),
    ("The effort is estimated at 120 person-days.", "Estimate", None, False, False, True, None),
    ("Estimated duration: 3 months.", "Estimate", None, False, False, True, None),
    (
        "This Agreement is governed by the laws of Delaware.",
        "Governing law",
        None,
        False,
        False,
        False,
        None,
    ),
    ("The company was founded in 2012.", "Background", None, False, False, False, None),
    (
        "We guarantee 99.9% availability.",
        "Service levels",
        "service_level",
        False,
        False,
        False,
        None,
    ),
]


def _records(copies: int = 4) -> list:
    records = []
    for n in range(copies):
        for i, (text, section, ctype, exclusion, assumption, estimate, phrase) in enumerate(
            SENTENCES
        ):
            records.append(
                parse_record(
                    {
                        "id": f"doc{n}#{i}",
                        "doc_id": f"doc{n}",
                        "source": "tests",
                        "licence": "CC0",
                        "genre": "proposal",
                        "section": section,
                        "text": text,
                        "ambiguity": [{"phrase": phrase[0], "type": phrase[1]}] if phrase else [],
                        "commitment": ctype is not None,
                        "commitment_type": ctype,
                        "exclusion": exclusion,
                        "assumption": assumption,
                        "estimate": estimate,
                    }
                )
            )
    return records


@pytest.fixture(scope="module")
def examples() -> object:
    return build_examples(_records())


@pytest.fixture(scope="module")
def classifier(examples: object) -> ScopeClassifier:
    return fit(examples, c=4.0)  # type: ignore[arg-type]


def test_classifier_rule_features_name_the_signals() -> None:
    finding = Finding(
        id="x",
        category="commitment",
        type="deadline",
        severity="high",
        start=0,
        end=10,
        text="t",
        sentence="t",
        page=None,
        section=None,
        explanation="",
        suggestion="",
        source="rule:commitment.deadline.date",
        confidence=1.0,
        sentence_start=0,
    )
    example = SentenceExample(
        0,
        60,
        "The Contractor shall deliver the plan by 15 March 2027 for $5,000.",
        ("3 Deliverables",),
        "paragraph",
        None,
        (finding,),
    )
    features = rule_features(example, "deliverables")
    for key in (
        "rule:commitment/deadline",
        "pattern:rule:commitment.deadline.date",
        "bound:vendor",
        "modal:shall",
        "has:date",
        "has:money",
        "section_kind:deliverables",
        "section_word:deliverables",
        "kind:paragraph",
    ):
        assert features[key] == 1.0, key
    assert "bound:client" not in features
    frame = feature_frame([example])
    assert list(frame.columns) == ["text", "features"]


@pytest.mark.parametrize(
    ("probability", "fired", "expected"),
    [(0.7, False, True), (0.3, False, False), (0.3, True, True), (0.1, True, False)],
)
def test_classifier_decide_uses_threshold_and_veto(
    probability: float, fired: bool, expected: bool
) -> None:
    assert decide(probability, fired, threshold=0.5, veto=0.2) is expected


def test_classifier_tune_thresholds_finds_separating_threshold() -> None:
    probabilities = {
        label: np.array([0.9, 0.8, 0.2, 0.1])
        for label in ("ambiguity", "commitment", "exclusion", "assumption", "estimate")
    }
    gold = {label: np.array([True, True, False, False]) for label in probabilities}
    fired = {label: np.array([False, False, False, False]) for label in probabilities}
    thresholds, vetoes, scores = tune_thresholds(probabilities, fired, gold)
    for label in probabilities:
        assert scores[label] == pytest.approx(1.0)
        assert 0.2 < thresholds[label] <= 0.8
        assert vetoes[label] <= thresholds[label]


def test_classifier_learns_the_small_corpus(classifier: ScopeClassifier, examples: object) -> None:
    result = score(classifier, examples)  # type: ignore[arg-type]
    for label in ("commitment", "exclusion", "assumption", "estimate"):
        assert result.model[label].f1 >= 0.9, label
    points = {
        "rules": {k: c.f1 for k, c in result.rules.items()},
        "combined": {k: c.f1 for k, c in result.combined.items()},
    }
    points["rules"]["phrase_precision"] = result.phrases_rules.precision
    points["combined"]["phrase_precision"] = result.phrases_combined.precision
    for detector, values in points.items():
        for label, value in values.items():
            low, high = result.intervals[detector][label]
            assert 0.0 <= low <= value + 1e-9 <= high + 2e-9 <= 1.0 + 2e-9, (detector, label)
    assert set(result.to_dict()["intervals_95"]["combined"]) == {
        *result.combined,
        "phrase_precision",
    }


def test_classifier_save_load_round_trip(
    classifier: ScopeClassifier, examples: object, tmp_path: Path
) -> None:
    path = classifier.save(tmp_path / "m", {"name": "test"})
    loaded = ScopeClassifier.load(tmp_path / "m")
    assert loaded.rule_feature_scale == classifier.rule_feature_scale == RULE_FEATURE_SCALE
    sentences = examples.examples  # type: ignore[attr-defined]
    before = classifier.predict_proba(classifier.transform(sentences))
    after = loaded.predict_proba(loaded.transform(sentences))
    for label, values in before.items():
        np.testing.assert_allclose(values, after[label], rtol=1e-6)
    assert json.loads((tmp_path / "m" / "meta.json").read_text()) == {"name": "test"}
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_classifier_load_refuses_untrusted_types(tmp_path: Path) -> None:
    import skops.io as sio

    folder = tmp_path / "evil"
    folder.mkdir()
    # A function reference is exactly what a malicious model file would smuggle in.
    sio.dump({"payload": Path}, folder / MODEL_FILE)
    with pytest.raises(ModelError, match="untrusted"):
        ScopeClassifier.load(folder)


def test_classifier_load_missing_model_is_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model file"):
        ScopeClassifier.load(tmp_path)


def _finding(category: str, type_: str, start: int, end: int, text: str) -> Finding:
    return Finding(
        id=f"{category}{start}",
        category=category,
        type=type_,
        severity="medium",
        start=start,
        end=end,
        text=text,
        sentence="We will provide full support as needed.",
        page=None,
        section="Scope",
        explanation="",
        suggestion="",
        source=f"rule:{category}.x",
        confidence=1.0,
        sentence_start=0,
    )


def test_classifier_combine_keeps_confirmed_rules_and_adds_model_findings(
    classifier: ScopeClassifier,
) -> None:
    text = "We will provide full support as needed."
    example = SentenceExample(
        0,
        len(text),
        text,
        ("Scope",),
        "paragraph",
        None,
        (
            _finding("ambiguity", "escape_clause", 29, 38, "as needed"),
            _finding("exclusion", "exclusion", 0, len(text), text),
        ),
    )
    prediction = SentencePrediction(
        probabilities={
            "ambiguity": 0.9,
            "commitment": 0.95,
            "exclusion": 0.01,
            "assumption": 0.0,
            "estimate": 0.0,
        },
        commitment_type="deliverable",
        ambiguity_type="escape_clause",
    )
    tuned = copy.copy(classifier)
    tuned.thresholds = dict.fromkeys(prediction.probabilities, 0.5)
    tuned.veto_thresholds = dict.fromkeys(prediction.probabilities, 0.2)
    findings = combine_sentence("doc.txt", example, prediction, tuned)
    by_category = {f.category: f for f in findings}
    assert by_category["ambiguity"].source == "rule:ambiguity.x"
    assert by_category["ambiguity"].text == "as needed"
    assert by_category["ambiguity"].confidence == pytest.approx(0.9)
    assert by_category["commitment"].source == f"model:{classifier.name}"
    assert by_category["commitment"].type == "deliverable"
    assert (by_category["commitment"].start, by_category["commitment"].end) == (0, len(text))
    assert "exclusion" not in by_category  # vetoed: the model is sure it is not an exclusion


def test_classifier_annotations_become_weighted_examples(tmp_path: Path) -> None:
    sentence = "We will provide full support as needed."
    base = {
        "document_sha256": "abc",
        "document_name": "p.docx",
        "sentence": sentence,
        "finding_id": "f1",
        "category": "ambiguity",
        "type": "escape_clause",
        "new_category": None,
        "new_type": None,
        "new_severity": None,
        "reason": None,
        "comment": None,
        "reviewer": "j.doe",
        "tool_version": "0.1.0",
        "model": None,
    }
    lines = [
        {
            **base,
            "start": 29,
            "end": 38,
            "text": "as needed",
            "decision": "confirm",
            "created_at": "2026-11-25T18:00:00Z",
        },
        {
            **base,
            "finding_id": "f2",
            "category": "commitment",
            "type": "deliverable",
            "start": 0,
            "end": len(sentence),
            "text": sentence,
            "decision": "relabel",
            "new_category": "commitment",
            "new_type": "service_level",
            "created_at": "2026-11-25T18:01:00Z",
        },
    ]
    path = tmp_path / "decisions.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    extra = load_annotation_examples(str(path))
    assert len(extra.records) == 1
    record = extra.records[0]
    assert [a.phrase for a in record.ambiguity] == ["as needed"]
    assert record.commitment and record.commitment_type == "service_level"
    assert extra.weights == [2.0]


def test_classifier_shipped_model_is_used_by_default(examples_dir: Path) -> None:
    analyzer = Analyzer()
    if analyzer.model is None:
        skip_or_fail(f"no shipped model: {analyzer.model_warning}")
    report = analyzer.analyze_path(examples_dir / "acme-portal-proposal.md")
    assert analyzer.tool.model is not None and analyzer.tool.model.startswith("scopelens-clf@")
    assert analyzer.tool.mode == "fast"
    sources = {f.source.split(":")[0] for f in report.findings}
    assert "rule" in sources
    assert all(0.0 <= f.confidence <= 1.0 for f in report.findings)


def test_classifier_missing_model_falls_back_to_rules(tmp_path: Path, examples_dir: Path) -> None:
    analyzer = Analyzer(model_dir=tmp_path / "nowhere")
    report = analyzer.analyze_path(examples_dir / "acme-portal-proposal.md")
    assert report.status == "ok"
    assert analyzer.model is None
    assert analyzer.model_warning and "running the rules only" in analyzer.model_warning
    assert analyzer.tool.model is None
    assert not any(f.source.startswith("model:") for f in report.findings)


def test_classifier_trusted_rule_is_never_vetoed() -> None:
    assert decide(0.0, True, threshold=0.5, veto=0.3, trusted=True) is True
    assert decide(0.0, True, threshold=0.5, veto=0.3, trusted=False) is False


def test_classifier_trusted_patterns_need_support_and_precision(examples: object) -> None:
    from analyzer.classify.train import find_trusted_patterns

    trusted = find_trusted_patterns(examples)  # type: ignore[arg-type]
    hits: dict[str, list[bool]] = {}
    pairs = zip(examples.records, examples.examples, strict=True)  # type: ignore[attr-defined]
    for record, example in pairs:
        for finding in example.findings:
            hits.setdefault(finding.source, []).append(record.label(finding.category))
    for source in trusted - {"rule:estimate.explicit"}:  # explicit: trusted by its wording
        outcomes = hits[source]
        assert len(outcomes) >= 5
        assert sum(outcomes) / len(outcomes) >= 0.9
    assert all(source.startswith("rule:") for source in trusted)


def test_explicit_patterns_are_trusted_even_without_corpus_support() -> None:
    from analyzer.classify.train import LabelledExamples, find_trusted_patterns

    trusted = find_trusted_patterns(LabelledExamples([], [], []))
    assert "rule:estimate.explicit" in trusted  # marked "explicit" in scope.jsonl
    assert "rule:estimate.duration" not in trusted  # plain patterns earn trust from the corpus


def test_saved_inference_file_has_the_settings_set_after_fitting(
    classifier: ScopeClassifier, examples: object, tmp_path: Path
) -> None:
    from analyzer.classify.fast import CompiledModel
    from analyzer.classify.model import INFERENCE_FILE, file_sha256

    tuned = copy.deepcopy(classifier)
    tuned.predictor()  # an inference view built before the thresholds are tuned
    tuned.thresholds = dict.fromkeys(tuned.thresholds, 0.42)
    tuned.trusted_patterns = frozenset({"rule:placeholder.tbd"})
    path = tuned.save(tmp_path / "m", {"name": "test"})
    saved = CompiledModel.load(tmp_path / "m" / INFERENCE_FILE, file_sha256(path))
    assert saved.thresholds == tuned.thresholds
    assert saved.trusted_patterns == tuned.trusted_patterns
