#!/usr/bin/env python3
"""Reference verifier for ProofShot evidence exports, for the backend to copy.

Checks what `proofshot audit` checks: every record's hash over its canonical bytes, the chain
of `prev_hash` links and `seq` numbers, every signature (HMAC-SHA-256 with the shared secret,
or ECDSA P-256 with the device's public key), and the signed head line that ends an export.

    python3 verify_evidence.py export.jsonl --hmac-key-hex 736563726574
    python3 verify_evidence.py export.jsonl --public-key device.pem
    python3 verify_evidence.py batch.jsonl --partial --hmac-key-hex ...   # pendingRecords lines

Standard library only, except ECDSA, which needs `cryptography` (pip install cryptography).
Exit status 0 when the chain holds, 1 when it is broken (the first break is printed).
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys

RECORD_FORMAT = "proofshot-evidence/1"
HEAD_FORMAT = "proofshot-evidence-head/1"
GENESIS_HASH = "0" * 64


class ChainBroken(Exception):
    """The first place the chain breaks: line number (from 1), seq and record id when known."""

    def __init__(self, line, problem, seq=None, record_id=None):
        where = f"line {line}" + (f" (seq {seq}, record {record_id})" if seq is not None else "")
        super().__init__(f"{where}: {problem}")
        self.line, self.problem, self.seq, self.record_id = line, problem, seq, record_id


def canonical_bytes(obj):
    """A record's canonical bytes: without `hash` and `signature`, keys sorted, compact, UTF-8."""
    body = {k: v for k, v in obj.items() if k not in ("hash", "signature")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class HmacKey:
    algorithm = "hmac-sha256"

    def __init__(self, secret: bytes):
        self.secret = secret

    def verify(self, message: bytes, signature: bytes) -> bool:
        return hmac.compare_digest(hmac.new(self.secret, message, hashlib.sha256).digest(), signature)


class P256Key:
    algorithm = "ecdsa-p256-sha256"

    def __init__(self, pem: bytes):
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        self.key = load_pem_public_key(pem)

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        if len(signature) == 64:  # r || s (CryptoKit's rawRepresentation)
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            signature = encode_dss_signature(r, s)
        try:
            self.key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
        except (InvalidSignature, ValueError):
            return False


def _check_signature(obj, message, key):
    signer = obj.get("signer") or {}
    try:
        signature = base64.b64decode(obj["signature"], validate=True)
    except (KeyError, ValueError, TypeError):
        return "malformed: no base64 signature"
    if signer.get("alg") != key.algorithm or not key.verify(message, signature):
        return f"bad signature: not signed by the key given (signer key id {signer.get('key_id')!r}, {signer.get('alg')})"
    return None


def verify_chain(text: str, key=None, partial=False):
    """Verifies an export (or with partial=True, a batch). Returns (records, first_seq,
    last_seq, head_hash); raises ChainBroken naming the first break."""
    last_seq, last_hash, first_seq, records, head_seen = None, None, 0, 0, False
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        raise ChainBroken(len(lines), "truncated: the last line is cut off (no newline)")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if head_seen:
            raise ChainBroken(n, "malformed: a line after the head line")
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise ChainBroken(n, f"malformed: not JSON: {e}") from None
        if obj.get("format") == HEAD_FORMAT:
            expect_seq, expect_hash = (last_seq or 0), (last_hash or GENESIS_HASH)
            if obj.get("records") != records or obj.get("last_seq") != expect_seq or obj.get("head_hash") != expect_hash:
                raise ChainBroken(n, f"truncated: the head line says {obj.get('records')} records, the file holds {records}")
            if key is not None:
                problem = _check_signature(obj, canonical_bytes(obj), key)
                if problem:
                    raise ChainBroken(n, problem)
            head_seen = True
            continue
        if obj.get("format") != RECORD_FORMAT:
            raise ChainBroken(n, f"malformed: format {obj.get('format')!r}")
        seq, record_id = obj.get("seq"), obj.get("record_id")

        def broken(problem):
            return ChainBroken(n, problem, seq, record_id)

        message = canonical_bytes(obj)
        if hashlib.sha256(message).hexdigest() != obj.get("hash"):
            raise broken("edited: its contents do not match its hash")
        if last_seq is None:
            if partial:
                first_seq = seq
            else:
                first_seq = 1
                if seq != 1:
                    raise broken(f"expected seq 1, found seq {seq}")
                if obj.get("prev_hash") != GENESIS_HASH:
                    raise broken("broken link: prev_hash does not match the hash of the record before it")
        else:
            if seq != last_seq + 1:
                raise broken(f"expected seq {last_seq + 1}, found seq {seq}")
            if obj.get("prev_hash") != last_hash:
                raise broken("broken link: prev_hash does not match the hash of the record before it")
        if key is not None:
            problem = _check_signature(obj, message, key)
            if problem:
                raise broken(problem)
        records, last_seq, last_hash = records + 1, seq, obj["hash"]
    if not head_seen and not partial:
        raise ChainBroken(len(lines), f"truncated: no head line: the export ends after seq {last_seq or 0}")
    return records, first_seq, last_seq or 0, last_hash or GENESIS_HASH


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--hmac-key-hex")
    group.add_argument("--public-key", help="P-256 public key, PEM")
    p.add_argument("--partial", action="store_true", help="a batch of records, not a whole export")
    args = p.parse_args(argv)
    key = None
    if args.hmac_key_hex:
        key = HmacKey(bytes.fromhex(args.hmac_key_hex))
    elif args.public_key:
        with open(args.public_key, "rb") as f:
            key = P256Key(f.read())
    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    try:
        records, first, last, head = verify_chain(text, key, args.partial)
    except ChainBroken as e:
        print(f"chain broken at {e}", file=sys.stderr)
        return 1
    checked = f"checked ({key.algorithm})" if key else "NOT checked (no key given)"
    print(f"chain holds: {records} records (seq {first} to {last}), head {head}; signatures {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
