"""``remote`` signer backend: hash in, signature out, the signer confirming on a phone.

Remote-signing services (VNPT SmartCA, Viettel MySign and other CSC-style services) keep the key; the
connector sends SHA-256 hashes and, once the signer has approved the request on the phone, gets raw
signatures back. The API shape here is the Cloud Signature Consortium's (v2 names):

1. ``credentials/list`` and ``credentials/info``: the credential and its certificate chain;
2. ``credentials/authorize`` with every hash of a batch and a client ``requestID``: the service creates one
   transaction, *pending* until the signer approves (or rejects) it; the same ``requestID`` always gives
   the same transaction, so a retried submit never asks the signer twice. The request id is derived from
   the credential and the hashes: the same prepared bytes submitted again (transport retry, a new run
   after a crash or a time-out) find the same transaction;
3. ``credentials/authorizeCheck``: polled with backoff (tenacity) until *approved* (with the signature
   activation data, SAD), *rejected* or *expired*, or until our own time limit;
4. ``signatures/signHash`` with the SAD and the same hashes: one signature per hash.

Brief 05 §6.3: a remote signature needs a human and is not idempotent. Transport errors are retried only
with the same ``requestID``; once a transaction id exists it is polled, never resubmitted. A time-out is not
a failure of the documents: :class:`SignaturePending` carries the transaction and request ids;
:meth:`RemoteSigner.resume` (or submitting the very same bytes again) picks the transaction up later.

The pyHanko ``Signer`` itself is in :mod:`connector.sign.remote_signer` (pyHanko is imported when signing,
not when ``hocba`` starts and registers its backends).

One authorisation for a class: :meth:`RemoteSigner.sign_many`, or start all ``async_sign_raw`` calls of the
class together (``asyncio.gather``): calls that arrive within ``batch_linger`` seconds of each other share
one transaction (up to the credential's ``multisign`` limit).

Real providers differ in paths, authentication (``sp_id``/``sp_password`` OAuth for SmartCA) and field
names; an adapter for one maps onto :class:`RemoteClient`'s five calls. See docs/signing-backends.md.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from connector.hookspecs import hookimpl
from connector.log import get_logger, register_secret
from connector.sign.backend import SignerBackend, SignerError

log = get_logger(__name__)

STANDIN_HEADER = "X-Hocba-Stand-In"
DEFAULT_TOKEN_ENV = "HOCBA_REMOTE_TOKEN"


class SignaturePending(SignerError):
    """The signer has not answered yet. Not an error of the documents: keep the transaction id and the
    exact bytes that were hashed, then call ``RemoteSigner.resume`` (or sign the same bytes again)."""

    def __init__(self, transaction_id: str, request_id: str, count: int, seconds: float):
        super().__init__("remote_timeout", txn=transaction_id, count=count, seconds=f"{seconds:g}")
        self.transaction_id, self.request_id = transaction_id, request_id


class _Transport(Exception):
    """The request may not have reached the service, or its answer got lost: safe to repeat (same ids)."""


# --- HTTP ---------------------------------------------------------------------------------------------------


class RemoteClient:
    """The five CSC calls over HTTPS (stdlib ``urllib``: works from any thread and any event loop)."""

    def __init__(self, url: str, token: str, *, api_version: str = "v2", request_timeout: float = 30,
                 ca_file: str | None = None, attempts: int = 4, token_env: str = "-"):
        self.base = f"{url.rstrip('/')}/csc/{api_version}/"
        parts = urlsplit(url)  # for messages: host and port only, never credentials or paths
        self.service = f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "?")
        self.token, self.token_env = token, token_env
        self.request_timeout = request_timeout
        self.attempts = attempts
        self.context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        self.stand_in = False

    def call(self, endpoint: str, body: dict) -> dict:
        """POST ``body``; transport failures are retried with the very same body (ids included)."""
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential, wait_random

        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(_Transport),
                wait=wait_exponential(multiplier=0.2, max=5) + wait_random(0, 0.2),
                stop=stop_after_attempt(self.attempts),
                reraise=True,
            ):
                with attempt:
                    return self._post(endpoint, body)
        except _Transport:
            raise SignerError("remote_unreachable", service=self.service) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, endpoint: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base + endpoint, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout, context=self.context) as response:
                self._notice_stand_in(response.headers)
                return self._json(response.read())
        except urllib.error.HTTPError as exc:
            self._notice_stand_in(exc.headers)
            raise self._http_error(exc) from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
            raise _Transport(type(exc).__name__) from None

    def _json(self, raw: bytes) -> dict:
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SignerError("remote_bad_response", service=self.service, detail="not a JSON object")
        return answer

    def _http_error(self, exc: urllib.error.HTTPError) -> Exception:
        if exc.code >= 500 or exc.code in (408, 429):
            return _Transport(f"HTTP {exc.code}")
        if exc.code in (401, 403):
            return SignerError("remote_auth_failed", service=self.service, status=exc.code, env=self.token_env)
        try:
            answer = json.loads(exc.read())
            error = f"{answer.get('error', '')}: {answer.get('error_description', '')}"
        except (ValueError, AttributeError, OSError):
            error = "-"
        if exc.code == 409:
            return SignerError("remote_request_conflict", service=self.service)
        return SignerError("remote_refused", service=self.service, status=exc.code, error=error[:160])

    def _notice_stand_in(self, headers) -> None:
        if headers is not None and headers.get(STANDIN_HEADER) and not self.stand_in:
            self.stand_in = True
            log.warning("remote_signing_stand_in", service=self.service)


# --- the backend -------------------------------------------------------------------------------------------


class RemoteBackend(SignerBackend):
    name: ClassVar[str] = "remote"
    description: ClassVar[str] = "remote-signing service (CSC-style, signer confirms on a phone)"
    notes: ClassVar[tuple[str, ...]] = (
        "remote: hash in, signature out; one confirmation on the phone per batch",
    )
    config_schema: ClassVar[dict] = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "description": "service base URL; endpoints are {url}/csc/{api_version}/…"},
            "api_version": {"type": "string", "default": "v2"},
            "credential_id": {"type": "string", "description": "the signer's credential (asked from the service if only one)"},
            "token": {"type": "string", "secret": True, "writeOnly": True},
            "token_env": {"type": "string", "default": "HOCBA_REMOTE_TOKEN",
                          "description": "environment variable holding the bearer (access) token"},
            "timeout": {"type": "number", "default": 300, "description": "seconds to wait for the signer's approval"},
            "poll_interval": {"type": "number", "default": 2},
            "poll_max_interval": {"type": "number", "default": 15},
            "request_timeout": {"type": "number", "default": 30},
            "attempts": {"type": "integer", "minimum": 1, "default": 4,
                         "description": "tries per call on network errors (same request id every time)"},
            "batch_linger": {"type": "number", "default": 0.1,
                             "description": "seconds async_sign_raw waits for more calls to join one authorisation"},
            "ca_file": {"type": "string", "description": "CA bundle to trust for the service's TLS certificate"},
            "description": {"type": "string", "description": "text shown on the phone; {count} = documents"},
        },
    }

    def __init__(self, config: dict[str, Any], *, on_transaction: Callable[[str, str, int], None] | None = None):
        super().__init__(config)
        self.on_transaction = on_transaction
        self.signer = None

    def _token(self) -> tuple[str, str]:
        """The bearer token and, for messages, where it came from (never the token itself)."""
        if self.config.get("token"):  # already taken from the environment by the configuration loader
            token, env = self.config["token"], self.config.get("token_env", "token_env")
        else:
            env = self.config.get("token_env", DEFAULT_TOKEN_ENV)
            token = os.environ.get(env)
        if not token:
            raise SignerError("remote_token_missing", env=env)
        register_secret(token)
        return token, env

    def open(self):
        """Return a :class:`connector.sign.remote_signer.RemoteSigner` for the configured credential."""
        from connector.sign.remote_signer import RemoteSigner  # pyHanko: imported when signing, not at start-up

        token, env = self._token()
        c = self.config
        client = RemoteClient(c["url"], token, api_version=c.get("api_version", "v2"),
                              request_timeout=c.get("request_timeout", 30), ca_file=c.get("ca_file"),
                              attempts=c.get("attempts", 4), token_env=env)
        credential_id = c.get("credential_id") or self._only_credential(client)
        info = self._info(client, credential_id)
        certificate, chain = self._certificates(client, credential_id, info)
        self.signer = RemoteSigner(
            client, credential_id, certificate, chain,
            multisign=int(info.get("multisign", 1) or 1),
            timeout=c.get("timeout", 300), poll_interval=c.get("poll_interval", 2),
            poll_max_interval=c.get("poll_max_interval", 15), batch_linger=c.get("batch_linger", 0.1),
            description=c.get("description", "hocba: {count} học bạ"), on_transaction=self.on_transaction,
        )
        log.info("remote_signer_open", service=client.service, stand_in=client.stand_in,
                 certificate_sha1=certificate.sha1.hex())
        return self.signer

    @staticmethod
    def _info(client: RemoteClient, credential_id: str) -> dict:
        try:
            return client.call("credentials/info", {"credentialID": credential_id, "certificates": "chain",
                                                    "certInfo": False})
        except SignerError as exc:
            if exc.key != "remote_refused":
                raise
            ids = client.call("credentials/list", {}).get("credentialIDs") or []
            if credential_id in ids:
                raise
            raise SignerError("remote_credential_not_found", service=client.service, credential=credential_id,
                              available=", ".join(ids) or "-") from None

    @staticmethod
    def _only_credential(client: RemoteClient) -> str:
        ids = client.call("credentials/list", {}).get("credentialIDs") or []
        if len(ids) != 1:
            raise SignerError("remote_credential_choose", service=client.service, available=", ".join(ids) or "-")
        return ids[0]

    @staticmethod
    def _certificates(client: RemoteClient, credential_id: str, info: dict):
        import base64

        from asn1crypto import x509 as asn1_x509

        key, cert = info.get("key") or {}, info.get("cert") or {}
        if key.get("status", "enabled") != "enabled" or cert.get("status", "valid") != "valid":
            raise SignerError("remote_credential_disabled", credential=credential_id,
                              status=f"key {key.get('status', '?')}, cert {cert.get('status', '?')}")
        try:
            certs = [asn1_x509.Certificate.load(base64.b64decode(c)) for c in cert["certificates"]]
            certs[0].native  # noqa: B018 - parse now, not halfway through a batch
        except (KeyError, IndexError, ValueError, TypeError):
            raise SignerError("remote_bad_response", service=client.service, detail="no certificate chain") from None
        return certs[0], certs[1:]

    def close(self) -> None:
        self.signer = None


@hookimpl
def register_signers(register):
    register(RemoteBackend)
