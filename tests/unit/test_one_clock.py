"""One clock: services and the domain are given the time; they never read the wall clock themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.config import PROJECT_ROOT

WALL_CLOCK = re.compile(r"\butcnow\b|\bdatetime\.(?:now|utcnow|today)\(|\bdate\.today\(|\btime\.time\(")
FOLDERS = ("assess/services", "assess/domain")


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_service_or_domain_module_reads_the_wall_clock(folder: str) -> None:
    readings = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
                for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if WALL_CLOCK.search(line)]
    assert readings == [], "pass `now` in instead of reading the clock:\n" + "\n".join(readings)


def test_the_check_would_see_a_wall_clock_reading() -> None:
    for line in ("now = utcnow()", "stamp = datetime.now(UTC)", "today = date.today()", "t = time.time()"):
        assert WALL_CLOCK.search(line), line
    assert not WALL_CLOCK.search("def run(session, *, now: datetime) -> None:")
    assert Path(PROJECT_ROOT / FOLDERS[0]).is_dir()
