"""The goal page's lapsed signatures: on a draft, whose signature no longer holds because the draft changed after it
(a milestone set on it or a revision, ADR 0052; a reassignment), said in a sentence until they sign again."""

from __future__ import annotations

from api.web.timeline import NameOf, Sentences, full_stop, voiding_causes
from application.goals.history import TrailEntry


def lapsed_signatures(entries: list[TrailEntry], name_of: NameOf, kpi_names: dict[str, str], this_year: int,
                      ) -> list[str]:
    """Each party whose signature lapsed and who has not signed again: who they are, and why it lapsed."""
    words_for, causes = Sentences(name_of, kpi_names, this_year), voiding_causes(entries)
    signers: dict[str, str] = {}
    lapsed: dict[str, str] = {}
    for entry in entries:
        party = str(entry.data.get("party", ""))
        if entry.type == "AgreementSigned":
            signers[party] = entry.actor_id
            lapsed.pop(party, None)
        elif entry.type == "SignatureVoided":
            signer = name_of(signers[party]) if party in signers else f"The {party}"
            why = words_for.lapsed(entry, causes.get(entry.version))
            lapsed[party] = full_stop(f"{signer}'s signature as the {party} lapsed: {why}")
        elif entry.type == "Agreed":
            lapsed.clear()
    return list(lapsed.values())
