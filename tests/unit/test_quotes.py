"""Quote cutting: how people really reply, in Norwegian and other clients; rules/quotes.yaml as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.intake.quotes import QUOTES_FILE, cut_quotes, load_quote_rules
from bot.rulefile import RulesError

QUOTE = "> Hei,\n>\n> Aktiveringsdato: 15.02.2027\n>\n> Hilsen\n> Oppkoblingsboten"
BLOCK = "Hei,\n\nAktiveringsdato: 15.02.2027\nMeldingstyper: PLO 1.6\n\nHilsen\nOppkoblingsboten"

CASES: list[tuple[str, str, str, str | None]] = [
    # (id, text, expected new text, expected rule)
    ("nothing-to-cut", "Bekreftet.\n\nMvh Kari", "Bekreftet.\n\nMvh Kari", None),
    (
        "outlook-nb",
        "Bekreftet.\n\nFra: Bot <bot@helse-midt.no>\nSendt: 1. mars 2027 08:00\nTil: Kari\nEmne: x\n\n"
        + BLOCK,
        "Bekreftet.",
        "header_block",
    ),
    (
        "outlook-nb-mailto-and-kopi",
        "Ok\n\nFra: Bot <bot@helse-midt.no<mailto:bot@helse-midt.no>>\nSendt: mandag 1. mars 2027 08:00\n"
        "Til: Kari <k@x.no<mailto:k@x.no>>\nKopi: Ola\nEmne: [OPK-1] x\n\n" + BLOCK,
        "Ok",
        "header_block",
    ),
    (
        "outlook-en",
        "Done\n\nFrom: Bot <bot@helse-midt.no>\nSent: Monday, March 1, 2027 8:00 AM\nTo: Kari\nSubject: x\n\n"
        + BLOCK,
        "Done",
        "header_block",
    ),
    (
        "outlook-mac-from-date-to",
        "Takk\n\nFrom: Bot <bot@helse-midt.no>\nDate: Monday, 1 March 2027 at 08:00\nTo: Kari <k@x.no>\n"
        "Subject: x\n\n" + BLOCK,
        "Takk",
        "header_block",
    ),
    (
        "outlook-html-bold-markers",
        "Publisert.\n\n*Fra:* Bot <bot@helse-midt.no>\n*Sendt:* 1. mars 2027 08:00\n"
        "*Til:* Kari\n*Emne:* x\n\n"
        + BLOCK,
        "Publisert.",
        "header_block",
    ),
    (
        "outlook-html-double-bold-indented",
        "Publisert.\n\n  **Fra:** Bot\n  **Dato:** 1. mars 2027\n  **Til:** Kari\n\n" + BLOCK,
        "Publisert.",
        "header_block",
    ),
    (
        "new-outlook-dato",
        "Ja\n\nFra: Bot <bot@helse-midt.no>\nDato: torsdag 28. oktober 2027 kl. 12:46\nTil: Kari\nEmne: x\n\n"
        + BLOCK,
        "Ja",
        "header_block",
    ),
    (
        "reply-to-line-in-block",
        "I learned a lot.\n\nFrom: john@example.com \nReply-To: john@example.com\n"
        "Sent: Tue, 2 Oct 2012 02:35:10 +0000 \nTo: shelly@example.com \nSubject: Tell us\n\n\n\nThanks",
        "I learned a lot.",
        "header_block",
    ),
    (
        "opprinnelig-melding",
        "Ok\n\n-----Opprinnelig melding-----\nFra: Bot\nSendt: 1. mars\nTil: Kari\nEmne: x\n\n" + BLOCK,
        "Ok",
        "outlook_original_nb",
    ),
    ("original-message", "Ok\n\n-----Original Message-----\n" + BLOCK, "Ok", "outlook_original_en"),
    ("outlook-express", "Ok\n\n----- Original Message -----\n" + BLOCK, "Ok", "outlook_original_en"),
    (
        "underscores-32",
        "Ok\n\n" + "_" * 32 + "\nFra: Bot\nSendt: 1. mars\n" + BLOCK,
        "Ok",
        "outlook365_underscores",
    ),
    (
        "thunderbird-den-skrev",
        "Ja, det stemmer.\n\nDen 05.03.2027 10:15, skrev Ola Nordmann:\n" + QUOTE,
        "Ja, det stemmer.",
        "attribution_nb_den_skrev",
    ),
    (
        "kl-skrev-apple",
        "Ok.\n\n5. januar 2027 kl. 10:30 skrev ola@hemit.no:\n\n" + QUOTE,
        "Ok.",
        "attribution_nb_kl_skrev",
    ),
    (
        "gmail-nb-one-line",
        "Takk!\n\ntir. 5. mar. 2027 kl. 10:15 skrev Ola Nordmann <ola@hemit.no>:\n\n" + QUOTE,
        "Takk!",
        "attribution_nb_kl_skrev",
    ),
    (
        "gmail-nb-two-lines",
        "Takk!\n\ntir. 5. mar. 2027 kl. 10:15 skrev Meldingsansvarlig Helse Midt-Norge <\n"
        "meldingsansvarlig@helse-midt.no>:\n\n" + QUOTE,
        "Takk!",
        "attribution_nb_kl_skrev",
    ),
    (
        "gmail-nb-two-lines-broken-before-skrev",
        "Fint.\n\nDen man 15. mar. 2027 17:03 Ola Nordmann <ola@hemit.no>\nskrev:\n\n" + QUOTE,
        "Fint.",
        "attribution_nb_den_skrev",
    ),
    (
        "danish-kl-dot-time",
        "Svar.\n\nDen 24. nov. 2025 kl. 10.00 skrev Peter <peter@example.com>:\n> Hej\n>\n> Oprindelig.\n",
        "Svar.",
        "attribution_nb_kl_skrev",
    ),
    (
        "swedish-quoted-attribution",
        "Hej!\n\nMvh,\nB\n\n> 4 dec. 2024 kl. 18:36 skrev Person A <a@example.com>:\n> \n> Hej B,\n",
        "Hej!\n\nMvh,\nB",
        "quote_marker",
    ),
    (
        "new-outlook-skrev-folgende",
        "Ok\n\nOla Nordmann <ola@hemit.no> skrev følgende den 28.10.2027 12:46:\n\n" + QUOTE,
        "Ok",
        "attribution_nb_skrev_folgende",
    ),
    (
        "english-on-wrote",
        "Awesome!\n\nOn Aug 22, 2011, at 7:37 PM, defunkt<reply@reply.github.com> wrote:\n\n\n\n"
        "> Loader works.\n",
        "Awesome!",
        "attribution_en_on_wrote",
    ),
    (
        "english-on-wrote-wrapped",
        "Sure.\n\nOn Fri, Nov 16, 2012 at 1:48 PM, Jane Doe <\njane@example.com> wrote:\n\n> question\n",
        "Sure.",
        "attribution_en_on_wrote",
    ),
    (
        "english-paragraph-starting-with-on-survives",
        "Test.\n\nOn friday when I tried it did not work.\n\nThis line stays.\n\n"
        "On Wed, Apr 4, 2012 at 9:32 AM, Bob <bob@example.com> wrote:\n> We are interested.\n",
        "Test.\n\nOn friday when I tried it did not work.\n\nThis line stays.",
        "attribution_en_on_wrote",
    ),
    (
        "german",
        "Danke.\n\nAm 01.03.2027 um 08:00 schrieb Ola <ola@hemit.no>:\n" + QUOTE,
        "Danke.",
        "attribution_de",
    ),
    (
        "french",
        "Merci.\n\nLe 1 mars 2027 à 08:00, Ola <ola@hemit.no> a écrit :\n" + QUOTE,
        "Merci.",
        "attribution_fr",
    ),
    (
        "attribution-without-gt-quotes",
        "Ja takk.\n\nDen 1. mars 2027 kl. 08:00 skrev Ola <ola@hemit.no>:\n\n    Hei,\n    Dette er sitatet.",
        "Ja takk.",
        "attribution_nb_kl_skrev",
    ),
    (
        "gmail-forward-marker",
        "Se under.\n\n---------- Forwarded message ---------\nFra: Ola\nDate: 1. mars\n" + BLOCK,
        "Se under.",
        "forwarded_gmail",
    ),
    (
        "apple-forward",
        "Se under.\n\nVideresendt melding:\n\nFra: Ola\nEmne: x\n" + BLOCK,
        "Se under.",
        "forwarded_apple",
    ),
    (
        "apple-forward-english",
        "FYI\n\nBegin forwarded message:\n\nFrom: Ola\nSubject: x\nDate: 1 March\n" + BLOCK,
        "FYI",
        "forwarded_apple",
    ),
    (
        "thunderbird-forward",
        "FYI\n\n-------- Videresendt melding --------\nEmne: x\nDato: 1. mars\n" + BLOCK,
        "FYI",
        "forwarded_gmail",
    ),
    ("gt-quote-only", "Ja.\n\n" + QUOTE, "Ja.", "quote_marker"),
    ("iphone-nb", "Ok, takk!\n\nSendt fra min iPhone\n\n" + QUOTE, "Ok, takk!", "mobile_signature_nb"),
    ("iphone-en", "Ok\n\nSent from my iPhone", "Ok", "mobile_signature_en"),
    ("ipad-nb-at-end", "Ok\n\nSendt fra min iPad", "Ok", "mobile_signature_nb"),
    (
        "outlook-ios",
        "Ok\n\nSendt fra Outlook for iOS\n" + "_" * 32 + "\n" + BLOCK,
        "Ok",
        "mobile_signature_outlook_app",
    ),
    ("outlook-android-hentet", "Ok\n\nHentet fra Outlook for Android", "Ok", "mobile_signature_outlook_app"),
    ("get-outlook-android", "Ok\n\nGet Outlook for Android", "Ok", "mobile_signature_outlook_app"),
    ("samsung-nb", "Ja\n\nSendt fra min Samsung Galaxy-smarttelefon.", "Ja", "mobile_signature_nb"),
    (
        "sent-from-desk-is-not-a-signature",
        "Here is another email\n\nSent from my desk, is much easier than my mobile phone.",
        "Here is another email\n\nSent from my desk, is much easier than my mobile phone.",
        None,
    ),
    (
        "dashes-and-bullets-survive",
        "Status:\n\n- AR publisert\n- Partneravtaler ok\n* test i morgen\n\n"
        "-----\n=====\n----------\nHilsen Kari\n\n"
        + QUOTE,
        "Status:\n\n- AR publisert\n- Partneravtaler ok\n* test i morgen\n\n"
        "-----\n=====\n----------\nHilsen Kari",
        "quote_marker",
    ),
    (
        "inline-answers-kept",
        "Se svar.\n\nDen 1. mars 2027 kl. 08:00 skrev Ola <ola@hemit.no>:\n> Er AR publisert?\nJa.\n\n"
        "> Dato?\nOnsdag 10. mars.\n\n> Hilsen Ola\n",
        "Se svar.\n\nJa.\n\nOnsdag 10. mars.",
        "attribution_nb_kl_skrev",
    ),
    (
        "inline-answers-then-outlook-block",
        "> Er AR publisert?\nJa.\n\nFra: Ola\nSendt: 1. mars\nTil: Kari\nEmne: x\n\ngammel tekst",
        "Ja.",
        "quote_marker",
    ),
    (
        "fra-line-in-new-text-survives",
        "Fra: 1. mars gjelder ny dato.\nTil orientering.",
        "Fra: 1. mars gjelder ny dato.\nTil orientering.",
        None,
    ),
    (
        "signature-after-trailing-quote-kept",
        "Hi,\nA reply.\n\nOn Wed, May 25, 2016 at 3:13 PM <n@github.com> wrote:\n\n"
        "> LGTM\n>\n--\nMy signature",
        "Hi,\nA reply.\n\n--\nMy signature",
        "attribution_en_on_wrote",
    ),
    ("crlf-line-ends", "Ok\r\n\r\n-----Original Message-----\r\ntekst\r\n", "Ok", "outlook_original_en"),
]


@pytest.mark.parametrize(("text", "new_text", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cut_quotes(text: str, new_text: str, rule: str | None) -> None:
    """The new text is what the sender wrote now; the rule names what cut first."""
    cut = cut_quotes(text)
    assert (cut.new_text, cut.rule) == (new_text, rule)


@pytest.mark.parametrize(("text", "new_text", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_nothing_is_thrown_away(text: str, new_text: str, rule: str | None) -> None:
    """Every non-blank line of the input ends up in either the new text or the quoted text."""
    cut = cut_quotes(text)
    kept = [line for line in (cut.new_text + "\n" + cut.quoted_text).split("\n") if line.strip()]
    original = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    assert sorted(kept) == sorted(original)


@pytest.mark.parametrize(
    ("text", "new_text"),
    [
        (
            "Sender videre.\n\n---------- Forwarded message ---------\nFra: Ola\nDate: 1. mars\n" + BLOCK,
            "Sender videre.\n\n---------- Forwarded message ---------\nFra: Ola\nDate: 1. mars\n" + BLOCK,
        ),
        (
            "Se under.\n\nFra: Ragnhild\nSendt: 1. mars\nTil: Kjetil\nEmne: Bestilling\n\n" + BLOCK,
            "Se under.\n\nFra: Ragnhild\nSendt: 1. mars\nTil: Kjetil\nEmne: Bestilling\n\n" + BLOCK,
        ),
        (
            "Til dere.\n\nSendt fra min iPhone\n\nBegin forwarded message:\n\nFrom: Ola\n" + BLOCK,
            "Til dere.\n\nBegin forwarded message:\n\nFrom: Ola\n" + BLOCK,
        ),
        ("Bare tekst.", "Bare tekst."),
    ],
)
def test_keep_forwarded(text: str, new_text: str) -> None:
    """For a forwarded order the forwarded part stays in the new text; the forwarder's signature does not."""
    assert cut_quotes(text, keep_forwarded=True).new_text == new_text


def test_quoted_text_holds_the_cut_part() -> None:
    """The cut part is returned, starting at the quote header."""
    cut = cut_quotes("Ok\n\nFra: Bot\nSendt: 1. mars\nTil: Kari\nEmne: x\n\nSitat")
    assert cut.quoted_text.startswith("Fra: Bot") and cut.quoted_text.endswith("Sitat")


def _write_rules(tmp_path: Path, change: dict[str, Any]) -> Path:
    data = yaml.safe_load(QUOTES_FILE.read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "quotes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"patterns": [{"name": "bad", "kind": "separator", "regex": "(unclosed"}]}, "patterns.0.regex"),
        ({"patterns": [{"name": "x", "kind": "nonsense", "regex": "x"}]}, "patterns.0.kind"),
        ({"patterns": [{"name": "x", "kind": "separator", "regex": "x", "flags": "i"}]}, "patterns.0.flags"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_quote_rules_are_refused(tmp_path: Path, change: dict[str, Any], key: str) -> None:
    """A bad regex, an unknown kind or an unknown key in quotes.yaml is a RulesError naming the key."""
    with pytest.raises(RulesError) as caught:
        load_quote_rules(_write_rules(tmp_path, change))
    assert caught.value.key == key


def test_patterns_are_data(tmp_path: Path) -> None:
    """A separator added to quotes.yaml cuts without any code change."""
    data = yaml.safe_load(QUOTES_FILE.read_text(encoding="utf-8"))
    data["patterns"].append({"name": "house_style", "kind": "separator", "regex": r"^#{5} svar over #{5}$"})
    rules = load_quote_rules(_write_rules(tmp_path, {"patterns": data["patterns"]}))
    cut = cut_quotes("Ja\n##### svar over #####\ngammelt", rules=rules)
    assert (cut.new_text, cut.rule) == ("Ja", "house_style")
