"""Load scenarios for `make bench`; the runner picks one class per run and passes cookies in the environment."""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, constant, task

STAFF = os.environ.get("BENCH_STAFF_COOKIE", "")
CANDIDATES = [c for c in os.environ.get("BENCH_CANDIDATE_COOKIES", "").split(",") if c]
_next_candidate = itertools.count()
_next_opening = itertools.count()


class Trivial(HttpUser):
    """The baseline: the cheapest route there is."""

    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="trivial")


class Autosave(HttpUser):
    """A candidate typing: one save after another, as the page sends them."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.cookies.set("session", CANDIDATES[next(_next_candidate) % len(CANDIDATES)], domain="127.0.0.1", path="/")
        page = self.client.get("/c/exercises/a-mini-prd", name="exercise page").text
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        self.seq, self.revision, self.tab = 0, 0, f"tab-{id(self)}"

    @task
    def save(self) -> None:
        self.seq += 1
        body = {"client_id": self.tab, "seq": self.seq, "base_revision": self.revision,
                "answers": {"problem_statement": f"Draft {self.seq}: approvals take four days on average."}}
        with self.client.post("/c/exercises/a-mini-prd/autosave", json=body, headers={"X-CSRFToken": self.token},
                              name="autosave", catch_response=True) as response:
            answer = response.json() if response.status_code == 200 else {}
            if answer.get("status") == "accepted":
                self.revision = answer["revision"]
                response.success()
            else:
                response.failure(f"{response.status_code} {answer.get('status')}")


class StaffPage(HttpUser):
    """A hiring manager or interviewer waiting on one page: BENCH_PATHS (cycled) under the name BENCH_NAME, with
    the staff cookie, or the API token when BENCH_BEARER is set."""

    wait_time = constant(0)
    paths = [p for p in os.environ.get("BENCH_PATHS", "").split(",") if p]
    name = os.environ.get("BENCH_NAME", "page")
    bearer = os.environ.get("BENCH_BEARER", "")

    def on_start(self) -> None:
        self.client.cookies.set("session", STAFF, domain="127.0.0.1", path="/")
        self.headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}

    @task
    def view(self) -> None:
        path = self.paths[next(_next_opening) % len(self.paths)]
        with self.client.get(path, name=self.name, headers=self.headers, catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
