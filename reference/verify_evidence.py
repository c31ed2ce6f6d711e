#!/usr/bin/env python3
"""Reference verifier for ProofShot evidence exports, for the backend to copy.

Checks what `proofshot audit` checks: every record's hash over its canonical bytes, the chain
of `prev_hash` links and `seq` numbers, every signature (HMAC-SHA-256 with the shared secret,
or ECDSA P-256 with the device's public key), and the signed head line that ends an export.

    python3 verify_evidence.py export.jsonl --hmac-key-hex 736563726574
    python3 verify_evidence.py export.jsonl --public-key device.pem
    python3 verify_evidence.py batch.jsonl --partial --hmac-key-hex ...   # pendingRecords lines
    python3 verify_evidence.py export.jsonl --public-key device.pem --known-seq 41 --known-hash 9f…

The backend's part: after accepting a chain, keep its last seq and hash per device and pass them
(--known-seq/--known-hash, or verify_chain's `known`) to every later check. An earlier export
is validly signed, and a deleted store starts again at seq 1: only that memory refuses them.

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


def _no_duplicates(pairs):
    """json.loads keeps the last of two members with one name: a forged member put before the
    real one would be ignored by the hash check and read by code that keeps the first."""
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate member {k!r}")
        obj[k] = v
    return obj


def parse_as_written(line):
    """A line parsed and held to the form the store writes: no member twice, members sorted,
    no whitespace, valid Unicode. The bytes read are then the bytes that were hashed and
    signed. Raises ValueError naming the problem."""
    obj = json.loads(line, object_pairs_hook=_no_duplicates)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    try:
        written = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        written.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate (\\ud800 to \\udfff): not valid Unicode") from None
    if written != line:
        raise ValueError(
            "not byte for byte as the store wrote it (members reordered, spaces or escapes changed): "
            "keep export lines unchanged"
        )
    return obj


def _seq_of(line):
    try:
        obj = json.loads(line)
        return obj.get("seq") if isinstance(obj, dict) else None
    except ValueError:
        return None


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


def verify_chain(text: str, key=None, partial=False, known=None):
    """Verifies an export (or with partial=True, a batch). Returns (records, first_seq,
    last_seq, head_hash); raises ChainBroken naming the first break.

    known: (seq, hash) of the last record the backend accepted from this device before. An
    export that ends before it, or holds another record at its seq, is rolled back (an earlier
    export replayed, the store deleted or replaced); a batch must go on from it. Keep it per
    device after every chain you accept."""
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
            obj = parse_as_written(line)
        except ValueError as e:
            raise ChainBroken(n, f"malformed: {e}") from None
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
        if known is not None and seq == known[0] and obj.get("hash") != known[1]:
            raise broken(
                f"rolled back: seq {seq} is not the record accepted before: the chain was rewritten or the store replaced"
            )
        if last_seq is None:
            if partial:
                first_seq = seq
                if known is not None and isinstance(seq, int) and seq > known[0]:
                    if seq != known[0] + 1:
                        raise broken(f"expected seq {known[0] + 1}, found seq {seq}")
                    if obj.get("prev_hash") != known[1]:
                        raise broken("broken link: prev_hash does not match the hash of the record before it")
            else:
                first_seq = 1
                if seq != 1:
                    raise broken(f"expected seq 1, found seq {seq}")
                if obj.get("prev_hash") != GENESIS_HASH:
                    raise broken("broken link: prev_hash does not match the hash of the record before it")
        else:
            if seq != last_seq + 1:
                expected = last_seq + 1
                if isinstance(seq, int) and seq > expected and any(_seq_of(l) == expected for l in lines[n:]):
                    raise broken(f"expected seq {expected}, found seq {seq}: records are out of order (seq {expected} comes later)")
                raise broken(f"expected seq {expected}, found seq {seq}")
            if obj.get("prev_hash") != last_hash:
                raise broken("broken link: prev_hash does not match the hash of the record before it")
        if key is not None:
            problem = _check_signature(obj, message, key)
            if problem:
                raise broken(problem)
        records, last_seq, last_hash = records + 1, seq, obj["hash"]
    if known is not None and not partial and (last_seq or 0) < known[0]:
        raise ChainBroken(
            len(lines),
            f"rolled back: the chain ends at seq {last_seq or 0}, but seq {known[0]} was accepted before: "
            "an earlier export replayed, or the store deleted or replaced",
        )
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
    p.add_argument("--known-seq", type=int, help="seq of the last record accepted from this device before")
    p.add_argument("--known-hash", help="hash of that record")
    args = p.parse_args(argv)
    if (args.known_seq is None) != (args.known_hash is None):
        p.error("--known-seq and --known-hash go together")
    known = None if args.known_seq is None else (args.known_seq, args.known_hash)
    key = None
    if args.hmac_key_hex:
        key = HmacKey(bytes.fromhex(args.hmac_key_hex))
    elif args.public_key:
        with open(args.public_key, "rb") as f:
            key = P256Key(f.read())
    try:
        with open(args.file, encoding="utf-8", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        print(f"chain broken: the file is not UTF-8 ({e.reason} at byte {e.start})", file=sys.stderr)
        return 1
    try:
        records, first, last, head = verify_chain(text, key, args.partial, known)
    except ChainBroken as e:
        print(f"chain broken at {e}", file=sys.stderr)
        return 1
    checked = f"checked ({key.algorithm})" if key else "NOT checked (no key given)"
    print(f"chain holds: {records} records (seq {first} to {last}), head {head}; signatures {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
