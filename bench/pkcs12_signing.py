"""Signing throughput with pkcs12 keys: 3 signatures per document (GVCN, principal, seal), as a ratio to
``openssl speed -seconds 3 rsa2048`` sign/s ÷ 3, both measured in this run, interleaved (goal ≥ 0.5).

What is timed is what ``hocba sign`` does after the signer confirmed (``connector.sign.workflow.sign_rows``):
read each frozen document from the state store and check its hash, prepare the signature, sign through the
pkcs12 backend's signer (key parsed once), check the answer, store the new bytes and advance the state row
— three batches, one per role, over synthetic THCS documents of the provisional profile — with 1 process
and with the pkcs12 backend's default number of processes (the CPUs, at most 4), side by side. The figure
is documents per wall-clock second against openssl's sign/s (its default: per CPU-second of its one
process). Archive evidence (a fourth signature and a TSA round trip) is left out: the goal counts three
signatures.

For context it also prints the raw RSA-2048 rate of the ``cryptography`` library in this process: the
ceiling of any Python signer here (its bundled OpenSSL may be slower than the system's ``openssl``).

Environment: ``HOCBA_BENCH_SIGN_DOCS`` (default 600: a school's batch for the principal; forking the signing processes is paid once per batch), ``HOCBA_BENCH_REPEATS`` (default 3).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

DOCS = int(os.environ.get("HOCBA_BENCH_SIGN_DOCS", "600"))
REPEATS = int(os.environ.get("HOCBA_BENCH_REPEATS", "3"))


def openssl_sign_rate(elapsed: bool = False) -> float:
    """sign/s of ``openssl speed -seconds 3 rsa2048`` (one process). By default openssl divides by the CPU
    time it used (user time); with ``-elapsed`` by the wall-clock time."""
    out = subprocess.run(["openssl", "speed", *(["-elapsed"] if elapsed else []), "-seconds", "3", "rsa2048"],
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("rsa 2048 bits") or x.startswith("rsa  2048 bits"))
    return float(line.split()[-2])


def cryptography_sign_rate(key, seconds: float = 2.0) -> float:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        key.sign(b"x" * 600, padding.PKCS1v15(), hashes.SHA256())
        n += 1
    return n / (time.perf_counter() - start)


def setup(work: Path):
    from connector.sign.pki import create_test_pki
    from connector.synth import generate_school
    from connector.xml.hocba_profile import HocbaProfile

    profile = HocbaProfile()
    records = list(generate_school(11, level="thcs", students=DOCS))
    documents = [profile.serialize(r) for r in records]
    classes = sorted({r.lop for r in records})
    pki = create_test_pki(work / "pki", classes[:1])
    return profile, records, documents, classes, pki


def one_run(work: Path, run: str, workers: int, profile, records, documents, classes, pki) -> tuple[float, float]:
    """Freeze the documents into a fresh store (not timed), then time the three signing batches:
    (documents per wall-clock second, documents per CPU-second of this process and its children)."""
    from connector.config import Config
    from connector.sign.keyfile import load_pkcs12_signer
    from connector.sign.roles import roles
    from connector.sign.workflow import Selection, SigningSettings, SigningStore, sign_rows
    from connector.state import StateStore

    base = work / f"run-{run}"
    gvcn = pki.gvcn[classes[0]].fingerprint
    config = Config(state_url=f"sqlite:///{base}/state.db", signing={
        "evidence": "none", "school_name": pki.school_name,
        "school_id": pki.school_id, "principals": [f"sha256:{pki.principal.fingerprint}"],
        "homeroom": {c: f"sha256:{gvcn}" for c in classes}})
    settings = SigningSettings.from_config(config)
    store = SigningStore(StateStore(config.state_url))
    for record, document in zip(records, documents):
        store.freeze(record, document, profile.id, profile.version)
    signers = [load_pkcs12_signer(pki.p12(name).read_bytes(), pki.password, name)
               for name in (f"gvcn-{classes[0]}", "hieu-truong", "con-dau")]

    start, cpu = time.perf_counter(), _cpu()
    for role, signer in zip(roles(), signers):
        rows = store.awaiting(role, Selection())
        signed = sign_rows(store, rows, role, signer, settings, backend="pkcs12", workers=workers).signed
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    if signed != len(documents):
        raise SystemExit(f"bench: only {signed} of {len(documents)} documents were signed")
    return len(documents) / elapsed, len(documents) / cpu


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the signing processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def core_run(profile, records, documents, classes, pki) -> float:
    """The same signatures with the documents kept in memory: no files, no state rows (the part of the
    figure that is the signing code itself, not the disk)."""
    from connector.sign.keyfile import load_pkcs12_signer
    from connector.sign.roles import roles
    from connector.sign.xmldsig import prepare_signature

    signers = [load_pkcs12_signer(pki.p12(name).read_bytes(), pki.password, name)
               for name in (f"gvcn-{classes[0]}", "hieu-truong", "con-dau")]

    async def batch(docs: list[bytes], role, signer) -> list[bytes]:
        jobs = []
        for doc in docs:
            prepared = prepare_signature(doc, role, signer)
            jobs.append((prepared, asyncio.ensure_future(signer.async_sign_raw(prepared.to_be_signed, "sha256"))))
            await asyncio.sleep(0)
        return [prepared.complete(await task) for prepared, task in jobs]

    async def sign_all(docs: list[bytes]) -> list[bytes]:
        for role, signer in zip(roles(), signers):
            docs = [d for i in range(0, len(docs), 64) for d in await batch(docs[i:i + 64], role, signer)]
        return docs

    start, cpu = time.perf_counter(), time.process_time()
    asyncio.run(sign_all(documents))
    return len(documents) / (time.perf_counter() - start), len(documents) / (time.process_time() - cpu)


def main() -> None:
    from connector.sign.pkcs12 import Pkcs12Backend

    parallel = Pkcs12Backend({"path": "-"}).workers()
    print(f"pkcs12 signing: {DOCS} documents × 3 signatures (GVCN → principal → seal), `hocba sign` path, "
          f"1 and {parallel} processes", flush=True)
    with tempfile.TemporaryDirectory(prefix="hocba-bench-sign-") as tmp:
        work = Path(tmp)
        prepared = setup(work)
        openssl, openssl_wall, one, many, core = [], [], [], [], []
        for run in range(REPEATS):  # interleaved: the machine is noisy (brief 11)
            openssl.append(openssl_sign_rate())
            one.append(one_run(work, f"{run}-1", 1, *prepared))
            openssl_wall.append(openssl_sign_rate(elapsed=True))
            many.append(one_run(work, f"{run}-n", parallel, *prepared))
            core.append(core_run(*prepared))
        openssl.append(openssl_sign_rate())
        crypto = cryptography_sign_rate(prepared[-1].principal.key)
    med = statistics.median
    o, ow = med(openssl), med(openssl_wall)
    target = o / 3
    runs = lambda rows, i: ", ".join(f"{r[i]:.0f}" for r in rows)  # noqa: E731
    print(f"  openssl speed rsa2048:  {o:7.1f} sign/s per CPU-second (its default), ÷ 3 = {target:.1f} documents/s;"
          f" -elapsed (wall clock): {ow:.1f} sign/s")
    for label, rows in ((f"hocba sign, 1 process: ", one), (f"hocba sign, {parallel} processes:", many)):
        wall, cpu = med(r[0] for r in rows), med(r[1] for r in rows)
        print(f"  {label:26s} {wall:7.1f} documents/s wall clock (runs {runs(rows, 0)}), "
              f"{cpu:.1f} per CPU-second → ratio {wall / target:.2f}")
    best = max(med(r[0] for r in one), med(r[0] for r in many))
    print(f"  ratio hocba sign / (openssl ÷ 3): {best / target:.2f}   (goal ≥ 0.5)")
    c_wall, c_cpu = med(r[0] for r in core), med(r[1] for r in core)
    print(f"  signing code alone, 1 process (documents in memory, no state store): {c_wall:.1f} documents/s "
          f"wall clock, {c_cpu:.1f} per CPU-second")
    print(f"  context: the cryptography library's RSA-2048 in this process: {crypto:.0f} sign/s wall clock = "
          f"{crypto / ow:.2f} × openssl -elapsed (its bundled OpenSSL, not the system's)")


if __name__ == "__main__":
    main()
