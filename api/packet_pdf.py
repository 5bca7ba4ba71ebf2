"""The review packet as a PDF (ADR 0027), drawn by fpdf2 from the same data as the JSON packet."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

LINE = 5


def packet_pdf(packet: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    names: dict[str, str] = packet.get("names") or {}
    employee = packet["employee_id"]
    pdf.set_title(f"Review packet {names.get(employee, employee)} {packet['cycle']}")
    pdf.add_page()
    _heading(pdf, f"Review packet: {names.get(employee, employee)}, cycle {packet['cycle']}", 14)
    if employee in names:
        _text(pdf, f"Employee id {employee} (as in the trail).")
    justification = packet["justification"]
    _text(pdf, f"Generated {packet['generated_at']}; scoring policy {justification['policy_version']}; "
               f"score {justification['score']}; band {justification['band']}.")
    _heading(pdf, "Justification", 12)
    for statement in justification["statements"]:
        cites = ", ".join(f"{e['goal_id']}:{e['version']}" for e in statement["evidence"]) or "none"
        _text(pdf, f"- {statement['text']} (cites {cites})")
    _decision(pdf, packet["review"], names)
    _heading(pdf, "Cited events", 12)
    for event in packet["events"]:
        actor = event["actor"]["id"]
        by = f"{names[actor]} ({event['actor']['role']}, {actor})" if actor in names else (
            f"{actor} ({event['actor']['role']})")
        _text(pdf, f"{event['event']}  {event['type']}  {event['timestamp']}  by {by}")
        _text(pdf, "  " + _data_line(event["data"]))
        if event["proof"]:
            proof = event["proof"]
            _text(pdf, f"  leaf {proof['leaf_index']} of {proof['tree_size']}, leaf hash {proof['leaf_hash']}", True)
    _heading(pdf, "Signed checkpoint", 12)
    _text(pdf, packet["checkpoint"] or "none: the store holds no signing key, so no proofs are included", True)
    _text(pdf, "Each event's leaf input and inclusion proof are in the JSON packet (format=json); check them with "
               "docs/audit/verify_bundle.py and the public key.")
    return bytes(pdf.output())


def _decision(pdf: FPDF, review: dict[str, Any], names: dict[str, str]) -> None:
    """Who decided the band and who resolved each dispute, by name with the id the trail uses (issue 22)."""
    decision = review.get("decision")
    if not decision:
        return
    _heading(pdf, "Decision", 12)
    _text(pdf, f"Band {decision['band']} (computed {decision['computed_band']}), decided by "
               f"{_person(decision['decided_by'], names)} on {decision['decided_at']}.")
    for dispute in review.get("disputes") or []:
        if dispute.get("resolved_by"):
            _text(pdf, f"Dispute {dispute['id']}: {dispute['outcome']}, resolved by "
                       f"{_person(dispute['resolved_by'], names)}.")


def _person(person_id: str, names: dict[str, str]) -> str:
    return f"{names[person_id]} ({person_id})" if person_id in names else person_id


def _heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, LINE + 2, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)


def _text(pdf: FPDF, text: str, by_character: bool = False) -> None:
    pdf.multi_cell(0, LINE, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   wrapmode=WrapMode.CHAR if by_character else WrapMode.WORD)


def _data_line(data: dict[str, Any]) -> str:
    shown = {k: v for k, v in data.items() if not isinstance(v, (dict, list))}
    return "; ".join(f"{k}: {v}" for k, v in shown.items())


def _latin1(text: str) -> str:
    """The PDF's built-in fonts cover Latin-1; anything else is shown as '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")
