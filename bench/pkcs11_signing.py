"""SoftHSM2 signing through the ``pkcs11`` backend, against the raw PKCS#11 sign rate of the same token.

Run by ``make bench`` in its own process (``python -m bench.pkcs11_signing``): a throwaway SoftHSM2 token
with three RSA-2048 keys (GVCN, principal, seal) is made in a temporary directory.

- reference: python-pkcs11 ``C_Sign`` loop (``CKM_SHA256_RSA_PKCS``) on the token, one session, ÷ 3 = the
  documents per second a perfect signer could reach with three signatures each;
- backend: three opened ``pkcs11`` backends (one PIN entry each) sign every document of a batch through
  the pyHanko interface (``asyncio.gather`` over ``async_sign_raw``, as the signing workflow does), role
  after role; documents per second ÷ reference = the ratio (goal ≥ 0.7);
- pipelining: a realistic preparation per document (parse a 24 KB document, C14N, SHA-256, SignedInfo)
  done sequentially with the signature (``sign_raw`` after each preparation) and pipelined
  (``sign_many`` over a generator: the token signs document n while document n+1 is prepared). On
  SoftHSM2 both are CPU work competing for two cores, so the gain is small; a USB token's signing time is
  waiting on the device (1–5 signatures/s), so the run is repeated with a SIMULATED token latency (a sleep
  on the token thread before each real C_Sign) where the preparation disappears behind the token.

Rounds are interleaved and medians printed (the machine is noisy, brief 11).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import os
import statistics
import sys
import time

DOCUMENTS = int(os.environ.get("HOCBA_BENCH_PKCS11_DOCS", "200"))
ROUNDS = 5
ROLES = ("gvcn", "hieu-truong", "seal")
LATENCY = 0.010  # simulated token time per signature (real tokens: 0.2–1 s)
SLOW_DOCUMENTS = 100
PIN = "1234"


def _document(n: int) -> bytes:
    """About 24 KB of XML, the size of a THPT transcript (brief 11 §2)."""
    rows = "".join(
        f'<Mon Ma="M{m:02d}"><DiemTB HK="{hk}">{(n + m * hk) % 10}.{m % 10}</DiemTB>'
        f"<NhanXet>Em học tập chăm chỉ, tiến bộ rõ rệt trong học kì {hk}.</NhanXet></Mon>"
        for m in range(60) for hk in (1, 2)
    )
    return f'<HocBa xmlns="urn:hocba:bench"><DLHocBa Id="DLHocBa-{n}">{rows}</DLHocBa></HocBa>'.encode()


def _prepare(document: bytes) -> bytes:
    """The CPU work of one signature before the token is needed: parse, C14N and SHA-256 of the data,
    then the canonical SignedInfo (brief 05 §5, without the profile's details)."""
    from lxml import etree

    data = etree.fromstring(document)[0]
    digest = hashlib.sha256(etree.tostring(copy.deepcopy(data), method="c14n")).hexdigest()
    signed_info = etree.fromstring(
        f'<SignedInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><Reference URI="#{data.get("Id")}">'
        f"<DigestValue>{digest}</DigestValue></Reference></SignedInfo>"
    )
    return etree.tostring(signed_info, method="c14n")


def _make_token():
    from connector.sign.softhsm import SoftHSMStore, TokenObject
    from connector.sign.testkeys import TestCA

    store = SoftHSMStore.create()
    store.activate()
    ca = TestCA.create()
    objects = []
    for n, role in enumerate(ROLES, start=1):
        issued = ca.issue(f"{role} (BENCH)")
        objects.append(TokenObject(role, bytes([n]), issued.key, issued.certificate))
    store.add_token("hocba-bench", PIN, objects=tuple(objects))
    return store


def _raw_rate(library, key, items: list[bytes]) -> float:
    """python-pkcs11 C_Sign loop, on the library's own worker thread like every other call."""
    import pkcs11

    def loop() -> float:
        start = time.perf_counter()
        for data in items:
            key.sign(data, mechanism=pkcs11.Mechanism.SHA256_RSA_PKCS)
        return len(items) / (time.perf_counter() - start)

    return library.call(loop)


def _backend_docs_per_s(signers, items: list[bytes]) -> float:
    async def sign_role(signer):
        return await asyncio.gather(*(signer.async_sign_raw(data, "sha256") for data in items))

    start = time.perf_counter()
    for signer in signers:
        asyncio.run(sign_role(signer))
    return len(items) / (time.perf_counter() - start)


def _sequential_docs_per_s(signer, documents: list[bytes]) -> float:
    start = time.perf_counter()
    for document in documents:
        signer.sign_raw(_prepare(document), "sha256")
    return len(documents) / (time.perf_counter() - start)


def _pipelined_docs_per_s(signer, documents: list[bytes]) -> float:
    start = time.perf_counter()
    signer.sign_many(_prepare(document) for document in documents)
    return len(documents) / (time.perf_counter() - start)


class _SlowToken:
    """SIMULATED USB-token latency: sleeps on the token thread, then signs for real on SoftHSM2."""

    def __init__(self, key, latency: float):
        self.key, self.latency = key, latency

    def sign(self, data, **kwargs):
        time.sleep(self.latency)
        return self.key.sign(data, **kwargs)


def _round(library, signers, items: list[bytes], all_items: list[bytes], documents: list[bytes]) -> dict:
    """One interleaved round: the raw rate is measured just before and just after the backend (over as
    many signatures), so both see the same spell of machine noise; the round's ratio uses their mean."""
    before = _raw_rate(library, signers[0]._key_handle, all_items)
    backend = _backend_docs_per_s(signers, items)
    after = _raw_rate(library, signers[0]._key_handle, all_items)
    raw = (before + after) / 2
    return {"raw": raw, "backend": backend, "ratio": backend / (raw / 3),
            "sequential": _sequential_docs_per_s(signers[0], documents),
            "pipelined": _pipelined_docs_per_s(signers[0], documents)}


def run() -> None:
    from connector.log import configure
    from connector.sign.pkcs11 import Pkcs11Backend, _library
    from connector.sign.softhsm import missing_tools

    configure(level="warning")
    missing = missing_tools()
    if missing:
        print(f"pkcs11 signing: skipped, not installed: {', '.join(missing)}")
        return
    store = _make_token()
    try:
        backends = [Pkcs11Backend({"module": store.module, "token_label": "hocba-bench", "key_label": role, "pin": PIN})
                    for role in ROLES]
        signers = [b.open() for b in backends]
        library = _library(store.module)
        items = [_prepare(_document(n)) for n in range(DOCUMENTS)]
        documents = [_document(n) for n in range(DOCUMENTS // 2)]
        _backend_docs_per_s(signers, items[:20])  # warm-up
        rounds = [_round(library, signers, items, items * 3, documents) for _ in range(ROUNDS)]
        slow = signers[1]
        slow._key_handle = _SlowToken(slow._key_handle, LATENCY)
        slow_sequential = _sequential_docs_per_s(slow, documents[:SLOW_DOCUMENTS])
        slow_pipelined = _pipelined_docs_per_s(slow, documents[:SLOW_DOCUMENTS])
        for b in backends:
            b.close()
    finally:
        store.remove()

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    raw_m, seq_m, pipe_m = median("raw"), median("sequential"), median("pipelined")
    print(f"pkcs11 signing on SoftHSM2 ({DOCUMENTS} documents × 3 signatures, RSA-2048, median of {ROUNDS} rounds):")
    print(f"  raw PKCS#11 C_Sign loop         {raw_m:7.0f} sign/s  → reference {raw_m / 3:5.0f} documents/s")
    print(f"  pkcs11 backend (async_sign_raw) {median('backend'):7.0f} documents/s  ratio {median('ratio'):.2f}"
          f"   (goal ≥ 0.7; rounds: {', '.join(format(r['ratio'], '.2f') for r in rounds)})")
    print(f"  prepare (parse + C14N + SHA-256 of 24 KB) + 1 signature per document: sequential {seq_m:.0f}/s, "
          f"pipelined {pipe_m:.0f}/s (×{pipe_m / seq_m:.2f})")
    ceiling = 1 / (LATENCY + 1 / raw_m)
    print(f"  same with a SIMULATED token latency of {LATENCY * 1000:.0f} ms/signature: sequential "
          f"{slow_sequential:.0f}/s, pipelined {slow_pipelined:.0f}/s (×{slow_pipelined / slow_sequential:.2f}; "
          f"the token alone allows {ceiling:.0f}/s)")


if __name__ == "__main__":
    sys.exit(run())
