"""A base for Hypothesis state machines that drive the services on the test's database connection."""

from __future__ import annotations

from flask import Flask
from hypothesis.stateful import RuleBasedStateMachine
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .app import FrozenClock
from .factories import Factory


class OnTheDatabase(RuleBasedStateMachine):
    """Each run in a savepoint of its own, rolled back at its end, with a session, a factory and the clock."""

    def __init__(self, app: Flask, connection: Connection, clock: FrozenClock) -> None:
        super().__init__()
        self.nested = connection.begin_nested()
        self.session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        self.make = Factory(self.session, app)
        self.clock = clock

    def teardown(self) -> None:
        self.session.close()
        self.nested.rollback()
