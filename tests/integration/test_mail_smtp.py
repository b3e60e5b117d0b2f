"""Invitations go out through a real SMTP server on loopback, and their link works."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assess import create_app
from assess.config import Config
from assess.db import Database, get_database
from assess.models import OutboundEmail, Role
from tests.support.factories import Factory
from tests.support.mail import Inbox, free_port, html_of, text_of
from tests.support.web import csrf_token, sign_in_session


def test_the_invitation_arrives_by_smtp_and_its_link_opens_the_assessment(
    smtp: tuple[Inbox, int], config: Config, engine: Engine, connection: Any
) -> None:
    inbox, port = smtp
    mailing = config.with_overrides({"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                     "base_url": "http://assess.test"})
    app = create_app(mailing, database=Database(engine, bind=connection))
    with get_database(app).new_session() as session:
        make = Factory(session, app)
        invited = make.invite(make.opening(), name="Mel Ortiz", email="mel@example.net")
        assert invited.email.sent_at is not None and invited.email.error is None
        assert session.scalars(select(OutboundEmail.transport)).one() == "smtp"

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "mel@example.net"
    assert "Your assessment for" in message["Subject"]
    # Mail clients and spam filters expect both; the id names the outbox record, never the address.
    assert message["Date"] and parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^@\s]+@[^>\s]+>", message["Message-ID"]) and "mel" not in message["Message-ID"]
    body = text_of(message)
    link = re.search(r"http://assess\.test(/c/start/\S+)", body)
    assert link, body
    client = app.test_client()
    assert client.get(link.group(1)).headers["Location"] == "/c/"
    assert "Mel Ortiz" in client.get("/c/").get_data(as_text=True)


def test_a_mail_server_that_refuses_leaves_the_message_in_the_outbox_with_the_reason(
    make: Factory, db_session: Session, app: Any
) -> None:
    port = free_port()  # nothing listens here
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    invited = make.invite(make.opening())
    assert invited.email.sent_at is None
    assert "ConnectionRefusedError" in (invited.email.error or "")
    assert db_session.scalars(select(OutboundEmail)).one().error


def test_once_a_mail_server_takes_an_invitation_the_stored_copy_holds_no_working_link(
    smtp: tuple[Inbox, int], config: Config, engine: Engine, connection: Any
) -> None:
    inbox, port = smtp
    mailing = config.with_overrides({"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})
    app = create_app(mailing, database=Database(engine, bind=connection))
    with get_database(app).new_session() as session:
        make = Factory(session, app)
        opening = make.opening()
        invited = make.invite(opening, name="Mel Ortiz", email="mel@example.net")
        token = invited.link.rsplit("/", 1)[1]
        stored = session.scalars(select(OutboundEmail.body_text)).one()
        assert token not in stored
        assert "(link sent by email; send a new link to replace it)" in stored
        assert "Hello Mel Ortiz" in stored
    assert token in text_of(inbox.messages[0])
    client = app.test_client()
    sign_in_session(client, opening.hiring_manager)
    page = client.get(f"/hiring/openings/{opening.slug}/outbox").get_data(as_text=True)
    assert token not in page and "use Resend" in page


def test_without_a_mail_server_the_outbox_keeps_the_link_and_says_it_is_the_way_links_reach_people(
    make: Factory, client: Any, db_session: Session
) -> None:
    opening = make.opening()
    invited = make.invite(opening)
    assert invited.link in db_session.scalars(select(OutboundEmail.body_text)).one()
    sign_in_session(client, opening.hiring_manager)
    page = client.get(f"/hiring/openings/{opening.slug}/outbox").get_data(as_text=True)
    assert invited.link in page
    assert "nothing is emailed" in page and "This outbox is how links reach candidates" in page


def test_a_message_the_mail_server_refused_keeps_its_link_for_passing_on(
    make: Factory, db_session: Session, app: Any
) -> None:
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    invited = make.invite(make.opening())
    assert invited.email.error and invited.link in db_session.scalars(select(OutboundEmail.body_text)).one()


def test_every_message_of_a_long_outbox_can_be_reached_by_page_by_address_and_from_the_candidate(
    make: Factory, client: Any, db_session: Session
) -> None:
    opening = make.opening()
    invited = [make.invite(opening, name=f"Person {n:02d}", email=f"p{n:02d}@example.net") for n in range(55)]
    other = make.invite(make.opening(opening.hiring_manager))
    sign_in_session(client, opening.hiring_manager)
    base = f"/hiring/openings/{opening.slug}/outbox"
    first = client.get(base).get_data(as_text=True)
    assert "(55)" in first and "Page 1 of 2" in first and invited[0].link not in first
    second = client.get(f"{base}?page=2").get_data(as_text=True)
    assert "p00@example.net" in second and "p54@example.net" not in second
    oldest = client.get(f"{base}?message={invited[0].email.id}").get_data(as_text=True)
    assert invited[0].link in oldest  # the oldest message opens from any page
    found = client.get(base, query_string={"q": "P07@"}).get_data(as_text=True)
    assert "(1 to matching addresses)" in found and invited[7].link in found
    elsewhere = client.get(f"{base}?message={other.email.id}").get_data(as_text=True)
    assert other.link not in elsewhere and "That message is not in this opening" in elsewhere
    assert client.get(f"{base}?page=0").status_code == 400
    assert client.get(base, query_string={"q": "a\nb"}).status_code == 400
    record = client.get(f"/hiring/openings/{opening.slug}/candidates/{invited[3].candidate.id}").get_data(as_text=True)
    assert f'{base}?q=p03@example.net' in record


def test_mail_to_candidates_comes_from_the_company_replies_reach_its_contact_and_the_html_says_the_same(
    client: Any, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    """The hiring manager names the company and the reply-to address in the settings; the invitation then comes
    from that name at our own address, replies go to the contact, and its HTML part has the same words and link,
    with the candidate's name escaped rather than read as markup."""
    manager = make.user(Role.HIRING_MANAGER, name="Maya Okafor")
    opening = make.opening(manager)
    sign_in_session(client, manager)
    page = f"/hiring/openings/{opening.slug}/settings"
    form = {"csrf_token": csrf_token(client, page), "invitation_valid_days": "14", "interviewers_per_submission": "2",
            "retention_days": "365", "ai_draft_timing": "after_rating", "overdue_reminder_days": "2",
            "expiry_reminder_days": "3, 1", "third_interviewer_gap": "None"}
    refused = client.post(page, data=form | {"company_name": "Acme", "reply_to": "not an address"})
    assert refused.status_code == 200 and "not a valid email address" in refused.get_data(as_text=True)
    assert client.post(page, data=form | {"company_name": "  Acme   Robotics ",
                                          "reply_to": "Talent@Acme.example"}).status_code == 302
    db_session.refresh(opening)
    assert (opening.company_name, opening.reply_to) == ("Acme Robotics", "talent@acme.example")

    make.invite(opening, name="Zoë <b>Bold</b> & Co", email="zoe@example.net")
    [message] = mailing.messages
    assert message["From"].addresses[0].display_name == "Acme Robotics"
    assert message["From"].addresses[0].addr_spec == make.config.mail_from.split("<")[1].rstrip(">")
    assert str(message["Reply-To"]) == "talent@acme.example"
    text, html = text_of(message), html_of(message)
    assert "write to talent@acme.example" in text and "Maya Okafor, Acme Robotics" in text
    link = re.search(r"http://assess\.test/c/start/\S+", text).group(0)  # type: ignore[union-attr]
    assert f'href="{link}"' in html, "the link is a link in the HTML too"
    assert "Zoë &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html and "<b>Bold</b>" not in html
    assert "Acme Robotics" in html and "talent@acme.example" in html
