"""Organisation numbers, sectors and size bands (traffpunkt/companies.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS, is_sole_trader, luhn_ok, parse_org_number


def test_known_numbers() -> None:
    assert parse_org_number("556036-0793") == "556036-0793"  # a real company's number
    assert parse_org_number(" 5560360793 ") == "556036-0793"
    assert parse_org_number("16556036-0793") == "556036-0793"
    assert parse_org_number("556036-0794") is None  # wrong check digit
    assert parse_org_number("55603607") is None
    assert parse_org_number("abcdefghij") is None
    assert parse_org_number("") is None


def test_sole_traders_are_told_apart() -> None:
    assert not is_sole_trader("556036-0793")
    assert is_sole_trader("811218-9876")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_nine_digits(nine: str) -> None:
    assert sum(luhn_ok(nine + d) for d in "0123456789") == 1


def test_codes_are_unique() -> None:
    assert len({s.code for s in SNI_SECTIONS}) == 21
    assert [b.code for b in SIZE_BANDS] == ["0", "1-4", "5-9", "10-49", "50+"]


def test_only_sole_traders_numbers_get_a_pseudonym() -> None:
    from traffpunkt.companies import org_pseudonym

    assert org_pseudonym("556036-0793", "k" * 32) == "556036-0793"  # a company's: public
    alias = org_pseudonym("811218-9876", "k" * 32)
    assert alias.startswith("P") and len(alias) == 11 and parse_org_number(alias) is None
    assert org_pseudonym("811218-9876", "k" * 32) == alias  # the same in every table
    assert org_pseudonym("811218-9876", "x" * 32) != alias  # keyed
    assert org_pseudonym(alias, "k" * 32) == alias and org_pseudonym("", "k") == ""
