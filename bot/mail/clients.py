"""The IMAP mailbox and the SMTP sender built from settings, with passwords or one shared OAuth2 token source."""

from __future__ import annotations

from dataclasses import dataclass

from bot.mail.imap import ImapMailbox
from bot.mail.mailbox import MailboxError
from bot.mail.oauth2 import OAuth2Config, TokenSource
from bot.mail.smtp import SmtpSender
from bot.settings import AuthMethod, Settings


@dataclass(frozen=True)
class MailClients:
    mailbox: ImapMailbox
    sender: SmtpSender
    tokens: TokenSource | None  # with BOT_AUTH=oauth2: shared, so IMAP and SMTP use one token


def token_source(settings: Settings) -> TokenSource | None:
    """The OAuth2 token source for BOT_AUTH=oauth2, None for passwords."""
    if settings.auth != AuthMethod.OAUTH2:
        return None
    assert settings.oauth2_tenant_id and settings.oauth2_client_id  # checked by Settings
    secret = settings.oauth2_client_secret
    return TokenSource(OAuth2Config(
        tenant_id=settings.oauth2_tenant_id, client_id=settings.oauth2_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        certificate_file=settings.oauth2_certificate_file, authority=settings.oauth2_authority,
        scope=settings.oauth2_scope, ca_file=settings.ca_file,
    ))


def build_mailbox(settings: Settings, tokens: TokenSource | None = None) -> ImapMailbox:
    user = settings.imap_user or (settings.mailbox_address if tokens is not None else None)
    if not settings.imap_host or not user:
        raise MailboxError("BOT_IMAP_HOST and BOT_IMAP_USER must be set to read the mailbox")
    password = settings.imap_password.get_secret_value() if settings.imap_password and tokens is None else None
    if password is None and tokens is None:
        raise MailboxError("BOT_IMAP_PASSWORD must be set (or BOT_AUTH=oauth2)")
    return ImapMailbox(
        host=settings.imap_host, port=settings.imap_port_effective, user=user, password=password, oauth2=tokens,
        security=settings.imap_security, ca_file=settings.ca_file, idle_renew_s=settings.idle_renew_s,
        poll_interval_s=settings.poll_interval_s,
    )


def build_sender(settings: Settings, tokens: TokenSource | None = None) -> SmtpSender:
    if not settings.smtp_host:
        raise MailboxError("BOT_SMTP_HOST must be set to send mail")
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSender(
        host=settings.smtp_host, port=settings.smtp_port_effective, security=settings.smtp_security.value,
        username=settings.smtp_user or (settings.mailbox_address if tokens is not None else None),
        password=None if tokens is not None else password, ca_file=settings.ca_file,
        timeout_s=settings.smtp_timeout_s, oauth2=tokens,
    )


def build_clients(settings: Settings) -> MailClients:
    """Both clients; with BOT_AUTH=oauth2 they share one token source (one token request, one cache)."""
    tokens = token_source(settings)
    return MailClients(build_mailbox(settings, tokens), build_sender(settings, tokens), tokens)
