"""Signed events: each stored goal event carries an Ed25519 signature chained to the goal's previous event (ADR 0013).

The signature covers the event's exact stored bytes and the previous event's signature (application/audit/leaf.py),
so changing, removing, inserting or reordering a stored event breaks the chain from that event on, and only the
holder of the private signing key can make a chain that verifies. Snapshots are signed too, chained to the event
they stand at, so a snapshot can be checked before it is trusted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

from application.audit.keys import Signer
from application.audit.leaf import EVENT_DOMAIN, GENESIS, SIG_KEY, SNAPSHOT_DOMAIN, message, seal, unseal
from application.audit.read_check import ReadCheck, is_snapshot, undecodable
from application.errors import ApplicationError
from application.store.bounds import Bounds
from application.privacy.personal import PersonalData

LEGACY_CHAIN_KEY = "_chain"  # the HMAC link of stores written before ADR 0013, until `audit migrate`


class SigningKeyMissingError(ApplicationError):
    """No signing key is configured, so nothing can be stored: every stored event must be signed."""

    code = "signing_key_missing"


def signature_field(state: bytes) -> str | None:
    sealed = unseal(state)
    return sealed.field if sealed else None


class ChainHeads:
    """The last known signature of each goal, so a save need not read it back from the store."""

    def __init__(self, maxsize: int = Bounds.chain_heads) -> None:
        self._heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, originator_id: str, version: int) -> str | None:
        with self._lock:
            head = self._heads.get(originator_id)
        return head[1] if head and head[0] == version else None

    def advance(self, originator_id: str, version: int, field: str) -> None:
        with self._lock:
            head = self._heads.get(originator_id)
            if head is None or head[0] < version:
                self._heads[originator_id] = (version, field)
                self._heads.move_to_end(originator_id)
                if len(self._heads) > self._maxsize:
                    self._heads.popitem(last=False)


class PendingLinks:
    """Signatures of events converted but not yet committed: a save of several events chains each to the one before."""

    def __init__(self, maxsize: int = Bounds.chain_heads) -> None:
        self._links: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, originator_id: str, version: int) -> str | None:
        with self._lock:
            return self._links.get((originator_id, version))

    def put(self, originator_id: str, version: int, field: str) -> None:
        with self._lock:
            self._links[(originator_id, version)] = field
            self._links.move_to_end((originator_id, version))
            if len(self._links) > self._maxsize:
                self._links.popitem(last=False)

    def discard(self, originator_id: str, version: int) -> None:
        with self._lock:
            self._links.pop((originator_id, version), None)


class ChainingMapper(Mapper[UUID]):
    """Signs each goal event (and snapshot) as it is stored; drops the signature again when it is read."""

    def __init__(
        self,
        transcoder: Transcoder,
        signer: Signer | None,
        last_stored: Callable[[UUID | str], Sequence[StoredEvent]],
        stored_at: Callable[[UUID | str, int], Sequence[StoredEvent]] | None = None,
        personal: PersonalData | None = None,
        bounds: Bounds | None = None,
        read_check: ReadCheck | None = None,
    ) -> None:
        super().__init__(transcoder=transcoder)
        self.read_check = read_check  # reads check what they serve (ADR 0038); None only to measure its cost
        bounds = bounds or Bounds()
        self.personal = personal  # seals personal text before it is signed (ADR 0026)
        self.signer = signer
        self.heads = ChainHeads(bounds.chain_heads)
        self.pending = PendingLinks(bounds.chain_heads)
        self._last_stored = last_stored
        self._stored_at = stored_at
        self._this_save = threading.local()  # links converted by the save this thread is running

    def begin_save(self) -> None:
        """A save starts on this thread: from now on, an event converted before it in the same save is its link."""
        self._this_save.links = {}

    def end_save(self) -> None:
        """The save is over (stored or failed): its links are no event's link any more."""
        self._this_save.links = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if self.signer is None:
            raise SigningKeyMissingError(
                "no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE (goalengine keys generate --out DIR)")
        stored = super().to_stored_event(self.personal.sealed(domain_event) if self.personal else domain_event)
        goal_id, version = str(stored.originator_id), stored.originator_version
        if isinstance(domain_event, Snapshot):
            domain, previous = SNAPSHOT_DOMAIN, self._event_field(stored.originator_id, version)
        else:
            domain, previous = EVENT_DOMAIN, self._previous_field(stored.originator_id, version)
        signed = message(domain, stored.originator_id, version, stored.topic, previous, stored.state)
        state = seal(stored.state, self.signer.key_id, self.signer.sign(signed))
        result = StoredEvent(stored.originator_id, version, stored.topic, state)
        if not isinstance(domain_event, Snapshot):
            self.pending.put(goal_id, version, str(signature_field(state)))
            if self.read_check is not None:
                self.read_check.signed(result, previous)  # its read seal goes into the same transaction
            links: dict[tuple[str, int], str] | None = getattr(self._this_save, "links", None)
            if links is not None:
                links[(goal_id, version)] = str(signature_field(state))
        return result

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        if is_snapshot(stored_event.topic):
            return self._decoded(stored_event)  # checked by the snapshot store against the event it stands at
        if self.read_check is not None:
            self.read_check(stored_event)
        try:
            return self._decoded(stored_event)
        except ApplicationError:
            raise
        except Exception as error:
            if isinstance(error.__cause__, ApplicationError):  # sealed text this server has no key for: not an edit
                raise
            raise undecodable(stored_event, error) from None

    def _decoded(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        field = state.pop(SIG_KEY, None)
        state.pop(LEGACY_CHAIN_KEY, None)
        if isinstance(field, str) and not isinstance(domain_event, Snapshot):
            self.heads.advance(str(stored_event.originator_id), stored_event.originator_version, field)
        return domain_event

    def remember(self, stored_event: StoredEvent) -> None:
        """Called once an event is committed: its signature is the next event's previous link."""
        self.pending.discard(str(stored_event.originator_id), stored_event.originator_version)
        if self.read_check is not None and not is_snapshot(stored_event.topic):
            self.read_check.checked(stored_event)  # signed here and committed: it needs no check when read back
        field = signature_field(stored_event.state)
        if field is not None:
            self.heads.advance(str(stored_event.originator_id), stored_event.originator_version, field)

    def _previous_field(self, originator_id: UUID | str, version: int) -> str:
        if version == 1:
            return GENESIS
        cached = self.heads.get(str(originator_id), version - 1)
        if cached is not None:
            return cached
        # The event before, converted earlier in this same save (a signature and the Agreed it completes): if the
        # save fails, so does this event, so no store read is needed to trust it.
        in_this_save = (getattr(self._this_save, "links", None) or {}).get((str(originator_id), version - 1))
        if in_this_save is not None:
            return str(in_this_save)
        for stored in self._last_stored(originator_id):
            if stored.originator_version == version - 1:
                return signature_field(stored.state) or GENESIS
        # Not stored yet: the previous event is earlier in the same save (the Agreed after the second signature,
        # the SignatureVoided after a revision). The store and the heads come first, so that a signature left over
        # from a failed save is never used once another writer has stored that version.
        pending = self.pending.get(str(originator_id), version - 1)
        if pending is not None:
            return pending
        # Otherwise this save will fail on its version, so any link will do.
        return GENESIS

    def _event_field(self, originator_id: UUID | str, version: int) -> str:
        """The signature of the event a snapshot stands at: the chain position the snapshot carries."""
        cached = self.heads.get(str(originator_id), version)
        if cached is not None:
            return cached
        rows = self._stored_at(originator_id, version) if self._stored_at else ()
        for stored in rows:
            if stored.originator_version == version:
                return signature_field(stored.state) or GENESIS
        return GENESIS
