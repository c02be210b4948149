"""Reading commands from realistic replies (SPEC §4): what counts, what must not, and which step."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import Role
from bot.intake.command_registry import CommandRules, load_command_rules
from bot.intake.reply_commands import ParsedCommand, read_command
from bot.routine.actions import Command
from bot.routine.plan import load_plan
from bot.rulefile import RULES_DIR

TODAY = date(2027, 1, 10)
SUBJECT = "SV: [OPK-3] Påminnelse: publisering i Adresseregisteret innen 01.02.2027"
AR, PA, TEST, DIALOG = "ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding"
C, D, N = Command.CONFIRM, Command.DEVIATION, Command.NEW_DATE

Expected = tuple[Command, str | None, tuple[str, ...], str, date | None] | None


@pytest.fixture(scope="module")
def rules() -> CommandRules:
    return load_command_rules(RULES_DIR, load_plan())


def summary(found: ParsedCommand | None) -> Expected:
    if found is None:
        return None
    return (found.command, found.step, found.parts, found.text, found.new_date)


def ok(step: str | None = None, *parts: str) -> Expected:
    return (C, step, parts, "", None)


CASES: list[tuple[str, str, str, Expected]] = [
    # --- confirmations in the text
    ("strong word then text", SUBJECT, "Bekreftet – tjenesten er publisert i AR i dag.", ok(AR)),
    ("bare ok", SUBJECT, "OK", ok()),
    ("ok with thanks", SUBJECT, "Ok, takk!", ok()),
    ("greeting line first", SUBJECT, "Hei,\n\nAR er publisert nå.\n\nMvh\nKari", ok(AR)),
    ("greeting on the same line", SUBJECT, "Hei Kari! Publisert i AR.", ok(AR)),
    ("lead words", SUBJECT, "Vi har publisert i Adresseregisteret", ok(AR)),
    ("nynorsk confirmation", SUBJECT, "Hei!\nNo er det publisert i AR.\nHelsing Per", ok(AR)),
    ("nynorsk stadfesta", SUBJECT, "Stadfesta.", ok()),
    ("english done", SUBJECT, "Done - published in AR", ok(AR)),
    ("without diacritics", SUBJECT, "Utfort", ok()),
    ("upper case", SUBJECT, "FERDIG MED TESTEN", ok(TEST)),
    ("weak word with a confirmation after it", SUBJECT, "Ja, AR er publisert.", ok(AR)),
    ("partner agreement one HF", SUBJECT, "Partneravtale St. Olavs hospital ok", ok(PA, "st_olav")),
    (
        "partner agreement HNT long name",
        SUBJECT,
        "Partneravtale med Helse Nord-Trøndelag er opprettet",
        ok(PA, "hnt"),
    ),
    ("partner agreement HMR without diacritics", SUBJECT, "partneravtale More og Romsdal: ok", ok(PA, "hmr")),
    ("HF name alone implies partneravtaler", SUBJECT, "HMR ok", ok(PA, "hmr")),
    ("partner agreements all", SUBJECT, "Partneravtaler med alle tre HF er opprettet.",
     ok(PA, "st_olav", "hnt", "hmr")),
    ("test messages", SUBJECT, "Testmeldinger OK – apprec mottatt fra alle.", ok(TEST)),
    ("epikrise names the test step", SUBJECT, "Bekreftet: epikrise og apprec mottatt", ok(TEST)),
    ("verifisert means dialogmelding", SUBJECT, "Verifisert", ok(DIALOG)),
    ("dialogmelding named", SUBJECT, "Dialogmelding besvart og verifisert", ok(DIALOG)),
    ("dialogmelding first", SUBJECT, "Dialogmelding verifisert.", ok(DIALOG)),
    (
        "bullet list then command",
        SUBJECT,
        "Status hos oss:\n- HER-id 8142326 er lagt inn\n- meldingstyper: PLO 1.6\n\nFerdig.",
        ok(),
    ),
    ("command as a bullet", SUBJECT, "Hei\n\n- publisert i AR\n- partneravtaler kommer", ok(AR)),
    ("no problem is not a negation", SUBJECT, "Bekreftet, ikke noe avvik.", ok()),
    # --- must not confirm
    ("negation bokmål", SUBJECT, "Jeg er ikke ferdig ennå", None),
    ("negation short", SUBJECT, "Ikke publisert", None),
    ("negation nynorsk", SUBJECT, "Vi er ikkje ferdige", None),
    ("negation english", SUBJECT, "Not done yet", None),
    ("ok followed by a negation", SUBJECT, "OK – men ikke publisert ennå", None),
    ("question", SUBJECT, "Er dere ferdig med testen?", None),
    ("one-word question", SUBJECT, "Publisert?", None),
    ("weak word opening a sentence", SUBJECT, "Ja, vi kommer på møtet torsdag.", None),
    ("ok inside a sentence", SUBJECT, "Det er ok for oss å flytte datoen.", None),
    ("future tense", SUBJECT, "Vi blir ferdig i morgen.", None),
    ("confirm word later in prose", SUBJECT, "Når vi har publisert i AR, sier vi fra.", None),
    ("greeting only", SUBJECT, "Hei,\n\nTakk for info.\n\nMvh\nOla", None),
    ("command beyond ten lines", SUBJECT, "\n".join(f"Linje {n}" for n in range(10)) + "\nFerdig", None),
    ("deviation without colon is prose", SUBJECT, "Avvik i testperioden må meldes Hemit.", None),
    # --- subject
    ("subject only command", "SV: [OPK-3] publisert", "Hei,\n\nse vedlegg.", ok(AR)),
    ("subject with several prefixes", "RE: SV:[OPK-3] AR ok", "", ok(AR)),
    ("subject status", "Re: [OPK-12] Status?", "", (Command.STATUS, None, (), "", None)),
    # A coordinator with no bot mail to answer writes a new mail naming the case.
    ("new mail: status OPK-n subject", "status OPK-12", "", (Command.STATUS, None, (), "", None)),
    ("new mail: status [OPK-n] line", "Sak", "Status [OPK-12]\n", (Command.STATUS, None, (), "", None)),
    ("a case ref does not make other words bare", "status OPK-12 og mer", "", None),
    ("godkjenn kontakt", SUBJECT, "Godkjenn kontakt.\n", (Command.APPROVE_CONTACT, None, (), "", None)),
    ("godkjent is a confirmation, not an approval", SUBJECT, "Godkjent\n", ok()),
    ("bot's reminder subject is not a command", SUBJECT, "Takk for påminnelsen.", None),
    ("bot's subject with a confirm word after text", "SV: [OPK-3] Steg bekreftet: AR", "Takk", None),
    ("bot's subject starting with a confirm word", "SV: [OPK-3] Bekreftet: publisering i AR", "", None),
    ("subject avvik is not read", "SV: [OPK-3] Avvik: testmelding feilet", "Takk, vi ser på det.", None),
    ("body wins over subject", "SV: [OPK-3] publisert", "Status", (Command.STATUS, None, (), "", None)),
    # --- avvik
    (
        "avvik one line",
        SUBJECT,
        "Avvik: apprec mangler fra St. Olav",
        (D, None, (), "apprec mangler fra St. Olav", None),
    ),
    (
        "avvik spans the paragraph",
        SUBJECT,
        "Hei\n\navvik: testepikrise avvist\nfeil HER-id 8142326\n\nMvh",
        (D, None, (), "testepikrise avvist\nfeil HER-id 8142326", None),
    ),
    (
        "avvik text on the next lines",
        SUBJECT,
        "Avvik:\nTransportkvittering mangler.",
        (D, None, (), "Transportkvittering mangler.", None),
    ),
    ("english deviation", SUBJECT, "Deviation: no apprec", (D, None, (), "no apprec", None)),
    # --- ny dato
    ("ny dato numeric", SUBJECT, "Ny dato: 15.03.2027", (N, None, (), "", date(2027, 3, 15))),
    ("ny dato short year", SUBJECT, "ny dato: 15.3.27", (N, None, (), "", date(2027, 3, 15))),
    ("ny dato slash dash", SUBJECT, "Ny dato: 15/3-2027", (N, None, (), "", date(2027, 3, 15))),
    ("ny dato month name", SUBJECT, "ny dato: mandag 15. mars 2027", (N, None, (), "", date(2027, 3, 15))),
    ("ny dato ISO", SUBJECT, "new date: 2027-03-15", (N, None, (), "", date(2027, 3, 15))),
    (
        "nytt tidspunkt without colon",
        SUBJECT,
        "Nytt tidspunkt 15. mars",
        (N, None, (), "", date(2027, 3, 15)),
    ),
    ("ny dato unreadable", SUBJECT, "Ny dato: etter påske", (N, None, (), "", None)),
    ("ny dato impossible", SUBJECT, "Ny dato: 30.02.2027", (N, None, (), "", None)),
    ("ny dato in prose is not a command", SUBJECT, "Ny dato kommer vi tilbake til.", None),
    # --- the simple commands
    ("status question", SUBJECT, "Status på saken?", (Command.STATUS, None, (), "", None)),
    ("cancel", SUBJECT, "Hei,\nAvbryt saken.", (Command.CANCEL, None, (), "", None)),
    ("cancel english", SUBJECT, "cancel", (Command.CANCEL, None, (), "", None)),
    ("cancel inside prose is not a command", SUBJECT, "Avbryt ikke saken, vi trenger bare mer tid.", None),
    ("help", SUBJECT, "hjelp", (Command.HELP, None, (), "", None)),
    ("help question mark", SUBJECT, "?", (Command.HELP, None, (), "", None)),
]


@pytest.mark.parametrize(("subject", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_command(rules: CommandRules, subject: str, text: str, expected: Expected) -> None:
    """Each realistic reply yields exactly the expected command, or none."""
    assert summary(read_command(subject, text, rules, today=TODAY)) == expected


def test_sentence_and_all_hospitals_are_kept(rules: CommandRules) -> None:
    """The sentence read is kept as written, and every HF named in it is listed."""
    found = read_command("", "Hei!\n  St. Olav og HNT: ok  \n", rules, today=TODAY)
    assert found is not None
    assert (found.sentence, found.parts) == ("St. Olav og HNT: ok", ("st_olav", "hnt"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("15.02.2027", date(2027, 2, 15)),
        ("15.2.27", date(2027, 2, 15)),
        ("15/2-2027", date(2027, 2, 15)),
        ("15. februar 2027", date(2027, 2, 15)),
        ("mandag 15. februar", date(2027, 2, 15)),
        ("2027-02-15", date(2027, 2, 15)),
        ("5. januar", date(2028, 1, 5)),
        ("15. mars 2027 (var 01.03.2027)", date(2027, 3, 15)),
        ("snart", None),
        ("31.04.2027", None),
    ],
)
def test_new_date_forms(rules: CommandRules, written: str, expected: date | None) -> None:
    """ny dato reads Norwegian date forms; a day without a year is the next such day from today."""
    found = read_command("", f"ny dato: {written}", rules, today=TODAY)
    assert found is not None
    assert (found.command, found.new_date) == (N, expected)


@pytest.mark.parametrize("command", list(Command))
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.KOMMUNE, Role.STRANGER])
def test_who_may_use_a_command_is_its_roles(rules: CommandRules, command: Command, role: Role) -> None:
    """The roles the hjelp text advertises (rules/commands.yaml) are exactly who intake lets use a command."""
    spec = next(c for c in rules.spec.commands if c.name == command)
    refusal = rules.refusal(command, role)
    assert (refusal is None) is (role in spec.roles)
    if refusal is not None:
        assert refusal.startswith("Bare ") and spec.usage in refusal


def test_the_kommune_confirms_the_steps_routine_yaml_gives_it(rules: CommandRules) -> None:
    """Who confirms which step is `confirmed_by` in routine.yaml: by default the kommune confirms its own steps."""
    assert rules.kommune_confirms == ("ar_publisering",)
