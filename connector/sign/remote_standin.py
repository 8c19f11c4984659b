"""A local STAND-IN for a remote-signing service — for tests and demos only, NOT a real signing service.

It speaks the same CSC-style API (Cloud Signature Consortium v2 shape) as the ``remote`` backend expects
from a provider, holds its keys in memory, and imitates the part that matters: every request for
signatures creates a transaction that stays *pending* until someone approves it — as a teacher would on
the phone with VNPT SmartCA or Viettel MySign. Nothing here is secure: keys live in this process, the
bearer token is a fixed test string, approval is an unauthenticated HTTP call. It says so in its startup
banner, in an ``X-Hocba-Stand-In`` header on every response, and in ``/csc/v2/info``.

Endpoints (POST, JSON, ``Authorization: Bearer <token>`` except ``info``)::

    /csc/v2/info                      service description (name says STAND-IN)
    /csc/v2/credentials/list          -> {"credentialIDs": [...]}
    /csc/v2/credentials/info          {"credentialID"} -> key algorithms, certificate chain, multisign
    /csc/v2/credentials/authorize     {"credentialID", "hashes", "hashAlgorithmOID", "requestID", ...}
                                      -> {"transactionID", "status": "pending", "expiresIn"}
                                      idempotent: the same requestID returns the same transaction
    /csc/v2/credentials/authorizeCheck {"transactionID"} -> {"status": pending|approved|rejected|expired,
                                      "SAD" once approved}
    /csc/v2/signatures/signHash       {"credentialID", "SAD", "hashes", "hashAlgorithmOID", "signAlgo"}
                                      -> {"signatures": [...]} (only the hashes the SAD was approved for)
    stand-in only: /approve/{txn}  /reject/{txn}  /expire/{txn}  (what the signer's phone would do)
                   /standin/faults {"drop_response": "<endpoint>", "times": n}  (answer nothing, n times)
                   GET /standin/transactions

Run ``python -m connector.sign.remote_standin --help``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12

STANDIN_HEADER = "X-Hocba-Stand-In"
STANDIN_NOTICE = "STAND-IN remote-signing service for tests and demos - NOT a real signing service"
DEFAULT_TOKEN = "hocba-stand-in-token"
BANNER = (
    "*** hocba remote-signing STAND-IN — NOT a real signing service: tests and demos only ***\n"
    "*** Dịch vụ ký số từ xa GIẢ LẬP của hocba — KHÔNG phải dịch vụ ký số thật: chỉ để thử nghiệm ***"
)
HASHES = {  # hashAlgorithmOID -> (name, cryptography hash)
    "2.16.840.1.101.3.4.2.1": ("sha256", hashes.SHA256()),
    "2.16.840.1.101.3.4.2.2": ("sha384", hashes.SHA384()),
    "2.16.840.1.101.3.4.2.3": ("sha512", hashes.SHA512()),
}
RSA_SIGN_ALGOS = {"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13"}
EC_SIGN_ALGOS = {"1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"}


@dataclass
class Credential:
    id: str
    key: object
    certificate: object  # cryptography x509.Certificate
    chain: list = field(default_factory=list)

    def info(self) -> dict:
        rsa_key = isinstance(self.key, rsa.RSAPrivateKey)
        der = [c.public_bytes(serialization.Encoding.DER) for c in (self.certificate, *self.chain)]
        cert = self.certificate
        return {
            "key": {"status": "enabled", "algo": sorted(RSA_SIGN_ALGOS if rsa_key else EC_SIGN_ALGOS),
                    "len": self.key.key_size},
            "cert": {
                "status": "valid",
                "certificates": [base64.b64encode(d).decode() for d in der],
                "issuerDN": cert.issuer.rfc4514_string(),
                "subjectDN": cert.subject.rfc4514_string(),
                "serialNumber": format(cert.serial_number, "x"),
                "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            },
            "authMode": "explicit",
            "SCAL": "2",
            "lang": "vi-VN",
        }

    def sign(self, digest: bytes, hash_algorithm) -> bytes:
        prehashed = utils.Prehashed(hash_algorithm)
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(digest, padding.PKCS1v15(), prehashed)
        return self.key.sign(digest, ec.ECDSA(prehashed))  # DER, as CMS and pyHanko signers give it


@dataclass
class Transaction:
    id: str
    request_id: str
    credential_id: str
    hashes: list[str]
    hash_oid: str
    description: str
    created: float
    expires_at: float
    status: str = "pending"
    sad: str | None = None
    sad_expires_at: float = 0.0

    def summary(self) -> dict:
        return {"transactionID": self.id, "requestID": self.request_id, "credentialID": self.credential_id,
                "status": self.status, "numSignatures": len(self.hashes), "description": self.description}


class ApiError(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class StandIn:
    """The stand-in service: credentials, transactions and the HTTP server around them."""

    def __init__(self, credentials: list[Credential], token: str = DEFAULT_TOKEN, approval_timeout: float = 300,
                 sad_lifetime: float = 300, auto_approve_after: float | None = None, multisign: int = 100):
        self.credentials = {c.id: c for c in credentials}
        self.token = token
        self.approval_timeout = approval_timeout
        self.sad_lifetime = sad_lifetime
        self.auto_approve_after = auto_approve_after
        self.multisign = multisign
        self.transactions: dict[str, Transaction] = {}
        self._by_request: dict[str, str] = {}
        self._faults: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- the service ---

    def _credential(self, body: dict) -> Credential:
        credential = self.credentials.get(str(body.get("credentialID")))
        if credential is None:
            raise ApiError(400, "invalid_request", "Invalid parameter credentialID")
        return credential

    def _transaction(self, txn_id: str) -> Transaction:
        txn = self.transactions.get(txn_id)
        if txn is None:
            raise ApiError(404, "invalid_request", "Unknown transactionID")
        now = time.time()
        if txn.status == "pending" and self.auto_approve_after is not None and now >= txn.created + self.auto_approve_after:
            self._approve(txn)
        if txn.status == "pending" and now >= txn.expires_at:
            txn.status = "expired"
        return txn

    def _approve(self, txn: Transaction) -> None:
        txn.status, txn.sad = "approved", secrets.token_urlsafe(24)
        txn.sad_expires_at = time.time() + self.sad_lifetime

    def info(self, body: dict) -> dict:
        return {"specs": "2.0.0.2", "name": "hocba remote-signing STAND-IN (not a real signing service)",
                "region": "VN", "lang": "vi-VN", "authType": ["basic"],
                "methods": ["credentials/list", "credentials/info", "credentials/authorize",
                            "credentials/authorizeCheck", "signatures/signHash"]}

    def credentials_list(self, body: dict) -> dict:
        return {"credentialIDs": sorted(self.credentials)}

    def credentials_info(self, body: dict) -> dict:
        return {**self._credential(body).info(), "multisign": self.multisign}

    def authorize(self, body: dict) -> dict:
        credential = self._credential(body)
        request_id = body.get("requestID")
        hash_list = body.get("hashes") or body.get("hash")
        if not request_id or not isinstance(hash_list, list) or not hash_list:
            raise ApiError(400, "invalid_request", "requestID and a non-empty hashes list are required")
        if len(hash_list) > self.multisign:
            raise ApiError(400, "invalid_request", f"At most {self.multisign} hashes per authorisation")
        if body.get("hashAlgorithmOID") not in HASHES:
            raise ApiError(400, "invalid_request", "Unsupported hashAlgorithmOID")
        key = f"{credential.id}\n{request_id}"
        existing = self._by_request.get(key)
        if existing is not None:  # a retried submit: same transaction, never a second one
            txn = self._transaction(existing)
            if txn.hashes != hash_list:
                raise ApiError(409, "request_id_conflict", "requestID already used for other hashes")
        else:
            now = time.time()
            txn = Transaction(secrets.token_hex(8), str(request_id), credential.id, list(hash_list),
                              body["hashAlgorithmOID"], str(body.get("description", ""))[:200], now,
                              now + self.approval_timeout)
            self.transactions[txn.id] = txn
            self._by_request[key] = txn.id
        return {"transactionID": txn.id, "status": txn.status, "expiresIn": max(0, int(txn.expires_at - time.time()))}

    def authorize_check(self, body: dict) -> dict:
        txn = self._transaction(str(body.get("transactionID")))
        answer = {"transactionID": txn.id, "status": txn.status}
        if txn.status == "approved":
            answer.update(SAD=txn.sad, expiresIn=max(0, int(txn.sad_expires_at - time.time())))
        return answer

    def sign_hash(self, body: dict) -> dict:
        credential = self._credential(body)
        txn = next((t for t in self.transactions.values() if t.sad and t.sad == body.get("SAD")), None)
        if txn is None or txn.credential_id != credential.id:
            raise ApiError(400, "invalid_request", "Invalid SAD")
        if time.time() >= txn.sad_expires_at:
            raise ApiError(400, "invalid_request", "SAD expired")
        hash_list = body.get("hashes") or body.get("hash")
        if hash_list != txn.hashes or body.get("hashAlgorithmOID", txn.hash_oid) != txn.hash_oid:
            raise ApiError(400, "invalid_request", "Hashes differ from the ones the signer approved")
        sign_algo = body.get("signAlgo")
        allowed = RSA_SIGN_ALGOS if isinstance(credential.key, rsa.RSAPrivateKey) else EC_SIGN_ALGOS
        if sign_algo not in allowed:
            raise ApiError(400, "invalid_request", "signAlgo does not fit the key")
        name, hash_algorithm = HASHES[txn.hash_oid]
        signatures = []
        for h in hash_list:
            digest = base64.b64decode(h)
            if len(digest) != hash_algorithm.digest_size:
                raise ApiError(400, "invalid_request", f"A hash is not a {name} digest")
            signatures.append(base64.b64encode(credential.sign(digest, hash_algorithm)).decode())
        return {"signatures": signatures}

    # --- what the signer's phone would do ---

    def decide(self, txn_id: str, decision: str) -> dict:
        with self._lock:
            txn = self._transaction(txn_id)
            if txn.status != "pending":
                raise ApiError(409, "invalid_request", f"Transaction is {txn.status}, not pending")
            if decision == "approve":
                self._approve(txn)
            else:
                txn.status = "rejected" if decision == "reject" else "expired"
            return txn.summary()

    def approve(self, txn_id: str) -> dict:
        return self.decide(txn_id, "approve")

    def reject(self, txn_id: str) -> dict:
        return self.decide(txn_id, "reject")

    def expire(self, txn_id: str) -> dict:
        return self.decide(txn_id, "expire")

    def pending(self) -> list[str]:
        with self._lock:
            return [t.id for t in self.transactions.values() if self._transaction(t.id).status == "pending"]

    def drop_responses(self, endpoint: str, times: int = 1) -> None:
        """Do the work but answer nothing, ``times`` times: a lost response, as on a flaky network."""
        with self._lock:
            self._faults[endpoint] = times

    # --- HTTP ---

    ROUTES = {
        "/csc/v2/info": ("info", False),
        "/csc/v2/credentials/list": ("credentials_list", True),
        "/csc/v2/credentials/info": ("credentials_info", True),
        "/csc/v2/credentials/authorize": ("authorize", True),
        "/csc/v2/credentials/authorizeCheck": ("authorize_check", True),
        "/csc/v2/signatures/signHash": ("sign_hash", True),
    }

    def handle(self, method: str, path: str, headers, body: dict) -> tuple[int, dict] | None:
        """(status, JSON answer), or None to drop the response."""
        if method == "GET" and path == "/standin/transactions":
            with self._lock:
                return 200, {"transactions": [self._transaction(t).summary() for t in list(self.transactions)]}
        if method != "POST":
            return 405, {"error": "invalid_request", "error_description": "POST only"}
        for action in ("approve", "reject", "expire"):
            if path.startswith(f"/{action}/"):
                return 200, self.decide(path.rsplit("/", 1)[1], action)
        if path == "/standin/faults":
            self.drop_responses(str(body.get("drop_response")), int(body.get("times", 1)))
            return 200, {"ok": True}
        route = self.ROUTES.get(path)
        if route is None:
            return 404, {"error": "invalid_request", "error_description": "Unknown endpoint"}
        method_name, needs_auth = route
        if needs_auth and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "invalid_token", "error_description": "Missing or invalid bearer token"}
        with self._lock:
            answer = getattr(self, method_name)(body)
            endpoint = path.removeprefix("/csc/v2/")
            if self._faults.get(endpoint, 0) > 0:
                self._faults[endpoint] -= 1
                return None
        return 200, answer

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL."""
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="remote-standin", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _handler(service: StandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "hocba-remote-standin"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise ValueError
                result = service.handle(method, self.path, self.headers, body)
            except ApiError as exc:
                result = exc.status, {"error": exc.error, "error_description": exc.description}
            except (ValueError, TypeError):
                result = 400, {"error": "invalid_request", "error_description": "Malformed JSON body"}
            if result is None:  # a lost response: close without answering
                self.close_connection = True
                return
            status, answer = result
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header(STANDIN_HEADER, STANDIN_NOTICE)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 (http.server naming)
            self._serve("POST")

        def do_GET(self):  # noqa: N802
            self._serve("GET")

        def log_message(self, format, *args):  # noqa: A002 - quiet unless asked
            if os.environ.get("HOCBA_STANDIN_VERBOSE"):
                sys.stderr.write(f"stand-in: {format % args}\n")

    return Handler


# --- credentials ---


def generate_credentials() -> list[Credential]:
    """One RSA-2048 and one EC P-256 test credential under a throwaway STAND-IN root."""
    from connector.sign.testkeys import TestCA

    ca = TestCA.create("hocba remote-signing STAND-IN Root CA (test only)")
    made = []
    for credential_id, kind, name in (("standin-rsa", "rsa", "Giáo Viên Thử (STAND-IN)"),
                                      ("standin-ec", "ec", "Hiệu Trưởng Thử (STAND-IN)")):
        issued = ca.issue(name, kind=kind)
        made.append(Credential(credential_id, issued.key, issued.certificate, issued.chain))
    return made


def load_pkcs12(path: Path, password: bytes | None) -> Credential:
    key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    if key is None or cert is None:
        raise SystemExit(f"stand-in: {path} holds no key and certificate")
    return Credential(path.stem, key, cert, list(extra or []))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m connector.sign.remote_standin",
        description="hocba remote-signing STAND-IN (CSC-style API) for tests and demos — NOT a real signing service.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 = any free port (printed on start)")
    parser.add_argument("--pkcs12", type=Path, action="append", default=[],
                        help="serve the key of this PKCS#12 file (credential id = file name without .p12); repeatable")
    parser.add_argument("--pkcs12-password-env", help="environment variable holding the PKCS#12 password")
    parser.add_argument("--token-env", default="HOCBA_STANDIN_TOKEN",
                        help=f"environment variable with the bearer token clients must send (default token: {DEFAULT_TOKEN})")
    parser.add_argument("--auto-approve-after", type=float, metavar="SECONDS",
                        help="approve every pending transaction after SECONDS (demo); default: wait for POST /approve/{txn}")
    parser.add_argument("--approval-timeout", type=float, default=300, metavar="SECONDS",
                        help="a transaction not approved within SECONDS expires (default 300)")
    args = parser.parse_args(argv)

    password = os.environ.get(args.pkcs12_password_env, "").encode() if args.pkcs12_password_env else None
    credentials = [load_pkcs12(p, password) for p in args.pkcs12] or generate_credentials()
    service = StandIn(credentials, token=os.environ.get(args.token_env, DEFAULT_TOKEN),
                      approval_timeout=args.approval_timeout, auto_approve_after=args.auto_approve_after)
    url = service.start(args.host, args.port)
    print(BANNER, flush=True)
    print(f"credentials: {', '.join(service.credentials)}", flush=True)
    approval = (f"auto-approve after {args.auto_approve_after:g} s" if args.auto_approve_after is not None
                else f"approve with: curl -X POST {url}/approve/<transactionID>")
    print(approval, flush=True)
    print(f"listening on {url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


if __name__ == "__main__":
    main()
