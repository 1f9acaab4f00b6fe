"""The sentence classifier: word + character TF-IDF and rule-layer features, one calibrated
logistic regression per label, plus type classifiers for commitments and ambiguity.

Follows scikit-learn conventions: `__init__` stores parameters, `fit` returns self, learned
attributes end in `_`. Persisted with `skops.io` (never bare pickle): loading refuses any type
outside an explicit allow-list.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.classify.corpus import SENTENCE_LABELS
from analyzer.classify.fast import CompiledModel
from analyzer.classify.features import RULE_FEATURE_SCALE, SentenceExample
from analyzer.errors import ModelError

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import spmatrix

logger = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
INFERENCE_FILE = "inference.npz"  # the same model as arrays, for scanning (analyzer.classify.fast)
RANDOM_STATE = 13

# Types a ScopeLens model file may contain beyond skops' defaults. Anything else in a file is
# refused: a model file is code, and we only run code we know.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.slice",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.utils._bunch.Bunch",
    "collections.OrderedDict",
    "builtins.NoneType",
    "numpy.float32",
    "numpy.int32",
    "numpy.str_",
)


def make_features(word_max: int = 20000, char_max: int = 30000) -> Any:
    """The shared feature step: word 1–2-grams, char_wb 2–5-grams, and the rule dict."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer

    return ColumnTransformer(
        [
            (
                "word",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=2,
                    max_features=word_max,
                    sublinear_tf=True,
                    lowercase=True,
                    dtype=np.float32,
                ),
                "text",
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    max_features=char_max,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
                "text",
            ),
            ("rules", DictVectorizer(dtype=np.float32), "features"),
        ],
        sparse_threshold=1.0,
    )


def _logistic(c: float, solver: str = "liblinear") -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c, class_weight="balanced", max_iter=3000, solver=solver, random_state=RANDOM_STATE
    )


def _calibrated(c: float) -> Any:
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(_logistic(c), method="sigmoid", cv=3)


@dataclass
class ScopeClassifier:
    """Multi-label sentence classifier (ambiguity, commitment, exclusion, assumption, estimate).

    Args:
        name: model name, used in findings' `source` ("model:<name>").
        c: inverse regularisation strength of the logistic regressions.
        thresholds: per-label decision thresholds on calibrated probabilities (tuned on dev).
        veto_thresholds: per-label probability below which a rule finding is dropped.
        trusted_patterns: rule sources ("rule:<id>") precise enough on the corpus that the model
            never vetoes them.
        rule_feature_scale: weight of the rule features beside the TF-IDF blocks; fixed at
            training and saved with the model (see `analyzer.classify.features`).
    """

    name: str = "scopelens-clf"
    c: float = 4.0
    thresholds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(SENTENCE_LABELS, 0.5)
    )
    veto_thresholds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(SENTENCE_LABELS, 0.0)
    )
    trusted_patterns: frozenset[str] = frozenset()
    rule_feature_scale: float = RULE_FEATURE_SCALE
    _predictor: CompiledModel | None = field(default=None, init=False, repr=False, compare=False)

    def fit(
        self,
        frame: pd.DataFrame,
        labels: dict[str, np.ndarray],
        commitment_types: Sequence[str | None],
        ambiguity_types: Sequence[str | None],
        sample_weight: np.ndarray | None = None,
    ) -> ScopeClassifier:
        """Fit the feature step once, then one calibrated classifier per label and the type models.

        Args:
            frame: from `feature_frame`.
            labels: label name -> boolean array, one value per row.
            commitment_types: the commitment type of each row (None when not a commitment).
            ambiguity_types: the main ambiguity phrase type of each row (None when none).
            sample_weight: optional per-row weights (reviewer decisions weigh more).
        """
        self._predictor = None
        self.features_ = make_features().fit(frame)
        matrix = self.features_.transform(frame)
        self.label_models_ = {}
        for label in SENTENCE_LABELS:
            y = np.asarray(labels[label], dtype=int)
            model = _calibrated(self.c)
            model.fit(matrix, y, sample_weight=sample_weight)
            self.label_models_[label] = model
        self.type_models_ = {}
        for family, types in (("commitment", commitment_types), ("ambiguity", ambiguity_types)):
            rows = [i for i, t in enumerate(types) if t]
            if len({types[i] for i in rows}) < 2:
                continue
            model = _logistic(self.c, solver="lbfgs")
            weights = sample_weight[rows] if sample_weight is not None else None
            model.fit(matrix[rows], [types[i] for i in rows], sample_weight=weights)
            self.type_models_[family] = model
        return self

    def predictor(self) -> CompiledModel:
        """The inference view of the fitted model (built on first use, after fit or load)."""
        if self._predictor is None:
            self._predictor = CompiledModel.from_classifier(self)
        return self._predictor

    def transform(self, examples: Sequence[SentenceExample]) -> spmatrix:
        """The feature matrix of sentences (one vectorisation, shared by every label)."""
        return self.predictor().transform(examples)

    def predict_proba(self, matrix: spmatrix) -> dict[str, np.ndarray]:
        """Calibrated probability of each label for each row of a feature matrix."""
        return self.predictor().predict_proba(matrix)

    def predict_types(self, matrix: spmatrix, family: str) -> list[str | None]:
        """Most likely type of each row within `family` ("commitment" or "ambiguity")."""
        return self.predictor().predict_types(matrix, family)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, folder: Path, meta: dict[str, Any]) -> Path:
        """Write `model.skops` (compressed), `inference.npz` and `meta.json` into `folder`."""
        import skops.io as sio

        folder.mkdir(parents=True, exist_ok=True)
        for _, vectorizer, _ in self.features_.transformers_:
            # numpy ints in vocabularies make skops store one object per entry (>100 MB).
            if hasattr(vectorizer, "vocabulary_"):
                vectorizer.vocabulary_ = {k: int(v) for k, v in vectorizer.vocabulary_.items()}
        state = {
            "name": self.name,
            "c": self.c,
            "thresholds": {k: float(v) for k, v in self.thresholds.items()},
            "veto_thresholds": {k: float(v) for k, v in self.veto_thresholds.items()},
            "trusted_patterns": sorted(self.trusted_patterns),
            "rule_feature_scale": float(self.rule_feature_scale),
            "features": self.features_,
            "label_models": self.label_models_,
            "type_models": self.type_models_,
        }
        path = folder / MODEL_FILE
        sio.dump(state, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        # Compiled afresh, not the cached view: thresholds and trusted patterns are set after
        # fitting, so a view built earlier (e.g. to score the model) may hold older ones.
        CompiledModel.from_classifier(self).save(folder / INFERENCE_FILE, file_sha256(path))
        (folder / META_FILE).write_text(
            json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return path

    @classmethod
    def load(cls, folder: Path) -> ScopeClassifier:
        """Load a saved model, refusing any type outside `TRUSTED_TYPES`.

        Raises:
            ModelError: missing, unreadable or untrusted model file.
        """
        import skops.io as sio

        path = folder / MODEL_FILE
        if not path.is_file():
            raise ModelError(f"no model file at {path}")
        try:
            untrusted = sio.get_untrusted_types(file=path)
            unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
            if unexpected:
                raise ModelError(
                    f"{path}: refusing to load untrusted types: {', '.join(unexpected[:5])}"
                )
            state = sio.load(path, trusted=list(untrusted))
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"{path}: cannot load model ({type(exc).__name__}: {exc})") from None
        model = cls(
            name=state["name"],
            c=state["c"],
            thresholds=dict(state["thresholds"]),
            veto_thresholds=dict(state["veto_thresholds"]),
            trusted_patterns=frozenset(state.get("trusted_patterns", ())),
            # Models saved before the scale existed were trained on unscaled rule features.
            rule_feature_scale=float(state.get("rule_feature_scale", 1.0)),
        )
        model.features_ = state["features"]
        model.label_models_ = dict(state["label_models"])
        model.type_models_ = dict(state["type_models"])
        return model


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_for_inference(folder: Path) -> CompiledModel:
    """The model a scan uses: `inference.npz` when it was made from this `model.skops`.

    A missing or stale `inference.npz` (a model.skops written by other means) is rebuilt in
    memory from `model.skops`, which is slower to load but gives the same predictions.

    Raises:
        ModelError: no usable `model.skops` (see `ScopeClassifier.load`).
    """
    path = folder / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"no model file at {path}")
    sha256 = file_sha256(path)
    try:
        return CompiledModel.load(folder / INFERENCE_FILE, sha256)
    except ModelError as exc:
        logger.info("%s; compiling the model from %s", exc.one_line(), path)
    model = ScopeClassifier.load(folder).predictor()
    model.source_sha256 = sha256
    return model
