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
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gdprlab.crm.arrowtext import text_buffers

PREFIX = "enc:v1:"
_SLOT = 64
_NONCE = 8
#: characters (all ASCII) of a token
TOKEN_LENGTH = len(PREFIX) + 2 * (_NONCE + _SLOT)
#: each byte's two hex characters, as one uint16 (in memory order)
HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), dtype=np.uint16)


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
    return encrypt_arrow(values, key, rng).to_numpy(zero_copy_only=False).astype(object)


def encrypt_arrow(values: list[str] | np.ndarray, key: bytes, rng: np.random.Generator) -> pa.Array:
    """`encrypt` as an Arrow large_string array (missing for missing or empty values).

    Tables built from Arrow take the tokens as they are, without a round trip through Python strings.
    """
    vals = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    present = _non_empty_strings(vals)
    if not present.any():
        return pa.nulls(len(vals), type=pa.large_string())
    plain = _slots(vals[present])
    nonces = rng.integers(0, 256, size=(len(plain), _NONCE), dtype=np.uint8)
    cipher = plain ^ _keystream(key, nonces)
    tokens = _hex_array(np.concatenate([nonces, cipher], axis=1), PREFIX)
    if present.all():
        return tokens
    # the tokens' characters as they are, under offsets that give missing rows no characters
    offsets = np.concatenate([[0], np.cumsum(present, dtype=np.int64)]) * TOKEN_LENGTH
    validity = np.packbits(present, bitorder="little")
    return pa.Array.from_buffers(pa.large_string(), len(vals), [pa.py_buffer(validity), pa.py_buffer(offsets),
                                                               tokens.buffers()[2]],
                                 null_count=int(len(vals) - present.sum()))


def _non_empty_strings(vals: np.ndarray) -> np.ndarray:
    """Which values are non-empty strings: read by Arrow when all are strings or missing (the usual case)."""
    try:
        arr = pa.array(vals, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_null(arr.type)):
        return np.fromiter((isinstance(v, str) and v != "" for v in vals), dtype=bool, count=len(vals))
    if pa.types.is_null(arr.type):
        return np.zeros(len(vals), dtype=bool)
    return pc.fill_null(pc.greater(pc.binary_length(arr), 0), False).to_numpy(zero_copy_only=False)


def _slots(strings: np.ndarray) -> np.ndarray:
    """Each string as a 64-byte slot: UTF-8 length, then its bytes (copied at once from an Arrow buffer)."""
    offsets, data = text_buffers(pa.array(strings, type=pa.large_string()))
    lengths = np.diff(offsets)
    too_long = np.flatnonzero(lengths >= _SLOT)
    if len(too_long):
        raise ValueError(f"value of {lengths[too_long[0]]} bytes is too long to encrypt (max {_SLOT - 1})")
    plain = np.zeros((len(strings), _SLOT), dtype=np.uint8)
    plain[:, 0] = lengths
    # data byte j of row r goes one past r's length byte: flat position r * _SLOT + 1 + (j - r's first byte)
    shift = np.arange(len(strings), dtype=np.int64) * _SLOT + 1 - offsets[:-1]
    plain.reshape(-1)[np.repeat(shift, lengths) + np.arange(len(data))] = data
    return plain


def _hex_strings(raw: np.ndarray, prefix: str = "") -> np.ndarray:
    """prefix + lower-case hex of each row of a uint8 matrix, as str objects, without a Python loop."""
    return _hex_array(raw, prefix).to_numpy(zero_copy_only=False).astype(object)


def _hex_array(raw: np.ndarray, prefix: str = "") -> pa.Array:
    """prefix + lower-case hex of each row of a uint8 matrix, as an Arrow large_string array."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars = np.empty((len(raw), len(head) + 2 * raw.shape[1]), dtype=np.uint8)
    chars[:, : len(head)] = head
    chars[:, len(head) :] = HEX_PAIRS[raw].view(np.uint8).reshape(len(raw), -1)
    offsets = np.arange(len(raw) + 1, dtype=np.int64) * chars.shape[1]
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.large_string(), len(raw), buffers)


def decrypt(tokens: list[str] | np.ndarray, key: bytes) -> list[str | None]:
    """Inverse of encrypt; non-token values are returned unchanged."""
    toks = list(tokens)
    idx = [i for i, t in enumerate(toks) if is_token(t)]
    out: list[str | None] = list(toks)
    if not idx:
        return out
    raw = np.array([np.frombuffer(bytes.fromhex(toks[i][len(PREFIX) :]), dtype=np.uint8) for i in idx])
    plain = raw[:, _NONCE:] ^ _keystream(key, raw[:, :_NONCE])
    for row, i in enumerate(idx):
        length = int(plain[row, 0])
        try:
            if length >= _SLOT:
                raise UnicodeDecodeError("utf-8", b"", 0, 1, "bad length")
            out[i] = plain[row, 1 : 1 + length].tobytes().decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(
                f"token {i} cannot be decrypted with this key; is it the dataset's key?"
            ) from None
    return out


def is_token(value: object) -> bool:
    """True for a well-formed encrypted token, whatever the key."""
    return (
        isinstance(value, str)
        and value.startswith(PREFIX)
        and len(value) == TOKEN_LENGTH
    )


def random_pseudonyms(n: int, rng: np.random.Generator) -> np.ndarray:
    """Random 128-bit tokens (hex): pseudonyms that reveal nothing; the mapping is kept outside the CRM."""
    return _hex_strings(rng.integers(0, 256, size=(n, 16), dtype=np.uint8))


WEAK_HASHES = ("md5", "sha1", "sha256")


def weak_pseudonym(email: str, algorithm: str) -> str:
    """The unsalted digest of a normalised e-mail: the weak pseudonym that Art. 4(5) does not accept."""
    return hashlib.new(algorithm, email.strip().lower().encode("utf-8")).hexdigest()
