"""The evidence store from Python, and the backend's reference verifier
(reference/verify_evidence.py) on chains the SDK wrote: it accepts them, and names each kind of
tampering."""

import hashlib
import hmac
import json
import pathlib
import subprocess
import sys
import threading

import pytest

import proofshot

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "reference"))
import verify_evidence as ref  # noqa: E402

from test_proofshot import CLI, samples, verifier  # noqa: E402,F401  (shared fixtures)

SECRET = b"python secret"


class HmacSigner(proofshot.EvidenceSigner):
    def key_id(self):
        return "py-hmac"

    def algorithm(self):
        return "hmac-sha256"

    def sign(self, message):
        return hmac.new(SECRET, message, hashlib.sha256).digest()


class EcdsaSigner(proofshot.EvidenceSigner):
    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ec

        self.key = ec.generate_private_key(ec.SECP256R1())

    def key_id(self):
        return "py-ecdsa"

    def algorithm(self):
        return "ecdsa-p256-sha256"

    def sign(self, message):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return self.key.sign(message, ec.ECDSA(hashes.SHA256()))

    def public_pem(self):
        from cryptography.hazmat.primitives import serialization

        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@pytest.fixture
def export(tmp_path, verifier, samples):
    """Four records over three stops, signed with the HMAC secret."""
    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), HmacSigner())
    s = store.open_session(verifier, "stop-1")
    s.submit_photo(samples["black.jpg"], proofshot.Capture(time_ms=1_700_000_000_000, latitude=48.85, longitude=2.35))
    s.submit_photo(samples["porch.jpg"])
    store.open_session(verifier, "stop-2").submit_photo(samples["blurred.jpg"])
    store.open_session(verifier, "stop-3").submit_photo(samples["overexposed.jpg"])
    return store.export_jsonl()


def lines(text):
    return text.splitlines()


def join(ls):
    return "".join(line + "\n" for line in ls)


def broken(text, key=ref.HmacKey(SECRET)):
    with pytest.raises(ref.ChainBroken) as e:
        ref.verify_chain(text, key)
    return e.value


def test_attempts_survive_reopening(tmp_path, verifier, samples):
    path = str(tmp_path / "e.db")
    first = proofshot.EvidenceStore(path, HmacSigner()).open_session(verifier, "stop-1").submit_photo(samples["black.jpg"])
    assert isinstance(first, proofshot.Decision.RETRY)
    assert first.verdict.record_id
    session = proofshot.EvidenceStore(path, HmacSigner()).open_session(verifier, "stop-1")
    assert (session.attempts_used(), session.remaining()) == (1, 1)


def test_reference_verifier_accepts_the_sdk_chain(export):
    assert ref.verify_chain(export, ref.HmacKey(SECRET))[:3] == (4, 1, 4)
    record = json.loads(lines(export)[0])
    assert record["capture"]["location"] == {"lat_e7": 488500000, "lon_e7": 23500000, "accuracy_m": None}
    assert record["verdict"]["criteria"][3]["reason"] == "too_dark"
    assert record["signer"] == {"alg": "hmac-sha256", "key_id": "py-hmac"}


def test_reference_verifier_names_each_kind_of_tampering(export):
    ls = lines(export)
    edited = ls.copy()
    edited[1] = edited[1].replace('"stop_id":"stop-1"', '"stop_id":"stop-9"')
    assert (broken(join(edited)).line, broken(join(edited)).problem) == (2, "edited: its contents do not match its hash")
    assert broken(join(ls[:1] + ls[2:])).problem == "expected seq 2, found seq 3"
    swapped = broken(join([ls[0], ls[2], ls[1]] + ls[3:])).problem
    assert swapped == "expected seq 2, found seq 3: records are out of order (seq 2 comes later)"
    assert broken(join(ls[:3])).problem.startswith("truncated: no head line")
    assert broken(join(ls[:3] + ls[4:])).problem.startswith("truncated: the head line says 4 records")
    assert broken(join(ls), ref.HmacKey(b"wrong")).problem.startswith("bad signature")
    # re-hashed after the edit: the next link breaks
    obj = json.loads(edited[1])
    obj["hash"] = hashlib.sha256(ref.canonical_bytes(obj)).hexdigest()
    edited[1] = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert broken(join(edited), None).line == 3
    assert "broken link" in broken(join(edited), None).problem


def test_reference_verifier_refuses_a_rollback_given_what_was_accepted(tmp_path, verifier, samples):
    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), HmacSigner())
    for n, name in enumerate(["black.jpg", "blurred.jpg"]):
        store.open_session(verifier, f"stop-{n}").submit_photo(samples[name])
    earlier = store.export_jsonl()
    for n, name in enumerate(["overexposed.jpg", "porch.jpg"], start=2):
        store.open_session(verifier, f"stop-{n}").submit_photo(samples[name])
    later = store.export_jsonl()
    records, _, last, head = ref.verify_chain(later, ref.HmacKey(SECRET))
    known = (last, head)
    # the later export cut back, with the earlier export's head: valid on its own
    rolled = join(lines(later)[:2] + lines(earlier)[2:])
    assert ref.verify_chain(rolled, ref.HmacKey(SECRET))[0] == 2
    with pytest.raises(ref.ChainBroken) as e:
        ref.verify_chain(rolled, ref.HmacKey(SECRET), known=known)
    assert e.value.problem.startswith("rolled back: the chain ends at seq 2, but seq 4 was accepted before")
    assert ref.verify_chain(later, ref.HmacKey(SECRET), known=known)[0] == 4
    # the CLI and the reference verifier agree
    path = tmp_path / "rolled.jsonl"
    path.write_text(rolled)
    assert ref.main([str(path), "--known-seq", str(last), "--known-hash", head]) == 1
    cli = [str(CLI), "audit", str(path), "--known-seq", str(last), "--known-hash", head]
    out = subprocess.run(cli, capture_output=True, text=True)
    assert out.returncode == 5 and "rolled back" in out.stderr, out.stderr


def test_reference_verifier_refuses_lines_not_as_written(export, tmp_path):
    ls = lines(export)
    # a forged member before the real one: json.loads alone would keep the real (last) one
    forged = ls.copy()
    forged[1] = forged[1].replace("{", '{"stop_id":"FORGED",', 1)
    assert broken(join(forged)).problem == "malformed: duplicate member 'stop_id'"
    # the same record with a space, or with its members in another order
    spaced = ls.copy()
    spaced[0] = spaced[0].replace(":", ": ", 1)
    assert broken(join(spaced)).problem.startswith("malformed: not byte for byte as the store wrote it")
    reordered = ls.copy()
    reordered[0] = json.dumps(dict(reversed(json.loads(ls[0]).items())), separators=(",", ":"), ensure_ascii=False)
    assert broken(join(reordered)).problem.startswith("malformed: not byte for byte")
    # a lone surrogate: reported as a broken chain, not a traceback
    surrogate = ls.copy()
    surrogate[0] = surrogate[0].replace('"stop-1"', '"\\ud800"', 1)
    assert broken(join(surrogate)).problem.startswith("malformed: a string holds a lone surrogate")
    path = tmp_path / "surrogate.jsonl"
    path.write_text(join(surrogate))
    assert ref.main([str(path), "--hmac-key-hex", SECRET.hex()]) == 1
    assert subprocess.run([str(CLI), "audit", str(path)], capture_output=True).returncode == 5
    path.write_text(join(forged))
    out = subprocess.run([str(CLI), "audit", str(path)], capture_output=True, text=True)
    assert out.returncode == 5 and 'duplicate member "stop_id"' in out.stderr, out.stderr


def test_the_cli_and_the_reference_verifier_agree(export, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(export)
    out = subprocess.run([str(CLI), "audit", str(path), "--hmac-key", SECRET.hex()], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert ref.main([str(path), "--hmac-key-hex", SECRET.hex()]) == 0
    path.write_text(join(lines(export)[1:]))
    assert subprocess.run([str(CLI), "audit", str(path)], capture_output=True).returncode == 5
    assert ref.main([str(path)]) == 1


def test_ecdsa_signed_chain_verifies_with_the_public_key_only(tmp_path, verifier, samples):
    signer = EcdsaSigner()
    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), signer)
    store.open_session(verifier, "stop-1").submit_photo(samples["porch.jpg"])
    text = store.export_jsonl()
    assert ref.verify_chain(text, ref.P256Key(signer.public_pem()))[0] == 1
    assert broken(text, ref.P256Key(EcdsaSigner().public_pem())).problem.startswith("bad signature")


def test_a_signer_that_throws_records_nothing(tmp_path, verifier, samples):
    class Locked(HmacSigner):
        def sign(self, message):
            raise proofshot.SignerError.KeyUnavailable("keystore locked")

    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), Locked())
    session = store.open_session(verifier, "stop-1")
    with pytest.raises(proofshot.ProofShotError.Signing, match="keystore locked"):
        session.submit_photo(samples["porch.jpg"])
    assert session.attempts_used() == 0
    assert store.pending_records(10) == []


@pytest.mark.parametrize(
    "method, answer, names",
    [
        ("key_id", RuntimeError("no key"), "no key"),
        ("algorithm", ValueError("keystore gone"), "keystore gone"),
        ("sign", KeyError("oops"), "oops"),
        ("sign", b"", "0 bytes"),
        ("sign", b"x" * 31, "31 bytes"),
        ("key_id", "k" * 257, "257 bytes"),
        ("key_id", "key\x00id", "control characters"),
        ("algorithm", "none", 'changed from "hmac-sha256" to "none"'),
    ],
)
def test_a_misbehaving_signer_is_a_signing_error_and_nothing_counts(tmp_path, verifier, samples, method, answer, names):
    class Rogue(HmacSigner):
        armed = False

    def rogue(self, *args):
        if not self.armed:
            return getattr(HmacSigner, method)(self, *args)
        if isinstance(answer, Exception):
            raise answer
        return answer

    setattr(Rogue, method, rogue)
    signer = Rogue()
    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), signer)
    store.open_session(verifier, "stop-0").submit_photo(samples["porch.jpg"])
    session = store.open_session(verifier, "stop-1")
    signer.armed = True
    with pytest.raises(proofshot.ProofShotError.Signing, match=names):
        session.submit_photo(samples["porch.jpg"])
    signer.armed = False
    assert session.attempts_used() == 0
    assert len(store.pending_records(10)) == 1
    assert ref.verify_chain(store.export_jsonl(), ref.HmacKey(SECRET))[0] == 1


def test_a_signer_calling_back_into_the_store_gets_an_error_not_a_hang(tmp_path, verifier, samples):
    inner = []

    class Curious(HmacSigner):
        store = None

        def sign(self, message):
            try:
                inner.append(self.store.pending_records(10))
            except proofshot.ProofShotError.InvalidArgument as e:
                inner.append(str(e))
            return super().sign(message)

    signer = Curious()
    signer.store = proofshot.EvidenceStore(str(tmp_path / "e.db"), signer)
    session = signer.store.open_session(verifier, "stop-1")
    done = []
    worker = threading.Thread(target=lambda: done.append(session.submit_photo(samples["porch.jpg"])), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "the submission hung"
    assert "called from inside its signer" in inner[0]
    assert session.attempts_used() == 1


def test_a_foreign_file_is_a_storage_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database at all" * 300)
    with pytest.raises(proofshot.ProofShotError.Storage, match="not an SQLite database"):
        proofshot.EvidenceStore(str(path), HmacSigner())
    assert path.read_bytes() == b"not a database at all" * 300


def test_redacted_copy_hash_is_recorded(tmp_path, verifier, samples):
    copy = verifier.redact(samples["porch.jpg"], proofshot.RedactOptions(max_side=640, jpeg_quality=80, people=True))
    assert copy.jpeg[:2] == b"\xff\xd8" and max(copy.width, copy.height) <= 640
    assert copy.regions == []
    store = proofshot.EvidenceStore(str(tmp_path / "e.db"), HmacSigner())
    store.open_session(verifier, "stop-1").submit_photo(samples["porch.jpg"], redacted_copy=copy.jpeg)
    record = json.loads(store.pending_records(1)[0].json)
    assert record["photo"]["redacted_sha256"] == hashlib.sha256(copy.jpeg).hexdigest()
    assert record["photo"]["sha256"] == hashlib.sha256(samples["porch.jpg"]).hexdigest()
    with pytest.raises(proofshot.ProofShotError.InvalidImage):
        verifier.redact(b"nope")
