"""``pkcs11`` signer backend: USB tokens (and SoftHSM2 in tests) through pyHanko's ``PKCS11Signer``.

One PIN entry signs a whole batch: :meth:`Pkcs11Backend.open` logs in once and hands out a signer that
keeps its session until :meth:`Pkcs11Backend.close`.

Threads (brief 11 §3.2): python-pkcs11 initialises the library without locking, and two threads calling
into it at once fail (``CKR_GENERAL_ERROR`` on SoftHSM2). pyHanko's ``PKCS11Signer`` would run each
``C_Sign`` in asyncio's default thread pool, so ``asyncio.gather`` over several signatures is unsafe. Here
every call into a PKCS#11 library — loading, log-in, object search, ``C_Sign``, log-out — runs on that
library's one worker thread: a queue with a single consumer. That is also the pipeline: while the worker
(and the token) signs document *n*, the caller prepares document *n+1* (see :meth:`TokenSigner.submit`,
:meth:`TokenSigner.sign_many`, or ``asyncio.gather`` over ``async_sign_raw``).
"""

from __future__ import annotations

import asyncio
import getpass
import hashlib
import hmac
import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from connector.errors import ConfigError
from connector.hookspecs import hookimpl
from connector.i18n import t
from connector.log import get_logger, register_secret
from connector.sign.backend import SignerBackend, SignerError

log = get_logger(__name__)

# Errors that mean the token went away (unplugged, driver reset) once it had been opened.
_GONE = (
    "DeviceRemoved", "TokenNotPresent", "TokenNotRecognised", "SessionClosed", "SessionHandleInvalid",
    "DeviceError", "ObjectHandleInvalid", "KeyHandleInvalid", "GeneralError", "DeviceMemory",
)
_PIN_ERRORS = {
    "PinIncorrect": "pkcs11_pin_incorrect",
    "PinInvalid": "pkcs11_pin_incorrect",
    "PinLenRange": "pkcs11_pin_incorrect",
    "PinLocked": "pkcs11_pin_locked",
    "PinExpired": "pkcs11_pin_expired",
}


def _pkcs11():
    """python-pkcs11, imported late: hocba runs without it unless a token is used."""
    try:
        import pkcs11
        import pyhanko.sign.pkcs11  # noqa: F401 (fails the same way if the extra is missing)
    except ImportError:  # pragma: no cover - the dependency is declared
        raise ConfigError("pkcs11_library_missing") from None
    return pkcs11


# --- one worker thread per PKCS#11 library ----------------------------------------------------------------


@dataclass
class _Shared:
    """A logged-in session shared by every backend of this process that opens the same token."""

    session: Any
    pin_digest: bytes
    users: int = 0


@dataclass
class _Library:
    """A loaded PKCS#11 module, the only thread allowed to call it, and its open sessions."""

    path: str  # as first configured
    lib: Any = None
    worker: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="pkcs11"))
    sessions: dict[tuple, _Shared] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def submit(self, fn: Callable, *args) -> Future:
        return self.worker.submit(self._remember_thread, fn, *args)

    def call(self, fn: Callable, *args):
        """Run ``fn(*args)`` on the worker thread and wait (inline when already on it)."""
        if threading.current_thread() is self._thread:
            return fn(*args)
        return self.submit(fn, *args).result()

    def _remember_thread(self, fn: Callable, *args):
        self._thread = threading.current_thread()
        return fn(*args)


_libraries: dict[str, _Library] = {}
_libraries_lock = threading.Lock()


def _library(module: str) -> _Library:
    """The library loaded from ``module`` (one per file, however the path is spelt)."""
    if not Path(module).is_file():
        raise ConfigError("pkcs11_module_not_found", module=module)
    path = os.path.realpath(module)
    with _libraries_lock:
        library = _libraries.get(path)
        if library is None:
            library = _libraries[path] = _Library(module)
    if library.lib is None:
        library.call(_load, library)
    return library


def _load(library: _Library) -> None:
    if library.lib is not None:
        return
    pkcs11 = _pkcs11()
    try:
        # python-pkcs11 caches libraries by this exact string: pyHanko code given the same path shares it
        library.lib = pkcs11.lib(library.path)
    except pkcs11.PKCS11Error as exc:
        # the loader's own words (e.g. "wrong ELF class", "undefined symbol"): no secrets in them
        raise ConfigError("pkcs11_module_unloadable", module=library.path, error=str(exc)[-200:] or type(exc).__name__) from None


# --- finding the token, logging in, finding the key --------------------------------------------------------


def _present_tokens(lib) -> list:
    pkcs11 = _pkcs11()
    tokens = []
    for slot in lib.get_slots(token_present=True):
        try:
            token = slot.get_token()
        except pkcs11.PKCS11Error:  # a reader with a card it cannot read: not ours
            continue
        if token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED:  # skip blank slots (SoftHSM2 always has one)
            tokens.append(token)
    return tokens


def _describe(tokens) -> str:
    return ", ".join(f"'{tok.label}' (slot {tok.slot.slot_id})" for tok in tokens) or "-"


def _select_token(library: _Library, config: dict):
    """The one token the configuration names (label, serial, slot id), else the only token present."""
    label, serial, slot = config.get("token_label"), config.get("token_serial"), config.get("slot")

    def matching(tokens):
        return [
            tok for tok in tokens
            if (label is None or tok.label == label)
            and (serial is None or tok.serial.decode(errors="replace").strip() == serial)
            and (slot is None or tok.slot.slot_id == slot)
        ]

    tokens = _present_tokens(library.lib)
    found = matching(tokens)
    if not found and not library.sessions:
        # Plugged in after the library was loaded: some modules (SoftHSM2 among them) only notice new
        # tokens on re-initialisation, which is safe while this process holds no session.
        library.lib.reinitialize()
        tokens = _present_tokens(library.lib)
        found = matching(tokens)
    wanted = " ".join(f"{k}={v}" for k, v in (("label", label), ("serial", serial), ("slot", slot)) if v is not None)
    if not found:
        if not tokens:
            raise SignerError("pkcs11_no_token", module=library.path)
        raise SignerError("pkcs11_token_not_found", wanted=wanted or "-", available=_describe(tokens))
    if len(found) > 1:
        raise SignerError("pkcs11_token_ambiguous", available=_describe(found))
    return found[0]


def _token_key(token) -> tuple:
    return token.slot.slot_id, token.label, bytes(token.serial)


def _translate(exc: Exception, token: str, signed: int | None = None) -> SignerError:
    """A python-pkcs11 exception as a message the signer can act on."""
    kind = type(exc).__name__
    if kind in _PIN_ERRORS:
        return SignerError(_PIN_ERRORS[kind], token=token)
    if signed is not None and kind in _GONE:
        return SignerError("pkcs11_token_removed", token=token, signed=signed)
    return SignerError("pkcs11_failed", token=token, error=kind)


def _login(library: _Library, token, pin) -> Any:
    """Open (or share) a logged-in session; on the worker thread."""
    pkcs11 = _pkcs11()
    key = _token_key(token)
    digest = hashlib.sha256(b"" if pin is pkcs11.PROTECTED_AUTH else pin.encode()).digest()
    shared = library.sessions.get(key)
    if shared is not None:
        # PKCS#11 log-in state belongs to the process, not the session: the token is already open with
        # the PIN that worked; any other PIN is by definition not the token's PIN.
        if not hmac.compare_digest(shared.pin_digest, digest):
            raise SignerError("pkcs11_pin_incorrect", token=token.label)
        shared.users += 1
        return shared.session
    try:
        session = token.open(user_pin=pin)
    except pkcs11.exceptions.UserAlreadyLoggedIn:
        session = token.open()  # logged in by pyHanko code elsewhere in this process
    except pkcs11.PKCS11Error as exc:
        raise _translate(exc, token.label) from None
    library.sessions[key] = _Shared(session, digest, users=1)
    return session


def _logout(library: _Library, token_key: tuple) -> None:
    shared = library.sessions.get(token_key)
    if shared is None:
        return
    shared.users -= 1
    if shared.users <= 0:
        del library.sessions[token_key]
        try:
            shared.session.close()
        except Exception:  # the token is gone already: nothing left to close
            pass


def _label(obj) -> str | None:
    pkcs11 = _pkcs11()
    try:
        return obj[pkcs11.Attribute.LABEL]
    except pkcs11.PKCS11Error:
        return None


def _id(obj) -> bytes | None:
    pkcs11 = _pkcs11()
    try:
        return bytes(obj[pkcs11.Attribute.ID]) or None
    except pkcs11.PKCS11Error:
        return None


def _list_objects(objects) -> str:
    return ", ".join(
        f"label='{_label(o) or ''}' id={(_id(o) or b'').hex() or '-'}" for o in objects
    ) or "-"


def _pick(objects, label: str | None, id_: bytes | None):
    return [o for o in objects if (label is None or _label(o) == label) and (id_ is None or _id(o) == id_)]


@dataclass
class _Found:
    key_label: str | None
    key_id: bytes | None
    certificate: asn1_x509.Certificate
    others: list[asn1_x509.Certificate]
    raw_mechanism: bool
    always_authenticate: bool  # the token wants the PIN again for every signature (CKA_ALWAYS_AUTHENTICATE)


def _find_key_and_cert(session, token_label: str, config: dict) -> _Found:
    """Find the signing key and its certificate, with messages listing what the token holds; on the worker.

    By convention (pkcs11-tool, vendor tools) a key and its certificate share CKA_ID and usually the label:
    naming one of them is enough, and a token with a single key needs no names at all."""
    pkcs11 = _pkcs11()
    Attribute, ObjectClass = pkcs11.Attribute, pkcs11.ObjectClass
    key_label, key_id = config.get("key_label"), _hex(config.get("key_id"))
    cert_label, cert_id = config.get("cert_label"), _hex(config.get("cert_id"))
    keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.SIGN: True}))
    certs = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}))

    def one(kind: str, objects, found, label, id_):
        if len(found) == 1:
            return found[0]
        wanted = " ".join(f"{k}={v}" for k, v in (("label", label), ("id", id_ and id_.hex())) if v) or "-"
        message = f"pkcs11_{kind}_not_found" if not found else f"pkcs11_{kind}_ambiguous"
        raise SignerError(message, token=token_label, wanted=wanted, available=_list_objects(objects))

    cert = None
    if key_label or key_id:
        key = one("key", keys, _pick(keys, key_label, key_id), key_label, key_id)
    elif cert_label or cert_id:
        cert = one("cert", certs, _pick(certs, cert_label, cert_id), cert_label, cert_id)
        found = (_id(cert) and _pick(keys, None, _id(cert))) or _pick(keys, _label(cert), None)
        key = one("key", keys, found, _label(cert), _id(cert))
    else:
        key = one("key", keys, keys, None, None)
    if cert is None and (cert_label or cert_id):
        cert = one("cert", certs, _pick(certs, cert_label, cert_id), cert_label, cert_id)
    elif cert is None:
        found = (_id(key) and _pick(certs, None, _id(key))) or _pick(certs, _label(key), None)
        cert = one("cert", certs, found, _label(key), _id(key))

    certificate = asn1_x509.Certificate.load(cert[Attribute.VALUE])
    others = [asn1_x509.Certificate.load(c[Attribute.VALUE]) for c in certs if c is not cert]
    try:
        always_authenticate = bool(key[Attribute.ALWAYS_AUTHENTICATE])
    except pkcs11.PKCS11Error:
        always_authenticate = False
    return _Found(_label(key), _id(key), certificate, others, _raw_mechanism(session, certificate, config),
                  always_authenticate)


def _raw_mechanism(session, certificate, config: dict) -> bool:
    """Hash on the host when the token cannot hash-and-sign (SoftHSM2 has CKM_ECDSA, not CKM_ECDSA_SHA256)."""
    if config.get("raw_mechanism") is not None:
        return bool(config["raw_mechanism"])
    pkcs11 = _pkcs11()
    mechanisms = session.token.slot.get_mechanisms()
    algorithm = certificate.public_key.algorithm
    if algorithm == "ec":
        return pkcs11.Mechanism.ECDSA_SHA256 not in mechanisms and pkcs11.Mechanism.ECDSA in mechanisms
    if algorithm == "rsa":
        return pkcs11.Mechanism.SHA256_RSA_PKCS not in mechanisms and pkcs11.Mechanism.RSA_PKCS in mechanisms
    return False


def _hex(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        return bytes.fromhex(value.replace(":", "").replace(" ", ""))
    except ValueError:
        raise ConfigError("pkcs11_bad_id", value=value) from None


def _load_pem_chain(path: str | None) -> list[asn1_x509.Certificate]:
    if not path:
        return []
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise ConfigError("pkcs11_chain_not_found", file=path) from None
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


# --- the signer ----------------------------------------------------------------------------------------------


@cache
def _signer_class():
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class TokenSigner(PKCS11Signer):
        """pyHanko's ``PKCS11Signer`` with every token call on the library's one worker thread.

        ``async_sign_raw`` and ``sign_raw`` behave as pyHanko's (same bytes; ECDSA DER-encoded). Extra, for
        pipelining: :meth:`submit` queues one signature and returns at once; :meth:`sign_many` queues many.
        """

        def __init__(self, library: _Library, token_label: str, session, found: _Found, chain, pin):
            super().__init__(
                session,
                key_label=found.key_label,
                key_id=found.key_id,
                signing_cert=found.certificate,
                ca_chain=[*found.others, *chain],
                other_certs_to_pull=(),
                use_raw_mechanism=found.raw_mechanism,
                base_sign_kwargs={"pin": pin} if found.always_authenticate and isinstance(pin, str) else None,
            )
            self._library = library
            self._specs: dict[str, Any] = {}
            self.token_label = token_label
            self.signed = 0  # signatures made in this session: told to the user if the token goes away

        async def ensure_objects_loaded(self):  # done on the worker by Pkcs11Backend.open()
            if not self._loaded:
                await asyncio.wrap_future(self._library.submit(self._load_objects))

        def _prepare(self, data: bytes, digest_algorithm: str):
            spec = self._specs.get(digest_algorithm)
            if spec is None:  # worked out once per digest: it costs ~80 µs, a twentieth of a SoftHSM2 C_Sign
                spec = self._specs[digest_algorithm] = self._select_pkcs11_signing_params(
                    digest_algorithm, sign_kwargs=self.sign_kwargs(b""))
            if spec.pre_sign_transform is not None:  # host-side hashing, on the caller's thread
                data = spec.pre_sign_transform(data)
            return data, spec

        def _sign_on_worker(self, data: bytes, spec) -> bytes:
            pkcs11 = _pkcs11()
            try:
                signature = self._key_handle.sign(data, **spec.sign_kwargs)
            except pkcs11.PKCS11Error as exc:
                raise _translate(exc, self.token_label, signed=self.signed) from None
            self.signed += 1
            if spec.post_sign_transform is not None:
                signature = spec.post_sign_transform(signature)
            return signature

        def submit(self, data: bytes, digest_algorithm: str) -> Future:
            """Queue one signature on the token and return at once; the future gives the signature bytes."""
            return self._library.submit(self._sign_on_worker, *self._prepare(data, digest_algorithm))

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
            if dry_run:
                return self.estimate_raw_signature_size_bytes() * b"0"
            return await asyncio.wrap_future(self.submit(data, digest_algorithm))

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            return self.submit(data, digest_algorithm).result()

        def sign_many(self, items: Iterable[bytes], digest_algorithm: str = "sha256") -> list[bytes]:
            """Sign every item, in order. ``items`` may be a generator that prepares each document: it is
            advanced while the token signs the previous one."""
            futures = [self.submit(data, digest_algorithm) for data in items]
            return [f.result() for f in futures]

    return TokenSigner


def _verifies(certificate: asn1_x509.Certificate, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    public_key = load_der_public_key(certificate.public_key.dump())
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:  # other key types: nothing to check here, pyHanko decides whether it can sign with them
            return True
    except InvalidSignature:
        return False
    return True


# --- the backend -------------------------------------------------------------------------------------------


class Pkcs11Backend(SignerBackend):
    name: ClassVar[str] = "pkcs11"
    description: ClassVar[str] = "USB token or HSM through its PKCS#11 module (one PIN entry per batch)"
    notes: ClassVar[tuple[str, ...]] = (
        "pkcs11: keys stay on the token; the module path comes from the token vendor's driver",
    )
    config_schema: ClassVar[dict] = {
        "type": "object",
        "required": ["module"],
        "properties": {
            "module": {"type": "string", "description": "path of the token driver's PKCS#11 library (.so/.dll)"},
            "token_label": {"type": "string", "description": "label of the token (as printed by pkcs11-tool -L)"},
            "token_serial": {"type": "string"},
            "slot": {"type": "integer", "description": "slot id, when labels are not unique"},
            "key_label": {"type": "string"},
            "key_id": {"type": "string", "description": "CKA_ID of the private key, hexadecimal"},
            "cert_label": {"type": "string"},
            "cert_id": {"type": "string", "description": "CKA_ID of the certificate, hexadecimal"},
            "ca_chain_file": {"type": "string", "description": "PEM file with CA certificates missing on the token"},
            "pin": {"type": "string", "secret": True, "writeOnly": True},
            "pin_env": {"type": "string", "description": "environment variable holding the PIN"},
            "protected_auth": {"type": "boolean", "description": "the token's own PIN pad or dialog asks"},
            "raw_mechanism": {"type": ["boolean", "null"], "description": "hash on the host (default: auto)"},
        },
    }

    def __init__(self, config: dict[str, Any], *, prompt: Callable[[str], str] | None = None):
        super().__init__(config)
        self._prompt = prompt
        self._library: _Library | None = None
        self._token_key: tuple | None = None
        self.signer = None

    def _pin(self, token_label: str):
        """The PIN: from the configuration (already resolved), its environment variable, or a prompt."""
        if self.config.get("protected_auth"):
            return _pkcs11().PROTECTED_AUTH
        pin = self.config.get("pin")
        env = self.config.get("pin_env")
        if pin is None and env:
            pin = os.environ.get(env)
        if pin is None:
            if self._prompt is None and not sys.stdin.isatty():
                raise SignerError("pkcs11_pin_missing", token=token_label, env=env or "-")
            pin = (self._prompt or getpass.getpass)(t("pkcs11_pin_prompt", token=token_label))
        register_secret(pin)
        return pin

    def open(self):
        """Log in once and return a pyHanko signer for the whole batch (certificate and chain attached)."""
        library = self._library = _library(self.config["module"])
        token = library.call(_select_token, library, self.config)
        pin = self._pin(token.label)
        session = library.call(_login, library, token, pin)
        self._token_key = _token_key(token)
        try:
            found = library.call(self._find, session, token.label)
            chain = _load_pem_chain(self.config.get("ca_chain_file"))
            signer = _signer_class()(library, token.label, session, found, chain, pin)
            library.call(signer._load_objects)
            library.call(self._check_pair, signer, token.label)
        except BaseException:
            self.close()
            raise
        log.info("pkcs11_session_open", module=Path(library.path).name, certificate_sha1=signer.signing_cert.sha1.hex())
        self.signer = signer
        return signer

    def _find(self, session, token_label: str) -> _Found:
        pkcs11 = _pkcs11()
        try:
            return _find_key_and_cert(session, token_label, self.config)
        except pkcs11.PKCS11Error as exc:
            raise _translate(exc, token_label, signed=0) from None

    @staticmethod
    def _check_pair(signer, token_label: str) -> None:
        """Sign a fixed challenge and verify it with the certificate (on the worker): a key that does not
        belong to the certificate would otherwise give a whole class of signatures nobody can verify."""
        challenge = b"hocba: pkcs11 key/certificate check"
        signature = signer._sign_on_worker(*signer._prepare(challenge, "sha256"))
        signer.signed = 0
        if not _verifies(signer.signing_cert, signature, challenge):
            raise SignerError("pkcs11_key_cert_mismatch", token=token_label)

    def close(self) -> None:
        if self._library is not None and self._token_key is not None:
            self._library.call(_logout, self._library, self._token_key)
        self._token_key = None
        self.signer = None


@hookimpl
def register_signers(register):
    register(Pkcs11Backend)
