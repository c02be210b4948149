"""Whose HER-id: the hospital's, someone else's or a retired one is left out, with the reason."""

from __future__ import annotations

import pytest

from bot.intake.her_context import weigh_ownership
from bot.intake.herids import find_her_column, find_her_ids
from bot.intake.order_vocab import OrderVocabulary, load_order_vocabulary


@pytest.fixture(scope="module")
def vocab() -> OrderVocabulary:
    return load_order_vocabulary()


def _weighed(text: str, vocab: OrderVocabulary) -> dict[int, str | None]:
    found = find_her_ids(text, vocab.her_labels) + find_her_column(text, vocab.her_labels)
    return {h.value: h.doubt for h in weigh_ownership(text, found, vocab)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Vår kommunikasjonspart er Inderøy helsetun, HER-id 8632105. Vi har partneravtale mot HNT sin HER-id "
            "96420 og St. Olavs hospital sin HER-id 59870 – de er altså sykehusenes, ikke våre.",
            {8632105: None, 96420: "belongs to the hospital", 59870: "belongs to the hospital"},
        ),
        (
            "Kommunikasjonspart: Meråker omsorgssenter, HER-id 8603318.\n\nLegevakten driftes av Stjørdal "
            "(Værnesregionen legevakt, HER-id 8021345). Den er Stjørdals og er ikke med i denne bestillingen.",
            {8603318: None, 8021345: "not the kommune's (the mail says so)"},
        ),
        (
            "Ny kommunikasjonspart: Grong helsesenter, HER-id 8612270.\nDen gamle HER-id 72455 skal ikke brukes "
            "lenger og skal ikke være med i oppkoblingen.",
            {8612270: None, 72455: "retired (the mail says it is no longer used)"},
        ),
        (
            "Sykehusets HER-id er 59011, vår egen HER-id er 8600512.",
            {59011: "belongs to the hospital", 8600512: None},
        ),
    ],
)
def test_sentences(text: str, expected: dict[int, str | None], vocab: OrderVocabulary) -> None:
    """A cue speaks of the nearest HER-id in its sentence, or in the sentence before after "Den …"."""
    assert _weighed(text, vocab) == expected


def test_everyday_words_take_nothing_away(vocab: OrderVocabulary) -> None:
    """Ordering towards the hospitals, "ikke være" and an unrelated "ikke med" leave the kommune's own HER-id."""
    text = (
        "Vi bestiller oppkobling mot sykehusene. Vår HER-id er 8142326. Den skal ikke være i bruk før oppstart, "
        "og den gamle adressen er ikke med i AR."
    )
    assert _weighed(text, vocab) == {8142326: None}


def test_table_heading_and_hospital_rows(vocab: OrderVocabulary) -> None:
    """Under a heading that says "ikke våre", and in a row naming a sykehus, HER-ids are left out."""
    text = (
        "Våre kommunikasjonsparter:\n\n  Tjeneste                HER-id\n\n  Averøy helsetun         8880114\n\n"
        "Motparter hos Helse Møre og Romsdal HF (til info – ikke våre):\n\n  Mottaker               HER-id\n\n"
        "  Kristiansund sjukehus  70412\n\n"
        "Andre:\n\n  Eining  HER-id\n\n  Molde sjukehus  70420\n\n  Hjemmetjenesten  8880122\n"
    )
    assert _weighed(text, vocab) == {
        8880114: None,
        70412: "belongs to the hospital",
        70420: "belongs to the hospital",
        8880122: None,
    }
