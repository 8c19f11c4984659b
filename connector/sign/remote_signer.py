"""The pyHanko ``Signer`` of the ``remote`` backend (see :mod:`connector.sign.remote` for the protocol).

Kept apart from the backend module so that registering backends at start-up does not import pyHanko.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_exponential

from connector.log import get_logger
from connector.sign.backend import SignerError
from connector.sign.remote import RemoteClient, SignaturePending

log = get_logger(__name__)

DIGESTS = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
FINAL = ("rejected", "expired")
MAX_ATTEMPTS = 20  # new requests for the very same hashes after rejections or expiries


@dataclass
class _Batch:
    """``async_sign_raw`` calls waiting to go out together under one authorisation."""

    digest_algorithm: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    digests: list[bytes] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    started: bool = False


def _digest(data: bytes, digest_algorithm: str) -> bytes:
    return hashlib.new(digest_algorithm, data).digest()


class RemoteSigner(Signer):
    """A pyHanko ``Signer`` whose key is at a remote-signing service.

    ``async_sign_raw`` (pyHanko's entry point) batches calls that arrive together; ``sign_raw`` signs one
    hash; :meth:`sign_many` signs a list under one authorisation per ``multisign`` hashes. Signatures are
    raw (PKCS#1 v1.5 for RSA, DER-encoded ECDSA), exactly what pyHanko's own signers return, and each is
    checked against the certificate before it is handed out.
    """

    def __init__(self, client: RemoteClient, credential_id: str, certificate: asn1_x509.Certificate,
                 chain: list[asn1_x509.Certificate], *, multisign: int = 1, timeout: float = 300,
                 poll_interval: float = 2, poll_max_interval: float = 15, batch_linger: float = 0.1,
                 description: str = "hocba: {count} học bạ",
                 on_transaction: Callable[[str, str, int], None] | None = None):
        registry = SimpleCertificateStore()
        registry.register_multiple([certificate, *chain])
        super().__init__(signing_cert=certificate, cert_registry=registry)
        self.client = client
        self.credential_id = credential_id
        self.multisign = max(1, multisign)
        self.timeout, self.poll_interval, self.poll_max_interval = timeout, poll_interval, poll_max_interval
        self.batch_linger = batch_linger
        self.description = description
        self.on_transaction = on_transaction  # (request id, transaction id, count): persist before waiting
        self._public_key = load_der_public_key(certificate.public_key.dump())
        self._batches: dict[str, _Batch] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def stand_in(self) -> bool:
        return self.client.stand_in

    # --- pyHanko's interface ---

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(self._signature_size())
        digest_algorithm = digest_algorithm.lower()
        loop = asyncio.get_running_loop()
        batch = self._batches.get(digest_algorithm)
        if batch is None or batch.loop is not loop:
            batch = self._batches[digest_algorithm] = _Batch(digest_algorithm, loop, loop.create_future())
        index = len(batch.digests)
        batch.digests.append(_digest(data, digest_algorithm))
        if len(batch.digests) >= self.multisign:
            self._flush(batch)
        else:  # wait for more: the batch goes out once no call has joined it for batch_linger seconds
            if batch.timer is not None:
                batch.timer.cancel()
            batch.timer = loop.call_later(self.batch_linger, self._flush, batch)
        signatures = await asyncio.shield(batch.future)
        return signatures[index]

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        return self.sign_hashes([_digest(data, digest_algorithm.lower())], digest_algorithm)[0]

    # --- batches ---

    def sign_many(self, items: Iterable[bytes], digest_algorithm: str = "sha256") -> list[bytes]:
        """Sign every item: one authorisation (one confirmation on the phone) per ``multisign`` items."""
        digests = [_digest(data, digest_algorithm.lower()) for data in items]
        signatures = []
        for start in range(0, len(digests), self.multisign):
            signatures += self.sign_hashes(digests[start:start + self.multisign], digest_algorithm)
        return signatures

    async def async_sign_many(self, items: Iterable[bytes], digest_algorithm: str = "sha256") -> list[bytes]:
        return await asyncio.to_thread(self.sign_many, list(items), digest_algorithm)

    def sign_hashes(self, digests: list[bytes], digest_algorithm: str = "sha256") -> list[bytes]:
        """One transaction for these hashes: submit (idempotently), wait for the signer, fetch signatures.

        The service sees the distinct hashes in sorted order, so the same documents in another order (a
        later run of the same class) make the same request id and the same transaction."""
        unique = sorted(set(digests))
        request_id, transaction_id = self.authorize(unique, digest_algorithm)
        return self._in_order(digests, unique, self.collect(transaction_id, unique, digest_algorithm, request_id))

    @staticmethod
    def _in_order(digests: list[bytes], unique: list[bytes], signatures: list[bytes]) -> list[bytes]:
        by_digest = dict(zip(unique, signatures))
        return [by_digest[d] for d in digests]

    def request_id(self, digests: list[bytes], digest_algorithm: str, attempt: int = 0) -> str:
        """The client request id of a batch: derived from the credential and the hashes, so submitting
        the same bytes again — a transport retry, or a new run after a crash or a time-out — finds the
        same transaction instead of asking the signer a second time."""
        h = hashlib.sha256(f"{self.credential_id}\n{digest_algorithm.lower()}\n{attempt}\n".encode())
        for digest in digests:
            h.update(digest)
        return str(uuid.UUID(bytes=h.digest()[:16], version=4))

    def authorize(self, digests: list[bytes], digest_algorithm: str) -> tuple[str, str]:
        """Ask the service to have these hashes approved; returns (request id, transaction id).

        If the transaction for these very hashes was rejected or expired earlier, this is a deliberate new
        attempt: the old one is final (nothing to cancel), so the next attempt number makes a new one."""
        for attempt in range(MAX_ATTEMPTS):
            request_id = self.request_id(digests, digest_algorithm, attempt)
            answer = self.client.call("credentials/authorize", {
                "credentialID": self.credential_id,
                "numSignatures": len(digests),
                "hashes": [base64.b64encode(d).decode() for d in digests],
                "hashAlgorithmOID": algos.DigestAlgorithmId(digest_algorithm.lower()).dotted,
                "description": self.description.format(count=len(digests)),
                "requestID": request_id,
            })
            transaction_id = answer.get("transactionID")
            if not transaction_id:
                raise SignerError("remote_bad_response", service=self.client.service, detail="no transactionID")
            if answer.get("status") not in FINAL:
                break
        log.info("remote_transaction", transaction=transaction_id, count=len(digests), attempt=attempt)
        if self.on_transaction is not None:
            self.on_transaction(request_id, transaction_id, len(digests))
        return request_id, transaction_id

    def resume(self, transaction_id: str, items: Iterable[bytes], digest_algorithm: str = "sha256") -> list[bytes]:
        """Wait again for an existing transaction (after :class:`SignaturePending`); never resubmits.
        ``items`` must be the very bytes of that transaction (all of them, in any order)."""
        digests = [_digest(data, digest_algorithm.lower()) for data in items]
        unique = sorted(set(digests))
        return self._in_order(digests, unique, self.collect(transaction_id, unique, digest_algorithm, request_id="-"))

    def collect(self, transaction_id: str, digests: list[bytes], digest_algorithm: str, request_id: str) -> list[bytes]:
        """Poll the transaction until the signer decides; then fetch and check the signatures."""
        status = self._wait(transaction_id)
        state = status.get("status")
        if state == "pending":
            raise SignaturePending(transaction_id, request_id, len(digests), self.timeout)
        if state == "rejected":
            raise SignerError("remote_rejected", txn=transaction_id, count=len(digests))
        if state == "expired":
            raise SignerError("remote_expired", txn=transaction_id, count=len(digests))
        if state != "approved" or not status.get("SAD"):
            raise SignerError("remote_bad_response", service=self.client.service, detail=f"status {state!r}")
        answer = self.client.call("signatures/signHash", {
            "credentialID": self.credential_id,
            "SAD": status["SAD"],
            "hashes": [base64.b64encode(d).decode() for d in digests],
            "hashAlgorithmOID": algos.DigestAlgorithmId(digest_algorithm.lower()).dotted,
            "signAlgo": self.get_signature_mechanism_for_digest(digest_algorithm.lower())["algorithm"].dotted,
        })
        return self._checked(answer.get("signatures"), digests, digest_algorithm.lower())

    def _wait(self, transaction_id: str) -> dict:
        def check() -> dict:
            return self.client.call("credentials/authorizeCheck", {"transactionID": transaction_id})

        retrying = Retrying(
            retry=retry_if_result(lambda answer: answer.get("status") == "pending"),
            wait=wait_exponential(multiplier=self.poll_interval, min=self.poll_interval, max=self.poll_max_interval),
            stop=stop_after_delay(self.timeout),
            retry_error_callback=lambda state: state.outcome.result(),  # still pending: the caller decides
        )
        try:
            return retrying(check)
        except RetryError:  # pragma: no cover - retry_error_callback answers instead
            return {"status": "pending"}

    def _checked(self, encoded, digests: list[bytes], digest_algorithm: str) -> list[bytes]:
        if not isinstance(encoded, list) or len(encoded) != len(digests):
            raise SignerError("remote_bad_response", service=self.client.service, detail="wrong number of signatures")
        prehashed = utils.Prehashed(DIGESTS[digest_algorithm])
        signatures = []
        for value, digest in zip(encoded, digests):
            signature = base64.b64decode(value)
            try:
                if isinstance(self._public_key, rsa.RSAPublicKey):
                    self._public_key.verify(signature, digest, padding.PKCS1v15(), prehashed)
                elif isinstance(self._public_key, ec.EllipticCurvePublicKey):
                    self._public_key.verify(signature, digest, ec.ECDSA(prehashed))
            except InvalidSignature:
                raise SignerError("remote_bad_signature", service=self.client.service) from None
            signatures.append(signature)
        return signatures

    def _flush(self, batch: _Batch) -> None:
        if self._batches.get(batch.digest_algorithm) is batch:
            del self._batches[batch.digest_algorithm]
        if batch.timer is not None:
            batch.timer.cancel()
            batch.timer = None
        if batch.digests and not batch.started:
            batch.started = True
            task = batch.loop.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: _Batch) -> None:
        try:
            signatures = await asyncio.to_thread(self.sign_hashes, batch.digests, batch.digest_algorithm)
        except asyncio.CancelledError:
            batch.future.cancel()
            raise
        except Exception as exc:  # every waiter of the batch gets the same answer
            batch.future.set_exception(exc)
        else:
            batch.future.set_result(signatures)

    def _signature_size(self) -> int:
        if isinstance(self._public_key, rsa.RSAPublicKey):
            return self._public_key.key_size // 8
        return 512


