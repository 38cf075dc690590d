"""Verification codes: random, 80 bits, typed back in any form people write them."""

from __future__ import annotations

import math

import pytest

from elearn.certificates.codes import (
    ALPHABET,
    CODE_LENGTH,
    display_code,
    make_serial,
    new_code,
    normalise_code,
)


def test_codes_carry_at_least_80_random_bits_without_ambiguous_letters():
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("ILOU") & set(ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_codes_are_printed_in_groups_of_four():
    assert display_code("7K3MQ9XP4HTD2WRA") == "7K3M-Q9XP-4HTD-2WRA"


@pytest.mark.parametrize("typed", [
    "7K3MQ9XP4HTD2WRA",
    "7K3M-Q9XP-4HTD-2WRA",
    "7k3m-q9xp-4htd-2wra",
    " 7k3m q9xp 4htd 2wra ",
    "7K3M–Q9XP–4HTD–2WRA",  # en dashes, as word processors print them
])
def test_typed_codes_are_normalised(typed):
    assert normalise_code(typed) == "7K3MQ9XP4HTD2WRA"


def test_letters_read_as_digits_are_accepted():
    assert normalise_code("7K3M-Q9XP-4HTD-2WRO") == "7K3MQ9XP4HTD2WR0"
    assert normalise_code("IL00-0000-0000-0000") == "1100000000000000"


@pytest.mark.parametrize("typed", ["", None, "7K3M-Q9XP", "7K3M-Q9XP-4HTD-2WRA-8", "UUUU" * 4,
                                   "7K3M/Q9XP/4HTD/2WRA"])
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalise_code(typed) is None


def test_serial_numbers():
    assert make_serial("SC", 2026, 123) == "SC-2026-000123"
