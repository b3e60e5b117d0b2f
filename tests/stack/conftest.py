"""The process model under test: the stack `scripts/stack start` runs, reached over HTTP."""

from __future__ import annotations

import os

import pytest

STACK_ENV = "ASSESS_TEST_STACK_URL"


@pytest.fixture(scope="module")
def stack() -> str:
    url = os.environ.get(STACK_ENV, "")
    if not url:
        pytest.skip(f"the process-model test needs {STACK_ENV}: run `scripts/stack start` and set it "
                    "(e.g. http://127.0.0.1:8000); .ci/run does both")
    return url


