"""`parse --json` and `parse --explain` show the command a reply says, read from the message alone (SPEC §6.1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli.parse import parse_main

HEAD = (
    "From: Ingrid Aas <ingrid.aas@malvik.kommune.no>\nTo: meldingsansvarlig@helse-midt.no\n"
    "Subject: SV: [OPK-3] Malvik kommune: Påminnelse: Publisering i Adresseregisteret\n"
    "Date: Mon, 01 Mar 2027 10:00:00 +0100\nMessage-ID: <a1@malvik.kommune.no>\n"
    "In-Reply-To: <20270301.opk-3.reminder@helse-midt.no>\nContent-Type: text/plain; charset=utf-8\n\n"
)


@pytest.fixture(autouse=True)
def _no_ambient_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("BOT_")]:
        monkeypatch.delenv(name)


def parsed(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str], *, explain: bool = False) -> str:
    path = tmp_path / "reply.eml"
    path.write_text(HEAD + body, encoding="utf-8")
    assert parse_main(path, as_json=not explain, explain=explain) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("Hei!\n\nDette er nå publisert i AR.\n\nMvh Ingrid\n",
         {"name": "confirm", "step": "ar_publisering", "parts": None, "date": None,
          "sentence": "Dette er nå publisert i AR."}),
        ("Partneravtalene med St. Olav og HMR er opprettet. HNT gjenstår.\n",
         {"name": "confirm", "step": "partneravtaler", "parts": ["st_olav", "hmr"], "date": None,
          "sentence": "Partneravtalene med St. Olav og HMR er opprettet."}),
        ("Da er det gjort.\n",
         {"name": "confirm", "step": None, "parts": None, "date": None, "sentence": "Da er det gjort."}),
        ("ny dato: 12.04.2027\n",
         {"name": "new_date", "step": None, "parts": None, "date": "2027-04-12", "sentence": "ny dato: 12.04.2027"}),
        ("Angre, det var feil.\n",
         {"name": "reopen", "step": None, "parts": None, "date": None, "sentence": "Angre, det var feil."}),
        ("Vi rekker ikke å publisere før fredag.\n", None),
    ],
)
def test_parse_json_has_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
                                    command: dict[str, object] | None) -> None:
    """The `command` field: null, or name, step (null when implicit), parts, date and the sentence read."""
    shown = json.loads(parsed(tmp_path, body, capsys))
    assert shown["kind"] == "reply" and shown["command"] == command


def test_explain_shows_the_command_for_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--explain names the command, its step and the sentence, or says the reply goes to a person."""
    out = parsed(tmp_path, "Hei!\n\nDette er nå publisert i AR.\n", capsys, explain=True)
    assert "command:  confirm ar_publisering" in out and "«Dette er nå publisert i AR.»" in out
    out = parsed(tmp_path, "Skal vi publisere for legevakten også?\n", capsys, explain=True)
    assert "command:  none (the reply is forwarded to the coordinators)" in out
