"""Replies as people write them (issue 13): confirmations in sentences, and the many that must change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.intake.command_registry import CommandRules, load_command_rules
from bot.intake.quotes import cut_quotes, load_quote_rules
from bot.intake.reply_commands import read_command
from bot.routine.plan import load_plan
from bot.rulefile import RULES_DIR

TODAY = date(2027, 3, 1)
AR, PA, TEST, DIALOG = "ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding"
ALL = ("st_olav", "hnt", "hmr")
SUBJECT = "SV: [OPK-3] Frøya kommune: Påminnelse: Publisering i Adresseregisteret innen 15.03.2027 16:00"
OUTLOOK = ("\n\nFra: Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\nSendt: mandag 1. mars 2027 08:00\n"
           "Til: Kari Nilsen <kari.nilsen@froya.kommune.no>\nEmne: [OPK-3] Frøya kommune: Påminnelse\n\n"
           "Hei!\n\nHusk å publisere kommunikasjonsparten i Adresseregisteret. Svar «publisert» når det er gjort.\n")
GMAIL = ("\n\nman. 1. mar. 2027 kl. 08:00 skrev Oppkoblingsbot <\nmeldingsansvarlig@helse-midt.no>:\n\n"
         "> Hei!\n> Husk å publisere i AR. Svar «publisert» når det er gjort.\n")

Expected = tuple[str, str | None, tuple[str, ...]] | None


def c(step: str | None = None, *parts: str) -> Expected:
    return ("confirm", step, parts)


def other(name: str, step: str | None = None, *parts: str) -> Expected:
    return (name, step, parts)


# (id, reply text as sent (quotes included), what it says). Written as kommune IT staff and HF/Hemit
# coordinators write: greetings, sign-offs, typos, nynorsk, text without æøå, a few in English.
CONFIRMS: list[tuple[str, str, Expected]] = [
    ("greeting first", "Hei!\n\nDette er nå publisert i AR.\n\nMvh Ingrid", c(AR)),
    ("god morgen then sentence", "God morgen. Tjenesten ligger nå ute i AR.", c(AR)),
    ("partner agreement registered", "Partneravtale mot Helse Nord-Trøndelag er registrert", c(PA, "hnt")),
    ("receipts came back", "Apprec og transportkvittering kom tilbake som de skulle", c(TEST)),
    ("nynorsk lagt ut", "Hei\nVi har no lagt ut tenestene.\nHelsing Per", c(AR)),
    ("long signature", "Hei Kari,\n\nvi har publisert PLO og dialogmelding i adresseregisteret i dag.\n\n"
     "Med vennlig hilsen\nTone Berg\nIT-konsulent\nFrøya kommune\nTlf 72 00 00 00", c(AR)),
    ("implicit da er det gjort", "Da er det gjort :)", c()),
    ("implicit ordnet with thanks", "Det er ordnet nå, takk for påminnelsen.", c()),
    ("typo in the verb", "Hei, publsert i AR nå", c(AR)),
    ("label and date", "Hei,\nAR: publisert 12.03.\nMvh Jan", c(AR)),
    ("offer after the confirmation", "Tjenestene er publisert i NHN adresseregisteret nå. Gi beskjed om dere "
     "trenger noe mer fra oss.", c(AR)),
    ("apology first", "Hei. Beklager sent svar! Publiseringen i AR ble gjort i går.", c(AR)),
    ("all lower case", "hei. alt er publisert og på plass i adresseregisteret", c(AR)),
    ("ja then statement", "Ja, det er publisert nå.", c(AR)),
    ("exclamation and sign-off", "Publisert! Hilsen Marit", c(AR)),
    ("english address register", "We have published the services in the address register today.", c(AR)),
    ("english implicit", "Hi, this is done now.\n\nRegards,\nErik", c()),
    ("kan bekrefte at", "Vi kan bekrefte at tjenesten er publisert i AR.", c(AR)),
    ("nynorsk ligg ute", "Nå ligg tenestene ute i adresseregisteret.", c(AR)),
    ("nynorsk two clauses", "Tenesta er publisert, og HER-id 8142326 er lagt inn.", c(AR)),
    ("without æøå", "Hei! Na er tjenesten publisert i adresseregisteret. Mvh Kjetil", c(AR)),
    ("two trusts, one remaining", "Partneravtalene med St. Olav og HMR er opprettet. HNT gjenstår.",
     c(PA, "st_olav", "hmr")),
    ("all three HF", "Partneravtale opprettet for alle tre HF.", c(PA, *ALL)),
    ("one trust på plass", "Hei! Partneravtale med St. Olavs hospital er på plass.", c(PA, "st_olav")),
    ("trust ok", "HNT ok", c(PA, "hnt")),
    ("nynorsk oppretta", "Avtalen med Helse Møre og Romsdal er oppretta no.", c(PA, "hmr")),
    ("english two trusts, third later", "Partner agreements with St Olav and HNT are set up, HMR will follow "
     "next week.", c(PA, "st_olav", "hnt")),
    ("tests arrived with apprec", "Testmeldingene kom fram med positiv apprec fra kommunen.", c(TEST)),
    ("tests sent and received", "Testepikrise og lab sendt, apprec og transportkvittering mottatt. Alt ok.",
     c(TEST)),
    ("apprec received", "Apprec mottatt for begge testmeldingene.", c(TEST)),
    ("test ok", "Test OK", c(TEST)),
    ("tests went fine", "Hei, testene gikk fint.\nMvh Hemit", c(TEST)),
    ("english tests", "Test messages went through, apprec received.", c(TEST)),
    ("dialog answered and verified", "Dialogmeldingen er besvart og verifisert.", c(DIALOG)),
    ("kommune answered the dialog", "Kommunen svarte på testdialogmeldingen kl 10.15, alt ser bra ut.",
     c(DIALOG)),
    ("verifisert alone", "Verifisert.", c(DIALOG)),
    ("coordinator checked AR", "Jeg har sjekket AR, tjenesten er publisert.", c(AR)),
    ("ferdig med testen", "Ferdig med testen.", c(TEST)),
    ("bare ok", "OK", c()),
    ("ok with thanks", "Ok, takk!", c()),
    ("bare ja lower case", "ja", c()),
    ("bekreftet with dash", "Bekreftet – alt er på plass.", c()),
    ("hei igjen", "Hei igjen, nå er publiseringen fullført.", c(AR)),
    ("outlook quote below", "Publisert i AR nå." + OUTLOOK, c(AR)),
    ("gmail quote below", "Det er gjort." + GMAIL, c()),
    ("english live", "All done, the service is live in AR.", c(AR)),
    ("done dash published", "Done - published in AR", c(AR)),
    ("nynorsk ordna", "Hei\nDette er ordna i AR no\nHelsing\nOla", c(AR)),
    ("both services", "Vi har lagt ut begge tjenestene i AR i dag.", c(AR)),
    ("på plass i AR", "Dette er nå på plass i Adresseregisteret." + OUTLOOK, c(AR)),
    ("no problem after", "Testmeldinger OK, ingen avvik.", c(TEST)),
    ("condition offered after", "Dette er publisert nå. Hvis dere ser noe feil, si fra.", c(AR)),
    ("two trusts but one", "Partneravtalene med St. Olav og HNT er opprettet, bortsett fra HMR.",
     c(PA, "st_olav", "hnt")),
    ("fikset", "Fikset!", c()),
    ("thanks in the same sentence", "Det er publisert, takk for tålmodigheten.", c(AR)),
    ("greeting on its own line, typo in AR word", "Hei Kari\nAdresseregistert er oppdatert og tjenesten er "
     "publisert.", c(AR)),
]

NOTHING: list[tuple[str, str, Expected]] = [
    # "på plass" with no step named may be about anything else that is in place.
    ("something else in place", "Hei. Vi har vakter på plass fra kl. 08 på testdagen.", None),
    ("english something else in place", "We will have staff in place on Monday morning.", None),
    # A problem report that asks for help wants a person, not the list of commands.
    ("problem then asks for help", "Publiseringen feiler med en feilmelding. Kan dere hjelpe oss? Hjelp?", None),
    ("english problem asks help", "The upload to the address register fails with an error. Can you help?", None),
    ("rekker ikke", "Vi rekker ikke å publisere før fredag", None),
    ("question legevakt", "Skal vi publisere for legevakten også?", None),
    ("problem henger", "Publiseringen henger, vi får en feil", None),
    ("condition", "Hvis dere trenger det, kan vi publisere i dag", None),
    ("not yet", "Hei, vi har ikke fått publisert ennå. Kommer tilbake til dere.", None),
    ("passive future blir", "Tjenesten blir publisert i løpet av uka.", None),
    ("passive future skal -es", "Dette skal publiseres i morgen.", None),
    ("present for future", "Vi publiserer på fredag.", None),
    ("skal være then question", "Det skal være publisert nå, men kan dere sjekke?", None),
    ("question mark", "Er det publisert nå?", None),
    ("question without mark", "Er det publisert nå", None),
    ("how question", "Hvordan publiserer vi i AR?", None),
    ("error when publishing", "Vi får feilmelding når vi prøver å publisere i AR.", None),
    ("publisert? nei", "Publisert? Nei, ikke ennå.", None),
    ("nynorsk ikkje enno", "Nei, ikkje publisert enno.", None),
    ("nynorsk held på", "Vi held på med publiseringa.", None),
    ("not looked at", "Vi har ikke rukket å se på dette.", None),
    ("thanks", "Takk for info!", None),
    ("thanks then plan", "Takk for påminnelse. Vi ser på det i morgen.", None),
    ("ok then plan", "Ok, takk. Vi tar det i morgen.", None),
    ("ok then present plan", "Ok, vi publiserer i løpet av dagen.", None),
    ("doubt tror", "Jeg tror det er publisert, men er ikke helt sikker.", None),
    ("doubt burde", "Det burde være publisert, kan dere sjekke?", None),
    ("one of two", "Vi har publisert den ene tjenesten, den andre kommer.", None),
    ("only legevakt", "Bare legevakten er publisert foreløpig.", None),
    ("when we have published", "Når vi har publisert, gir vi beskjed.", None),
    ("tell you when", "Vi gir beskjed når det er publisert.", None),
    ("condition bekrefter", "Dersom dere bekrefter HER-id, publiserer vi.", None),
    ("planned", "Publisering i AR er planlagt til 14.03.", None),
    ("english not yet", "Not published yet, sorry.", None),
    ("english will", "We will publish it tomorrow.", None),
    ("english question", "Is it enough to publish the main service?", None),
    ("english condition", "If you need it we can publish today.", None),
    ("pa not yet", "Partneravtale med HNT er ikke opprettet ennå.", None),
    ("pa next week", "Partneravtalene opprettes neste uke.", None),
    ("tests sent thursday", "Testmeldingene sendes torsdag.", None),
    ("apprec rejected", "Apprec ble avvist med feil HER-id.", None),
    ("no apprec", "Vi har ikke fått apprec på testepikrisen.", None),
    ("dialog not answered", "Dialogmeldingen er ikke besvart.", None),
    ("out of office by hand", "Hei. Jeg er ute av kontoret til 15. mars.", None),
    ("move test day", "Kan vi flytte testdagen til neste uke?", None),
    ("who to contact", "Hvem skal vi kontakte hos Hemit?", None),
    ("thanks for the confirmation", "Takk for bekreftelsen!", None),
    ("new contact", "Hei, vi har fått ny kontaktperson: Per Hansen, per@frosta.kommune.no", None),
    ("a change, question", "Vi har gjort en endring i AR, kan dere se på det?", None),
    ("ikke publisert", "Ikke publisert.", None),
    ("nynorsk problem", "Publiseringa stoppar på HER-id, vi får ei feilmelding.", None),
    ("ja to a meeting", "Ja, vi kommer på møtet.", None),
    ("tried but failed", "Vi prøvde å publisere, men det gikk ikke.", None),
    ("part not done", "Publisert i AR, men vi har ikke lagt inn legevakten ennå", None),
    ("question without mark har dere", "Har dere mottatt apprec", None),
    ("ok then later", "OK\n\nVi ser på dette etter helga.", None),
    ("published but not visible", "Vi har publisert, men tjenesten vises ikke i søket.", None),
    ("test environment only", "Publisert i testmiljøet, produksjon kommer.", None),
    ("regner med", "Hei! Vi regner med å være ferdig med publisering i morgen.", None),
    ("did not go through", "Publiseringen gikk ikke gjennom.", None),
    ("english tests not arrived", "The test messages have not arrived yet.", None),
    ("almost", "Nesten ferdig, mangler bare én tjeneste.", None),
    ("ser ut til, question", "Ser ut til at det er publisert nå?", None),
    ("asks to be told", "Hei, kan dere gi beskjed når partneravtalene er opprettet?", None),
    ("typo in the negation", "Vi har ikek publisert enda", None),
    ("without æøå, not yet", "Hei, det er ikke publisert enna. Mvh Geir", None),
    ("quoted confirmation only", "Takk." + OUTLOOK, None),
    ("english except", "Done, except for the lab service.", None),
    ("all but one trust, none named done", "Partneravtalene er opprettet, bortsett fra HMR.", None),
    ("a problem reported after", "Dette er publisert nå. Vi får en feilmelding i EPJ.", None),
    ("ordered from the vendor", "Publiseringen er bestilt hos leverandøren.", None),
    ("hearsay with skal", "Leverandøren skal ha publisert det.", None),
    ("acknowledged only", "Mottatt, takk.", None),
    ("english by friday", "Done by Friday.", None),
]

OTHERS: list[tuple[str, str, Expected]] = [
    ("avvik", "avvik: apprec mangler fra St. Olav", other("deviation")),
    ("ny dato", "Hei,\nny dato: 15.04.2027\nMvh", other("new_date")),
    ("status", "Status?", other("status")),
    ("gjenåpne AR", "gjenåpne AR", other("reopen", AR)),
    ("angre alone", "Angre", other("reopen")),
    ("angre in a question", "Kan du angre bekreftelsen? Dialogmeldingen er ikke besvart likevel.",
     other("reopen")),
    ("gjenåpne one trust", "Gjenåpne partneravtale HNT, avtalen var feil.", other("reopen", PA, "hnt")),
    ("ikke angre", "Ikke angre, det stemmer.", None),
    ("status asked", "Hei! Hva er status på saken?", other("status")),
    ("help asked", "Hvilke kommandoer kan jeg bruke?", other("help")),
    ("polite cancel", "Vennligst avbryt saken.", other("cancel")),
    ("angre på is regret", "Vi angrer på at vi ikke publiserte tidligere.", None),
]


@pytest.fixture(scope="module")
def rules() -> CommandRules:
    return load_command_rules(RULES_DIR, load_plan())


QUOTES = load_quote_rules()


def reading(text: str, rules: CommandRules) -> Expected:
    found = read_command(SUBJECT, cut_quotes(text, rules=QUOTES).new_text, rules, today=TODAY)
    return None if found is None else (found.command.value, found.step, found.parts)


TABLE = CONFIRMS + NOTHING + OTHERS


@pytest.mark.parametrize(("text", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_reply(rules: CommandRules, text: str, expected: Expected) -> None:
    """Each reply is read as a person reads it: the step it says is done, or nothing."""
    assert reading(text, rules) == expected


def test_the_table_is_large_and_half_changes_nothing() -> None:
    """At least 80 replies, about half of them must change nothing (issue 13)."""
    assert len(TABLE) >= 80 and abs(len(NOTHING) - len(CONFIRMS)) <= len(TABLE) // 5


def test_no_wrong_confirmation(rules: CommandRules) -> None:
    """No reply is read as confirming a step (or trust) it does not confirm: the costly error."""
    wrong = [name for name, text, expected in TABLE
             if (got := reading(text, rules)) is not None and got[0] in ("confirm", "reopen") and got != expected]
    assert wrong == []


def test_the_sentence_read_is_kept(rules: CommandRules) -> None:
    """The command carries the sentence it was read from, as written, for the answer to quote."""
    found = read_command(SUBJECT, "Hei!\n\nDette er nå publisert i AR.\n\nMvh Ingrid", rules, today=TODAY)
    assert found is not None and found.sentence == "Dette er nå publisert i AR."
