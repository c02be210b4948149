"""NHN's side for BOT_AR=rest: the fake HelseID and CommunicationParty API over HTTPS, and the bot's client key."""

from __future__ import annotations

import json
import shutil
import ssl
import tempfile
import time
from pathlib import Path
from typing import Self

import trustme
from joserfc.jwk import RSAKey

from sandbox.cpapi import FakeCommunicationPartyApi
from sandbox.helseid import FakeHelseId, HelseIdClient
from sandbox.https import LOOPBACK, JsonServer

CLIENT_ID = "sandbox-oppkoblingsbot-ar"


class NhnServices:
    """Both fakes on loopback, trusted through `ca_file`; the bot's HelseID client registered with its key."""

    def __init__(self, tls: ssl.SSLContext, ca_file: Path, workdir: Path) -> None:
        self.ca_file = ca_file
        self.key_file = workdir / "helseid-client.jwk"
        self.helseid = FakeHelseId()
        self.api = FakeCommunicationPartyApi(self.helseid)
        self._helseid_server = JsonServer(self.helseid.handle, tls)
        self._api_server = JsonServer(self.api.handle, tls)
        self.helseid.base_url = self._helseid_server.base_url
        self.api.base_url = self._api_server.base_url
        self._own_dir: Path | None = None
        self.register_client()

    @classmethod
    def standalone(cls) -> Self:
        """Both fakes with a CA and temp dir of their own (no mail sandbox needed); stop() removes the dir."""
        workdir = Path(tempfile.mkdtemp(prefix="oppk-nhn-", dir="/tmp"))
        ca = trustme.CA()
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(LOOPBACK, "localhost").configure_cert(tls)
        ca.cert_pem.write_to_path(str(workdir / "ca.pem"))
        services = cls(tls, workdir / "ca.pem", workdir)
        services._own_dir = workdir
        return services

    def register_client(self, client_id: str = CLIENT_ID, scopes: tuple[str, ...] | None = None,
                        *, new_key: bool = False) -> Path:
        """Register `client_id` with the key in key_file (a private JWK, as Selvbetjening hands it out);
        `new_key` writes a new one first."""
        if new_key or not self.key_file.exists():
            key = RSAKey.generate_key(2048)
            self.key_file.write_text(json.dumps({**key.as_dict(private=True), "kid": f"{client_id}-key"}),
                                     encoding="utf-8")
            self.key_file.chmod(0o600)
        private = json.loads(self.key_file.read_text(encoding="utf-8"))
        public = {k: v for k, v in private.items() if k in ("kty", "n", "e", "kid")}
        client = HelseIdClient(client_id, public)
        if scopes is not None:
            client.scopes = scopes
        self.helseid.register(client)
        return self.key_file

    @staticmethod
    def helseid_time() -> float:
        """The servers' clock (real time), for tests that sign requests themselves."""
        return time.time()

    def env(self) -> dict[str, str]:
        """BOT_* variables for BOT_AR=rest against these fakes (BOT_CA_FILE included)."""
        return {"BOT_AR": "rest", "BOT_AR_URL": self.api.base_url, "BOT_HELSEID_AUTHORITY": self.helseid.base_url,
                "BOT_HELSEID_CLIENT_ID": CLIENT_ID, "BOT_HELSEID_PRIVATE_KEY_FILE": str(self.key_file),
                "BOT_CA_FILE": str(self.ca_file)}

    def reset(self) -> None:
        """Forget tokens, nonces, clients and changes to the party table; the bot's client registered again."""
        self.helseid.reset()
        self.api.reset()
        self.register_client()

    def stop(self) -> None:
        self._helseid_server.stop()
        self._api_server.stop()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
