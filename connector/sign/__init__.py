"""Sign stage: signer backends (key file, USB token, remote), the sequential per-role XMLDSig profile,
verification and archive evidence."""

from connector.sign.backend import SignerBackend

__all__ = ["SignerBackend"]
