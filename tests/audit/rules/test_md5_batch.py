"""md5_batch gives hashlib's MD5 digests, for every length that fits one block and wherever the bytes lie."""

import hashlib

import numpy as np
import pytest

from gdprlab.audit.rules import md5_batch
from gdprlab.audit.rules.md5_batch import MAX_LENGTH, md5_digests


def digests_of(values: list[bytes]) -> list[bytes]:
    chars = np.frombuffer(b"".join(values), dtype=np.uint8)
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    return [bytes(row) for row in md5_digests(chars, starts, lengths)]


def test_every_length_that_fits_one_block_gives_hashlibs_digest():
    rng = np.random.default_rng(0)
    values = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in range(MAX_LENGTH + 1)]
    assert digests_of(values) == [hashlib.md5(v).digest() for v in values]


def test_the_rfc_1321_test_suite():
    suite = {b"": "d41d8cd98f00b204e9800998ecf8427e", b"a": "0cc175b9c0f1b6a831c399e269772661",
             b"abc": "900150983cd24fb0d6963f7d28e17f72",
             b"message digest": "f96b697d7cb7938d525a2f31aaf161d0",
             b"abcdefghijklmnopqrstuvwxyz": "c3fcd3d76192e4007dfb496cca67e13b"}
    assert [d.hex() for d in digests_of(list(suite))] == list(suite.values())


def test_strings_are_read_where_they_start_in_any_order_and_may_overlap():
    chars = np.frombuffer(b"anna@web.de|bob@gmx.at", dtype=np.uint8)
    got = md5_digests(chars, np.array([12, 0, 5, 0]), np.array([10, 11, 6, 0]))
    want = [b"bob@gmx.at", b"anna@web.de", b"web.de", b""]
    assert [bytes(row) for row in got] == [hashlib.md5(w).digest() for w in want]


def test_results_do_not_depend_on_how_the_strings_are_sliced(monkeypatch):
    values = [f"user{i}@example{i % 7}.org".encode() for i in range(1000)]
    whole = digests_of(values)
    monkeypatch.setattr(md5_batch, "SLICE", 64)
    assert digests_of(values) == whole == [hashlib.md5(v).digest() for v in values]


def test_no_strings_give_no_digests():
    assert md5_digests(np.zeros(0, dtype=np.uint8), np.zeros(0), np.zeros(0)).shape == (0, 16)


def test_a_string_longer_than_one_block_is_refused():
    with pytest.raises(ValueError, match="0 to 55 bytes"):
        md5_digests(np.zeros(56, dtype=np.uint8), np.array([0]), np.array([56]))
