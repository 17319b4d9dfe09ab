"""Refresh ``tests/slow_tests.txt`` from a ``pytest -m "not slow" --durations=0`` log.

``python tests/slow_tests.py LOG [SECONDS]`` adds every test whose setup, call and teardown (summed
over its parameters) took at least SECONDS (default 1.0) in LOG to the list, keeping the entries
already there whose test still exists.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
LIST = HERE / "slow_tests.txt"
_LINE = re.compile(r"^([0-9.]+)s (?:call|setup|teardown)\s+tests/(\S+?)(?:\[.*\])?$")


def listed() -> tuple[list[str], list[str]]:
    """(comment lines, test ids) of the list."""
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x.startswith("#")], [x for x in lines if x and not x.startswith("#")]


def exists(test_id: str) -> bool:
    """Whether ``path::name`` names a test function that is still in its module."""
    path, _, name = test_id.partition("::")
    module = HERE / path
    return module.is_file() and re.search(rf"^(?:async )?def {re.escape(name)}\(", module.read_text("utf-8"), re.M)


def main(argv: list[str]) -> int:
    log, threshold = Path(argv[0]), float(argv[1]) if len(argv) > 1 else 1.0
    seconds: dict[str, float] = defaultdict(float)
    for line in log.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m:
            seconds[m.group(2)] += float(m.group(1))
    head, old = listed()
    ids = sorted({i for i in old if exists(i)} | {i for i, s in seconds.items() if s >= threshold})
    LIST.write_text("\n".join([*head, *ids]) + "\n", encoding="utf-8")
    print(f"{len(ids)} tests in {LIST.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
