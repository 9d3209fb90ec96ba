"""Encrypted tokens round-trip, hide equal values, and weak pseudonyms are recognisable."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from gdprlab.crm.protect import (
    decrypt,
    encrypt,
    encrypt_arrow,
    is_token,
    random_pseudonyms,
    synthetic_key,
    weak_pseudonym,
)


def test_tokens_decrypt_to_the_original_values():
    key = synthetic_key(3)
    values = ["DE89370400440532013000", None, "", "Rollstuhl – barrierefreier Zugang"]
    tokens = encrypt(values, key, np.random.default_rng(0))
    assert is_token(tokens[0]) and tokens[1] is None and tokens[2] is None
    assert decrypt(tokens, key) == ["DE89370400440532013000", None, None, "Rollstuhl – barrierefreier Zugang"]


def test_equal_values_give_different_tokens_and_a_wrong_key_is_refused():
    tokens = encrypt(["same", "same"], synthetic_key(1), np.random.default_rng(0))
    assert tokens[0] != tokens[1]
    with pytest.raises(ValueError, match="key"):
        decrypt(tokens, synthetic_key(2))


def test_plaintext_is_not_a_token():
    assert not is_token("DE89370400440532013000") and not is_token(None) and not is_token("enc:v1:00")


def test_values_too_long_for_a_slot_are_refused():
    with pytest.raises(ValueError, match="too long"):
        encrypt(["x" * 64], synthetic_key(1), np.random.default_rng(0))


def test_weak_pseudonyms_are_unsalted_digests_of_the_normalised_address():
    assert weak_pseudonym(" Anna@Example.de ", "sha256") == hashlib.sha256(b"anna@example.de").hexdigest()


def test_random_pseudonyms_are_unique_hex():
    p = random_pseudonyms(1000, np.random.default_rng(0))
    assert len(set(p)) == 1000 and all(len(x) == 32 for x in p)


def test_values_that_are_not_strings_stay_unencrypted():
    tokens = encrypt([None, float("nan"), 5, "x", ""], synthetic_key(1), np.random.default_rng(0))
    assert [is_token(t) for t in tokens] == [False, False, False, True, False]
    assert all(t is None for t in encrypt([None, None], synthetic_key(1), np.random.default_rng(0)))


def test_encrypt_arrow_gives_the_same_tokens_as_encrypt():
    values = np.array(["DE89370400440532013000", None, "", "Rollstuhl, Zugang nötig"], dtype=object)
    key = synthetic_key(7)
    tokens = encrypt(values, key, np.random.default_rng(3))
    arrow = encrypt_arrow(values, key, np.random.default_rng(3))
    assert str(arrow.type) == "large_string"
    assert arrow.to_pylist() == list(tokens)
    assert tokens[1] is None and tokens[2] is None
    assert decrypt(tokens, key) == ["DE89370400440532013000", None, None, "Rollstuhl, Zugang nötig"]
    assert encrypt_arrow(np.array([None, ""], dtype=object), key, np.random.default_rng(0)).null_count == 2
