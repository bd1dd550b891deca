"""Check that two source trees build the same report on the same database: every number of
`hearth report --format json` (all but `generated_at`), compared as JSON.

    .venv/bin/python benchmarks/report_same.py --before OLD/src --after NEW/src DATABASE_URL
        [--community ID]

Each tree builds the report in its own process (`PYTHONPATH=<tree>`), with the clock set just
after the community's last message (as benchmarks/analytics_1m.py does); exit status 1 and
the first differing paths if the reports differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
BUILD = """
import json, sys
sys.path.insert(0, {root!r})
from benchmarks.analytics import steps
with steps.open_store({url!r}) as store:
    data = steps.report_builder()(store, {community})
data.pop("generated_at", None)
print(json.dumps(data, sort_keys=True, ensure_ascii=False))
"""


def build(tree: str, url: str, community: int) -> Any:
    """The report's JSON as the tree `tree` (its `src`) builds it."""
    env = {**os.environ, "PYTHONPATH": tree}
    code = BUILD.format(root=str(HERE), url=url, community=community)
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where `a` and `b` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(a.keys() | b.keys())
                for d in differences(a.get(k), b.get(k), f"{path}.{k}")]  # fmt: skip
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]")]  # fmt: skip
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:300]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the old tree's src directory")
    parser.add_argument("--after", required=True, help="the new tree's src directory")
    parser.add_argument("--community", type=int, default=1)
    parser.add_argument("url", help="the database, e.g. sqlite:////path/hearth.db")
    args = parser.parse_args()
    before = build(args.before, args.url, args.community)
    after = build(args.after, args.url, args.community)
    found = differences(before, after)
    print("same numbers" if not found else "\n".join(found[:20]))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
