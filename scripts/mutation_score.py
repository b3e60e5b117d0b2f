"""Print the score of the last `mutmut run` from the results it leaves in mutants/.

mutmut 3 writes one `<module>.py.meta` JSON file per mutated module, mapping each
mutant to the exit code of the tests run against it. A mutant is killed when the
tests failed (or were stopped by the time limit or the type checker); every other
outcome, including "no test reaches this code", counts against the score.

    python scripts/mutation_score.py [--list] [MUTANTS_DIR]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# The exit codes mutmut 3 records (mutmut/stats.py), by what they mean for the score.
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout",
          152: "timeout", 255: "timeout", 37: "caught by type check"}
NOT_KILLED = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}


def outcome(exit_code: int | None) -> str:
    if exit_code in KILLED:
        return "killed"
    return NOT_KILLED.get(exit_code, "suspicious")


def read_results(mutants_dir: Path) -> dict[str, str]:
    results: dict[str, str] = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, exit_code in data.get("exit_code_by_key", {}).items():
            results[name] = outcome(exit_code)
    return results


def main(argv: list[str]) -> int:
    show_list = "--list" in argv
    args = [a for a in argv if a != "--list"]
    mutants_dir = Path(args[0]) if args else Path("mutants")
    results = read_results(mutants_dir)
    if not results:
        print(f"no mutmut results under {mutants_dir}/; run `make mutation` first", file=sys.stderr)
        return 1
    if show_list:
        for name, status in sorted(results.items()):
            if status != "killed":
                print(f"{status}: {name}")
    counts = Counter(results.values())
    total = len(results)
    killed = counts["killed"]
    not_killed = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()) if status != "killed")
    print(f"mutants: killed {killed}, {not_killed or 'survived 0'}, total {total}")
    print(f"mutation_score: {100 * killed / total:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
