"""Validates the held-out reply set: every .json against the schema, every .eml parses, README lists each case."""

from __future__ import annotations

import html
import json
import sys
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

STEPS = {"ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding"}
NAMES = {"confirm", "deviation", "new_date", "status", "cancel", "help", "reopen"}
TRUSTS = {"st_olav", "hnt", "hmr"}


def check_json(data: object) -> list[str]:
    """Returns what is wrong with one expected reading (empty when it is valid)."""
    if not isinstance(data, dict) or set(data) != {"role", "replied_to_step", "command", "text"}:
        return ["keys must be exactly role, replied_to_step, command, text"]
    errors = []
    if data["role"] not in ("kommune", "coordinator"):
        errors.append(f"role {data['role']!r}")
    if data["replied_to_step"] is not None and data["replied_to_step"] not in STEPS:
        errors.append(f"replied_to_step {data['replied_to_step']!r}")
    if not isinstance(data["text"], str):
        errors.append("text is not a string")
    command = data["command"]
    if command is None:
        return errors
    if not isinstance(command, dict) or set(command) != {"name", "step", "parts", "date"}:
        return [*errors, "command keys must be exactly name, step, parts, date"]
    if command["name"] not in NAMES:
        errors.append(f"command name {command['name']!r}")
    if command["step"] is not None and command["step"] not in STEPS:
        errors.append(f"command step {command['step']!r}")
    parts = command["parts"]
    if parts is not None and (not isinstance(parts, list) or not parts or len(set(parts)) != len(parts)
                              or not set(parts) <= TRUSTS):
        errors.append(f"command parts {parts!r}")
    day = command["date"]
    if (day is None) != (command["name"] != "new_date"):
        errors.append("date must be set exactly for new_date")
    if day is not None:
        try:
            date.fromisoformat(day)
        except (TypeError, ValueError):
            errors.append(f"date {day!r} is not YYYY-MM-DD")
    if command["name"] not in ("confirm", "reopen") and (command["step"] or parts):
        errors.append("step and parts belong to confirm and reopen only")
    return errors


def check_eml(raw: bytes, text: str) -> list[str]:
    """Returns what is wrong with one message: parse defects, missing headers, expected text not in the body."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    errors = [f"defect {d!r}" for part in msg.walk() for d in part.defects]
    for header in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To"):
        if not msg[header]:
            errors.append(f"no {header}")
    body = msg.get_body(("plain", "html"))
    if body is None:
        return [*errors, "no text body"]
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content = html.unescape(content)
    errors += [f"line {line!r} not in the body" for line in text.split("\n") if line.strip() not in content]
    return errors


def main(folder: Path) -> int:
    problems: list[str] = []
    jsons = {p.stem for p in folder.glob("*.json")}
    emls = {p.stem for p in folder.glob("*.eml")}
    problems += [f"{name}: .json without .eml" for name in sorted(jsons - emls)]
    problems += [f"{name}: .eml without .json" for name in sorted(emls - jsons)]
    readme = (folder / "README.md").read_text(encoding="utf-8") if (folder / "README.md").exists() else ""
    counts: dict[str, int] = {}
    for name in sorted(jsons & emls):
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        errors = check_json(data)
        if not errors:
            errors = check_eml((folder / f"{name}.eml").read_bytes(), data["text"])
            kind = "no command" if data["command"] is None else data["command"]["name"]
            counts[kind] = counts.get(kind, 0) + 1
        if f"`{name}`" not in readme:
            errors.append("not listed in README.md")
        problems += [f"{name}: {e}" for e in errors]
    for line in problems:
        print(line)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{len(jsons & emls)} cases, {len(problems)} problems ({summary})")
    return 1 if problems or not jsons else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent))
