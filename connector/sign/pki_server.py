"""A tiny local TSA, OCSP responder and CRL server for the TEST PKI (development, tests, demo only).

``hocba pki serve --dir DIR`` (or :class:`LocalPkiServer` in tests) listens on 127.0.0.1 only and serves:

- ``POST /tsa``: RFC 3161 time-stamps, signed by the test TSA certificate (pyHanko's ``DummyTimeStamper``
  does the ASN.1; it is pyHanko's own testing TSA);
- ``POST /ocsp``: RFC 6960 OCSP answers for the issuing CA's certificates, signed by the test OCSP
  responder (``cryptography``'s OCSP builder): "revoked" for the serials in ``test-only-revoked.json``,
  "good" for the others;
- ``GET /crl/issuing.crl``, ``GET /crl/root.crl``: CRLs of the two test CAs.

Never expose it beyond loopback: it signs anything asked of it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from connector.log import get_logger
from connector.sign.pki import PREFIX, load_identity, load_manifest, read_password

log = get_logger("hocba.sign.pki_server")

REASONS = {"key_compromise": x509.ReasonFlags.key_compromise, "unspecified": x509.ReasonFlags.unspecified,
           "superseded": x509.ReasonFlags.superseded}
VALIDITY = dt.timedelta(days=7)  # nextUpdate of OCSP answers and CRLs


class _TimeStamper(DummyTimeStamper):
    """pyHanko's testing TSA with its key loaded once. ``DummyTimeStamper`` parses the key again for every
    answer (~70 ms of RSA key checks: most of the time a school's batch spent being time-stamped). The
    method below is pyHanko 0.38's ``_sign_tst_info`` with the loaded key (the test PKI's TSA key is RSA)."""

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, when: dt.datetime):
        from asn1crypto import cms, core
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(when)})),
            simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


class _Responder:
    """The loaded test PKI and the answers it gives."""

    def __init__(self, directory: Path):
        password = read_password(directory)
        self.root = load_identity(directory, "root-ca", password)
        self.issuing = load_identity(directory, "issuing-ca", password)
        self.ocsp = load_identity(directory, "ocsp", password)
        tsa = load_identity(directory, "tsa", password)
        chain = [translate_pyca_cryptography_cert_to_asn1(c) for c in (self.issuing.cert, self.root.cert)]
        self.timestamper = _TimeStamper(
            tsa.key, tsa_cert=translate_pyca_cryptography_cert_to_asn1(tsa.cert),
            tsa_key=translate_pyca_cryptography_key_to_asn1(tsa.key),
            certs_to_embed=SimpleCertificateStore.from_certs(chain),
        )
        revoked_file = directory / f"{PREFIX}revoked.json"
        entries = json.loads(revoked_file.read_text()).get("revoked", []) if revoked_file.exists() else []
        self.revoked = {int(e["serial"]): (dt.datetime.fromisoformat(e["since"]), e.get("reason", "unspecified"))
                        for e in entries}
        self._issuer_key_hash = self._key_hash(self.issuing.cert)

    @staticmethod
    def _key_hash(cert: x509.Certificate) -> bytes:
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest

    def timestamp(self, body: bytes) -> bytes:
        return self.timestamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()

    def ocsp_answer(self, body: bytes) -> bytes:
        try:
            request = ocsp.load_der_ocsp_request(body)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
                serialization.Encoding.DER)
        if request.issuer_key_hash != self._issuer_key_hash and request.hash_algorithm.name == "sha1":
            return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(
                serialization.Encoding.DER)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        revoked = self.revoked.get(request.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number, algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - dt.timedelta(minutes=1), next_update=now + VALIDITY,
            revocation_time=revoked[0] if revoked else None,
            revocation_reason=REASONS.get(revoked[1]) if revoked else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.ocsp.cert).certificates([self.ocsp.cert])
        for ext in request.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(self.ocsp.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl(self, which: str) -> bytes | None:
        ca = {"issuing": self.issuing, "root": self.root}.get(which)
        if ca is None:
            return None
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
                   .last_update(now - dt.timedelta(minutes=1)).next_update(now + VALIDITY)
                   .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                                  critical=False))
        if ca is self.issuing:
            for serial, (since, reason) in self.revoked.items():
                entry = (x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(since)
                         .add_extension(x509.CRLReason(REASONS.get(reason, x509.ReasonFlags.unspecified)),
                                        critical=False).build())
                builder = builder.add_revoked_certificate(entry)
        return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 — quiet: requests are logged as counts only
        log.debug("pki_server_request", path=self.path.split("?")[0])

    def _reply(self, status: int, body: bytes = b"", content_type: str = "application/octet-stream") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        responder = self.server.responder
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if responder is None:
            return self._reply(503)
        path = self.path.rstrip("/")
        try:
            if path.endswith("/tsa"):
                return self._reply(200, responder.timestamp(body), "application/timestamp-reply")
            if path.endswith("/ocsp"):
                return self._reply(200, responder.ocsp_answer(body), "application/ocsp-response")
        except ValueError:
            return self._reply(400)
        self._reply(404)

    def do_GET(self) -> None:  # noqa: N802
        responder = self.server.responder
        parts = self.path.strip("/").split("/")
        if responder is not None and len(parts) == 2 and parts[0] == "crl" and parts[1].endswith(".crl"):
            body = responder.crl(parts[1][:-4])
            if body is not None:
                return self._reply(200, body, "application/pkix-crl")
        self._reply(404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    responder: _Responder | None = None

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout, closed connection) is not worth a traceback on the console."""
        log.info("pki_server_request_failed")


class LocalPkiServer:
    """The local services on 127.0.0.1. Start it first (``port=0`` picks a free port), create the PKI
    with :attr:`url`, then :meth:`load` it — the certificates must name the URL they are served on."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self._server = _Server((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def load(self, directory: Path) -> "LocalPkiServer":
        self._server.responder = _Responder(Path(directory))
        return self

    def start(self) -> "LocalPkiServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="hocba-pki-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LocalPkiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def server_for(directory: Path) -> LocalPkiServer:
    """A server on the host and port the test PKI's certificates name (its manifest's URL)."""
    from urllib.parse import urlsplit

    url = urlsplit(load_manifest(directory)["url"])
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the test PKI services listen on loopback only")
    return LocalPkiServer(url.port or 80, "127.0.0.1").load(directory)
