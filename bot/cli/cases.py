"""`cases` and `case OPK-n`, as a table / text or as the JSON of SPEC §6."""

from __future__ import annotations

import sys
from datetime import datetime

from bot.cli import EXIT_FAIL, EXIT_OK, print_json


def cases_main(*, as_json: bool, now: datetime | None) -> int:
    from bot.cli.views import cases_table, summary_json
    from bot.readonly import build_routine, list_cases

    app = build_routine(now=now)
    at = app.clock.now()
    cases = list_cases(app)
    if as_json:
        print_json([summary_json(app.plan, app.calendar, c, at) for c in cases])
    else:
        print(cases_table(app.plan, app.calendar, cases, at))
    return EXIT_OK


def case_main(ref: str, *, as_json: bool, now: datetime | None) -> int:
    from bot.cli.views import case_json, case_text
    from bot.readonly import build_view

    app = build_view(now=now)
    at = app.clock.now()
    with app.store.tx(read_only=True) as tx:
        case = tx.load_case(ref)
        events = tx.events(case.ref) if case else []
    if case is None:
        print(f"oppkobling case: no case {ref}", file=sys.stderr)
        return EXIT_FAIL
    if as_json:
        print_json(case_json(app.plan, app.calendar, case, events, at))
    else:
        print(case_text(app.plan, app.calendar, case, events, at))
    return EXIT_OK
