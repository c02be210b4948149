"""Settings: every BOT_* variable of SPEC §6 (also read from .env), validated at start-up."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.rulefile import RULES_DIR, TEMPLATES_DIR

DEFAULT_MAILBOX = "meldingsansvarlig@helse-midt.no"


class Security(StrEnum):
    SSL = "ssl"
    STARTTLS = "starttls"
    NONE = "none"


class AuthMethod(StrEnum):
    PASSWORD = "password"
    OAUTH2 = "oauth2"  # client credentials (Microsoft Entra ID), SASL XOAUTH2 for IMAP and SMTP


class SenderAuth(StrEnum):
    OFF = "off"
    AUTHSERV_ID = "authserv-id"  # the topmost Authentication-Results from BOT_TRUSTED_AUTHSERV_ID
    EXCHANGE_ONLINE = "exchange-online"  # the Authentication-Results Exchange Online itself added


class ArMode(StrEnum):
    OFF = "off"
    REST = "rest"  # NHN's CommunicationParty API, HelseID client credentials with DPoP


class SettingsError(Exception):
    """A setting is wrong; the message names the variable and the reason, never a secret's value."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """All configuration. Numeric settings carry their unit in the name."""

    model_config = SettingsConfigDict(
        env_prefix="BOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True,
        env_ignore_empty=True,
    )

    mailbox_address: str = DEFAULT_MAILBOX
    imap_host: str | None = None
    imap_port: int | None = Field(default=None, ge=1, le=65535)
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_security: Security = Security.SSL
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Security = Security.STARTTLS
    ca_file: Path | None = None
    database_url: str = "sqlite:///data/bot.sqlite"
    coordinators: str = ""
    timezone: str = "Europe/Oslo"
    trusted_authserv_id: str | None = None
    sender_auth: SenderAuth | None = None  # unset: authserv-id when BOT_TRUSTED_AUTHSERV_ID is set, else off
    auth: AuthMethod = AuthMethod.PASSWORD
    oauth2_tenant_id: str | None = None
    oauth2_client_id: str | None = None
    oauth2_client_secret: SecretStr | None = None
    oauth2_certificate_file: Path | None = None
    oauth2_authority: str = "https://login.microsoftonline.com"
    oauth2_scope: str = "https://outlook.office365.com/.default"
    ar: ArMode = ArMode.OFF
    ar_url: str | None = None
    ar_scope: str = "nhn:cp-api/access-v2-dpop"
    helseid_authority: str = "https://helseid-sts.nhn.no"
    helseid_client_id: str | None = None
    helseid_private_key_file: Path | None = None
    # The coordinators' status page (`web`). Unset public URL: http://<host>:<port>, and no link in the digest.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_public_url: str | None = None
    # Where the routine and the other rules, and the mail templates, are read from (SPEC §6.1): keep a revised
    # routine outside the code, so an upgrade never overwrites it. `check` validates what these point at.
    rules_dir: Path = RULES_DIR
    templates_dir: Path = TEMPLATES_DIR

    # Operational settings beyond the SPEC §6 contract (all optional).
    max_message_bytes: int = Field(default=25_000_000, gt=0)
    fetch_batch_size: int = Field(default=200, ge=1, le=5000)
    poll_interval_s: float = Field(default=60.0, gt=0)
    idle_renew_s: float = Field(default=540.0, gt=0, le=600)
    tick_interval_s: float = Field(default=60.0, gt=0)
    imap_folder: str = "INBOX"
    processed_folder: str | None = None
    quarantine_folder: str | None = None
    max_mails_per_recipient_per_day: int = Field(default=10, ge=1)
    # Coordinators get more (every new case, forward and notice) but not without end: see bot.recipient_gate.
    max_mails_per_coordinator_per_day: int = Field(default=50, ge=1)
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    outbox_max_attempts: int = Field(default=20, ge=1)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_time: str = "08:00"
    log_format: Literal["text", "json"] = "text"
    # Two daemons on one PostgreSQL database: the leader's lease. A standby takes over within about this long
    # after the leader dies (plus a second); the leader renews it every third of it.
    lease_seconds: float = Field(default=15.0, ge=2, le=25)

    @field_validator("mailbox_address")
    @classmethod
    def _address(cls, v: str) -> str:
        v = v.strip().lower()
        if "@" not in v or v.startswith("@") or v.endswith("@"):
            raise ValueError("must be an e-mail address like meldingsansvarlig@helse-midt.no")
        return v

    @field_validator("database_url")
    @classmethod
    def _database(cls, v: str) -> str:
        from bot.store.db import DatabaseUrlError, dialect_of, normalize_url

        try:
            dialect_of(v)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return normalize_url(v)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @field_validator("coordinators")
    @classmethod
    def _coordinators(cls, v: str) -> str:
        addresses = [a.strip().lower() for a in v.split(",") if a.strip()]
        bad = [a for a in addresses if "@" not in a]
        if bad:
            raise ValueError(f"not an e-mail address: {bad[0]!r}")
        return ",".join(addresses)

    @field_validator("web_public_url")
    @classmethod
    def _public_url(cls, v: str | None) -> str | None:
        if v is None:
            return None
        url = urlsplit(v.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"must be an http:// or https:// URL, not {v!r}")
        if url.path not in ("", "/") or url.query or url.fragment or url.username or url.password:
            raise ValueError("must be the page's origin only (like https://oppkobling.hemit.no): "
                             "serve the page at the root of its host name")
        return f"{url.scheme}://{url.netloc}".lower()

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        hh, _, mm = v.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
            raise ValueError("must be HH:MM")
        return v

    @model_validator(mode="after")
    def _plaintext_only_on_loopback(self) -> Settings:
        for proto in ("imap", "smtp"):
            security = getattr(self, f"{proto}_security")
            host = getattr(self, f"{proto}_host")
            if security == Security.NONE and host and not is_loopback(host):
                raise ValueError(
                    f"BOT_{proto.upper()}_SECURITY=none is only allowed for a loopback host "
                    f"(127.0.0.1, ::1, localhost), not {host!r}: passwords would cross the network in clear"
                )
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ValueError(f"BOT_CA_FILE {str(self.ca_file)!r} is not a readable file")
        for name in ("rules_dir", "templates_dir"):
            if not getattr(self, name).is_dir():
                raise ValueError(f"BOT_{name.upper()} {str(getattr(self, name))!r} is not a folder")
        return self

    @model_validator(mode="after")
    def _oauth2_complete(self) -> Settings:
        if self.auth != AuthMethod.OAUTH2:
            return self
        missing = [f"BOT_OAUTH2_{k.upper()}" for k in ("tenant_id", "client_id") if not getattr(self, f"oauth2_{k}")]
        if missing:
            raise ValueError(f"BOT_AUTH=oauth2 needs {' and '.join(missing)}")
        if (self.oauth2_client_secret is None) == (self.oauth2_certificate_file is None):
            raise ValueError("BOT_AUTH=oauth2 needs exactly one of BOT_OAUTH2_CLIENT_SECRET and "
                             "BOT_OAUTH2_CERTIFICATE_FILE")
        if self.oauth2_certificate_file is not None:
            from bot.mail.oauth2 import OAuth2Error, read_certificate

            try:
                read_certificate(self.oauth2_certificate_file)
            except OAuth2Error as exc:
                raise ValueError(str(exc)) from None
        if not self.oauth2_authority.lower().startswith("https://"):
            raise ValueError(f"BOT_OAUTH2_AUTHORITY must be an https:// URL, not {self.oauth2_authority!r}")
        return self

    @model_validator(mode="after")
    def _ar_complete(self) -> Settings:
        if self.ar != ArMode.REST:
            return self
        missing = [f"BOT_{k.upper()}" for k in ("ar_url", "helseid_client_id", "helseid_private_key_file")
                   if not getattr(self, k)]
        if missing:
            raise ValueError(f"BOT_AR=rest needs {' and '.join(missing)}")
        for name in ("ar_url", "helseid_authority"):
            value = str(getattr(self, name))
            if not value.lower().startswith("https://"):
                raise ValueError(f"BOT_{name.upper()} must be an https:// URL, not {value!r}")
        if not self.ar_scope.strip():
            raise ValueError("BOT_AR_SCOPE must not be empty")
        from bot.ar.keys import ClientKey
        from bot.ar.model import ArError

        assert self.helseid_private_key_file is not None
        try:
            ClientKey.load(self.helseid_private_key_file)
        except ArError as exc:
            raise ValueError(str(exc)) from None
        return self

    @model_validator(mode="after")
    def _sender_auth_consistent(self) -> Settings:
        trusted = bool(self.trusted_authserv_id and self.trusted_authserv_id.strip())
        if self.sender_auth == SenderAuth.AUTHSERV_ID and not trusted:
            raise ValueError("BOT_SENDER_AUTH=authserv-id needs BOT_TRUSTED_AUTHSERV_ID (your receiving server's id)")
        if self.sender_auth in (SenderAuth.OFF, SenderAuth.EXCHANGE_ONLINE) and trusted:
            raise ValueError(f"BOT_TRUSTED_AUTHSERV_ID is only read with BOT_SENDER_AUTH=authserv-id, "
                             f"not {self.sender_auth.value}: unset one of them")
        return self

    @property
    def sender_auth_mode(self) -> SenderAuth:
        """BOT_SENDER_AUTH; unset, BOT_TRUSTED_AUTHSERV_ID alone means authserv-id (as before the setting)."""
        if self.sender_auth is not None:
            return self.sender_auth
        trusted = bool(self.trusted_authserv_id and self.trusted_authserv_id.strip())
        return SenderAuth.AUTHSERV_ID if trusted else SenderAuth.OFF

    @property
    def lease_s(self) -> float:
        return self.lease_seconds

    @property
    def coordinator_list(self) -> tuple[str, ...]:
        return tuple(a for a in self.coordinators.split(",") if a)

    @property
    def web_url(self) -> str:
        """Where the status page is reached: BOT_WEB_PUBLIC_URL, else the address it listens on."""
        if self.web_public_url:
            return self.web_public_url
        host = f"[{self.web_host}]" if ":" in self.web_host else self.web_host
        return f"http://{host}:{self.web_port}"

    @property
    def own_domain(self) -> str:
        return self.mailbox_address.rsplit("@", 1)[1]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def imap_port_effective(self) -> int:
        return self.imap_port or (993 if self.imap_security == Security.SSL else 143)

    @property
    def smtp_port_effective(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        return {Security.SSL: 465, Security.STARTTLS: 587, Security.NONE: 25}[self.smtp_security]


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment and .env; errors name the variable, never a secret."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"BOT_{loc.upper()}: {msg}" if loc else msg)
        raise SettingsError("; ".join(lines)) from None
