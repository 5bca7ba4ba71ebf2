"""The signer's verified frontier: the right edge of the tree it computed itself from verified event rows (ADR 0038).

A frontier is the tree's size, the log position and hash of its last leaf and the hashes of its perfect subtrees
(one per set bit of the size): enough to append leaves and to compute the root, in O(log n) memory. The signer grows
it only from event rows whose signature chains it has checked, and stores each one it reaches with its own Ed25519
signature over `goalengine/frontier/v1`, so that a restart continues from a frontier it made rather than from the
stored tree nodes, which are only a cache for proofs and are checked against a signed root before anything is served
from them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, LargeBinary, String, Table, select

from application.audit.keys import Keyring, Signer
from application.audit.merkle import CompactRange
from application.store.database import metadata

FRONTIER_DOMAIN = b"goalengine/frontier/v1\n"

frontiers = Table(
    "audit_frontiers", metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("peaks", LargeBinary, nullable=False),
    Column("last_leaf", LargeBinary(32), nullable=False),
    Column("key_id", String(8), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)


@dataclass(frozen=True)
class Frontier:
    """A tree of `size` leaves whose last leaf is the event at log `position`, as its perfect subtrees."""

    size: int
    position: int
    peaks: tuple[bytes, ...]
    last_leaf: bytes = b""  # the leaf hash of the event at `position`: a rollback check finds it there or not

    def message(self, origin: str) -> bytes:
        hashes = "\n".join(base64.b64encode(peak).decode() for peak in (self.last_leaf, *self.peaks))
        return FRONTIER_DOMAIN + f"{origin}\n{self.size}\n{self.position}\n{hashes}\n".encode()

    def compact(self) -> CompactRange:
        compact = CompactRange()
        compact.size, compact.peaks = self.size, list(self.peaks)
        return compact

    def root(self) -> bytes:
        return self.compact().root()

    @classmethod
    def of(cls, compact: CompactRange, position: int, last_leaf: bytes) -> Frontier:
        return cls(compact.size, position, tuple(compact.peaks), last_leaf)


EMPTY = Frontier(0, 0, ())


def well_formed(frontier: Frontier) -> bool:
    return frontier.size >= 0 and len(frontier.peaks) == bin(frontier.size).count("1") and all(
        len(peak) == 32 for peak in frontier.peaks)


def store_frontier(connection: Connection, frontier: Frontier, signer: Signer, origin: str) -> None:
    """Keep a frontier the signer reached, signed, unless one of that size is stored already."""
    found = connection.execute(select(frontiers.c.tree_size).where(frontiers.c.tree_size == frontier.size)).first()
    if found is None:
        connection.execute(frontiers.insert().values(
            tree_size=frontier.size, position=frontier.position, peaks=b"".join(frontier.peaks),
            last_leaf=frontier.last_leaf,
            key_id=signer.key_id, signature=signer.sign(frontier.message(origin))))


def trusted_frontier(connection: Connection, size: int, keyring: Keyring, origin: str) -> Frontier | None:
    """The stored frontier of this size, if its signature holds with a trusted key (else None: not one we made)."""
    row = connection.execute(select(frontiers).where(frontiers.c.tree_size == size)).one_or_none()
    if row is None:
        return None
    try:
        blob = bytes(row.peaks)
        frontier = Frontier(int(row.tree_size), int(row.position),
                            tuple(blob[i:i + 32] for i in range(0, len(blob), 32)), bytes(row.last_leaf))
        holds = keyring.verify(str(row.key_id), bytes(row.signature), frontier.message(origin))
    except (TypeError, ValueError):
        return None  # a type-confused row is not a frontier we signed
    return frontier if holds and well_formed(frontier) else None
