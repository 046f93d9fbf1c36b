"""Who to invite, read from a pasted list and a CSV (pure functions: no database)."""

from __future__ import annotations

from traffpunkt import addresses
from traffpunkt.address_lists import Invitee, Skipped, from_csv, pasted, read


def test_a_name_with_its_address_is_one_person() -> None:
    people, skipped = pasted("Anna Andersson <anna@example.se>")
    assert people == [Invitee("anna@example.se", "Anna Andersson")] and skipped == []


def test_outlook_and_mail_program_lists() -> None:
    text = (
        "Anna Andersson <anna@example.se>; Bo Ek <BO@example.se>;\n"
        '"Lind, Cecilia" <cecilia@example.se>, david@example.se\n'
        "\n"
        "mailto:eva@example.se"
    )
    people, skipped = pasted(text)
    assert skipped == []
    assert people == [
        Invitee("anna@example.se", "Anna Andersson"),
        Invitee("bo@example.se", "Bo Ek"),
        Invitee("cecilia@example.se", "Lind, Cecilia"),
        Invitee("david@example.se"),
        Invitee("eva@example.se"),
    ]


def test_every_bad_entry_is_reported_with_its_line_and_reason() -> None:
    people, skipped = pasted("ok@example.se\nanna@\n\nAnna anna@example.se, bo@example..se")
    assert people == [Invitee("ok@example.se")]
    assert skipped == [
        Skipped("text", 2, "anna@", addresses.NOTHING_AFTER),
        Skipped("text", 4, "Anna anna@example.se", addresses.SPACE),
        Skipped("text", 4, "bo@example..se", addresses.TWO_DOTS),
    ]


def test_swedish_excel_csv_with_names_and_a_bad_row() -> None:
    text = (
        "Namn;E-post\nAnna Andersson;anna@example.se\nBo Ek;anna@\n;\nCecilia;\n"
        "David;d@example.se\n"
    )
    people, skipped = from_csv(text)
    assert people == [
        Invitee("anna@example.se", "Anna Andersson"),
        Invitee("d@example.se", "David"),
    ]
    assert skipped == [
        Skipped("file", 3, "anna@", addresses.NOTHING_AFTER),
        Skipped("file", 5, "Cecilia;", "The row has no address"),
    ]


def test_comma_csv_in_another_column_order_and_one_without_header() -> None:
    people, _ = from_csv("email,name\nanna@example.se,Anna\n")
    assert people == [Invitee("anna@example.se", "Anna")]
    people, skipped = from_csv("Anna,anna@example.se\nbo@example.se\nCecilia,nobody\n")
    assert people == [Invitee("anna@example.se", "Anna"), Invitee("bo@example.se")]
    assert skipped == [Skipped("file", 3, "Cecilia,nobody", addresses.NO_AT)]


def test_both_together_once_per_address_keeping_a_name() -> None:
    people, skipped = read("anna@example.se", "namn,e-post\nAnna,ANNA@example.se\n")
    assert people == [Invitee("anna@example.se", "Anna")] and skipped == []
