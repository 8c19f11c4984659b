"""A pyHanko signer for a key held in memory (PKCS#12 files: development, tests, the benchmark).

pyHanko's ``SimpleSigner.sign_raw`` re-parses its private key on every signature (~50 ms, brief 11 §3.1):
:class:`LoadedKeySigner` signs with the ``cryptography`` key parsed once — byte-identical signatures,
~65× faster — so one ``open()`` signs a whole class fast. Imported only when signing (pyHanko is slow to
import, and backends register at every start-up).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from connector.errors import ConfigError


class LoadedKeySigner(SimpleSigner):
    """A ``SimpleSigner`` that keeps the parsed ``cryptography`` key (byte-identical signatures).

    ``async_sign_raw`` signs right away, in the caller's thread: handing each ~1 ms signature to a worker
    thread costs more in thread switches and GIL hand-overs than it wins; a large batch uses the other
    cores through processes instead (``Pkcs12Backend.workers``)."""

    def __init__(self, private_key, **kwargs: Any):
        super().__init__(signing_key=translate_pyca_cryptography_key_to_asn1(private_key), **kwargs)
        self.private_key = private_key
        self._mechanisms: dict[str, tuple] = {}

    def _mechanism(self, digest_algorithm: str) -> tuple:
        """(algorithm name, padding or None, hash), worked out once per digest algorithm."""
        if digest_algorithm not in self._mechanisms:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            algorithm = mechanism.signature_algo
            if algorithm == "rsassa_pss":
                pss, hash_algorithm = process_pss_params(mechanism["parameters"])
                self._mechanisms[digest_algorithm] = (algorithm, pss, hash_algorithm)
            else:
                self._mechanisms[digest_algorithm] = (algorithm, PKCS1v15(),
                                                      get_pyca_cryptography_hash(digest_algorithm))
        return self._mechanisms[digest_algorithm]

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm, pad, hash_algorithm = self._mechanism(digest_algorithm)
        key = self.private_key
        if algorithm in ("rsassa_pkcs1v15", "rsassa_pss") and isinstance(key, RSAPrivateKey):
            return key.sign(data, pad, hash_algorithm)
        if algorithm == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)  # rarer key types: pyHanko's own path

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self.sign_raw(data, digest_algorithm)


def load_pkcs12_signer(data: bytes, password: bytes | None, where: str) -> LoadedKeySigner:
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise ConfigError("sign_p12_unreadable", file=where) from None
    if key is None or cert is None:
        raise ConfigError("sign_p12_incomplete", file=where)
    chain = [translate_pyca_cryptography_cert_to_asn1(c) for c in others]
    return LoadedKeySigner(key, signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
                           cert_registry=SimpleCertificateStore.from_certs(chain))
