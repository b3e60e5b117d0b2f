"""The one door for side effects: intents written in the transaction, carried out by the worker after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assess import create_app
from assess.config import Config
from assess.db import Database, get_database
from assess.models import MailStatus, OutboundEmail, Role, WebhookDelivery
from assess.services import answering, attempts, effects, mail, webhooks
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.mail import Inbox, free_port, text_of

A = "a-mini-prd"


class MailServer:
    def __init__(self, port: int) -> None:
        self.port, self.inbox = port, Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *_: Any) -> None:
        self.controller.stop()


class Queue:
    """Stands in for the task queue: records what the door hands over, or refuses it as a queue that is down."""

    def __init__(self) -> None:
        self.handed: list[tuple[effects.Effect, tuple[int, ...]]] = []
        self.down = False

    def __call__(self, effect: effects.Effect, ids: tuple[int, ...]) -> bool:
        if self.down:
            raise ConnectionError("the queue is down")
        self.handed.append((effect, ids))
        return False

    def ids(self, effect: effects.Effect) -> list[int]:
        return [i for kind, ids in self.handed if kind is effect for i in ids]


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def queue() -> Queue:
    return Queue()


@pytest.fixture
def mailing(config: Config, engine: Engine, connection: Any, port: int, queue: Queue) -> Flask:
    """The app with a mail server configured and its worker standing still until a test runs it."""
    app = create_app(config.with_overrides({"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}),
                     database=Database(engine, bind=connection))
    effects.connect(get_database(app).session_info, queue)
    app.extensions["assess.clock"] = FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    return app


@pytest.fixture
def session(mailing: Flask) -> Iterator[Session]:
    with get_database(mailing).new_session() as opened:
        yield opened


def run_worker(app: Flask) -> int:
    """What the worker does every minute, and when the door hands it mail: send what is due."""
    with app.app_context():
        return app.extensions["assess.tasks"].send_mail.call_local()  # type: ignore[no-any-return]


def test_a_sweep_of_n_hand_ins_writes_n_emails_and_the_worker_sends_them_over_one_connection(
    mailing: Flask, session: Session, queue: Queue, port: int
) -> None:
    make, clock = Factory(session, mailing), mailing.extensions["assess.clock"]
    opening = make.opening()
    started = [attempts.start(session, make.library, make.invite(opening).candidate, A, now=clock.now)
               for _ in range(5)]
    clock.advance(hours=3)
    with MailServer(port) as inbox:
        assert answering.sweep(session, mailing.config["ASSESS"], now=clock.now) == 5
        receipts = session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Received"))).all()
        assert len(receipts) == 5 and {r.status for r in receipts} == {MailStatus.QUEUED}
        assert {r.id for r in receipts} <= set(queue.ids(effects.Effect.MAIL))
        assert inbox.messages == []  # nothing goes out inside the sweep's transactions
        assert run_worker(mailing) == 10  # five invitations and five receipts
    assert len(inbox.connections) == 1
    assert sorted(m["To"] for m in inbox.messages if m["Subject"].startswith("Received")) == sorted(
        a.candidate.email for a in started)
    session.expire_all()
    assert {r.status for r in receipts} == {MailStatus.SENT} and all(r.sent_at == clock.now for r in receipts)


def test_a_rolled_back_transaction_sends_nothing(mailing: Flask, session: Session, queue: Queue, port: int) -> None:
    now = mailing.extensions["assess.clock"].now
    mail.queue(session, mail.Message("someone@example.net", "Never", "This change did not happen."), now=now)
    session.rollback()
    session.commit()  # a later commit does not bring it back
    assert queue.handed == []
    with MailServer(port) as inbox:
        assert run_worker(mailing) == 0
    assert inbox.messages == [] and session.scalars(select(OutboundEmail)).all() == []


def test_with_the_mail_server_down_a_message_is_marked_failed_retried_with_growing_pauses_and_later_sent(
    mailing: Flask, session: Session, port: int
) -> None:
    clock = mailing.extensions["assess.clock"]
    link = "http://assess.test/c/start/secret-token"
    record = mail.queue(session, mail.Message("kai@example.net", "Your link", f"Open {link} to start.", link),
                        now=clock.now)
    session.commit()
    for pause in (1, 2):
        assert run_worker(mailing) == 0
        session.refresh(record)
        assert (record.status, record.sent_at) == (MailStatus.QUEUED, None)
        assert "ConnectionRefusedError" in (record.error or "") and record.next_attempt_at == clock.now + timedelta(
            minutes=pause)
        assert link in record.body_text  # a message that could not be sent still holds its link
        assert run_worker(mailing) == 0  # not due again yet
        clock.advance(minutes=pause)
    with MailServer(port) as inbox:
        assert run_worker(mailing) == 1
    session.refresh(record)
    assert (record.status, record.attempts, record.error, record.transport) == (MailStatus.SENT, 3, None, "smtp")
    assert record.sent_at == clock.now and link not in record.body_text and mail.LINK_SENT in record.body_text
    assert link in text_of(inbox.messages[0])


def test_a_message_the_mail_server_never_takes_is_given_up_after_the_last_try(
    mailing: Flask, session: Session
) -> None:
    clock = mailing.extensions["assess.clock"]
    record = mail.queue(session, mail.Message("kai@example.net", "Hello", "Body"), now=clock.now)
    session.commit()
    for _ in range(mail.MAX_ATTEMPTS + 2):
        run_worker(mailing)
        clock.advance(hours=1)
    session.refresh(record)
    assert (record.status, record.attempts) == (MailStatus.FAILED, mail.MAX_ATTEMPTS) and record.error


def test_intents_the_queue_never_took_are_picked_up_by_the_periodic_jobs(
    mailing: Flask, session: Session, queue: Queue, port: int
) -> None:
    make, clock = Factory(session, mailing), mailing.extensions["assess.clock"]
    admin = make.user(Role.ADMIN)
    webhooks.create_endpoint(session, url="http://127.0.0.1:1/hooks", events=["submission.received"], actor=admin,
                             now=clock.now)
    queue.down = True
    attempt = make.submission(make.opening())
    assert queue.handed == []
    assert session.scalars(select(OutboundEmail.status)).all() == [MailStatus.QUEUED, MailStatus.QUEUED]
    jobs = mailing.extensions["assess.tasks"]
    every_minute = datetime(2026, 11, 2, 9, 7)
    assert jobs.send_mail.task_class().validate_datetime(every_minute)
    assert jobs.deliver_webhooks.task_class().validate_datetime(every_minute)
    with MailServer(port) as inbox:
        assert run_worker(mailing) == 2
    assert [m["To"] for m in inbox.messages] == [attempt.candidate.email] * 2
    with mailing.app_context():
        jobs.deliver_webhooks.call_local()
    delivery = session.scalars(select(WebhookDelivery)).one()
    session.refresh(delivery)
    assert delivery.attempts == 1 and "Connection refused" in (delivery.last_error or "")


def test_the_door_hands_each_committed_intent_to_the_worker_once(
    mailing: Flask, session: Session, queue: Queue
) -> None:
    now = mailing.extensions["assess.clock"].now
    first = mail.queue(session, mail.Message("a@example.net", "One", "1"), now=now)
    second = mail.queue(session, mail.Message("b@example.net", "Two", "2"), now=now)
    session.commit()
    session.commit()
    assert queue.handed == [(effects.Effect.MAIL, (first.id, second.id))]


def test_a_job_queued_on_the_real_queue_sends_the_mail(config: Config, engine: Engine, connection: Any) -> None:
    """Outside tests the door queues the job on Huey, and the worker that dequeues it sends the mail."""
    port = free_port()
    app = create_app(config.with_overrides({"env": "development", "smtp_host": "127.0.0.1", "smtp_port": port,
                                            "smtp_starttls": False}), database=Database(engine, bind=connection))
    huey = app.extensions["assess.tasks"].huey
    huey.flush()
    with get_database(app).new_session() as session:
        record = mail.queue(session, mail.Message("lee@example.net", "Queued", "Body"), now=datetime.now(UTC))
        session.commit()
        assert huey.pending_count() == 1 and record.status is MailStatus.QUEUED
        with MailServer(port) as inbox, app.app_context():
            huey.execute(huey.dequeue())
        session.refresh(record)
        assert record.status is MailStatus.SENT and len(inbox.messages) == 1
