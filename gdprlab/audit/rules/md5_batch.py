"""MD5 (RFC 1321) of many short byte strings at once, in numpy.

weak_pseudonymisation must hash every contact's e-mail address to see whether its pseudonym is that
address's unsalted digest. hashlib hashes one value per call: about 0.3 microseconds each in the
interpreter, holding the GIL. A string of at most 55 bytes fits one padded 64-byte block, so the 64 steps
of MD5 run here on whole columns of uint32 words, in slices small enough to stay in the CPU cache, with
numpy releasing the GIL. It is about twice as cheap; tests/test_md5_batch.py compares it with hashlib at
every length up to MAX_LENGTH and with RFC 1321's test suite.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: the longest string that fits one block (64 bytes less the 0x80 marker and the 8-byte bit length)
MAX_LENGTH = 55
#: strings hashed per slice: their 16 words and the four state columns stay in the CPU's caches
SLICE = 32768
_BLOCK = 64
_SHIFTS = [np.uint32(s) for s in [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4
           + [6, 10, 15, 21] * 4]
_CONSTANTS = [np.uint32(int(abs(math.sin(i + 1)) * 2**32) & 0xFFFFFFFF) for i in range(64)]
_WORD = [i if i < 16 else (5 * i + 1) % 16 if i < 32 else (3 * i + 5) % 16 if i < 48 else 7 * i % 16
         for i in range(64)]
_INITIAL = np.array([0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476], dtype=np.uint32)


def md5_digests(chars: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The 16-byte MD5 digest of each string chars[start:start + length], one row per string.

    Every length must be at most MAX_LENGTH (longer strings need more blocks: hash them with hashlib).
    """
    starts, lengths = np.asarray(starts, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
    if len(lengths) and (lengths.min() < 0 or lengths.max() > MAX_LENGTH):
        raise ValueError(f"md5_digests takes strings of 0 to {MAX_LENGTH} bytes")
    windows = sliding_window_view(np.concatenate([chars, np.zeros(_BLOCK, dtype=np.uint8)]), _BLOCK)
    state = np.empty((len(lengths), 4), dtype="<u4")
    for lo in range(0, len(lengths), SLICE):
        hi = min(len(lengths), lo + SLICE)
        words = _padded(windows[starts[lo:hi]], lengths[lo:hi]).view("<u4")
        state[lo:hi] = _compress(np.ascontiguousarray(words.T)).T
    return state.view(np.uint8).reshape(len(lengths), 16)


def _padded(block: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each row's string followed by 0x80, zeros and its length in bits (little-endian), as RFC 1321 pads.

    All but the string depends on its length alone: the rows are masked and completed from two small
    tables, eight bytes at a time.
    """
    words = block.view(np.uint64)
    words &= _KEEP[lengths]
    words |= _PAD[lengths]
    return block


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """For each length, the 64-bit words that keep a string's bytes, and those of its padding."""
    keep = np.zeros((MAX_LENGTH + 1, _BLOCK), dtype=np.uint8)
    pad = np.zeros((MAX_LENGTH + 1, _BLOCK), dtype=np.uint8)
    for n in range(MAX_LENGTH + 1):
        keep[n, :n] = 0xFF
        pad[n, n] = 0x80
        pad[n, _BLOCK - 8 :] = np.frombuffer((8 * n).to_bytes(8, "little"), dtype=np.uint8)
    return keep.view(np.uint64), pad.view(np.uint64)


_KEEP, _PAD = _tables()


def _compress(m: np.ndarray) -> np.ndarray:
    """The four state words after one block, for columns of 16 message words (m[j] is word j of each)."""
    a, b, c, d = (np.full(m.shape[1], v, dtype=np.uint32) for v in _INITIAL)
    f, spare = np.empty_like(a), np.empty_like(a)
    for i in range(64):
        if i < 16:  # F = (b & c) | (~b & d)
            np.bitwise_xor(c, d, out=f)
            f &= b
            f ^= d
        elif i < 32:  # G = (b & d) | (c & ~d)
            np.bitwise_xor(b, c, out=f)
            f &= d
            f ^= c
        elif i < 48:  # H = b ^ c ^ d
            np.bitwise_xor(b, c, out=f)
            f ^= d
        else:  # I = c ^ (b | ~d)
            np.invert(d, out=f)
            f |= b
            f ^= c
        f += a
        f += _CONSTANTS[i]
        f += m[_WORD[i]]
        np.left_shift(f, _SHIFTS[i], out=spare)  # rotate left
        f >>= np.uint32(32) - _SHIFTS[i]
        f |= spare
        f += b
        a, b, c, d, f = d, f, b, c, a  # the old a is no longer needed: it becomes the next scratch
    return np.stack([a, b, c, d]) + _INITIAL[:, None]
