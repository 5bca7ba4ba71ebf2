"""The one list of personal free text in events, and whose it is (ADR 0026).

Every event field that holds free text written by or about a person is named here by its event's stored topic
(a dotted path reaches into a dict field, as `changes.rationale` of a revision); the mapper seals exactly these
fields under the data key of the person who wrote them (the event's actor, ADR 0051), or, for what the directory
says about a person, under that person's key; deleting a key erases what it sealed everywhere at once.
Numbers, dates, ids (pseudonyms), enums and a goal's terms (title, statement, KPI names) are not personal free text
and stay readable: the scores and the fairness report never depend on a key.

When a new event carries free text, add its topic here (or to EXEMPT, saying why it is not personal);
tests/application/test_privacy_registry.py fails for a text field named like one that is in neither.
"""

from __future__ import annotations

# What every erased field reads as, in every answer: API, history, workspace, feed, webhooks, exports.
ERASED = "[erased]"

# The directory's fields about a person that are personal (org unit and external id are the organisation's).
DIRECTORY_PERSONAL = ("user_name", "display_name", "given_name", "family_name", "email", "title", "profile")

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "goalengine:Goal.Drafted": ("rationale",),
    "goalengine:Goal.Revised": ("changes.rationale",),
    "goalengine:Goal.KpiRecorded": ("note",),
    "goalengine:Goal.RecalibrationProposed": ("justification",),
    "goalengine:Goal.RecalibrationRejected": ("note",),
    "goalengine:Goal.Recalibrated": ("note",),
    "goalengine:Goal.Closed": ("summary",),
    "goalengine:Goal.CheckedIn": ("note", "blockers", "next_steps"),
    "goalengine:Review.DecisionRecorded": ("summary", "override_reason"),
    "goalengine:Review.SelfAssessed": ("text",),
    "goalengine:Review.Disputed": ("reason",),
    "goalengine:Review.DisputeResolved": ("note",),
    # Why HR moved or carried over someone's goal: written about that person (ADR 0023).
    "goalengine:Goal.Reassigned": ("reason",),
    "goalengine:Goal.CarriedOver": ("reason",),
    "goalengine:Goal.CarriedIn": ("reason",),
    # What the directory says about a person (ADR 0033): their own data key, so erasure covers it; the id stays.
    "goalengine:DirectoryPerson.Provisioned": tuple(f"details.{name}" for name in DIRECTORY_PERSONAL),
    "goalengine:DirectoryPerson.Updated": tuple(
        f"changes.{name}.{end}" for name in DIRECTORY_PERSONAL for end in ("from", "to")),
}

# Text fields named like personal ones that are not: each says why.
EXEMPT: dict[tuple[str, str], str] = {
    ("goalengine:Goal.SignatureVoided", "reason"): ("written by the system ('terms revised at version N', "
                                                        "'milestone KPI@DATE set at version N', 'the goal was "
                                                        "reassigned to another PARTY at version N', 'the goal "
                                                        "followed the owner's reporting line to another PARTY at "
                                                        "version N')"),
    ("goalengine:Goal.RecalibrationProposed", "reason"): "a category from a fixed list (ReasonCategory)",
    ("goalengine:Review.DecisionRecorded", "justification_hash"): "a SHA-256 of the justification (numbers and ids)",
    ("goalengine:Objective.Set", "description"): "an organisation's or a team's objective, about no one person",
    ("goalengine:Person.Erased", "reason"): "why HR erased; the erasure notice must outlive the key (no personal data)",
}

# The event that creates an aggregate belonging to a person, and the field naming that person. Its snapshots are
# sealed under that person's key (ADR 0026); its events' text under its author's (ADR 0051), except the topics of
# SEALED_UNDER_SUBJECT. The export (application/privacy/export.py) reads it to find a person's aggregates.
SUBJECT_FIELDS: dict[str, str] = {
    "goalengine:Goal.Drafted": "owner_id",
    "goalengine:Review.Opened": "employee_id",
    "goalengine:DirectoryPerson.Provisioned": "person_id",
}


# What the directory says about a person is theirs, whoever provisioned it (ADR 0033): sealed under the subject's key.
# Every other personal text is sealed under its author's key, so erasing a person shreds what they wrote (ADR 0051).
SEALED_UNDER_SUBJECT: frozenset[str] = frozenset({
    "goalengine:DirectoryPerson.Provisioned",
    "goalengine:DirectoryPerson.Updated",
})


def personal_paths(topic: str) -> tuple[str, ...]:
    return PERSONAL_FIELDS.get(topic, ())
