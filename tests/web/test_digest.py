"""The weekly digest links to the status page when BOT_WEB_PUBLIC_URL is set, with the same week strip."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from web_kit import WEB_NOW, seeded_bot

from bot.domain import CaseState, MailKind
from bot.outbound.views import MailContext
from bot.routine.week import this_week


@pytest.mark.parametrize("public_url", ["https://oppkobling.hemit.no", None])
def test_the_digest_shows_this_week_as_plain_html_and_links_when_configured(tmp_path: Path,
                                                                            public_url: str | None) -> None:
    """The week's strip is a table (no SVG for Outlook); the link to the page and to each case only with a URL."""
    bot = seeded_bot(tmp_path, **({"BOT_WEB_PUBLIC_URL": public_url} if public_url else {}))
    app = bot.app
    with app.store.tx() as tx:
        cases = tx.list_cases([CaseState.NEEDS_INFO, CaseState.ACTIVE])
        view = app.ticker.build_digest(tx, cases, WEB_NOW, since=WEB_NOW - timedelta(days=7))
    assert view.week == this_week(cases, WEB_NOW, app.plan, app.calendar) and view.week
    mail = app.composer.render(MailKind.DIGEST, MailContext(now=WEB_NOW, digest=view, recipient_role="coordinators"))
    assert "Denne uken (1)" in mail.text
    assert "mandag 15. februar 2027 kl. 16:00 – OPK-1 Malvik: Frist: Publisere" in mail.text
    assert "FORSINKET" in mail.text
    assert "<svg" not in mail.html and "Denne uken (1)" in mail.html
    if public_url:
        assert f"{public_url}/" in mail.text
        assert f'href="{public_url}/cases/OPK-1"' in mail.html and f'href="{public_url}/"' in mail.html
    else:
        assert "statussiden" not in mail.text and "href=\"http" not in mail.html
    app.store.dispose()
