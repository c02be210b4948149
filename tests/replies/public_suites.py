"""Reply-trimming cases paraphrased from the public test suites of discourse/email_reply_trimmer, mailgun/talon,
github/email_reply_parser and crisp-oss/email-reply-parser (issue 13).

Each case keeps the STRUCTURE of one of their fixtures (which client, where the quote starts, how the attribution
wraps, what the signature looks like) with text of our own. The expected new text follows this project's rule:
the sender's greeting and message lines; quotes, attribution lines, sign-offs and signatures cut. Where a
suite keeps a sign-off ("Regards, Roman"), we cut it; where a signature has no closing and no "-- ", we keep it
(nothing says where the message ends, and new text must never be lost).

`python -m tests.replies.public_suites` prints the figure.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bot.intake.quotes import cut_quotes, load_quote_rules
from bot.intake.signatures import cut_sign_off, load_signature_rules

MSG = "Vi har publisert tjenesten i AR nå.\nHER-id 8142326 er lagt inn for hjemmetjenesten."
EN = "The service is published in the address register now.\nThe HER id is registered for home care."
BOT_QUOTE = "> Hei!\n>\n> Husk å publisere tjenesten i Adresseregisteret.\n>\n> Hilsen\n> Oppkoblingsboten"
BOT_PLAIN = "Hei!\n\nHusk å publisere tjenesten i Adresseregisteret.\n\nHilsen\nOppkoblingsboten"


@dataclass(frozen=True)
class Case:
    suite: str  # whose fixture it paraphrases
    name: str
    text: str  # the message body as the client wrote it
    expected: str  # the new text a good trimmer keeps


def _c(suite: str, name: str, text: str, expected: str = MSG) -> Case:
    return Case(suite, name, text, expected)


D, T, G, C = "discourse", "talon", "github", "crisp"

CASES: list[Case] = [
    # --- discourse/email_reply_trimmer: mobile signatures in many languages, one per reply
    *(_c(D, f"mobile signature {i}", f"{MSG}\n\n{sig}\n") for i, sig in enumerate([
        "Envoyé depuis mon iPhone",
        "Von meinem Mobilgerät gesendet",
        "Diese Nachricht wurde von meinem Android-Mobiltelefon mit K-9 Mail gesendet.",
        "Sent via mobile",
        "Sent with Airmail",
        "Sent from Mailbox for iPad",
        "Sent from Yahoo Mail on Android",
        "Sent from my cell, please excuse any typos.",
        "(sent from a phone)",
        "Get Outlook for iOShttps://aka.ms/o0ukef",
        "Sendt fra min iPhone",
        "Sendt fra min Samsung Galaxy-smarttelefon.",
        "Hentet fra Outlook for Android",
        "Skickat från min iPhone",
        "Inviato da iPhone",
        "Enviado desde mi iPhone",
        "Verstuurd vanaf mijn iPhone",
        "Sendt fra E-post for Windows",
    ], start=1)),
    _c(D, "delimiter inside the new text", "Status hos oss:\n\n---\n\n- AR: publisert\n- HER-id: 8142326\n\n"
       "Mvh Kari", "Status hos oss:\n\n---\n\n- AR: publisert\n- HER-id: 8142326"),
    _c(D, "delimiter before a forwarded message", f"{MSG}\n\n--\n\n---------- Forwarded message ---------\n"
       "From: Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\nDate: Mon, 1 Mar 2027 at 08:00\nSubject: x\n\n"
       f"{BOT_PLAIN}\n"),
    _c(D, "lone bullet is not a separator", "Punkter:\n\n-\n- AR er publisert\n- HER-id er lagt inn",
       "Punkter:\n\n-\n- AR er publisert\n- HER-id er lagt inn"),
    _c(D, "bullet list reply", "Svar på spørsmålene:\n\n* Ja, AR er publisert\n* Nei, ingen lab\n\n"
       "Den 01.03.2027 08:00, skrev Oppkoblingsbot:\n" + BOT_QUOTE,
       "Svar på spørsmålene:\n\n* Ja, AR er publisert\n* Nei, ingen lab"),
    _c(D, "inline image before the reply", f"[image: logo.png]\n\n{MSG}\n\nOn Mon, Mar 1, 2027 at 8:00 AM "
       "Oppkoblingsbot <meldingsansvarlig@helse-midt.no> wrote:\n\n" + BOT_QUOTE,
       f"[image: logo.png]\n\n{MSG}"),
    _c(D, "on date someone wrote with a time", f"{MSG}\n\nOn Wed, Mar 3, 2027, at 03:57 PM, kari.nilsen wrote:\n"
       + BOT_QUOTE),
    _c(D, "on date someone via list wrote", f"{MSG}\n\nOn Thursday, March 4, 2027, Oppkoblingsbot via Hemit "
       "wrote:\n\n" + BOT_QUOTE),
    _c(D, "dutch het volgende geschreven", f"{MSG}\n\nOp 4 mrt. 2027 om 16:48 heeft Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> het volgende geschreven:\n\n" + BOT_QUOTE),
    _c(D, "french a ecrit with space", f"{MSG}\n\nLe 4 mars 2027 19:03, \"Oppkoblingsbot\" "
       "<meldingsansvarlig@helse-midt.no> a écrit :\n\n" + BOT_QUOTE),
    _c(D, "polish napisal", f"{MSG}\n\nDnia 4 mar 2027 o godz. 00:25 Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> napisał(a):\n\n" + BOT_QUOTE),
    _c(D, "portuguese escreveu", f"{MSG}\n\nEm seg, 1 de mar de 2027 17:13, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> escreveu:\n\n" + BOT_QUOTE),
    _c(D, "spanish escribio", f"{MSG}\n\nEl lunes, 1 de marzo de 2027, Oppkoblingsbot escribió:\n\n" + BOT_QUOTE),
    _c(D, "norwegian den kl skrev", f"{MSG}\n\nDen 1. mar. 2027 kl. 20.42 skrev Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(D, "norwegian weekday kl skrev", f"{MSG}\n\nsøn. 28. feb. 2027 kl. 00.26 skrev Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(D, "iso date gmt someone", f"{MSG}\n\n2027-03-01 0:17 GMT+01:00 Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(D, "dashes on date wrote dashes", f"{MSG}\n\n---- On Mon, 01 Mar 2027 14:17:36 +0100 Oppkoblingsbot"
       "<meldingsansvarlig@helse-midt.no> wrote ----\n\n" + BOT_PLAIN),
    _c(D, "german schrieb am um uhr", f"{MSG}\n\nOppkoblingsbot <meldingsansvarlig@helse-midt.no> schrieb am Mo., "
       "1. März 2027 um 11:53 Uhr:\n\n" + BOT_QUOTE),
    _c(D, "bold original message", f"{MSG}\n\n*----- Original Message -----*\nFrom: Oppkoblingsbot\n"
       "Sent: Monday, March 1, 2027 8:00 AM\nTo: Kari\nSubject: x\n\n" + BOT_PLAIN),
    _c(D, "german header block", f"{MSG}\n\nVon: Oppkoblingsbot [mailto:meldingsansvarlig@helse-midt.no]\n"
       "Gesendet: Montag, 1. März 2027 08:00\nAn: Kari Nilsen\nBetreff: Publisering\n\n" + BOT_PLAIN),
    _c(D, "complete quote at the end, no text after", f"{MSG}\n\nAm 01.03.2027 um 08:00 schrieb Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE + "\n"),
    # --- mailgun/talon
    _c(T, "on date somebody wrote", f"{MSG}\n\nOn 1-Mar-2027, at 6:54 PM, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> wrote:\n\n>\n> Husk AR\n>\n> Boten"),
    _c(T, "samsung signature glued to attribution", f"{MSG}\n\nSent from Samsung MobileOppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> wrote:\n\n>\n> Husk AR\n>\n> Boten"),
    _c(T, "dutch schreef without quote marks", f"{MSG}\n\nOp 01-03-2027 3:18 schreef Oppkoblingsbot "
       f"<meldingsansvarlig@helse-midt.no>:\n\n{BOT_PLAIN}\n"),
    _c(T, "date with slashes", f"{MSG}\n\nOn 03/01/2027 07:10 AM, Oppkoblingsbot wrote:\n\n>\n> Husk AR.\n>\n> Boten"),
    _c(T, "iso date wrapped before the address", f"{MSG}\n\n2027-03-01 11:28 GMT+01:00 Oppkoblingsbot <\n"
       "meldingsansvarlig@helse-midt.no>:\n\n> Husk AR\n>\n"),
    _c(T, "attribution with a space in front, wrapped", f"{MSG}\n On Mar 1, 2027 9:59 AM, \"Oppkoblingsbot\" <\n"
       "meldingsansvarlig+opk-3@helse-midt.no> wrote:\n\n\n>**\n>  Husk AR"),
    _c(T, "somebody sent", f"{MSG}\n\nOn 1-Mar-2027, at 6:54 PM, Oppkoblingsbot <meldingsansvarlig@helse-midt.no> "
       "sent:\n\n>\n> Husk AR\n>\n> Boten"),
    _c(T, "a line that starts with On is text", "Vi har publisert.\nOn-call: Kari har vakt i helgen.",
       "Vi har publisert.\nOn-call: Kari har vakt i helgen."),
    _c(T, "original message english", f"{MSG}\n\n-----Original Message-----\n\n{BOT_PLAIN}"),
    _c(T, "reply message", f"{MSG}\n\n-----Reply Message-----\n\n{BOT_PLAIN}"),
    _c(T, "german urspruengliche nachricht", f"{MSG}\n\n-----Ursprüngliche Nachricht-----\n\n{BOT_PLAIN}"),
    _c(T, "german antwort nachricht", f"{MSG}\n\n-----Antwort Nachricht-----\n\n{BOT_PLAIN}"),
    _c(T, "danish oprindelig meddelelse", f"{MSG}\n\n-----Oprindelig meddelelse-----\n\n{BOT_PLAIN}"),
    _c(T, "reply after the quotation", "On 03/01/2027 07:10 AM, Oppkoblingsbot wrote:\n\n>\n> Husk AR\n"
       "Publisert i AR nå.", "Publisert i AR nå."),
    _c(T, "reply wraps the quotation, sign-off below", f"{MSG}\n\nOn 03/01/2027 07:10 AM, Oppkoblingsbot wrote:\n\n"
       ">\n> Husk AR\n\nRegards, Kari"),
    _c(T, "nested quotations, sign-off below", f"{MSG}\nOn 03/01/2027 07:10 AM, Oppkoblingsbot wrote:\n\n"
       ">Husk AR\n>On 02/22/2027 07:10 AM, Oppkoblingsbot wrote:\n>\n>>\n>> Bestilling mottatt.\n>>\n>> Boten\n\n"
       "Mvh Kari"),
    _c(T, "attribution over two lines", f"{MSG}\n\nOn Fri, Mar 5, 2027 at 6:03 PM, Oppkoblingsbot from Helse Midt\n"
       "<meldingsansvarlig@helse-midt.no> wrote:\n\n> Husk AR.\n>\n> Boten\n\nHilsen Kari"),
    _c(T, "attribution over three lines", f"{MSG}\n\nOn Mar 1, 2027, at 12:47 PM, Oppkoblingsbot <\n"
       "meldingsansvarlig+opk-3-reminder-7f1b094ceb90e18cca93@helse-midt.no>\nwrote:\n\nHusk AR\n"),
    _c(T, "short quotation", "Hei\n\nOn 03/01/2027 07:10 AM, Oppkoblingsbot wrote:\n\n> Hei", "Hei"),
    _c(T, "dashes on date wrote dashes", f"{MSG}\n\n------On 03/01/2027 17:32 PM, Oppkoblingsbot wrote-----\n\n"
       f"{BOT_PLAIN}\n"),
    _c(T, "quotation with unquoted nested reply", f"{MSG}\n\nOn Mon, Mar 1, 2027 at 12:42 PM -0800, \"Hemit\" "
       "<post@hemit.no> wrote:\n\nHei Kari,\nHar dere publisert?\nTakk, Ola\n\nOn Feb 27, 2027, at 11:55 AM, Kari "
       "<kari@malvik.kommune.no> wrote:\n\nSnart.\nKari\n\nSent from Acompli"),
    _c(T, "date and address with unicode name", f"{MSG}\n2027/3/1 Oppkoblingsbot Hålogaland <meldingsansvarlig"
       "@helse-midt.no>\n\n>  Husk AR"),
    _c(T, "english from block", f"{MSG}\n\nFrom: meldingsansvarlig@helse-midt.no\nSent: March-01-27 5:42 PM\n"
       f"To: Kari\nSubject: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(T, "french from block with mailto", f"{MSG}\n\nDe : Oppkoblingsbot [mailto:meldingsansvarlig@helse-midt.no]\n"
       f"Envoyé : lundi 1 mars 2027 16:39\nÀ : Kari Nilsen\nObjet : Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(T, "french attribution with mailto", f"{MSG}\n\nLe 1 mars 2027 à 22:03, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no<mailto:meldingsansvarlig@helse-midt.no>> a écrit:\n\nHei!"),
    _c(T, "polish attribution wrapped before napisal", f"{MSG}\n\nW dniu 1 marca 2027 01:53 użytkownik Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>\nnapisał:\n\nHei!\n"),
    _c(T, "danish from block", f"{MSG}\n\nFra: meldingsansvarlig@helse-midt.no\nSendt: 1. marts 2027 12:10\n"
       f"Til: Kari\nEmne: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(T, "swedish from block", f"{MSG}\nFrån: Oppkoblingsbot [mailto:meldingsansvarlig@helse-midt.no]\n"
       f"Skickat: den 1 mars 2027 14:45\nTill: Kari Nilsen\nÄmne: SV: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(T, "swedish den skrev with parenthesis address", f"{MSG}\nDen 1 mars, 2027 02:23:18, Oppkoblingsbot "
       f"(meldingsansvarlig@helse-midt.no) skrev:\n\n{BOT_PLAIN}\n"),
    _c(T, "norwegian paa skrev", f"{MSG}\nPå 1 mars 2027 på 02:23:18, Oppkoblingsbot "
       f"(meldingsansvarlig@helse-midt.no) skrev:\n\n{BOT_PLAIN}\n"),
    _c(T, "dutch from line", f"{MSG}\n\nOp 1-mrt.-2027, om 13:18 heeft Oppkoblingsbot "
       f"<meldingsansvarlig@helse-midt.no> het volgende geschreven:\n\n{BOT_PLAIN}\n"),
    _c(T, "quote marker false positive", "Se statussiden...\n>>> >>>  https://oppkobling.hemit.no <<<\n"
       "Lenken over går til saken", "Se statussiden...\n>>> >>>  https://oppkobling.hemit.no <<<\n"
       "Lenken over går til saken"),
    _c(T, "from block that starts with date", f"{MSG}\n\nDate: Mon, 1 Mar 2027 00:15:02 +0100\n"
       "To: kari@malvik.kommune.no\nFrom: meldingsansvarlig@helse-midt.no\nSubject: Påminnelse"),
    _c(T, "bold from block wrapped address", f"{MSG}\n\n  *From:* meldingsansvarlig@helse-midt.no [mailto:\n"
       "  meldingsansvarlig@helse-midt.no]\n  *Sent:* Monday, March 1, 2027 3:05 PM\n  *To:* kari@malvik.kommune.no\n"
       "  *Subject:* Påminnelse\n\n"),
    _c(T, "weird date in date block", f"{MSG}\nDate: Mon=2C 01 Mar 2027 10:55:48 +0000\n"
       "From: meldingsansvarlig@helse-midt.no\nTo: kari@malvik.kommune.no\nSubject: [OPK-3] Påminnelse\n\n"),
    _c(T, "forward inside an original message", f"{MSG}\n\n-----Original Message-----\n\nFYI\n\n"
       "---------- Forwarded message ----------\nFrom: post@hemit.no\nDate: Mon, Mar 1, 2027 at 1:35 PM\n"
       "Subject: Two\nline subject\nTo: kari@malvik.kommune.no\n\n"),
    # --- github/email_reply_parser
    _c(G, "bottom post with sign-off", "Hei,\n\nOn Mon, Mar 1, 2027 at 8:00 AM, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> wrote:\n> Husk å publisere i AR.\n\nDet er gjort nå.\n\n"
       "> Og legg inn HER-id.\n\nDet også.\n\nMvh Kari", "Hei,\n\nDet er gjort nå.\n\nDet også."),
    _c(G, "outlook reply directly above the underscores", f"{MSG}\n" + "_" * 40 + "\nFrom: Oppkoblingsbot "
       "[meldingsansvarlig@helse-midt.no]\nSent: Monday, 1 March 2027 5:08 p.m.\nTo: Kari Nilsen\n"
       f"Subject: [OPK-3] Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(G, "danish closing with english closing", "Hei,\n\nDet er en god idé!\n\n\nMed venlig hilsen / Kind regards\n\n"
       "Kari Nilsen\nIT-konsulent\n", "Hei,\n\nDet er en god idé!"),
    _c(G, "signature without delimiter is kept", "Jeg skriver aldri noe skille foran signaturen.\n\nSånn er det.\n\n"
       "Kari Nilsen | IT-konsulent\nMalvik kommune\n", "Jeg skriver aldri noe skille foran signaturen.\n\n"
       "Sånn er det.\n\nKari Nilsen | IT-konsulent\nMalvik kommune"),
    _c(G, "text that starts with On, attribution later", "On-prem tjenesten kan dere teste slik:\n\n"
       "     telnet 10.0.0.1 52698\n\nDet skal koble til meldingstjeneren. Hvis det\nfeiler, er tunnelen nede.\n\n"
       "On 1 Mar 2027, at 2:47, Oppkoblingsbot wrote:\n\n> Husk AR.\n> ---\n> Svar på denne e-posten",
       "On-prem tjenesten kan dere teste slik:\n\n     telnet 10.0.0.1 52698\n\nDet skal koble til "
       "meldingstjeneren. Hvis det\nfeiler, er tunnelen nede."),
    _c(G, "gmail danish locale", f"{MSG}\n\n1. marts 2027 kl. 11.00 skrev Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(G, "outlook header with cc and team mention", f"{MSG}\n\nFrom: Oppkoblingsbot "
       "[meldingsansvarlig@helse-midt.no]\nSent: Monday, 1 March 2027 5:08 p.m.\nTo: Kari Nilsen\nCc: Ola Hansen\n"
       "Subject: Re: [@hemit/koordinatorer] "
       "Påminnelse (#3)\n\nSkal dette med?\n\n> Sitert tekst.\n>\n"),
    _c(G, "header from, reply-to, sent, to, subject", f"{EN}\n\nFrom: bot@helse-midt.no \nReply-To: "
       "bot@helse-midt.no\nSent: Mon, 1 Mar 2027 02:35:10 +0000 \nTo: kari@malvik.kommune.no \n"
       "Subject: Tell us what you did.\n\n\n\n\nThanks for replying. \n", EN),
    _c(G, "header from first, multiline", f"{EN}\n\nFrom: Oppkoblingsbot <bot@helse-midt.no>\nDate: Monday, "
       "March 1, 2027 at 10:01 AM\nTo: Kari Nilsen <kari@malvik.kommune.no>\nSubject: Reminder\n\nHello!\n", EN),
    _c(G, "portuguese multiline attribution", f"{MSG}\n\nEm seg., 1 de mar. de 2027 às 10:01, Oppkoblingsbot <\n"
       "meldingsansvarlig@helse-midt.no> escreveu:\n\n" + BOT_QUOTE),
    _c(G, "sig delimiter in the middle of a line", "Dette -- altså AR -- er publisert.\n\n-- \nKari",
       "Dette -- altså AR -- er publisert."),
    _c(G, "only a signature", "-- \nKari Nilsen\nMalvik kommune", "-- \nKari Nilsen\nMalvik kommune"),
    _c(G, "mentions own address and name", "Svar gjerne til kari@malvik.kommune.no, så ser Kari Nilsen det.\n\n"
       "On Mon, Mar 1, 2027 at 8:00 AM, Kari Nilsen <kari@malvik.kommune.no> wrote:\n> Hei",
       "Svar gjerne til kari@malvik.kommune.no, så ser Kari Nilsen det."),
    _c(G, "second paragraph starts with On", "Hei.\n\nOn-call-vakten vår er Kari denne uken.\n\n"
       "On Mon, Mar 1, 2027 at 8:00 AM, Oppkoblingsbot <meldingsansvarlig@helse-midt.no> wrote:\n> Hei",
       "Hei.\n\nOn-call-vakten vår er Kari denne uken."),
    _c(G, "german quote reply", f"{MSG}\n\nAm 01.03.2027 um 08:00 schrieb Oppkoblingsbot <meldingsansvarlig@helse-"
       "midt.no>:\n\n" + BOT_QUOTE),
    _c(G, "german multiline quote reply", f"{MSG}\n\nAm 01.03.2027 um 08:00 schrieb Oppkoblingsbot\n"
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(G, "italian quote reply", f"{MSG}\n\nIl giorno lun 1 mar 2027 alle ore 08:00 Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> ha scritto:\n\n" + BOT_QUOTE),
    _c(G, "spanish multiline quote reply", f"{MSG}\n\nEl lun., 1 mar. 2027 a las 08:00, Oppkoblingsbot\n"
       "(<meldingsansvarlig@helse-midt.no>) escribió:\n\n" + BOT_QUOTE),
    _c(G, "sent from inbox", f"{MSG}\n\nSent from Inbox <https://inbox.google.com>\n\nOn Mon, Mar 1, 2027 at 8:00 AM "
       "Oppkoblingsbot <meldingsansvarlig@helse-midt.no> wrote:\n\n" + BOT_QUOTE),
    # --- crisp-oss/email-reply-parser
    _c(C, "outlook for android then underscores", f"{MSG}\n\nGet Outlook for Android<https://aka.ms/ghei36>\n"
       + "_" * 32 + "\nFrom: Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\nSent: Monday, March 1, 2027 8:00:12 AM\n"
       f"To: Kari Nilsen <kari@malvik.kommune.no>\nSubject: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(C, "outlook for ios french", f"{MSG}\n\nObtenir Outlook pour iOS<https://aka.ms/o0ukef>\n" + "_" * 32
       + "\nDe : Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\nEnvoyé : lundi 1 mars 2027 08:00\n"
       f"À : Kari Nilsen\nObjet : Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(C, "danish dash separator", f"{MSG}\n\n-------- Oprindelig besked --------\nFra: Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>\nDato: 01.03.2027  17.45  (GMT+01:00)\nTil: kari@malvik.kommune.no\n"
       "Emne: Påminnelse "),
    _c(C, "outlook from line wrapped before the address", f"{MSG}\n\nFrom: Oppkoblingsbot \n"
       "<meldingsansvarlig+opk-3-reminder-1234556@helse-midt.no> \nSent: Monday, March 1, 2027 4:37 PM\n"
       f"To: Kari Nilsen <kari@malvik.kommune.no>\nSubject: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(C, "msn underscores", f"{MSG}\n" + "_" * 32 + "\nFrom: Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\n"
       f"Sent: Monday, March 1, 2027 5:45 PM\nTo: kari@msn.com <kari@msn.com>\nSubject: Påminnelse\n\n{BOT_PLAIN}\n"),
    _c(C, "zoho dashes", "Hva er beste måte å sjekke at tjenesten ligger i AR etter\npubliseringen?\n\n"
       "---- On Mon, 01 Mar 2027 14:02:50 +0100 meldingsansvarlig@helse-midt.no wrote ----\n\nHusk AR",
       "Hva er beste måte å sjekke at tjenesten ligger i AR etter\npubliseringen?"),
    _c(C, "regards sign-off", "Hei,\n\nVi har fortsatt samme problem....\n\nKan dere hjelpe?\n\nRegards,\nKari Nilsen",
       "Hei,\n\nVi har fortsatt samme problem....\n\nKan dere hjelpe?"),
    _c(C, "double signature", "Takk for hjelpen!\n\nBeste hilsen,\nKari\n\n--\nKari Nilsen\nIT-konsulent\n"
       "Malvik kommune\n\nSendt fra min iPhone\n\n", "Takk for hjelpen!"),
    _c(C, "unicode signature", "Takk for oppdateringen!\n\nCheers 🎉\nKari\n\n—————\nKari Nilsen\nProsjektleder\n"
       "📧 kari@malvik.kommune.no\n📱 +47 555 01 234\n\n", "Takk for oppdateringen!"),
    _c(C, "gmail split datetime german", f"{MSG}\n\nOppkoblingsbot <meldingsansvarlig@helse-midt.no> "
       "schrieb am Mo., 1.\nMärz 2027, 21:08:\n\n> Hallo!\n>\n> Husk AR"),
    _c(C, "long attribution on one line", f"{MSG}\n\nOn Monday, March 1, 2027, at 3:45:32 PM CET, Oppkoblingsbot "
       "for meldingsansvarlige i Helse Midt-Norge og Hemit <meldingsansvarlig.oppkobling@helse-midt.no> wrote:\n"
       "> Dette er en veldig lang sitatlinje som kan bli brutt"),
    _c(C, "app signature with link then attribution", "Det skjer med all tekst du skriver, så lenge du skriver mellom "
       "ord eller avsnitt.\n\nSent from TypeApp<http://www.typeapp.com/r?b=2621>\nOn Mar 1, 2027, at 14:15, "
       "Oppkoblingsbot <meldingsansvarlig@helse-midt.no<\nmailto:meldingsansvarlig@helse-midt.no>> wrote:\n"
       "Husk AR.", "Det skjer med all tekst du skriver, så lenge du skriver mellom ord eller avsnitt."),
    _c(C, "emoji and em dash kept", "🎉\n\n—\nKari Nilsen\nIT-sjef i Malvik\n\n@malvik",
       "🎉\n\n—\nKari Nilsen\nIT-sjef i Malvik\n\n@malvik"),
    _c(C, "regards inside a sentence", "Hei,\n\nVi skriver med regards to the payment og med hilsen fra alle oss her "
       "om at AR er publisert.", "Hei,\n\nVi skriver med regards to the payment og med hilsen fra alle oss her "
       "om at AR er publisert."),
    _c(C, "markdown dashes in content", "Hovedpunkter\n---\n- AR publisert\n- HER-id lagt inn\n---\nResten kommer.",
       "Hovedpunkter\n---\n- AR publisert\n- HER-id lagt inn\n---\nResten kommer."),
    _c(C, "sent from in a sentence", "Denne ble sent from my iPhone app to all of you.",
       "Denne ble sent from my iPhone app to all of you."),
    _c(C, "nested quote headers", "Jeg er enig i punktene under.\n\nOn Mon, Mar 1, 2027 at 8:00 AM Ola "
       "<ola@hemit.no> wrote:\n> Enig.\n>\n> On Sun, Feb 28, 2027 at 9:00 PM Kari <kari@malvik.kommune.no> wrote:\n"
       ">> Forslag.", "Jeg er enig i punktene under."),
    _c(C, "apostrophe in the name", f"{MSG}\n\nOn Mon, Mar 1, 2027 at 8:00 AM, Kari O'Brien-Nilsen "
       "<kari.obrien@malvik.kommune.no> wrote:\n> Hei"),
    _c(C, "no blank line before the attribution", f"{MSG}\nOn Mon, Mar 1, 2027 at 8:00 AM, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> wrote:\n> Hei"),
    _c(C, "timestamps in content", "Tidspunkter vi testet:\n2027-03-01 14:30:25\n01.03.2027 14:30\n"
       "March 1, 2027 at 2:30 PM", "Tidspunkter vi testet:\n2027-03-01 14:30:25\n01.03.2027 14:30\n"
       "March 1, 2027 at 2:30 PM"),
    _c(C, "original message variation", f"{MSG}\n\n----- Original Message -----\n"
       "From: meldingsansvarlig@helse-midt.no\n"
       f"To: kari@malvik.kommune.no\nSent: Monday, March 1, 2027 8:00 AM\nSubject: Påminnelse\n\n{BOT_PLAIN}"),
    _c(C, "forward header after text", "Se den videresendte meldingen under.\n\n---------- Forwarded message "
       "---------\nFrom: Ola <ola@hemit.no>\nDate: Mon, Mar 1, 2027 at 8:00 AM\nSubject: AR\nTo: Kari\n\nTekst",
       "Se den videresendte meldingen under."),
    _c(C, "inline reply", "Svar under.\n\nOn Mon, Mar 1, 2027 at 8:00 AM, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> wrote:\n> Er tjenesten publisert?\nJa, i dag.\n> Er HER-id lagt inn?\n"
       "Ja.", "Svar under.\n\nJa, i dag.\nJa."),
    _c(C, "quote without header", "Jeg ville svare på dette:\n\n> Er tjenesten publisert?\n\nJa, den er publisert.",
       "Jeg ville svare på dette:\n\nJa, den er publisert."),
    _c(C, "html entities kept", "Verdien er &gt; 100 og &lt; 200.", "Verdien er &gt; 100 og &lt; 200."),
    _c(C, "reply header after text starting with On", "On the other hand er AR publisert.\n\n"
       "On Wed, Mar 3, 2027 at 9:00 AM Oppkoblingsbot <meldingsansvarlig@helse-midt.no> wrote:\n> Hei",
       "On the other hand er AR publisert."),
    _c(C, "finnish kirjoitti", f"{MSG}\n\nma 1. maalisk. 2027 klo 8.00 Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no> kirjoitti:\n\n" + BOT_QUOTE),
    _c(C, "russian napisal", f"{MSG}\n\nпн, 1 мар. 2027 г. в 08:00, Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(C, "norwegian gmail", f"{MSG}\n\nman. 1. mar. 2027 kl. 08:00 skrev Oppkoblingsbot "
       "<meldingsansvarlig@helse-midt.no>:\n\n" + BOT_QUOTE),
    _c(C, "english multiline attribution wrote on its own line", f"{MSG}\n\nOn Mon, Mar 1, 2027 at 8:00 AM "
       "Oppkoblingsbot <\nmeldingsansvarlig@helse-midt.no>\nwrote:\n\n" + BOT_QUOTE),
    _c(C, "french multiline attribution", f"{MSG}\n\nLe lun. 1 mars 2027 à 08:00, Oppkoblingsbot <\n"
       "meldingsansvarlig@helse-midt.no> a écrit :\n\n" + BOT_QUOTE),
    _c(C, "german outlook header", f"{MSG}\n\nVon: Oppkoblingsbot <meldingsansvarlig@helse-midt.no>\n"
       f"Gesendet: Montag, 1. März 2027 08:00\nAn: Kari Nilsen <kari@malvik.kommune.no>\nBetreff: Påminnelse\n\n"
       f"{BOT_PLAIN}"),
]


def new_text(text: str) -> str:
    """What intake keeps of a reply: quotes cut, then the sign-off (as bot.intake.understand does)."""
    return cut_sign_off(cut_quotes(text, rules=QUOTE_RULES), SIGNATURE_RULES).new_text


def normal(text: str) -> str:
    """Trailing spaces stripped, blank-line runs collapsed, outer blank lines dropped."""
    out: list[str] = []
    for line in (line.rstrip() for line in text.strip("\n").split("\n")):
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def lost_lines(case: Case, got: str) -> list[str]:
    """Lines of the expected new text that the trimmer dropped."""
    kept = {line.strip() for line in got.split("\n")}
    return [line for line in case.expected.split("\n") if line.strip() and line.strip() not in kept]


QUOTE_RULES = load_quote_rules()
SIGNATURE_RULES = load_signature_rules()


def score() -> tuple[int, list[tuple[Case, str]], list[tuple[Case, list[str]]]]:
    """(cases right, the wrong ones with what was kept, the ones that lost new text with the lines lost)."""
    wrong: list[tuple[Case, str]] = []
    lost: list[tuple[Case, list[str]]] = []
    for case in CASES:
        got = new_text(case.text)
        if normal(got) != normal(case.expected):
            wrong.append((case, got))
        if missing := lost_lines(case, got):
            lost.append((case, missing))
    return len(CASES) - len(wrong), wrong, lost


def main(argv: list[str]) -> int:
    right, wrong, lost = score()
    if "-v" in argv:
        for case, got in wrong:
            print(f"--- {case.suite}: {case.name}\n{got}\n")
    by_suite = {s: [c for c in CASES if c.suite == s] for s in (D, T, G, C)}
    for suite, cases in by_suite.items():
        bad = sum(1 for c, _ in wrong if c.suite == suite)
        print(f"{suite:10} {len(cases) - bad}/{len(cases)}")
    print(f"paraphrased public-suite replies right: {right}/{len(CASES)} ({100 * right / len(CASES):.1f} %); "
          f"cases that lost a line of new text: {len(lost)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
