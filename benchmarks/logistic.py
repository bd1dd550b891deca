"""Logistic regression on binary features for the scorer studies (`scorer_options.py`,
`scorer_hybrid.py`): stochastic gradient descent with AdaGrad steps and L2, each class weighed
to half the total, features seen fewer than `min_count` times dropped."""

from __future__ import annotations

import math
import random


def fit(rows: list[tuple[list[str], float]], *, epochs: int, l2: float, rate: float,
        min_count: int, seed: int) -> tuple[dict[str, float], float]:  # fmt: skip
    """Weights per feature and a bias for `rows` of (features, 1.0 spam / 0.0 ham); the
    shuffling is seeded, so a study's figures repeat."""
    spam = sum(1 for _, y in rows if y) or 1
    ham = (len(rows) - spam) or 1
    weigh = {1.0: len(rows) / (2 * spam), 0.0: len(rows) / (2 * ham)}
    counts: dict[str, int] = {}
    for feats, _ in rows:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    rows = [([f for f in feats if counts[f] >= min_count], y) for feats, y in rows]
    w: dict[str, float] = {}
    g2: dict[str, float] = {}
    bias, bias_g2 = 0.0, 1e-8
    order = list(range(len(rows)))
    shuffle = random.Random(seed)
    for _ in range(epochs):
        shuffle.shuffle(order)
        for i in order:
            feats, y = rows[i]
            z = bias + sum(w.get(f, 0.0) for f in feats)
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * weigh[y]
            bias_g2 += g * g
            bias -= rate * g / math.sqrt(bias_g2)
            for f in feats:
                old = w.get(f, 0.0)
                grad = g + l2 * old
                acc = g2.get(f, 1e-8) + grad * grad
                g2[f] = acc
                w[f] = old - rate * grad / math.sqrt(acc)
    return w, bias
