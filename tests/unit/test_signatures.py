"""Sign-offs in replies (rules/signatures.yaml): the closing and signature go, the sender's own text never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.intake.quotes import QuoteCut
from bot.intake.signatures import SIGNATURES_FILE, cut_sign_off, load_signature_rules
from bot.rulefile import RulesError

RULES = load_signature_rules()
MSG = "Hei!\n\nDette er nå publisert i AR."


def cut(text: str) -> QuoteCut:
    return cut_sign_off(QuoteCut(text, "", None), RULES)


@pytest.mark.parametrize(
    "sign_off",
    [
        "Mvh Ingrid",
        "Mvh\nIngrid",
        "MVH\nIngrid Aas\nIT-konsulent\nMalvik kommune\nTlf. 72 00 00 00\nwww.malvik.kommune.no",
        "Med vennlig hilsen\n\nKari Nilsen\nRådgiver IKT | Frøya kommune\nMobil: 900 00 000",
        "Vennleg helsing\nPer Olav Rise\nVolda kommune",
        "Helsing Per",
        "Hilsen fra oss i Malvik kommune",
        "Beste hilsen,\nKari",
        "Best regards,\nKari Nilsen\nSenior Adviser",
        "Med venlig hilsen / Kind regards\n\nKari Nilsen\nCEO",
        "Cheers 🎉\nKari",
        "-- \nKari Nilsen\nMalvik kommune",
        "Mvh Kari\n\n[cid:image001.png@01DA1234.5678]\n" + "_" * 60 + "\nDenne e-posten kan inneholde "
        "konfidensiell informasjon og er kun ment for den tiltenkte mottakeren. Har du mottatt den ved en feil, "
        "ber vi deg slette den og varsle avsenderen.",
    ],
)
def test_sign_offs_and_signatures_are_cut(sign_off: str) -> None:
    """A closing line and the signature block after it are cut and kept aside in `signature`."""
    found = cut(f"{MSG}\n\n{sign_off}\n")
    assert (found.new_text, found.signature) == (MSG, sign_off.strip("\n"))
    assert found.with_signature.startswith(MSG) and found.with_signature.endswith(sign_off.strip("\n")[-10:])


@pytest.mark.parametrize(
    "text",
    [
        "Mvh Kari\n\nPS: Husk møtet på torsdag kl. 10.",  # a postscript is new text
        "Hilsen Kari\n\nVi har også lagt inn HER-id for legevakten, og testmeldingene kan sendes når som helst "
        "neste uke etter avtale med Ola.",  # prose after the closing
        "Best practice er å publisere før testen.\nKari",  # "Best" opening a sentence is not a closing
        "Hilsen til alle som har hjulpet oss med dette!\nKari",  # a greeting sentence, not a closing
        "Mvh? Nei, vi skriver ikke det her.",
        "Regards to the payment: it is done.",
    ],
)
def test_the_senders_own_text_is_never_cut(text: str) -> None:
    """Anything after a closing that is not a signature keeps the whole text; so do closing-like sentences."""
    assert cut(f"{MSG}\n\n{text}").new_text == f"{MSG}\n\n{text}"


def test_a_contact_line_may_be_long() -> None:
    """An address line with its separators and numbers is part of the signature, however long."""
    sign_off = ("Mvh\nKari Nilsen\nMalvik kommune | Postboks 140, 7551 Hommelvik | Besøksadresse: Rådhusveien 9 | "
                "tlf 72 00 00 00 | www.malvik.kommune.no")
    assert cut(f"{MSG}\n\n{sign_off}").new_text == MSG


def test_a_disclaimer_at_the_end_is_cut_also_without_a_closing() -> None:
    """A long paragraph that reads as a disclaimer (two of its words) ends the text; one word does not."""
    disclaimer = ("Denne e-posten kan inneholde konfidensiell eller taushetsbelagt informasjon og er kun ment for "
                  "adressaten. Har du mottatt den ved en feil, ber vi deg slette den.")
    assert cut(f"{MSG}\n\n{disclaimer}").new_text == MSG
    own = "Se vedlegg for skjermbildet fra Adresseregisteret som viser at tjenesten ligger ute med riktig HER-id nå."
    assert cut(f"{MSG}\n\n{own}").new_text == f"{MSG}\n\n{own}"


def test_a_sign_off_alone_is_kept() -> None:
    """A reply that is only a signature keeps it: there is no message to cut it from."""
    assert cut("Mvh Kari\nMalvik kommune").new_text == "Mvh Kari\nMalvik kommune"


def test_a_typo_in_the_rules_stops_start_up(tmp_path: Path) -> None:
    """An unknown key in rules/signatures.yaml is a RulesError naming the file and key."""
    bad = tmp_path / "signatures.yaml"
    bad.write_text(SIGNATURES_FILE.read_text(encoding="utf-8").replace("max_lines:", "max_line:"), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_signature_rules(bad)
    assert caught.value.path.endswith("signatures.yaml") and "max_line" in caught.value.key
