"""Per-document party roles: which defined names are the vendor and which the client.

Contracts name their parties once, in the preamble or the definitions, and then use the short
name: `Inktomi Corporation ("Inktomi")`, `Acme Inc. (the "Supplier")`, `hereinafter referred to
as "Provider"`. `find_party_roles(text)` reads those definitions and returns a map from the
lower-cased names (the defined term and the company name before it) to "vendor" or "client",
so that "Inktomi shall host …" is bound to the vendor in that document. Roles come from the
party words of the lexicon (`party.vendor`, `party.client` in `patterns/lexicon.jsonl`): a
defined term that is itself a role word ("Supplier", "Customer") gives the role; a defined
name without a role word gets one when a later definition ties it to a role word
(`Inktomi ("Provider")`).
"""

from __future__ import annotations

import re
from functools import cache

from analyzer.nlp.patterns import load_patterns, word_list

ROLES_KEY = "scopelens_party_roles"
"""Key of the role map in `Doc.user_data` (set by `detect()` for each block)."""

_QUOTE = "\"'“”‘’"
_TERM = rf"[{_QUOTE}]\s*(?P<term>[A-Z][\w&.\- ]{{1,40}}?)\s*[{_QUOTE}]"
_TERM2 = (
    rf"(?:\s*(?:or|and|,)\s*(?:the\s+)?[{_QUOTE}]\s*"
    rf"(?P<term2>[A-Z][\w&.\- ]{{1,40}}?)\s*[{_QUOTE}])?"
)
# `("Term")`, `(the "Term")`, `("Term" or "Other")`, `(hereinafter referred to as "Term")`.
_PAREN = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?(?:the\s+)?)?"
    + _TERM
    + _TERM2
    + r"\s*\)"
)
_HEREINAFTER = re.compile(
    r"hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?(?:the\s+)?" + _TERM + _TERM2
)
# The capitalised name that ends right before the definition (after cutting ", a Delaware …").
_NAME_BEFORE = re.compile(r"((?:[A-Z][\w&.\-]*,?\s+){0,5}[A-Z][\w&.\-]*)[\s,]*$")
_DESCRIPTION = re.compile(r",\s+(?:a|an)\s+[^()]*$")
_LEGAL_SUFFIXES = word_list("legal_suffixes")
_STOP = word_list("name_stop_words")

VENDOR_TERMS: frozenset[str] = word_list("vendor_terms")
"""Defined terms that make the named party the one doing the work."""
CLIENT_TERMS: frozenset[str] = word_list("client_terms")
"""Defined terms that make the named party the one receiving the work."""


@cache
def role_words() -> dict[str, str]:
    """Lower-cased role words mapped to "vendor" or "client".

    The strong role words of `VENDOR_TERMS` / `CLIENT_TERMS`, restricted to those the
    lexicon's `party.vendor` / `party.client` entries also list (so the two never disagree).
    Weak lexicon words ("company", "partner", "agent") name different sides in different
    contracts and are left out.
    """
    out: dict[str, str] = {}
    for pattern in load_patterns("lexicon"):
        role = pattern.extra.get("party")
        terms = VENDOR_TERMS if role == "vendor" else CLIENT_TERMS if role == "client" else ()
        for phrase in pattern.phrases:
            if phrase.lower() in terms:
                out.setdefault(phrase.lower(), str(role))
    return out


def _role_of(term: str | None) -> str | None:
    if not term:
        return None
    words = role_words()
    text = term.strip().lower()
    if text in words:
        return words[text]
    last = text.split()[-1] if text.split() else ""
    return words.get(last)


def _names(name: str) -> list[str]:
    """The lower-cased keys for a company name: the full name and its first word."""
    tokens = [t.strip(",").lower() for t in name.split() if t.strip(",")]
    while tokens and tokens[0] in _STOP:
        tokens.pop(0)
    while tokens and tokens[-1] in _LEGAL_SUFFIXES:
        tokens.pop()
    if not tokens:
        return []
    keys = [" ".join(tokens), tokens[0]]
    return [k for k in dict.fromkeys(keys) if k and k not in role_words()]


def find_party_roles(text: str) -> dict[str, str]:
    """Defined party names of a document mapped (lower case) to "vendor" or "client".

    Args:
        text: The document text (definitions are usually in the first pages).

    Returns:
        For `Acme Inc. (the "Supplier")`: {"acme": "vendor", "acme inc": ... , "supplier":
        "vendor"} minus the plain role words, which the lexicon already knows. A name bound to
        both roles is dropped.
    """
    found: dict[str, set[str]] = {}
    aliases: list[tuple[str, str]] = []
    seen: set[int] = set()
    for regex in (_PAREN, _HEREINAFTER):
        for match in regex.finditer(text):
            if match.start() in seen:
                continue
            seen.add(match.start())
            prefix = text[max(0, match.start() - 240) : match.start()]
            prefix = _DESCRIPTION.sub("", prefix)
            if regex is _HEREINAFTER:
                prefix = prefix.rstrip(" ,")
            before = _NAME_BEFORE.search(prefix)
            name = before.group(1) if before else ""
            terms = [match.group("term")]
            if match.group("term2"):
                terms.append(match.group("term2"))
            roles = {r for r in (_role_of(t) for t in terms) if r}
            keys = _names(name) + [k for t in terms for k in _names(t) if _role_of(t) is None]
            if len(roles) == 1:
                role = roles.pop()
                for key in keys:
                    found.setdefault(key, set()).add(role)
            elif not roles:
                # `Inktomi Corporation ("Inktomi")`: remember the alias for a later role.
                for key in keys:
                    aliases.append((key, name))
    for key, name in aliases:
        for other in _names(name):
            if other in found and key not in found:
                found[key] = set(found[other])
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
