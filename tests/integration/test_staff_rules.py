"""The staff and the openings' teams as a state machine: whatever admins and hiring managers do, in whatever order,
there is always an active admin, every opening has a hiring manager who may run it, teams hold only hiring
managers and recruiters, nobody's open scorecards are stranded, and who may open an opening is exactly its
hiring manager, its team and the admins.

Hypothesis drives invitations, role changes, disabling and enabling (sometimes of oneself), people added to and
taken off teams, and openings handed over; a plain model predicts which steps are refused, and the database
must agree with it after every step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from sqlalchemy import Connection, select

from assess.errors import AppError, NotFound
from assess.models import Opening, OpeningMember, Role, User
from assess.services import opening_team, openings, staff
from tests.support.app import FrozenClock
from tests.support.factories import A
from tests.support.machines import OnTheDatabase

ROLES = st.sampled_from(list(Role))
SEEN: Counter[str] = Counter()
TEAM = (Role.HIRING_MANAGER, Role.RECRUITER)


@dataclass
class Person:
    role: Role
    active: bool = True
    open_work: bool = False


@dataclass
class Model:
    people: dict[int, Person] = field(default_factory=dict)
    managers: dict[int, int] = field(default_factory=dict)  # opening id -> its hiring manager
    teams: dict[int, set[int]] = field(default_factory=dict)  # opening id -> the rest of its team

    def admins(self) -> list[int]:
        return [i for i, p in self.people.items() if p.role is Role.ADMIN and p.active]


class StaffRules(OnTheDatabase):
    def __init__(self, app: Flask, connection: Connection, clock: FrozenClock) -> None:
        super().__init__(app, connection, clock)
        self.config = app.config["ASSESS"]
        # Admins left by other tests on this database are set aside, so the model knows every admin.
        for other in self.session.scalars(select(User).where(User.role == Role.ADMIN)):
            other.role = Role.INTERVIEWER
        self.session.commit()
        self.model = Model()
        starting = (Role.ADMIN, Role.ADMIN, Role.HIRING_MANAGER, Role.HIRING_MANAGER, Role.RECRUITER,
                    Role.INTERVIEWER)
        self.users = [self.make.user(role) for role in starting]
        for user in self.users:
            self.model.people[user.id] = Person(user.role)
        self.openings = [self.make.opening(self.users[2]), self.make.opening(self.users[3])]
        for opening in self.openings:
            self.model.managers[opening.id] = opening.hiring_manager_id
            self.model.teams[opening.id] = set()
        busy = self.users[5]
        self.make.assignment(self.make.submission(self.openings[0], A), busy)
        self.model.people[busy.id].open_work = True

    def _who(self, index: int) -> User:
        return self.users[index % len(self.users)]

    def _step(self, name: str, refused: bool, step: object) -> None:
        try:
            step()  # type: ignore[operator]
        except (AppError,) as error:
            self.session.rollback()
            assert refused, f"{name} was refused though the model allows it: {error.message}"
            SEEN[f"{name} refused"] += 1
        else:
            assert not refused, f"{name} went through though the model refuses it"
            SEEN[name] += 1

    # -- the steps -------------------------------------------------------------------------------------

    @rule(role=ROLES)
    def invite(self, role: Role) -> None:
        actor = self.session.get_one(User, self.model.admins()[0])
        user = staff.invite(self.session, self.config, email=f"new{len(self.users)}.{id(self)}@example.org",
                            name=f"New {len(self.users)}", role=role, actor=actor, now=self.clock.now)
        self.users.append(user)
        self.model.people[user.id] = Person(role)

    @rule(who=st.integers(0, 30), role=ROLES)
    def change_role(self, who: int, role: Role) -> None:
        user, model = self._who(who), self.model
        person = model.people[user.id]
        refused = person.role is not role and (
            (person.role is Role.ADMIN and person.active and model.admins() == [user.id])
            or (role not in (Role.HIRING_MANAGER, Role.ADMIN) and user.id in model.managers.values())
            or (person.role is Role.INTERVIEWER and person.open_work))
        actor = self.session.get_one(User, model.admins()[0])
        self._step("role changed", refused,
                   lambda: staff.set_role(self.session, user, role, actor=actor, now=self.clock.now))
        if not refused:
            person.role = role
            if role not in TEAM:
                for team in model.teams.values():
                    team.discard(user.id)

    @rule(who=st.integers(0, 30), active=st.booleans(), oneself=st.booleans())
    def switch(self, who: int, active: bool, oneself: bool) -> None:
        user, model = self._who(who), self.model
        person = model.people[user.id]
        actor_id = user.id if oneself else next((a for a in model.admins() if a != user.id), model.admins()[0])
        refused = person.active and not active and (
            actor_id == user.id or (person.role is Role.ADMIN and model.admins() == [user.id]))
        actor = self.session.get_one(User, actor_id)
        self._step("disabled" if not active else "enabled", refused,
                   lambda: staff.set_active(self.session, user, active=active, actor=actor, now=self.clock.now))
        if not refused:
            person.active = active

    @rule(which=st.integers(0, 1), who=st.integers(0, 30))
    def add_to_team(self, which: int, who: int) -> None:
        opening, user, model = self.openings[which], self._who(who), self.model
        person = model.people[user.id]
        present = user.id == model.managers[opening.id] or user.id in model.teams[opening.id]
        refused = not present and (person.role not in TEAM or not person.active)
        actor = opening.hiring_manager
        self._step("added", refused, lambda: opening_team.add(self.session, self.config, opening, user.id,
                                                              actor=actor, now=self.clock.now))
        if not refused:
            model.teams[opening.id].add(user.id)
            model.teams[opening.id].discard(model.managers[opening.id])

    @rule(which=st.integers(0, 1), who=st.integers(0, 30))
    def take_off_team(self, which: int, who: int) -> None:
        opening, user, model = self.openings[which], self._who(who), self.model
        refused = user.id == model.managers[opening.id]
        self._step("removed", refused, lambda: opening_team.remove(self.session, opening, user.id,
                                                                   actor=opening.hiring_manager, now=self.clock.now))
        if not refused:
            model.teams[opening.id].discard(user.id)

    @rule(which=st.integers(0, 1), who=st.integers(0, 30), from_team=st.booleans())
    def hand_over(self, which: int, who: int, from_team: bool) -> None:
        opening, user, model = self.openings[which], self._who(who), self.model
        team = sorted(model.teams[opening.id])
        if from_team and team:  # mostly someone on the team, as a hiring manager would choose
            user = self.session.get_one(User, team[who % len(team)])
        person = model.people[user.id]
        refused = not (user.id in model.teams[opening.id] and person.role is Role.HIRING_MANAGER and person.active)
        before = model.managers[opening.id]
        self._step("handed over", refused, lambda: opening_team.hand_over(
            self.session, self.config, opening, user.id, actor=opening.hiring_manager, now=self.clock.now))
        if not refused:
            model.teams[opening.id].discard(user.id)
            model.managers[opening.id] = user.id
            if model.people[before].role in TEAM:
                model.teams[opening.id].add(before)

    # -- what always holds -------------------------------------------------------------------------------

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        for user in self.session.scalars(select(User).where(User.id.in_(self.model.people))):
            person = self.model.people[user.id]
            assert (user.role, user.active) == (person.role, person.active), user.email
        for opening in self.session.scalars(select(Opening).where(Opening.id.in_(self.model.managers))):
            assert opening.hiring_manager_id == self.model.managers[opening.id]
            members = set(self.session.scalars(select(OpeningMember.user_id)
                                               .where(OpeningMember.opening_id == opening.id)))
            assert members == self.model.teams[opening.id], opening.slug

    @invariant()
    def there_is_always_an_active_admin_and_teams_hold_team_roles(self) -> None:
        assert self.model.admins()
        for opening_id, team in self.model.teams.items():
            assert self.model.people[self.model.managers[opening_id]].role in (Role.HIRING_MANAGER, Role.ADMIN)
            assert all(self.model.people[i].role in TEAM for i in team)

    @invariant()
    def an_opening_opens_to_its_manager_its_team_and_admins_only(self) -> None:
        for user in self.users:
            for opening in self.openings:
                allowed = (self.model.people[user.id].role is Role.ADMIN or user.id == self.model.managers[opening.id]
                           or user.id in self.model.teams[opening.id])
                try:
                    openings.opening_for(self.session, user, opening.slug)
                except NotFound:
                    assert not allowed, f"{user.email} was kept out of {opening.slug}"
                else:
                    assert allowed, f"{user.email} got into {opening.slug}"


def test_staff_and_teams_keep_their_rules_whatever_is_done_in_whatever_order(
    app: Flask, connection: Connection, clock: FrozenClock,
) -> None:
    SEEN.clear()
    run_state_machine_as_test(
        lambda: StaffRules(app, connection, clock),
        settings=settings(max_examples=25, stateful_step_count=30, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
    missing = {"role changed", "role changed refused", "disabled", "disabled refused", "enabled", "added",
               "added refused", "removed", "removed refused", "handed over", "handed over refused"} - set(SEEN)
    assert not missing, f"no run reached {missing}"
