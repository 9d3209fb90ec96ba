"""Field-level protection used in generated datasets: AES-CTR encrypted tokens and random pseudonyms.

A token is 'enc:v1:' + hex(nonce || ciphertext): AES-256 in CTR mode with a fresh 8-byte nonce per value
over a 64-byte slot (one length byte, then the UTF-8 value), so equal values give different tokens. The
keystream of every value is computed in one AES call, which keeps a million values under a second.
In a synthetic dataset the key is derived from the seed so that tests can decrypt; real keys belong in a
key manager, never in a dataset or a parameter.
"""

from __future__ import annotations

import hashlib

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PREFIX = "enc:v1:"
_SLOT = 64
_NONCE = 8


def synthetic_key(seed: int) -> bytes:
    """The AES key of a synthetic dataset, derivable from its seed (test data only)."""
    return hashlib.sha256(f"gdprlab synthetic dataset key {seed}".encode()).digest()


def _keystream(key: bytes, nonces: np.ndarray) -> np.ndarray:
    blocks = _SLOT // 16
    counters = np.zeros((len(nonces), blocks, 16), dtype=np.uint8)
    counters[:, :, :_NONCE] = nonces[:, None, :]
    counters[:, :, 15] = np.arange(blocks, dtype=np.uint8)
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out = enc.update(counters.tobytes()) + enc.finalize()
    return np.frombuffer(out, dtype=np.uint8).reshape(len(nonces), _SLOT)


def encrypt(values: list[str] | np.ndarray, key: bytes, rng: np.random.Generator) -> np.ndarray:
    """Encrypt each string (at most 63 UTF-8 bytes) into a token; missing or empty values stay None."""
    vals = list(values)
    idx = [i for i, v in enumerate(vals) if isinstance(v, str) and v]
    out = np.full(len(vals), None, dtype=object)
    if not idx:
        return out
    plain = np.zeros((len(idx), _SLOT), dtype=np.uint8)
    for row, i in enumerate(idx):
        data = vals[i].encode("utf-8")
        if len(data) >= _SLOT:
            raise ValueError(f"value of {len(data)} bytes is too long to encrypt (max {_SLOT - 1})")
        plain[row, 0] = len(data)
        plain[row, 1:1 + len(data)] = np.frombuffer(data, dtype=np.uint8)
    nonces = rng.integers(0, 256, size=(len(idx), _NONCE), dtype=np.uint8)
    cipher = plain ^ _keystream(key, nonces)
    raw = np.concatenate([nonces, cipher], axis=1).tobytes()
    width = _NONCE + _SLOT
    out[idx] = [PREFIX + raw[r * width:(r + 1) * width].hex() for r in range(len(idx))]
    return out


def decrypt(tokens: list[str] | np.ndarray, key: bytes) -> list[str | None]:
    """Inverse of encrypt; non-token values are returned unchanged."""
    toks = list(tokens)
    idx = [i for i, t in enumerate(toks) if is_token(t)]
    out: list[str | None] = list(toks)
    if not idx:
        return out
    raw = np.array([np.frombuffer(bytes.fromhex(toks[i][len(PREFIX):]), dtype=np.uint8) for i in idx])
    plain = raw[:, _NONCE:] ^ _keystream(key, raw[:, :_NONCE])
    for row, i in enumerate(idx):
        out[i] = plain[row, 1:1 + plain[row, 0]].tobytes().decode("utf-8")
    return out


def is_token(value: object) -> bool:
    """True for a well-formed encrypted token, whatever the key."""
    return (isinstance(value, str) and value.startswith(PREFIX)
            and len(value) == len(PREFIX) + 2 * (_NONCE + _SLOT))


def random_pseudonyms(n: int, rng: np.random.Generator) -> np.ndarray:
    """Random 128-bit tokens (hex): pseudonyms that reveal nothing; the mapping is kept outside the CRM."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8).tobytes()
    return np.array([raw[i * 16:(i + 1) * 16].hex() for i in range(n)], dtype=object)


WEAK_HASHES = ("md5", "sha1", "sha256")


def weak_pseudonym(email: str, algorithm: str) -> str:
    """The unsalted digest of a normalised e-mail: the weak pseudonym that Art. 4(5) does not accept."""
    return hashlib.new(algorithm, email.strip().lower().encode("utf-8")).hexdigest()
