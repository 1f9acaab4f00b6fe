"""Per-document party roles read from the preamble and definitions."""

from __future__ import annotations

import pytest

from analyzer.nlp import detect
from analyzer.nlp.parties import find_party_roles
from analyzer.types import Block, Document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Inktomi Corporation, a Delaware corporation ("Inktomi" or "Provider"), and '
            'Microsoft Corporation ("Customer").',
            {"inktomi": "vendor", "microsoft": "client"},
        ),
        (
            'ACME Software Inc. (the "Supplier") and Globex LLC (the "Client") agree as follows.',
            {"acme": "vendor", "globex": "client"},
        ),
        (
            'XIMAGE Corp., hereinafter referred to as "Contractor", and MORPHO S.A., '
            'hereinafter "Purchaser".',
            {"ximage": "vendor", "morpho": "client"},
        ),
        (
            "between Corio Inc., a Delaware corporation, having its place of business at 700 Bay "
            "Road (“CORIO”) and Changepoint, Inc. (“Licensor”). Corio (the “Customer”) wishes …",
            {"changepoint": "vendor", "corio": "client"},
        ),
    ],
)
def test_parties_find_roles(text: str, expected: dict[str, str]) -> None:
    roles = find_party_roles(text)
    for name, role in expected.items():
        assert roles.get(name) == role, (name, roles)


@pytest.mark.parametrize(
    "text",
    [
        'Wildform, Inc. ("Wildform") and On2 Technologies ("On2") agree.',
        '"Affiliate" means any entity that controls a party.',
        'Acme ("Company") shall deliver the goods.',
        "",
    ],
)
def test_parties_no_role_without_role_word(text: str) -> None:
    assert find_party_roles(text) == {}


def test_parties_conflicting_roles_are_dropped() -> None:
    text = 'Acme Inc. (the "Supplier") … Acme Inc. (the "Customer")'
    assert "acme" not in find_party_roles(text)


def _document(*paragraphs: str) -> Document:
    blocks, text = [], ""
    for i, para in enumerate(paragraphs):
        blocks.append(Block("paragraph", len(text), len(text) + len(para), para, index=i))
        text += para + "\n\n"
    return Document("c.txt", "txt", text, tuple(blocks), "0" * 64)


def test_parties_resolve_defined_names_in_detect() -> None:
    preamble = (
        'This Agreement is between Inktomi Corporation ("Inktomi" or "Provider") and '
        'Microsoft Corporation ("Customer").'
    )
    vendor = "MICROSOFT will provide the index data. Inktomi shall host the search service."
    result = detect(_document(preamble, vendor))
    by_sentence = {(f.sentence, f.category) for f in result.findings}
    assert ("Inktomi shall host the search service.", "commitment") in by_sentence
    assert ("MICROSOFT will provide the index data.", "assumption") in by_sentence
    assert ("MICROSOFT will provide the index data.", "commitment") not in by_sentence
