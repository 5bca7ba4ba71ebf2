"""The audit signing key (Ed25519) and the public keys that verify it: files, ids and the C2SP verifier key (ADR 0013).

The private key (PKCS#8 PEM) signs events, snapshots and checkpoints; it belongs on the server, never beside the
data. The public key (SubjectPublicKeyInfo PEM) is all that verifying needs; a keyring is several of them, so what
a retired key signed still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_FILE = "audit-signing.key"
PUBLIC_FILE = "audit-signing.pub"
ED25519_ALGORITHM = b"\x01"  # the signed-note signature type of Ed25519


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not an Ed25519 key; the message names the file."""


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The 8 hex digits that name a key inside event signatures: SHA-256 of the raw public key, first 4 bytes."""
    return hashlib.sha256(raw_public(key)).digest()[:4].hex()


def note_key_hash(name: str, key: Ed25519PublicKey) -> bytes:
    """The signed-note key hash: SHA-256(name || "\\n" || 0x01 || public key), first 4 bytes (C2SP signed-note)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + raw_public(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """`<name>+<key hash>+<base64>`: the public key as signed-note verifiers (Go's note package, sigsum) read it."""
    encoded = base64.b64encode(ED25519_ALGORITHM + raw_public(key)).decode()
    return f"{name}+{note_key_hash(name, key).hex()}+{encoded}"


@dataclass(frozen=True)
class Signer:
    """The private audit key: signs bytes, and says which public key verifies them."""

    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


class Keyring:
    """The public keys a verifier trusts, by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey]) -> None:
        self.keys = {key_id(key): key for key in keys}

    def __bool__(self) -> bool:
        return bool(self.keys)

    def verify(self, kid: str, signature: bytes, message: bytes) -> bool:
        key = self.keys.get(kid)
        if key is None:
            return False
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def generate_pair(directory: Path) -> Signer:
    """Write a new key pair into `directory`: the private key readable by its owner only."""
    for folder in reversed([directory, *directory.parents]):  # new folders (var/ too) only their owner may enter
        if not folder.exists():
            folder.mkdir(mode=0o700)
    private = Ed25519PrivateKey.generate()
    private_path = directory / PRIVATE_FILE
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    private_path.chmod(0o600)
    (directory / PUBLIC_FILE).write_bytes(public_pem(private.public_key()))
    return Signer(private)


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_signer(pem: bytes, source: str = "the signing key") -> Signer:
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise KeyFileError(f"{source} is not a PEM private key: {error}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{source} is not an Ed25519 key")
    return Signer(private)


def load_public_keys(pem: bytes, source: str = "the public key") -> list[Ed25519PublicKey]:
    """Every public key in a PEM file (a keyring file may hold several, one after the other)."""
    marker = b"-----END PUBLIC KEY-----"
    blocks = [block + marker for block in pem.split(marker) if block.strip()]
    keys = []
    for block in blocks:
        try:
            key = serialization.load_pem_public_key(block.strip())
        except (ValueError, TypeError) as error:
            raise KeyFileError(f"{source} is not a PEM public key: {error}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{source} is not an Ed25519 public key")
        keys.append(key)
    if not keys:
        raise KeyFileError(f"{source} holds no public key")
    return keys


def read_key_file(path: str, setting: str) -> bytes:
    """The bytes of a key file, or KeyFileError naming the setting that pointed there."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyFileError(f"{setting}: cannot read {path}: {error.strerror}") from None


@dataclass(frozen=True)
class AuditKeys:
    """What an application signs with (if anything) and the keyring it verifies with, from its settings."""

    signer: Signer | None
    keyring: Keyring
    origin: str

    @classmethod
    def of(cls, signing_pem: bytes | None, public_pems: Iterable[bytes], origin: str) -> AuditKeys:
        signer = load_signer(signing_pem) if signing_pem else None
        keys = [key for pem in public_pems for key in load_public_keys(pem)]
        if signer is not None:
            keys.append(signer.public)
        return cls(signer, Keyring(keys), origin)
