"""What a hiring manager reads on the results and interviewers pages: flags beside the name, the chance a close
candidate is really ahead, who drops out without an interviewer, flagged interviewers and agreement per dimension."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.domain.fit_statistics import READINGS
from assess.models import Opening, User
from assess.services import calibration_report, demo, results
from tests.support.factories import Factory
from tests.support.web import Auth


def manager(client: FlaskClient) -> None:
    Auth(client).login("hiring@example.com", demo.DEMO_PASSWORD)


def test_the_flags_and_the_chance_of_being_ahead_sit_in_the_candidates_own_cell(
    seeded: Opening, client: FlaskClient
) -> None:
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    cells = re.findall(r'<th scope="row" class="candidate-cell">(.*?)</th>', page, re.S)
    assert len(cells) == 4
    assert all('class="row-flags' in cell for cell in cells[:3])
    assert re.search(r"\d+% chance of really being ahead of #2", cells[0])
    assert "How to read these numbers" in page and "plain average" in page
    assert page.index('class="table ranking"') < page.index("Rank without")  # the ranking comes first


def test_the_chance_of_being_ahead_is_given_only_where_the_next_interval_overlaps(
    seeded: Opening, db_session: Session, make: Factory
) -> None:
    rows = results.comparison(db_session, make.library, seeded).rows
    for this, after in zip(rows, rows[1:], strict=False):
        overlapping = min(this.estimate.high, after.estimate.high) > max(this.estimate.low, after.estimate.low)
        assert (this.ahead_of_next is not None) == overlapping
        if overlapping:
            assert 0.5 <= this.ahead_of_next <= 1  # ranked above, so at least as likely ahead
    assert rows[-1].ahead_of_next is None


def test_without_an_interviewer_the_moves_compare_the_same_candidates_and_who_drops_out_is_named(
    seeded: Opening, db_session: Session, make: Factory, client: FlaskClient
) -> None:
    tom = db_session.scalars(select(User).where(User.email == "tom@example.com")).one()
    full = results.comparison(db_session, make.library, seeded)
    without = results.comparison(db_session, make.library, seeded, exclude=tom.id)
    kept = {row.candidate.id for row in without.rows}
    assert {c.id for c in without.dropped} == {row.candidate.id for row in full.rows} - kept
    before = [row.candidate.id for row in full.rows if row.candidate.id in kept]
    after = [row.candidate.id for row in without.rows]
    for row in without.rows:
        assert row.moved == before.index(row.candidate.id) - after.index(row.candidate.id)
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/results?without={tom.id}").get_data(as_text=True)
    assert "against the full ranking of the same candidates" in page


def test_the_interviewers_page_names_the_one_who_keeps_to_the_middle_and_shows_agreement_per_dimension(
    seeded: Opening, db_session: Session, client: FlaskClient
) -> None:
    rows, _ = calibration_report.interviewer_report(db_session, seeded)
    lena = next(r for r in rows if r.name == "Lena Kowalski")
    assert lena.flags == ("central_tendency",) and lena.outfit is not None and lena.outfit < 0.5
    assert all(not r.flags for r in rows if r.name in ("Tom Becker", "Priya Raman"))
    agreement = calibration_report.dimension_agreement(db_session, seeded)
    assert agreement and all(row["g_coefficient"] is not None or row["reasons"].get("g_coefficient")
                             for row in agreement)
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/interviewers").get_data(as_text=True)
    flagged = page[page.index('id="flagged"'):page.index("</section>", page.index('id="flagged"'))]
    assert "Lena Kowalski" in flagged and READINGS["central_tendency"] in flagged
    assert "calibration session" in flagged and "Tom Becker" not in flagged
    assert 'id="agreement"' in page and "Problem framing" in page
