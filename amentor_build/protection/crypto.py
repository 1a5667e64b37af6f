"""The one module that encrypts: AES-256-GCM envelopes, PBKDF2 key slots, keyed names.

File format of every encrypted file (`.bin`): b"AM1" | 12-byte nonce | AES-GCM(ciphertext+tag).
The associated data is the file's label (a page's name, `notes`, an attachment's keyed name,
`staff-index`, `slot:<CODE>`), so files cannot be swapped.
The plaintext is a 4-byte big-endian length, the payload, and zero padding: a page to the
size of the school's largest page of its kind (see seal.Padding), an attachment to a
bucket, so a file's size says nothing of a child. The nonce is derived from the key, the
name and the SHA-256 of the padded plaintext (HMAC-SHA256), so an unchanged page encrypts
to the same bytes on every build while distinct plaintexts never share a nonce.
`amentor.js` is the matching decryptor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AM1"
KEY_BYTES = 32
NONCE_BYTES = 12
MIN_ITERATIONS = 600_000  # OWASP 2023 guidance for PBKDF2-HMAC-SHA256
PAGE_BUCKET = 4096  # the default (staff lists; not a key slot's box); folders' pages: seal.PADDING_STEP
ATTACHMENT_BUCKET = 4096  # a 17 KiB thumbnail costs 20 KiB, not 32 (fillers copy real sizes: see seal.py)


class CryptoError(Exception):
    """A key, slot or ciphertext that must not be used."""


def new_key() -> bytes:
    """Return a random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def padded_size(payload_length: int, bucket: int) -> int:
    """The plaintext size of a payload padded to a multiple of bucket (with its 4-byte length)."""
    return -(-(4 + payload_length) // bucket) * bucket


def padded(payload: bytes, size: int) -> bytes:
    """Length-prefix the payload and pad with zeros to size bytes (at least its own padded size)."""
    size = max(size, 4 + len(payload))
    return b"".join((struct.pack(">I", len(payload)), payload, bytes(size - 4 - len(payload))))  # one copy


def seal(key: bytes, name: str, payload: bytes, bucket: int = PAGE_BUCKET, size: int = 0) -> bytes:
    """Encrypt payload for a file called name, padded to a multiple of bucket, or to size bytes
    when that is larger (every folder's page of one kind has one size); same inputs, same bytes.

    The nonce is derived from the key, the name and the SHA-256 of the very plaintext sealed
    here, padding included (never a digest remembered elsewhere), so two different plaintexts
    never share a nonce.
    """
    plaintext = padded(payload, max(size, padded_size(len(payload), bucket)))
    digest = hashlib.sha256(plaintext).digest()
    nonce = hmac.new(key, b"nonce\0" + name.encode() + b"\0" + digest, hashlib.sha256).digest()[:NONCE_BYTES]
    return b"".join((MAGIC, nonce, AESGCM(key).encrypt(nonce, plaintext, name.encode())))


def unseal(key: bytes, name: str, blob: bytes) -> bytes:
    """Decrypt a sealed file (tests and tools; the browser does this in amentor.js)."""
    if not blob.startswith(MAGIC):
        raise CryptoError("not an amentor ciphertext")
    nonce, body = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES], blob[len(MAGIC) + NONCE_BYTES :]
    plain = AESGCM(key).decrypt(nonce, body, name.encode())
    (length,) = struct.unpack(">I", plain[:4])
    return plain[4 : 4 + length]


def derive_kek(password: str, salt: bytes, iterations: int) -> bytes:
    """Derive a login's key-encryption key; refuse a work factor below the minimum."""
    check_iterations(iterations)
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, KEY_BYTES)


def check_iterations(iterations: int) -> None:
    if not isinstance(iterations, int) or iterations < MIN_ITERATIONS:
        raise CryptoError(f"PBKDF2 iterations {iterations} are below the minimum of {MIN_ITERATIONS}")


def slot_file(code: str, kek: bytes, salt: bytes, iterations: int, secret: dict[str, str]) -> bytes:
    """Return a key slot: the KDF parameters and the secret (keys, folder) sealed with the KEK."""
    check_iterations(iterations)
    box = seal(kek, f"slot:{code}", json.dumps(secret, sort_keys=True).encode(), bucket=256)
    slot = {"v": 1, "kdf": "PBKDF2-HMAC-SHA256", "iterations": iterations, "salt": b64(salt), "box": b64(box)}
    return json.dumps(slot, sort_keys=True).encode()


def keyed_name(name_key: bytes, label: str, length: int = 20) -> str:
    """A file name derived with HMAC from a secret key: stable, and says nothing without the key."""
    return hmac.new(name_key, label.encode(), hashlib.sha256).hexdigest()[:length]


SEALED_HEADER = len(MAGIC) + NONCE_BYTES + 16  # the magic, the nonce and at least a GCM tag


def looks_sealed(data: bytes) -> bool:
    """A sealed file's bytes begin as ciphertext does (checked on the very bytes written)."""
    return data.startswith(MAGIC) and len(data) >= SEALED_HEADER
