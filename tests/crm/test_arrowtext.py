"""text_buffers gives each value's bytes and bools each boolean, whatever slice of an array they get."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from gdprlab.crm.arrowtext import bools, text_buffers


def values(text: pa.Array) -> list[bytes]:
    offsets, chars = text_buffers(text)
    return [chars[a:b].tobytes() for a, b in zip(offsets[:-1], offsets[1:], strict=True)]


def test_each_value_is_its_bytes_in_a_slice_or_a_take_of_either_string_type():
    words = ["skip", "Zoë", None, "", "día", "x"]
    for kind in (pa.string(), pa.large_string()):
        whole = pa.array(words, type=kind)
        expected = [(w or "").encode() for w in words[1:]]
        assert values(whole.slice(1)) == expected
        assert values(whole.take(pa.array([1, 2, 3, 4, 5]))) == expected
        assert text_buffers(whole.slice(1))[1].tobytes() == "Zoëdíax".encode()


def test_an_empty_or_all_missing_array_has_no_bytes():
    for text in (pa.array([], type=pa.string()), pa.array([None, None], type=pa.large_string())):
        offsets, chars = text_buffers(text)
        assert len(offsets) == len(text) + 1 and len(chars) == 0


def test_bools_are_the_values_with_missing_ones_false_in_any_slice_or_chunking():
    rng = np.random.default_rng(1)
    values, missing = rng.random(1000) < 0.5, rng.random(1000) < 0.3
    arr = pa.array(values, mask=missing)
    want = values & ~missing
    assert bools(arr).tolist() == want.tolist()
    for start, stop in ((0, 1000), (3, 17), (13, 999), (8, 16), (5, 5)):
        assert bools(arr.slice(start, stop - start)).tolist() == want[start:stop].tolist()
    chunked = pa.chunked_array([arr.slice(0, 333), arr.slice(333, 0), arr.slice(333)])
    assert bools(chunked).tolist() == want.tolist()
    assert bools(pa.array(values)).tolist() == values.tolist()
    assert bools(pa.array([None, None], type=pa.bool_())).tolist() == [False, False]
    assert bools(pa.nulls(3)).tolist() == [False] * 3
    assert bools(pa.chunked_array([], type=pa.bool_())).tolist() == []
    with pytest.raises(TypeError, match="boolean"):
        bools(pa.array([1, 2]))
