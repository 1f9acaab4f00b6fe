"""The scan cache: hits, misses, invalidation by rules/model version, resume after a stop."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer import cache as cache_module
from analyzer.batch import Scanner, iter_files
from analyzer.cache import (
    ScanCache,
    file_sha256,
    model_version,
    rules_version,
    scan_fingerprint,
)
from analyzer.config import default_encoder_dir, default_model_dir
from analyzer.types import ToolInfo, finding_id


def _scanner(folder: Path, fingerprint: str = "f1", **kwargs: object) -> Scanner:
    options: dict[str, object] = {"jobs": 1, "model_dir": None, **kwargs}
    return Scanner(cache=ScanCache(folder, fingerprint), **options)  # type: ignore[arg-type]


def test_cache_dir_keys_the_cache_on_the_scanners_own_configuration(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("a.txt", "b.txt")

    def cached(**options: object) -> int:
        scanner = Scanner(jobs=1, model_dir=None, cache_dir=tmp_path / "c", **options)  # type: ignore[arg-type]
        list(scanner.run(iter_files(paths)))
        assert scanner.cache is not None
        scanner.cache.close()
        return scanner.stats.cached

    assert cached() == 0
    assert cached() == 2
    assert cached(engine="pdfplumber") == 0  # another configuration: its own reports


def test_cache_second_scan_answers_from_cache(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("a.txt", "b.txt", "c.txt")
    first = _scanner(tmp_path / "c")
    fresh = list(first.run(iter_files(paths)))
    assert (first.stats.analysed, first.stats.cached) == (3, 0)
    again = _scanner(tmp_path / "c")
    cached = list(again.run(iter_files(paths)))
    assert (again.stats.analysed, again.stats.cached) == (0, 3)
    assert [r.to_dict() for r in cached] == [r.to_dict() for r in fresh]
    assert again.tool == first.tool


def test_cache_changed_file_misses(make_docs: Callable[..., list[Path]], tmp_path: Path) -> None:
    paths = make_docs("a.txt", "b.txt")
    list(_scanner(tmp_path / "c").run(iter_files(paths)))
    paths[1].write_text("The vendor shall deliver a reasonable solution.", encoding="utf-8")
    again = _scanner(tmp_path / "c")
    reports = list(again.run(iter_files(paths)))
    assert (again.stats.analysed, again.stats.cached) == (1, 1)
    assert reports[1].sha256 == file_sha256(paths[1])


def test_cache_same_bytes_under_another_path_get_that_path(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    [original] = make_docs("a.txt")
    copy = tmp_path / "elsewhere" / "copy.txt"
    copy.parent.mkdir()
    shutil.copy(original, copy)
    list(_scanner(tmp_path / "c").run(iter_files([original])))
    hit = _scanner(tmp_path / "c")
    [report] = list(hit.run(iter_files([copy])))
    fresh = next(iter(Scanner(jobs=1, model_dir=None).run(iter_files([copy]))))
    assert hit.stats.cached == 1
    assert report.path == str(copy)
    assert report.to_dict() == fresh.to_dict()  # ids follow the path, as a fresh scan's do
    ids = {f.id for f in report.findings}
    assert finding_id(str(copy), "missing", "missing_exclusions", None, None) in ids


@pytest.mark.parametrize("what", ["rules", "model", "engine"])
def test_cache_invalidated_by_version_change(
    make_docs: Callable[..., list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    paths = make_docs("a.txt", "b.txt")
    model = tmp_path / "model"
    shutil.copytree(default_model_dir(), model)
    before = scan_fingerprint(model)
    list(_scanner(tmp_path / "c", before).run(iter_files(paths)))
    if what == "rules":
        monkeypatch.setattr(cache_module, "_static_versions", lambda: ("new-rules", "code"))
        after = scan_fingerprint(model)
    elif what == "model":
        meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
        meta["created"] = "2099-01-01T00:00:00Z"
        (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        after = scan_fingerprint(model)
    else:
        after = scan_fingerprint(model, engine="pdfplumber")
    assert after != before
    again = _scanner(tmp_path / "c", after)
    list(again.run(iter_files(paths)))
    assert (again.stats.analysed, again.stats.cached) == (2, 0)
    back = _scanner(tmp_path / "c", before)  # the old entries are still there for the old one
    list(back.run(iter_files(paths)))
    assert back.stats.cached == 2


def test_cache_rules_version_follows_pattern_files(tmp_path: Path) -> None:
    patterns = tmp_path / "analyzer" / "nlp" / "patterns"
    shutil.copytree(cache_module.PATTERNS_DIR, patterns)
    checks = tmp_path / "checks.json"
    shutil.copy(cache_module.CHECKS_FILE, checks)
    before = rules_version(patterns, checks)
    assert before == rules_version(patterns, checks)
    first = sorted(patterns.glob("*.jsonl"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after_pattern = rules_version(patterns, checks)
    checks.write_text(checks.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert len({before, after_pattern, rules_version(patterns, checks)}) == 3


def test_cache_model_version_names_rules_only_and_missing(tmp_path: Path) -> None:
    assert model_version(None) == "rules-only"
    assert model_version(tmp_path) == "missing"
    assert model_version(default_model_dir()).count("|") == 3


def test_cache_resumes_an_interrupted_batch(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("a.txt", "b.txt", "c.txt", "d.txt", "e.txt")
    interrupted = _scanner(tmp_path / "c", timeout=60)
    run = interrupted.run(iter_files(paths))
    done = [next(run), next(run)]
    run.close()  # stopped midway (Ctrl-C): the workers are stopped, finished files are kept
    assert [r.path for r in done] == [str(p) for p in paths[:2]]
    resumed = _scanner(tmp_path / "c", timeout=60)
    reports = list(resumed.run(iter_files(paths)))
    assert len(reports) == 5
    assert (resumed.stats.cached, resumed.stats.analysed) == (2, 3)
    assert resumed.stats.worker_starts == 1


def test_cache_unchanged_folder_starts_no_worker(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("a.txt", "b.txt")
    list(_scanner(tmp_path / "c", timeout=60, jobs=2).run(iter_files(paths)))
    again = _scanner(tmp_path / "c", timeout=60, jobs=2)
    list(again.run(iter_files(paths)))
    assert again.stats.worker_starts == 0
    assert again.stats.cached == 2


def test_cache_skips_timeouts_and_crashes(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    from batch_hooks import misbehave

    paths = make_docs("a.txt", "exit.txt", "bug.txt")
    list(_scanner(tmp_path / "c", timeout=60, analyze=misbehave).run(iter_files(paths)))
    again = _scanner(tmp_path / "c", timeout=60, analyze=misbehave)
    list(again.run(iter_files(paths)))
    assert (again.stats.cached, again.stats.analysed) == (1, 2)


def test_cache_unusable_folder_turns_itself_off(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    cache = ScanCache(blocker / "sub", "f1")
    assert not cache.enabled and cache.warning
    scanner = Scanner(jobs=1, model_dir=None, cache=cache)
    reports = list(scanner.run(iter_files(make_docs("a.txt"))))
    assert reports[0].status == "ok"
    assert any("scan cache disabled" in w for w in scanner.stats.warnings)


def test_cache_keeps_an_undecodable_file_name(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    [path] = make_docs("a.txt")
    [report] = list(Scanner(jobs=1, model_dir=None).run(iter_files([path])))
    odd = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.txt")
    report.path = odd
    cache = ScanCache(tmp_path / "c", "f1")
    cache.put("0" * 64, report, ToolInfo())
    hit = cache.get("0" * 64, odd)
    assert hit is not None and hit.report.path == odd
    assert hit.report.to_dict() == report.to_dict()


def test_cache_prunes_other_fingerprints_once_stale(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("a.txt", "b.txt")
    list(_scanner(tmp_path / "c", "old").run(iter_files(paths)))
    list(_scanner(tmp_path / "c", "current").run(iter_files(paths[:1])))
    # With the default age, recent entries of any fingerprint stay: a user may switch back.
    with ScanCache(tmp_path / "c", "current") as fresh:
        assert (fresh.pruned, len(fresh)) == (0, 3)
    # Once older than the age, the other fingerprint's entries go; the current one's stay.
    with ScanCache(tmp_path / "c", "current", stale_after_days=0) as pruned:
        assert (pruned.pruned, len(pruned)) == (2, 1)
    again = _scanner(tmp_path / "c", "current")
    list(again.run(iter_files(paths[:1])))
    assert again.stats.cached == 1


def test_cache_fingerprint_changes_when_the_encoder_decision_is_retuned(tmp_path: Path) -> None:
    # `scopelens train --encoder --tune-only` rewrites meta.json alone: cached accurate results
    # decided with the old thresholds must not be served.
    encoder = tmp_path / "encoder"
    shutil.copytree(default_encoder_dir(), encoder)
    before = scan_fingerprint(default_model_dir(), mode="accurate", encoder_dir=encoder)
    meta = json.loads((encoder / "meta.json").read_text(encoding="utf-8"))
    meta["thresholds"]["commitment"] = 0.99
    (encoder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    after = scan_fingerprint(default_model_dir(), mode="accurate", encoder_dir=encoder)
    assert before != after
    # Fast mode does not read the encoder.
    assert scan_fingerprint(default_model_dir(), mode="fast", encoder_dir=encoder) == (
        scan_fingerprint(default_model_dir(), mode="fast", encoder_dir=default_encoder_dir())
    )
