"""The tree hashes and proofs match published RFC 6962/9162 test vectors, and an independent verifier written here.

Vectors: transparency-dev/merkle, testonly/constants.go (leaf inputs, node and root hashes) and
proof/verify_test.go (inclusion and consistency proofs), which carry over the RFC 6962 vectors of
google/certificate-transparency's merkle_tree_test. Leaf numbers there are 1-based; here they are 0-based.
"""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from application.audit.merkle import (EMPTY_ROOT, CompactRange, consistency_proof, in_memory, inclusion_proof,
                                      leaf_hash, root_of, verify_consistency, verify_inclusion)

LEAF_INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
H = bytes.fromhex
INCLUSION = [  # (leaf index, tree size, proof)
    (0, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (5, 8, [H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 3, [H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (1, 5, [H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (0, 1, []),
]
CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (1, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 5, [H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (6, 7, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
]
HASHES = [leaf_hash(data) for data in LEAF_INPUTS]


# --- an independent reading of RFC 9162 section 2, written for this test -----------------------------------------

def rfc_mth(entries: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as section 2.1.1 defines it, over the leaf inputs."""
    n = len(entries)
    if n == 0:
        return hashlib.sha256().digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + rfc_mth(entries[:k]) + rfc_mth(entries[k:])).digest()


def rfc_root_from_path(m: int, n: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """Walk PATH(m, D[n]) back up, following the recursive definition (2.1.3.1) instead of the bit algorithm."""
    if n == 1:
        return leaf if not path else None
    if not path:
        return None
    k = 1
    while k * 2 < n:
        k *= 2
    *rest, sibling = path
    if m < k:
        left = rfc_root_from_path(m, k, leaf, rest)
        return None if left is None else hashlib.sha256(b"\x01" + left + sibling).digest()
    right = rfc_root_from_path(m - k, n - k, leaf, rest)
    return None if right is None else hashlib.sha256(b"\x01" + sibling + right).digest()


def rfc_roots_from_subproof(
    m: int, n: int, complete: bool, old: bytes, proof: list[bytes]
) -> tuple[bytes, bytes] | None:
    """(MTH(D[0:m]), MTH(D[n])) as SUBPROOF(m, D[n], b) (2.1.4.1) rebuilds them; `old` stands in for a complete tree."""
    if m == n:
        if complete:
            return (old, old) if not proof else None
        return (proof[0], proof[0]) if len(proof) == 1 else None
    if not proof:
        return None
    k = 1
    while k * 2 < n:
        k *= 2
    *rest, last = proof
    if m <= k:
        inner = rfc_roots_from_subproof(m, k, complete, old, rest)
        if inner is None:
            return None
        return inner[0], hashlib.sha256(b"\x01" + inner[1] + last).digest()
    inner = rfc_roots_from_subproof(m - k, n - k, False, old, rest)
    if inner is None:
        return None
    return hashlib.sha256(b"\x01" + last + inner[0]).digest(), hashlib.sha256(b"\x01" + last + inner[1]).digest()


def rfc_consistent(m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    if m == n:
        return not proof and old_root == new_root
    roots = rfc_roots_from_subproof(m, n, True, old_root, proof)
    return roots is not None and roots == (old_root, new_root)


# --- the product against the vectors -----------------------------------------------------------------------------

def test_roots_of_every_prefix_match_the_published_vectors() -> None:
    assert [root_of(HASHES[:n]) for n in range(9)] == ROOTS
    assert [rfc_mth(LEAF_INPUTS[:n]) for n in range(9)] == ROOTS
    assert ROOTS[0] == EMPTY_ROOT


def test_the_compact_range_grows_through_the_same_roots() -> None:
    compact, roots = CompactRange(), [CompactRange().root()]
    for leaf in HASHES:
        compact.append(leaf)
        roots.append(compact.root())
    assert roots == ROOTS


def test_inclusion_proofs_match_the_published_vectors_and_verify() -> None:
    for index, size, expected in INCLUSION:
        proof = inclusion_proof(index, size, in_memory(HASHES[:size]))
        assert proof == expected, (index, size)
        assert verify_inclusion(index, size, HASHES[index], proof, ROOTS[size])
        assert rfc_root_from_path(index, size, HASHES[index], proof) == ROOTS[size]


def test_consistency_proofs_match_the_published_vectors_and_verify() -> None:
    for first, second, expected in CONSISTENCY:
        proof = consistency_proof(first, second, in_memory(HASHES[:second]))
        assert proof == expected, (first, second)
        assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)
        assert rfc_consistent(first, second, ROOTS[first], ROOTS[second], proof)


def test_a_corrupted_proof_is_refused_by_both_verifiers() -> None:
    index, size, proof = INCLUSION[1]
    for bad in ([*proof[:1], bytes(32), *proof[2:]], proof[:-1], [*proof, ROOTS[size]]):
        assert not verify_inclusion(index, size, HASHES[index], bad, ROOTS[size])
        assert rfc_root_from_path(index, size, HASHES[index], bad) != ROOTS[size]
    assert not verify_inclusion(index + 1, size, HASHES[index], proof, ROOTS[size])
    first, second, cproof = CONSISTENCY[2]
    for bad in (cproof[:-1], [*cproof, cproof[0]], [bytes(32), *cproof[1:]]):
        assert not verify_consistency(first, second, ROOTS[first], ROOTS[second], bad)
        assert not rfc_consistent(first, second, ROOTS[first], ROOTS[second], bad)
    assert not verify_consistency(first, second, ROOTS[second], ROOTS[first], cproof)


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.data())
def test_any_proof_the_tree_makes_verifies_independently(entries: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in entries]
    n = len(entries)
    index = data.draw(st.integers(0, n - 1))
    first = data.draw(st.integers(0, n))
    root = rfc_mth(entries)
    path = inclusion_proof(index, n, in_memory(hashes))
    assert rfc_root_from_path(index, n, hashes[index], path) == root
    assert verify_inclusion(index, n, hashes[index], path, root)
    proof = consistency_proof(first, n, in_memory(hashes))
    assert verify_consistency(first, n, rfc_mth(entries[:first]), root, proof)
    if 0 < first < n:
        assert rfc_consistent(first, n, rfc_mth(entries[:first]), root, proof)
