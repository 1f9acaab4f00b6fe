"""The Streamlit pages, driven by AppTest: upload, review decisions, batch, model/allow-list.

Each test points the app at its own SQLite file through SCOPELENS_DB_URL (the `db_url`
fixture) and checks what the store holds after the clicks.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from app_helpers import HOSTILE_NAME, HOSTILE_TEXT, XSS_IMG, XSS_SCRIPT, hostile_docx
from streamlit.testing.v1 import AppTest

from analyzer.app import MAIN_SCRIPT
from analyzer.review import ReviewService
from analyzer.store import Store
from analyzer.types import sha256_bytes

ROOT = Path(__file__).resolve().parents[2]
APP = MAIN_SCRIPT
TIMEOUT = 120


@pytest.fixture(autouse=True)
def _fresh_caches(db_url: str) -> Iterator[None]:
    """Each test starts from empty Streamlit caches (and closes the cached store after)."""
    st.cache_data.clear()
    yield
    from analyzer.app import shared

    for store in list(_cached_stores()):
        store.close()
    shared._store.clear()
    shared._service.clear()
    st.cache_data.clear()


def _cached_stores() -> Iterator[Store]:
    from analyzer.app import shared

    try:
        yield shared._store(shared.db_url())
    except Exception:  # pragma: no cover - nothing cached
        return


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _all_html(at: AppTest) -> str:
    """Every HTML the page shows: `st.html` elements and the document viewer's body."""
    parts = [str(h.proto.body) for h in at.html]
    parts += [json.loads(v.proto.json)["html"] for v in at.get("bidi_component")]
    return "\n".join(parts)


def _order(at: AppTest) -> list[str]:
    """The findings listed beside the document, in list order (their ids)."""
    return list(at.session_state["_order"])


def _findings_table(at: AppTest) -> Any:
    """The findings list (a dataframe keyed by the selected finding)."""
    (table,) = [d for d in at.dataframe if str(d.proto.id).endswith(f"findings_{_sel(at)}")]
    return table.value


def _sel(at: AppTest) -> str:
    return str(at.session_state["sel"])


def _seed(service: ReviewService, text: str = HOSTILE_TEXT, name: str = "seed.txt") -> str:
    opened = service.open_bytes(text.encode("utf-8"), name)
    assert opened.ok
    return opened.sha256


# -- upload --------------------------------------------------------------------------------------


def test_app_upload_shows_escaped_highlighted_text() -> None:
    at = _app().run()
    assert not at.exception
    assert "Upload a document" in at.info[0].value
    at.file_uploader(key="uploads").set_value(
        (HOSTILE_NAME, HOSTILE_TEXT.encode("utf-8"), "text/plain")
    ).run()
    assert not at.exception
    assert any("analysed" in s.value for s in at.success)
    html = _all_html(at)
    assert '<mark class="hl' in html
    assert XSS_SCRIPT not in html and XSS_IMG not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold proposal.txt" in html  # the file name, escaped
    # The findings list is in step: one row per finding, the first one selected (▶).
    table = _findings_table(at)
    assert len(table) == len(_order(at)) >= 8
    assert _sel(at) == _order(at)[0] and table.iloc[0][""] == "▶"


def test_app_upload_docx_and_reopen_uses_the_store(store: Store) -> None:
    data = hostile_docx()
    at = _app().run()
    at.file_uploader(key="uploads").set_value(
        ("proposal.docx", data, "application/octet-stream")
    ).run()
    assert not at.exception
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in _all_html(at)
    sha = sha256_bytes(data)
    assert at.selectbox(key="doc_sha").value == sha
    # A second session uploading the same bytes opens the stored analysis.
    again = _app().run()
    again.file_uploader(key="uploads").set_value(("copy.docx", data, "application/x")).run()
    assert any("stored analysis" in s.value for s in again.success)
    assert len(store.list_documents()) == 1
    assert store.list_documents()[0].analyses == 1


def test_app_upload_error_is_shown_and_nothing_stored(store: Store) -> None:
    at = _app().run()
    at.file_uploader(key="uploads").set_value(("empty.txt", b"   ", "text/plain")).run()
    assert not at.exception
    assert at.error and "empty.txt" in at.error[0].value
    assert store.list_documents() == []


# -- decisions -----------------------------------------------------------------------------------


def _open_seeded(service: ReviewService, reviewer: str | None = "ann") -> tuple[AppTest, str]:
    sha = _seed(service)
    at = _app().run()
    assert not at.exception
    assert at.selectbox(key="doc_sha").value == sha
    if reviewer:
        at.sidebar.text_input(key="reviewer").input(reviewer).run()
    return at, sha


def _select(at: AppTest, service: ReviewService, sha: str, text: str) -> str:
    opened = service.open_stored(sha)
    assert opened is not None
    fid = next(f.id for f in opened.report.findings if f.text == text)
    at.session_state["sel"] = fid  # as a click on the highlight or the list row does
    at.run()
    assert not at.exception
    assert _sel(at) == fid
    return fid


def test_app_annotating_needs_a_reviewer_name(service: ReviewService) -> None:
    at, _ = _open_seeded(service, reviewer=None)
    assert at.button(key="btn_confirm").disabled
    assert any("reviewer name" in w.value for w in at.warning)


def test_app_confirm_dismiss_relabel_add_are_stored(service: ReviewService) -> None:
    at, sha = _open_seeded(service)
    store = service.store

    fid = _select(at, service, sha, "reasonable")
    at.text_input(key=f"comment_{fid}").input("fine as is").run()
    at.button(key="btn_confirm").click().run()
    assert not at.exception
    # After a decision the list moves to the next finding.
    assert _sel(at) != fid

    fid2 = _select(at, service, sha, "user-friendly")
    at.selectbox(key=f"reason_{fid2}").select("clear in context").run()
    at.text_input(key=f"reason_text_{fid2}").input("defined in annex").run()
    at.button(key="btn_dismiss").click().run()

    fid3 = _select(at, service, sha, "including but not limited to")
    at.selectbox(key=f"rl_cat_{fid3}").select("ambiguity").run()
    at.selectbox(key=f"rl_type_{fid3}_ambiguity").select("unbounded").run()
    at.selectbox(key=f"rl_sev_{fid3}").select("low").run()
    at.button(key="btn_relabel").click().run()

    opened = service.open_stored(sha)
    assert opened is not None
    sentences = at.selectbox(key="add_sentence")
    target = next(i for i, label in enumerate(sentences.options) if "price is" in label)
    sentences.select(target).run()
    at.text_input(key="add_phrase").input("price").run()
    at.selectbox(key="add_cat").select("commitment").run()
    at.selectbox(key="add_type_commitment").select("price").run()
    at.selectbox(key="add_sev").select("high").run()
    at.button(key="btn_add").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]

    rows = {a.decision: a for a in store.annotations(sha)}
    assert set(rows) == {"confirm", "dismiss", "relabel", "add"}
    assert all(a.reviewer == "ann" and a.created_at.endswith("Z") for a in rows.values())
    assert all(a.tool_version == service.tool.version for a in rows.values())
    assert rows["confirm"].finding_id == fid and rows["confirm"].comment == "fine as is"
    assert rows["dismiss"].reason == "clear in context: defined in annex"
    relabel = rows["relabel"]
    assert (relabel.new_category, relabel.new_type, relabel.new_severity) == (
        "ambiguity",
        "unbounded",
        "low",
    )
    added = rows["add"]
    assert added.finding_id is None and added.text == "price"
    assert opened.text[added.start : added.end] == "price"  # type: ignore[misc]
    assert (added.new_category, added.new_type, added.new_severity) == (
        "commitment",
        "price",
        "high",
    )
    # The review-state filter sees the decisions.
    at.sidebar.multiselect(key="f_state").select("added").run()
    table = _findings_table(at)
    assert list(table["text"]) == ["price"] and list(table["state"]) == ["added"]
    # An added span can be retracted: a dismissal keyed on its span replaces it.
    at.button(key="btn_retract").click().run()
    assert not at.exception
    assert [a.decision for a in store.current_decisions(sha) if a.finding_id is None] == ["dismiss"]
    assert len(store.annotations(sha)) == 5
    assert "No finding matches the filters." in [i.value for i in at.info]


def test_app_added_phrase_outside_sentence_is_refused(service: ReviewService) -> None:
    at, sha = _open_seeded(service)
    at.text_input(key="add_phrase").input("not in this sentence at all").run()
    at.button(key="btn_add").click().run()
    assert any("inside the selected sentence" in e.value for e in at.error)
    assert service.store.annotations(sha) == []


def test_app_next_and_previous_move_through_the_findings(service: ReviewService) -> None:
    at, _ = _open_seeded(service)
    options = _order(at)
    assert len(options) > 2
    first = _sel(at)
    at.button(key="btn_next").click().run()
    second = _sel(at)
    assert second != first
    at.button(key="btn_prev").click().run()
    assert _sel(at) == first
    at.button(key="btn_prev").click().run()  # wraps around to the last one
    assert _sel(at) == options[-1]


def test_app_filters_narrow_the_list(service: ReviewService) -> None:
    at, _ = _open_seeded(service)
    total = len(_order(at))
    numbers = dict(zip(_order(at), _findings_table(at)["#"], strict=True))
    at.sidebar.multiselect(key="f_category").select("missing").run()
    table = _findings_table(at)
    assert 0 < len(table) < total
    assert set(table["category"]) == {"missing"}
    # Numbers follow the document, not the filter.
    assert list(table["#"]) == [numbers[fid] for fid in _order(at)]
    # The type filter offers only the chosen category's types, each once.
    types = at.sidebar.multiselect(key="f_type").options
    assert types and len(types) == len(set(types)) and all(t.startswith("missing") for t in types)
    at.sidebar.multiselect(key="f_category").set_value([]).run()
    at.sidebar.text_input(key="f_search").input("reasonable").run()
    found = list(_findings_table(at)["text"])
    assert "reasonable" in found and len(found) < total  # the phrase and its sentence's others


def test_app_pdf_page_image_view(service: ReviewService) -> None:
    data = (ROOT / "examples" / "data-migration-sow.pdf").read_bytes()
    opened = service.open_bytes(data, "sow.pdf")
    at = _app().run()
    assert at.selectbox(key="doc_sha").value == opened.sha256
    at.radio(key="view").set_value("Page image").run()
    assert not at.exception
    assert len(at.image) == 1
    assert at.number_input(key="page").value == 1


# -- batch ---------------------------------------------------------------------------------------


def test_app_batch_folder_portfolio_and_open_in_review(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("acme-portal-proposal.md", "servicedesk-proposal.docx"):
        shutil.copy(ROOT / "examples" / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    at = _app().run()
    at.switch_page("views/batch.py").run()
    assert not at.exception
    at.text_input(key="batch_folder").input(str(folder)).run()
    at.button(key="btn_batch_folder").click().run()
    assert not at.exception
    assert any("3 documents" in w.value for w in (*at.success, *at.warning))
    table = at.dataframe(key="portfolio").value
    assert len(table) == 3
    assert set(table["status"]) == {"ok", "error"}
    assert len(at.download_button) == 3
    assert len(store.list_documents()) == 2
    docx_sha = sha256_bytes((folder / "servicedesk-proposal.docx").read_bytes())
    at.selectbox(key="batch_pick").select(docx_sha).run()
    at.button(key="btn_open_review").click().run()
    assert not at.exception
    assert at.selectbox(key="doc_sha").value == docx_sha


# -- model page ----------------------------------------------------------------------------------


def test_app_model_page_allow_list_and_rule_precision(
    service: ReviewService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCOPELENS_MODEL", str(tmp_path / "no-models" / "clf"))
    at, sha = _open_seeded(service)
    fid = _select(at, service, sha, "reasonable")
    at.button(key="btn_dismiss").click().run()
    assert fid in {a.finding_id for a in service.store.annotations(sha)}
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert any("no trained model shipped yet" in i.value.lower() for i in at.info)
    rules = at.dataframe[0].value  # the per-rule table (no model, empty allow-list)
    assert "dismissed 1 of 1 times" in set(rules["verdict"])

    at.text_input(key="allow_phrase").input("Reasonable").run()
    at.text_input(key="allow_reason").input("defined in our MSA").run()
    at.button(key="btn_allow_add").click().run()
    assert not at.exception
    assert [p.phrase for p in service.store.allow_list()] == ["reasonable"]
    # The review page now offers to re-analyse, and re-analysing mutes the phrase.
    at.switch_page("views/review.py").run()
    assert not at.exception
    at.button(key="btn_reanalyse").click().run()
    assert not at.exception
    opened = service.open_stored(sha)
    assert opened is not None
    assert "reasonable" not in [f.text for f in opened.report.findings]

    at.switch_page("views/model.py").run()
    at.selectbox(key="allow_remove").select("reasonable").run()
    at.button(key="btn_allow_remove").click().run()
    assert service.store.allow_list() == []


def test_app_model_page_shows_a_shipped_models_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "clf"
    model.mkdir(parents=True)
    meta = {
        "name": "clf",
        "created": "2026-11-25T18:00:00Z",
        "test": {"combined": {"ambiguity": {"precision": 0.57, "recall": 0.66, "f1": 0.61}}},
    }
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    monkeypatch.setenv("SCOPELENS_MODEL", str(model))
    at = _app()
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert not any("no trained model" in i.value.lower() for i in at.info)
    assert any("Fast mode: clf" in m.value for m in at.markdown)  # in plain words first
    metrics = at.dataframe[1].value  # the full record behind "Everything recorded"
    assert list(metrics["label"]) == ["test.combined.ambiguity"]
    assert list(metrics["f1"]) == [0.61]


def test_app_messages_show_file_names_literally() -> None:
    name = "[x](http://e.invalid) ![i](http://e.invalid/p.png) <i>.txt"
    at = _app().run()
    at.file_uploader(key="uploads").set_value((name, HOSTILE_TEXT.encode(), "text/plain")).run()
    (message,) = [s.value for s in at.success]
    assert "](http" not in message.replace("\\]", "")  # no Markdown link or image survives
    assert "<i>" not in message and "&lt;i&gt;" in message


def test_app_comment_goes_with_the_decision_and_undo_restores_the_previous(
    service: ReviewService,
) -> None:
    # Issue #16, item 3: "Save comment" used to add a second "confirm" row; the comment is now
    # saved with the decision it explains, and U re-records the previous decision.
    at, sha = _open_seeded(service)
    fid = _select(at, service, sha, "timely")
    assert not [b for b in at.button if b.key == "btn_comment"]
    assert at.button(key="btn_undo").disabled  # nothing decided yet
    at.text_input(key=f"comment_{fid}").input("vendor wording, agreed with legal").run()
    at.selectbox(key=f"reason_{fid}").select("not a commitment").run()
    at.button(key="btn_dismiss").click().run()
    _select(at, service, sha, "timely")
    at.button(key="btn_confirm").click().run()
    _select(at, service, sha, "timely")
    at.button(key="btn_undo").click().run()
    assert not at.exception
    history = [a for a in service.store.annotations(sha) if a.finding_id == fid]
    assert [(a.decision, a.reason) for a in history] == [
        ("dismiss", "not a commitment"),
        ("confirm", None),
        ("dismiss", "not a commitment"),
    ]
    assert history[0].comment == "vendor wording, agreed with legal"


def test_app_switching_documents_after_an_upload_raises_nothing(service: ReviewService) -> None:
    # Issue #16, item 1: upload a file, then open another stored document (and back): the
    # "Add a missed finding" sentence picker kept an index of the first document.
    first = _seed(service, name="first.txt")
    long_text = " ".join(f"Sentence {i} says the vendor will deliver item {i}." for i in range(60))
    second = _seed(service, long_text, name="second.txt")
    at = _app().run()
    data = (ROOT / "examples" / "acme-portal-proposal.md").read_bytes()
    at.file_uploader(key="uploads").set_value(("acme.md", data, "text/markdown")).run()
    assert not at.exception
    picker = at.selectbox(key="add_sentence")
    picker.select(picker.options[-1]).run()
    for sha in (second, first, second):
        at.selectbox(key="doc_sha").set_value(sha).run()
        assert not at.exception, at.exception
        assert at.selectbox(key="doc_sha").value == sha


def test_app_dismiss_without_a_reason_records_none(service: ReviewService) -> None:
    # Issue #16, item 3: X used to save the reason box's default ("clear in context").
    at, sha = _open_seeded(service)
    fid = _select(at, service, sha, "reasonable")
    at.button(key="btn_dismiss").click().run()
    assert not at.exception
    (decision,) = [a for a in service.store.annotations(sha) if a.finding_id == fid]
    assert decision.decision == "dismiss" and decision.reason is None


def test_app_page_scripts_have_no_bare_strings() -> None:
    # Streamlit's magic writes any bare expression of a page script onto the page: a string
    # meant as a docstring for a constant showed up above the review page.
    import ast

    scripts = [APP, *sorted((APP.parent / "views").glob("*.py"))]
    for script in scripts:
        body = ast.parse(script.read_text(encoding="utf-8")).body
        shown = [
            node.lineno
            for node in body[1:]  # the module docstring is not shown
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert shown == [], f"{script.name}: bare string at line(s) {shown}"
