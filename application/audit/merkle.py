"""The log as a Merkle tree, hashed as RFC 9162 section 2 says: proofs of inclusion and of consistency.

Leaves are SHA-256(0x00 || leaf input), interior nodes SHA-256(0x01 || left || right); the tree over n leaves splits
at the largest power of two below n. Every function takes the hash of any range of leaves (`Subtree`) so that a
caller can answer from stored nodes (O(log n) lookups) or from a list held in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Subtree = Callable[[int, int], bytes]  # MTH(D[start:end])
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof asked for sizes or indices the tree cannot prove."""


def leaf_hash(leaf_input: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf_input).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes held in memory."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = split_point(len(leaf_hashes))
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def in_memory(leaf_hashes: Sequence[bytes]) -> Subtree:
    return lambda start, end: root_of(leaf_hashes[start:end])


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(index, D[size]), leaf-side first (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    return _path(index, 0, size, subtree)


def _path(index: int, start: int, end: int, subtree: Subtree) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = split_point(n)
    if index < k:
        return [*_path(index, start, start + k, subtree), subtree(start + k, end)]
    return [*_path(index - k, start + k, end, subtree), subtree(start, start + k)]


def consistency_proof(first: int, second: int, subtree: Subtree) -> list[bytes]:
    """PROOF(first, D[second]) (RFC 9162 2.1.4.1); empty when first is 0 or equals second."""
    if not 0 <= first <= second:
        raise ProofError(f"a tree of size {first} cannot be proven consistent with a tree of size {second}")
    if first in (0, second):
        return []
    return _subproof(first, 0, second, True, subtree)


def _subproof(m: int, start: int, end: int, complete: bool, subtree: Subtree) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree(start, end)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, start, start + k, complete, subtree), subtree(start + k, end)]
    return [*_subproof(m - k, start + k, end, False, subtree), subtree(start, start + k)]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 2.1.3.2); ProofError when the proof has the wrong shape."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return result


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    try:
        return root_from_inclusion(index, size, leaf, proof) == root
    except ProofError:
        return False


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether the tree of size `second` extends the tree of size `first` (RFC 9162 2.1.4.2)."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class CompactRange:
    """The right edge of a growing tree (one perfect subtree per set bit of its size): appends in O(log n) memory."""

    def __init__(self) -> None:
        self.size = 0
        self.peaks: list[bytes] = []  # largest (leftmost) first

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the perfect nodes it completes as (level, index, hash), the leaf included."""
        index, completed, node, level = self.size, [(0, self.size, leaf)], leaf, 0
        while index & 1:
            node = node_hash(self.peaks.pop(), node)
            level, index = level + 1, index >> 1
            completed.append((level, index, node))
        self.peaks.append(node)
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.peaks:
            return EMPTY_ROOT
        result = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            result = node_hash(peak, result)
        return result
