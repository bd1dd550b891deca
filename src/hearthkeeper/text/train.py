"""Train the learned scorer from the data the package ships: `python -m hearthkeeper.text.train`.

`make` runs this after installing, so a fresh clone has a model. The training data is
`model/training.tsv.gz` and `model/written.tsv.gz` (`spam|ham <TAB> text` per line; where each
part comes from, with its licence, is in `model/SOURCES.md`): the first holds only the tuning
part of the evaluation corpus (`benchmarks/corpus/moderation.py`), never the held-out part;
the second, lines written for training alone (group-chat ads and members' lines on the same
things), which no evaluation reads.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from hearthkeeper.text.controls import quoted
from hearthkeeper.text.scorer import MODEL_PATH, SpamScorer

TRAINING_PATH = MODEL_PATH.parent / "training.tsv.gz"
WRITTEN_PATH = MODEL_PATH.parent / "written.tsv.gz"
_MIN_COUNT = 2  # n-grams seen once are mostly noise, and half the model's size


def read_training(path: Path = TRAINING_PATH) -> Iterator[tuple[str, bool]]:
    """(text, is_spam) per line of a training file; ValueError naming the line if malformed
    (not UTF-8, not `spam|ham<TAB>text`), OSError if the file is not there or not gzip."""
    with gzip.open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}:{number}: not UTF-8 text (byte {raw[exc.start]:#04x} "
                                 f"at column {exc.start + 1})") from exc  # fmt: skip
            label, tab, text = line.rstrip("\n").partition("\t")
            if label not in ("spam", "ham") or not tab:
                raise ValueError(f"{path}:{number}: expected 'spam|ham<TAB>text', "
                                 f"not {quoted(line.rstrip())}")  # fmt: skip
            yield text, label == "spam"


def prune(scorer: SpamScorer) -> SpamScorer:
    """The scorer without the n-grams seen fewer than twice."""
    full = scorer.to_json()
    counts = full["counts"]
    assert isinstance(counts, dict)
    full["counts"] = {f: pair for f, pair in counts.items() if sum(pair) >= _MIN_COUNT}
    return SpamScorer.from_json(full)


def read_written(path: Path | None = None) -> list[tuple[str, bool]]:
    """The lines written for training alone: those of `path` (FileNotFoundError if it is absent),
    or of `WRITTEN_PATH` unless given (none if that file is absent, as in an older checkout)."""
    if path is None:
        return list(read_training(WRITTEN_PATH)) if WRITTEN_PATH.exists() else []
    return list(read_training(path))


def train(path: Path = TRAINING_PATH, written: Path | None = None) -> SpamScorer:
    """A scorer trained on a training file and the written lines, rare n-grams pruned."""
    return prune(SpamScorer.trained([*read_training(path), *read_written(written)]))


def save(scorer: SpamScorer, out: Path) -> None:
    """Write a model where `load_scorer` reads it (gzip JSON, written whole then renamed; a
    write that fails leaves nothing behind)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as handle:
            json.dump(scorer.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
        partial.replace(out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=TRAINING_PATH, help="training file")
    parser.add_argument("--written", type=Path, default=None,
                        help="lines written for training alone (default: the shipped"
                             " model/written.tsv.gz, skipped if absent)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    args = parser.parse_args()
    if args.written is not None and not args.written.is_file():
        parser.error(f"--written {args.written}: no such file")
    if args.out.is_dir() or not args.out.name:
        parser.error(f"--out {args.out}: is a folder; name the model file (model.json.gz)")
    examples: list[tuple[str, bool]] = []
    for path, read in ((args.data, read_training), (args.written, read_written)):
        try:
            examples += read(path)
        except (OSError, EOFError) as exc:
            # not there, a folder, not gzip (BadGzipFile), or a gzip file cut short (EOFError)
            parser.exit(1, f"error: cannot read {path or WRITTEN_PATH}: {_said(exc)}\n")
        except ValueError as exc:
            parser.exit(1, f"error: {exc}\n")
    labels = {spam for _, spam in examples}
    if labels != {True, False}:
        lacking = "spam" if True not in labels else "ham"
        parser.exit(1, f"error: no {lacking} line in {args.data} or the written lines: the "
                       f"scorer learns from both; {args.out} was left as it was\n")  # fmt: skip
    try:
        save(prune(SpamScorer.trained(examples)), args.out)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and exc.filename != str(args.out) else ""
        parser.exit(1, f"error: cannot write {args.out}: {_said(exc)}{where}; nothing was "
                       "written\n")  # fmt: skip
    print(f"trained {args.out} ({args.out.stat().st_size:,} bytes)")


def _said(exc: BaseException) -> str:
    """An error reading or writing a file, in one line naming it."""
    if isinstance(exc, gzip.BadGzipFile):
        return "not a gzip file (training files are gzip-compressed 'spam|ham<TAB>text' lines)"
    if isinstance(exc, EOFError):
        return "the gzip file is cut short"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


if __name__ == "__main__":
    main()
