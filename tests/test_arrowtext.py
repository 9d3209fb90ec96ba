"""text_buffers gives each value's bytes, whatever slice of a larger array it is handed."""

from __future__ import annotations

import pyarrow as pa

from gdprlab.arrowtext import text_buffers


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
