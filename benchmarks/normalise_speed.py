"""How long `normalise` (and `normalise` + `compact`) takes on typical chat messages.

Run: .venv/bin/python benchmarks/normalise_speed.py
"""

from __future__ import annotations

import statistics
import time

from hearthkeeper.text.normalise import compact, normalise

MESSAGES = {
    "Chinese, 40 chars": "大家早上好！今天的护肤小知识：防晒霜要在出门前二十分钟涂抹，记得补涂哦～",
    "English, 40 chars": "Good morning all, the tasting is at 7pm!",
    "traditional + disguise": "加薇信領取優惠 V信：abc_123 ①③⑧⓪⓪①③⑧⓪⓪⓪ 進群",
    "Cyrillic + zero-width": "сrурtо give\u200baway, dm me for free followers",
    "URL-encoded + markdown": "see **%E5%8A%A0%E5%BE%AE%E4%BF%A1** [here](hxxp://bad.example)",
}
ROUNDS = 20_000


def per_call(func: object, text: str) -> float:
    assert callable(func)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            func(text)
        samples.append((time.perf_counter() - start) / ROUNDS)
    return statistics.median(samples) * 1e6


def main() -> None:
    normalise("warm up 繁體")
    print(f"{'message':<26} {'chars':>5} {'normalise µs':>13} {'+ compact µs':>13}")
    for label, text in MESSAGES.items():
        plain = per_call(normalise, text)
        both = per_call(lambda t: compact(normalise(t)), text)
        print(f"{label:<26} {len(text):>5} {plain:>13.1f} {both:>13.1f}")


if __name__ == "__main__":
    main()
