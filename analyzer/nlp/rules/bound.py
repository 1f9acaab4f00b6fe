"""Who is bound: the party a sentence's modal or promise binds (the vendor, the client, nobody).

A sentence binds a side through a *binding cue*: a modal or promise phrase ("shall", "agrees
to", role `obligation`), a passive of work ("will be delivered", `passive_work`) or a present
tense promise ("delivers", `present_promise`). `bound_party` reads the cues in text order:
the named vetoes of `VETOES` set a cue aside (a negated modal, an opinion, a claim, the
agreement as the subject), and the first cue left that names a side decides. The side is the
subject right before the cue (`party_before`), or the agent of a passive ("… by the
Government"). Per-document party names (`Acme Inc. (the "Supplier")`) come from
`analyzer.nlp.parties`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc

from analyzer.nlp.parties import ROLES_KEY
from analyzer.nlp.patterns import word_list
from analyzer.nlp.rules.base import Hit, SentenceHits, outermost

_SKIP_BEFORE_MODAL = word_list("skip_before_modal")
_NEED_VERBS = word_list("need_verbs")
_PREPOSITIONS = word_list("prepositions")
_NEGATED_SUBJECTS = word_list("negated_subjects")
_NP_BREAKS = word_list("noun_phrase_breaks")
_JOINT_SUBJECT = word_list("joint_subject")
_AGENT_DETERMINERS = word_list("agent_determiners")
_HEDGE_VERBS = word_list("hedge_verbs")
_HEDGE_SUBJECTS = word_list("hedge_subjects")
_BENEFIT_VERBS = word_list("benefit_verbs")
_ABLE = re.compile(r"(?:be|also be) able\b", re.I)

SUBJECT_WINDOW = 8
"""Tokens after a negated subject ("No payment will be made") in which a modal is negated."""
PASSIVE_AGENT_WINDOW = 25
"""Tokens after a passive modal ("will be inspected …") in which "by <party>" names the agent."""


def _party(hit: Hit) -> str | None:
    return hit.pattern.extra.get("party")


# ---------------------------------------------------------------------------------------------
# The party at a position
# ---------------------------------------------------------------------------------------------


def party_before(
    sent: SentenceHits, position: int, window: int = 14, doc: Doc | None = None
) -> str | None:
    """The party bound at token `position`: the subject just before it, else the closest party.

    A capitalised name right before the modal that is no known party ("Wildform shall …")
    counts as an unknown party ("named"), so that an earlier "customer" is not taken instead.
    """
    if doc is not None:
        i = position - 1
        while i > sent.start and (
            doc[i].lower_ in _SKIP_BEFORE_MODAL or doc[i].lower_.endswith("ly")
        ):
            i -= 1
        if i >= sent.start:
            roles: dict[str, str] = doc.user_data.get(ROLES_KEY) or {}
            if roles and doc[i].lower_ in roles:
                return roles[doc[i].lower_]  # a name the document defined as vendor/client
            subject = max(
                (h for h in sent.cues.get("party", ()) if h.start <= i < h.end),
                key=lambda h: h.end - h.start,  # "Servicing Agency", not "Agency"
                default=None,
            )
            if subject is not None:
                party = _party(subject)
                if _joint_subject(doc, sent, subject, party, roles):
                    return "mutual"  # "Provider and Customer agree to …"
                if party == "vendor" and _client_modifier(doc, sent, subject):
                    return "client"  # "The DHSS Technical Team will review …"
                return party
            token = doc[i]
            if (token.is_title or token.is_upper) and token.is_alpha and i > sent.start:
                return _named_party(doc, sent, i)
            if i == sent.start and token.is_upper and token.is_alpha and len(token) > 1:
                return "named"  # "IBM will …", "MMMW will take …": an acronym opens the sentence
    best: Hit | None = None
    for hit in sent.cues.get("party", ()):
        if hit.end < sent.end and doc is not None and doc[hit.end].text == "-":
            continue  # "Client-side rendering must …": a compound, not the client
        if (
            hit.end <= position
            and position - hit.end <= window
            and (
                best is None
                or hit.end > best.end
                or (hit.end == best.end and hit.start < best.start)
            )
        ):
            best = hit
    return _party(best) if best else None


def party_after_by(doc: Doc, sent: SentenceHits, position: int, window: int = 6) -> str | None:
    """The party in a passive agent phrase ("… by the Government") after `position`."""
    for hit in sent.cues.get("party", ()):
        if hit.start >= position and hit.start - position <= window:
            prev = doc[hit.start - 1].lower_ if hit.start > 0 else ""
            prev2 = doc[hit.start - 2].lower_ if hit.start > 1 else ""
            if prev == "by" or (prev in _AGENT_DETERMINERS and prev2 == "by"):
                return _party(hit)
    return None


def _named_party(doc: Doc, sent: SentenceHits, i: int) -> str:
    """The party of a capitalised subject ending at token `i` that is no party word itself.

    "The State of Alaska will …", "the Department of Health shall …" take the party of the
    head before "of"; any other name is an unknown party ("named").
    """
    j = i
    while (
        j - 1 > sent.start and doc[j - 1].is_alpha and (doc[j - 1].is_title or doc[j - 1].is_upper)
    ):
        j -= 1
    if j - 2 >= sent.start and doc[j - 1].lower_ == "of":
        head = next((h for h in sent.cues.get("party", ()) if h.start <= j - 2 < h.end), None)
        if head is not None and _party(head) in ("vendor", "client"):
            return str(head.pattern.extra["party"])
    return "named"


def _client_modifier(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """True when a client name modifies a generic vendor word: "the DHSS Technical Team"."""
    low = max(sent.start, hit.start - 3)
    return any(
        low <= h.start
        and h.end <= hit.start
        and _party(h) == "client"
        and not any(t.lower_ in _NP_BREAKS for t in doc[h.end : hit.start])
        for h in sent.cues.get("party", ())
    )


def _joint_subject(
    doc: Doc, sent: SentenceHits, hit: Hit, party: str | None, roles: dict[str, str]
) -> bool:
    """True when the subject `hit` is joined by "and" to a party of the other side."""
    if party not in ("vendor", "client") or hit.start - 2 < sent.start:
        return False
    if doc[hit.start - 1].lower_ not in _JOINT_SUBJECT:
        return False
    j = hit.start - 2
    other = roles.get(doc[j].lower_)
    if other is None:
        other = next((_party(h) for h in sent.cues.get("party", ()) if h.start <= j < h.end), None)
    return other in ("vendor", "client") and other != party


def negated_subject_end(doc: Doc, sent: SentenceHits) -> int:
    """End of the window of a negated subject opening the sentence, else `sent.start`.

    "No payment will be made until …", "No such changes shall be made …", "Neither the Site
    nor … shall be deemed accepted": the modal binds nobody to do anything.
    """
    i = sent.start
    while i < sent.end and not doc[i].is_alpha:
        i += 1  # list markers, numbering, table bars
    if i < sent.end and len(doc[i]) <= 3 and i + 1 < sent.end and doc[i + 1].text in ".)":
        i += 2  # "(a) No …", "b. No …"
    if i < sent.end and doc[i].lower_ in _NEGATED_SUBJECTS:
        return min(i + 1 + SUBJECT_WINDOW, sent.end)
    return sent.start


def is_claim(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """ "This will help …", "These steps will take 6 months": a benefit or effort claim."""
    return (
        hit.end < sent.end
        and doc[hit.end].lower_ in _BENEFIT_VERBS
        and party_before(sent, hit.start, doc=doc) in (None, "product")
    )


def legal_subject(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """The subject right before the cue is the agreement, its term or a procurement event."""
    i = hit.start - 1
    while i > sent.start and doc[i].lower_ in _SKIP_BEFORE_MODAL:
        i -= 1
    return any(
        h.start <= i < h.end
        and (h.start == sent.start or doc[h.start - 1].lower_ not in _PREPOSITIONS)
        for h in outermost(sent.cues.get("legal_subject", ()))
    )  # "Code developed under this Agreement shall …": the agreement is no subject


# ---------------------------------------------------------------------------------------------
# Binding cues and their vetoes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    """A binding cue of a sentence and what the vetoes look at."""

    doc: Doc
    sent: SentenceHits
    hit: Hit
    kind: str
    """"obligation" (a modal), "passive" (a passive of work) or "present" (a promise)."""
    section_kind: str | None


Veto = Callable[[Cue], bool]
VETOES: dict[str, Veto] = {}
"""The named vetoes, in the order they are asked: True sets the cue aside."""


def veto(name: str) -> Callable[[Veto], Veto]:
    """Register a veto under `name` (its docstring says what it sets aside and why)."""

    def register(check: Veto) -> Veto:
        VETOES[name] = check
        return check

    return register


def binding_cues(doc: Doc, sent: SentenceHits, section_kind: str | None) -> list[Cue]:
    """The binding cues of `sent` in text order (a modal before a passive at the same token)."""
    kinds = (
        ("obligation", "obligation"),
        ("passive_work", "passive"),
        ("present_promise", "present"),
    )
    hits = [(h, kind) for role, kind in kinds for h in sent.cues.get(role, ())]
    hits.sort(key=lambda item: item[0].start)
    return [Cue(doc, sent, hit, kind, section_kind) for hit, kind in hits]


def _starts_a(sent: SentenceHits, role: str, hit: Hit) -> bool:
    return any(h.start == hit.start for h in sent.cues.get(role, ()))


@veto("negated")
def _negated(cue: Cue) -> bool:
    """ "shall not provide", "won't deliver", "No payment will be made": a negated modal."""
    hit = cue.hit
    if any(hit.start - 1 <= n.start < hit.end + 2 for n in cue.sent.cues.get("negation", ())):
        return True
    return hit.start < negated_subject_end(cue.doc, cue.sent)


@veto("nonbinding")
def _nonbinding(cue: Cue) -> bool:
    """ "may provide", "if we deliver": a conditional or optional word right before the cue."""
    return any(0 < cue.hit.start - n.start <= 2 for n in cue.sent.cues.get("nonbinding", ()))


@veto("unpromising_present")
def _unpromising_present(cue: Cue) -> bool:
    """A present tense beside a right ("We retain the right … to implement …"), in a background
    section or in a recital ("WHEREAS, Co-Host … provides …"): a description, no promise."""
    sent = cue.sent
    return cue.kind == "present" and (
        sent.has("permission") or cue.section_kind == "background" or sent.has("recital")
    )


@veto("hedged")
def _hedged(cue: Cue) -> bool:
    """ "We believe / feel / expect that … will …": the modal sits in an opinion of the writer.

    Only when the sentence opens with the opinion and no vendor or client is named between it
    and the modal: "If we feel the report is deficient, the Contractor shall correct it" and
    "We expect that the Contractor will deliver …" still bind.
    """
    if cue.kind != "obligation":
        return False
    doc, sent, hit = cue.doc, cue.sent, cue.hit
    i = sent.start
    while i < hit.start and not doc[i].is_alpha:
        i += 1  # list markers, numbering
    if not (
        i + 1 < hit.start and doc[i].lower_ in _HEDGE_SUBJECTS and doc[i + 1].lower_ in _HEDGE_VERBS
    ):
        return False
    return not any(
        i + 1 < p.start < hit.start and _party(p) in ("vendor", "client")
        for p in sent.cues.get("party", ())
    )


@veto("claim")
def _claim(cue: Cue) -> bool:
    """ "This will help …", "These steps will take 6 months": a benefit or effort claim."""
    return cue.kind == "obligation" and is_claim(cue.doc, cue.sent, cue.hit)


@veto("need")
def _need(cue: Cue) -> bool:
    """ "We will require 3 months", "we will need Polkadot to provide …": what the work needs."""
    hit = cue.hit
    return (
        cue.kind == "obligation"
        and hit.end < cue.sent.end
        and cue.doc[hit.end].lower_ in _NEED_VERBS
    )


@veto("legal_subject")
def _legal_subject(cue: Cue) -> bool:
    """ "This Agreement will start on …", "The place of performance will be …": no work."""
    return legal_subject(cue.doc, cue.sent, cue.hit)


# ---------------------------------------------------------------------------------------------
# The side a cue binds
# ---------------------------------------------------------------------------------------------


def _to_vendor(doc: Doc, sent: SentenceHits, position: int) -> bool:
    """ "… provided to the Contractor": the vendor receives, someone else provides.

    `position` is the token after the modal or after the passive phrase; "to" may follow the
    participle ("will be provided to …").
    """
    for i in range(position, min(position + 3, sent.end)):
        if doc[i].lower_ == "to":
            return any(
                h.start in (i + 1, i + 2) and _party(h) == "vendor"
                for h in sent.cues.get("party", ())
            )
    return False


def _passive_after(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """ "will be inspected", "shall be retested": a modal followed by "be" and a participle."""
    i = hit.end
    if i < sent.end and doc[i].lower_ == "be":
        i += 1
    else:
        return False
    while i < sent.end and doc[i].lower_.endswith("ly"):
        i += 1
    return i < sent.end and doc[i].lower_.endswith(("ed", "en", "wn", "ne"))


def _side(cue: Cue, party: str | None) -> str | None:
    """The side a cue with subject `party` binds: "vendor", "client" or None (no side).

    | subject                  | modal or passive         | present tense             |
    |--------------------------|--------------------------|---------------------------|
    | both parties ("mutual")  | none                     | none                      |
    | the client               | client                   | none (only nearby)        |
    | the vendor               | vendor                   | vendor                    |
    | users of the product     | vendor with "be able"    | vendor                    |
    | the product              | vendor, unless current   | vendor, unless current    |
    | unknown, named or none   | vendor                   | none                      |

    "current" is a current-state cue in the sentence ("the existing system provides …").
    Users of the delivered system ("users will be able to browse …") describe the product;
    "users must …" binds nobody.
    """
    present = cue.kind == "present"
    if party == "mutual":
        return None
    if party == "client":
        return None if present else "client"
    if party == "vendor":
        return "vendor"
    if party == "user":
        able = present or _ABLE.match(cue.doc[cue.hit.end : cue.hit.end + 3].text) is not None
        return "vendor" if able else None
    current = cue.sent.has("current_state")
    if present:
        return "vendor" if party == "product" and not current else None
    return None if party == "product" and current else "vendor"


def _verdict(cue: Cue) -> str | None:
    """The side `cue` binds, or None to read the next cue."""
    doc, sent, hit = cue.doc, cue.sent, cue.hit
    party = party_before(sent, hit.start, doc=doc)
    if party != "vendor" and _starts_a(sent, "payment", hit):
        return "client"  # "The Customer shall pay …"
    if _starts_a(sent, "legal_state", hit):
        return None  # "shall be deemed accepted", "may terminate": a legal state, no work
    if cue.kind == "passive":
        agent = party_after_by(doc, sent, hit.end)
        if agent is not None:
            party = agent
        elif _to_vendor(doc, sent, hit.end):
            return None  # "Any updates to the QASP will be provided to the Contractor"
    elif cue.kind == "obligation" and _passive_after(doc, sent, hit):
        # "All deliverables will be inspected for content, … by the Government"
        if party_after_by(doc, sent, hit.end, window=PASSIVE_AGENT_WINDOW) == "client":
            party = "client"
        elif party != "vendor" and _to_vendor(doc, sent, hit.end + 1):
            return None  # "Any updates to the QASP will be provided to the Contractor"
    return _side(cue, party)


def bound_party(doc: Doc, sent: SentenceHits, section_kind: str | None) -> str | None:
    """Who the sentence binds: "vendor" (a commitment), "client" (an assumption) or None.

    Args:
        doc: The block's doc.
        sent: The sentence's matches.
        section_kind: The kind of the section the block is in (see sections.jsonl).
    """
    for cue in binding_cues(doc, sent, section_kind):
        if any(check(cue) for check in VETOES.values()):
            continue
        side = _verdict(cue)
        if side is not None:
            return side
    return None
