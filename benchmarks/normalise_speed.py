"""How long normalising and scanning one chat message takes (`hearthkeeper.text`).

Run: .venv/bin/python benchmarks/normalise_speed.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from hearthkeeper.playbook import Playbook
from hearthkeeper.text import Scanner, compact, normalise

MESSAGES = {
    "Chinese, 36 chars": "大家早上好！今天的护肤小知识：防晒霜要在出门前二十分钟涂抹，记得补涂哦～",
    "English, 40 chars": "Good morning all, the tasting is at 7pm!",
    "traditional + disguise": "加薇信領取優惠 V信：abc_123 ①③⑧⓪⓪①③⑧⓪⓪⓪ 進群",
    "Cyrillic + zero-width": "сrурtо give\u200baway, dm me for free followers",
    "URL-encoded + markdown": "see **%E5%8A%A0%E5%BE%AE%E4%BF%A1** [here](hxxp://bad.example)",
}
ROUNDS = 20_000


def per_call(func: Callable[[str], object], text: str) -> float:
    """Median time of one call in µs, over 5 runs of ROUNDS calls."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            func(text)
        samples.append((time.perf_counter() - start) / ROUNDS)
    return statistics.median(samples) * 1e6


def main() -> None:
    minimal = {
        "community": {
            "slug": "bench",
            "name": "Bench",
            "purpose": "measure",
            "interest": {"kind": "product", "description": "measuring"},
        }
    }
    scanner = Scanner.from_rules(Playbook.model_validate(minimal).rules)
    normalise("warm up 繁體")
    print(f"{'message':<24} {'chars':>5} {'normalise':>10} {'+compact':>9} {'scan':>8}  (µs)")
    for label, text in MESSAGES.items():
        plain = per_call(normalise, text)
        both = per_call(lambda t: compact(normalise(t)), text)
        scan = per_call(scanner.scan, text)
        print(f"{label:<24} {len(text):>5} {plain:>10.1f} {both:>9.1f} {scan:>8.1f}")


if __name__ == "__main__":
    main()
