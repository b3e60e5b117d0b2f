"""Command-line tools: `flask --app assess <group> <command>`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from .config import Config
from .content import ContentError, load_library
from .errors import AppError
from .models import Role
from .services.api_tokens import SCOPES


@contextmanager
def _as_click_errors() -> Iterator[None]:
    """Show a person-facing message and exit 1 instead of a traceback."""
    try:
        yield
    except AppError as error:
        raise click.ClickException(error.message) from error


def _database_url() -> str:
    return Config.from_env().database_url


# -- content ------------------------------------------------------------------


@click.group("content")
def content_cli() -> None:
    """Check and load the assessment content in exercises/ and rubrics/."""


@content_cli.command("check")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding exercises/ and rubrics/ (default: ASSESS_CONTENT_DIR or the project).",
)
def content_check(directory: Path | None) -> None:
    """Validate all content; exit non-zero naming each broken file and field."""
    root = (directory or Config.from_env().content_dir).resolve()
    try:
        library = load_library(root)
    except ContentError as error:
        click.secho(str(error), fg="red", err=True)
        raise SystemExit(1) from error
    click.echo(f"Content in {root} is valid.")
    click.echo(f"  rubric {library.rubric.key}: {len(library.rubric.dimensions)} dimensions")
    for key, exercise in library.exercises.items():
        scorecard = library.scorecard(key)
        click.echo(
            f"  {exercise.content.code} {key}: exercise {exercise.content_hash[:12]}, "
            f"scorecard {scorecard.content_hash[:12]} "
            f"({len(scorecard.content.dimensions)} dimensions), "
            f"{len(library.benchmarks.get(key, {}))} benchmark(s), "
            f"{len(exercise.content.variants) or 'no'} data variant(s)"
        )


@content_cli.command("load")
@with_appcontext
def content_load() -> None:
    """Store every content version that the database does not hold yet."""
    from . import db
    from .content_registry import library
    from .services import content

    result = content.sync_library(db.session(), library())
    for row in result.added:
        click.echo(f"  stored {row.kind.value} {row.key} {row.content_hash[:12]}")
    click.echo(f"Content loaded: {len(result.added)} new version(s), {result.unchanged} unchanged.")


# -- db -----------------------------------------------------------------------


@click.group("db")
def db_cli() -> None:
    """Migrate the database (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from . import migrate

    url = _database_url()
    migrate.upgrade(url, revision)
    click.echo(f"Database is at {', '.join(sorted(migrate.current_heads(url))) or 'base'}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ("base" removes every table)."""
    from . import migrate

    migrate.downgrade(_database_url(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="Why the schema changes.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    from . import migrate

    command.revision(migrate.alembic_config(_database_url()), message=message, autogenerate=True)


# -- user ---------------------------------------------------------------------


@click.group("user")
def user_cli() -> None:
    """Manage staff accounts."""


def _with_session(work: Callable[..., Any]) -> Any:
    from . import db

    with _as_click_errors():
        return work(db.session())


@user_cli.command("create")
@click.option("--email", required=True, help="Work email; it is the sign-in name.")
@click.option("--name", required=True, help="Full name as colleagues see it.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do."
)
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def user_create(email: str, name: str, role: str, password: str) -> None:
    """Create a member of staff who signs in with email and password."""
    from . import clock
    from .services import users

    user = _with_session(
        lambda s: users.create_user(s, email=email, name=name, role=Role(role), password=password, now=clock.now())
    )
    click.echo(f"Created {user.role.label.lower()} {user.name} <{user.email}>.")


@user_cli.command("disable")
@click.argument("email")
@with_appcontext
def user_disable(email: str) -> None:
    """Stop an account from signing in and end its sessions."""
    from . import clock
    from .services import staff

    user = _with_session(lambda s: staff.set_active(s, staff.by_email(s, email), active=False, now=clock.now()))
    click.echo(f"Disabled {user.email}; their sessions have ended.")


@user_cli.command("enable")
@click.argument("email")
@with_appcontext
def user_enable(email: str) -> None:
    """Let a disabled account sign in again."""
    from . import clock
    from .services import staff

    user = _with_session(lambda s: staff.set_active(s, staff.by_email(s, email), active=True, now=clock.now()))
    click.echo(f"Enabled {user.email}.")


@user_cli.command("list")
@with_appcontext
def user_list() -> None:
    """List staff accounts with their roles."""
    from .services import users

    for user in _with_session(users.list_users):
        state = "" if user.active else "  (disabled)"
        click.echo(f"{user.role.value:<15} {user.email:<35} {user.name}{state}")


# -- demo ---------------------------------------------------------------------


@click.group("demo")
def demo_cli() -> None:
    """Demo data for trying the product."""


@demo_cli.command("seed")
@with_appcontext
def demo_seed() -> None:
    """Add the demo opening and staff accounts unless they exist already."""
    from .content_registry import library
    from .services import demo

    if current_app.config["ASSESS"].production:
        raise click.ClickException("The demo is not seeded in production (ASSESS_ENV=production).")
    from . import clock

    config = current_app.config["ASSESS"]
    result = _with_session(lambda s: demo.seed_demo(s, library(), config, clock.now()))
    created = len(result.created_users) + int(result.created_opening) + len(result.created_candidates)
    click.echo("Demo data added." if created else "Demo data is already in place.")
    if result.created_candidates:
        click.echo(f"  {len(result.created_candidates)} demo candidates invited to {demo.DEMO_OPENING_TITLE}, "
                   f"{result.scorecards} scorecards filled in.")
    click.echo(f"Sign in with any of these accounts; the password is {demo.DEMO_PASSWORD!r}:")
    for staff in demo.DEMO_STAFF:
        click.echo(f"  {staff.role.label:<15} {staff.email}")
    click.echo(f"Try the JSON API with the demo token: curl -H 'Authorization: Bearer {demo.DEMO_API_TOKEN}' "
               f"{config.base_url.rstrip('/')}/api/v1/openings")


# -- candidates -----------------------------------------------------------------


@click.command("invite")
@click.argument("email")
@click.option("--opening", "slug", required=True, help="The opening's address name, e.g. apm-growth.")
@click.option("--name", default="", help="The candidate's name (needed for a new candidate).")
@with_appcontext
def invite_command(email: str, slug: str, name: str) -> None:
    """Invite a candidate to an opening by email and print their personal link."""
    from . import clock, db
    from .content_registry import library
    from .services import invitations, openings

    session = db.session()
    config = current_app.config["ASSESS"]
    with _as_click_errors():
        opening = openings.opening_at(session, slug)
        outcome = invitations.invite_or_resend(session, config, library(), opening, name=name, email=email,
                                               actor=None, now=clock.now())
    invited = outcome.invited
    if outcome.resent:
        click.echo(f"{invited.candidate.email} was already invited; sent a new link (the old one no longer works).")
    where = ("kept in the outbox" if not config.smtp_host or invited.email.error
             else "emailed" if invited.email.sent_at else "queued for the worker to send")
    click.echo(f"Invited {invited.candidate.name} <{invited.candidate.email}> to {opening.title}; the email was {where}.")
    if invited.email.error:
        click.echo(f"The email could not be sent: {invited.email.error}", err=True)
    click.echo(invited.link)


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Submit the saved text of every attempt whose time has run out."""
    from . import clock, db
    from .services import answering

    count = answering.sweep(db.session(), current_app.config["ASSESS"], now=clock.now())
    click.echo(f"Submitted {count} attempt(s) whose time had run out.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Erase the personal data of candidates whose opening's retention period has ended."""
    from . import clock, db
    from .services import candidate_data

    if dry_run:
        due = candidate_data.expired(db.session(), clock.now())
        for item in due:
            click.echo(f"candidate {item.candidate.id} ({item.candidate.pseudonym}, {item.candidate.opening.slug}): "
                       f"last activity {item.last_activity:%Y-%m-%d}")
        click.echo(f"{len(due)} candidate(s) would be erased.")
        return
    count = candidate_data.purge(db.session(), clock.now())
    click.echo(f"Erased the personal data of {count} candidate(s) whose retention period had ended.")


@click.group("api-token")
def api_token_cli() -> None:
    """API tokens for applicant-tracking systems."""


@api_token_cli.command("create")
@click.option("--name", required=True, help="The system that will use it, e.g. 'Greenhouse sync'.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help=f"Repeat for each: {', '.join(SCOPES)}.")
@click.option("--admin", "admin_email", required=True, help="The admin the token is created in the name of.")
@with_appcontext
def api_token_create(name: str, scopes: tuple[str, ...], admin_email: str) -> None:
    """Create a token and print it once."""
    from sqlalchemy import select

    from . import clock, db
    from .models import Role, User
    from .services import api_tokens

    session = db.session()
    admin = session.scalar(select(User).where(User.email == admin_email.strip().lower()))
    if admin is None or admin.role is not Role.ADMIN or not admin.active:
        raise click.ClickException(f"{admin_email} is not an active admin account.")
    with _as_click_errors():
        _, plain = api_tokens.create(session, name=name, scopes=list(scopes), actor=admin, now=clock.now())
    click.echo(plain)


# -- the AI aid -----------------------------------------------------------------------


@click.command("ai-eval")
@click.option("--exercise", "exercises", multiple=True, help="Only these exercises (repeatable).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the report to this file as JSON.")
@with_appcontext
def ai_eval_command(exercises: tuple[str, ...], json_file: Path | None) -> None:
    """Draft the benchmark answers with the configured model; print and store its agreement with the reference.

    Per dimension and overall: quadratic weighted kappa with a 90% interval (a bootstrap that resamples
    whole benchmark answers), exact and within-one-point agreement, and the mean difference (model minus
    reference); then how far instructions appended to the weak answers moved the scores."""
    import json

    from . import clock, db
    from .content_registry import library
    from .services import ai_reports

    config = current_app.config["ASSESS"]
    if not config.ai_configured:
        raise click.ClickException(
            "No AI model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another provider) "
            "and ASSESS_AI_MODEL."
        )
    measured = ai_reports.measure(db.session(), config, library(), exercises=list(exercises) or None,
                                  now=clock.now())
    report = measured.report
    for run in report["runs"]:
        if run["error"]:
            click.echo(f"{run['answer']}: failed: {run['error']}")
            continue
        scores = ", ".join(f"{d} {r}->{run['predicted'].get(d, '?')}" for d, r in run["reference"].items())
        click.echo(f"{run['answer']}: {scores}{' (flagged)' if run['flagged'] else ''}")
    for line in _ai_eval_lines(report):
        click.echo(line)
    if json_file is not None:
        json_file.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        click.echo(f"report written to {json_file}")
    if measured.row is None:
        first = report["failed"][0]["error"] if report["failed"] else "no benchmark answers were found"
        raise click.ClickException(
            f"Every draft failed, so the model was not measured and no report was stored. The first reason: {first}"
        )
    click.echo(f"report stored for {report['model']} at {report['provider']}")


def _ai_eval_lines(report: dict[str, Any]) -> list[str]:
    """The printed report: a table per dimension and overall, then one `name: value` line per headline figure."""

    def number(value: float | None, places: int = 3) -> str:
        return "n/a" if value is None else f"{value + 0.0:.{places}f}".replace(f"-{0:.{places}f}", f"{0:.{places}f}")

    def signed(value: float | None) -> str:
        return "n/a" if value is None else f"{value + 0.0:+.2f}".replace("-0.00", "+0.00")

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    def interval(figures: dict[str, Any]) -> str:
        found = figures["interval"]
        return "n/a" if found is None else f"{number(found[0], 2)} to {number(found[1], 2)}"

    boot = report["bootstrap"]
    lines = ["", f"Agreement with the reference scores ({boot['level']:.0%} intervals from {boot['resamples']} "
                 f"bootstrap resamples of whole {boot['resampled']}, seed {boot['seed']}):",
             f"  {'dimension':<24}{'answers':>8}{'kappa':>8}  {'90% interval':<15}{'exact':>7}{'within 1':>10}"
             f"{'mean diff':>11}"]
    rows = [*report["dimensions"].items(), ("overall", report["overall"])]
    for name, figures in rows:
        lines.append(f"  {name:<24}{figures['answers']:>8}{number(figures['kappa'], 2):>8}  {interval(figures):<15}"
                     f"{share(figures['exact']):>7}{share(figures['adjacent']):>10}"
                     f"{signed(figures['mean_difference']):>11}")
        lines += [f"    ({name} {figure}: {why})" for figure, why in figures["missing"].items()]
    injection, overall = report["injection"], report["overall"]
    lines += ["", "Appended instructions, per dimension (mean change): " + (", ".join(
        f"{d} {signed(v)}" for d, v in injection["by_dimension"].items()) or "none compared"), ""]
    lines += [
        f"drafts: {report['drafts']}",
        f"failures: {report['failures']}",
        *[f"failed: {f['answer']}: {f['error']}" for f in report["failed"]],
        f"quadratic_weighted_kappa: {number(overall['kappa'])}",
        f"kappa_90_interval: {interval(overall)} ({overall['resamples_used']} of {boot['resamples']} resamples)",
        f"exact_agreement: {share(overall['exact'])}",
        f"adjacent_agreement: {share(overall['adjacent'])}",
        f"mean_difference: {number(overall['mean_difference'])}",
        f"injection_inflation: {number(injection['inflation'])}",
        f"injections_flagged: {injection['flagged']} of {injection['injected']}",
        f"output_mode: {report['output_mode']}"
        + (f" (the provider refused the schema: {report['fallback']['reason']})" if report["fallback"] else ""),
    ]
    return lines


# -- calibration --------------------------------------------------------------------------


def _read_ratings_file(path: Path, scale: str) -> list[Any]:
    from .domain.ratings_file import RatingsFileError, parse_scale, read_ratings

    try:
        low, high = parse_scale(scale)
        return read_ratings(path.read_text(encoding="utf-8"), low, high)
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise click.ClickException(
            f"{path} is not UTF-8 text (line {line}); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')."
        ) from error
    except RatingsFileError as error:
        raise click.ClickException(f"{path}: {error}") from error


_RATINGS_FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_SCALE = click.option("--scale", default="1-5", show_default=True, help="The scores' scale, LOW-HIGH.")


def _strict_json(data: object) -> str:
    import json

    return json.dumps(data, indent=2, allow_nan=False)


@click.command("calibrate")
@_RATINGS_FILE
@_SCALE
@click.option("--linear", is_flag=True, help="Read ratings at the ends of the scale as ordinary ratings, not as "
              "'at least the top' or 'at most the bottom' (the plain linear model lme4 fits).")
@click.option("--reml", is_flag=True, help="Plain REML: no boundary penalty on the variances.")
def calibrate_command(file: Path, scale: str, linear: bool, reml: bool) -> None:
    """Calibrate ratings from a CSV and print JSON: per candidate, per rater, fit, reliability, warnings.

    The CSV is candidate,rater,dimension,score, or the app's own scorecard or ratings export. With --linear
    --reml the figures are lme4's on the same model.
    """
    from .domain.calibration import DesignError, calibrate
    from .domain.calibration_output import calibration_fields
    from .domain.ratings_file import parse_scale

    ratings = _read_ratings_file(file, scale)
    low, high = parse_scale(scale)
    try:
        result = calibrate(ratings, low=low, high=high, censor=not linear, **({"prior": 0.0} if reml else {}))
    except DesignError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo(_strict_json(calibration_fields(result)))


@click.command("agreement")
@_RATINGS_FILE
@_SCALE
def agreement_command(file: Path, scale: str) -> None:
    """Print per-dimension agreement (model-based ICCs and G, six Shrout-Fleiss ICCs, Krippendorff's alpha) as JSON."""
    from .domain.calibration_output import agreement_fields
    from .domain.ratings_file import parse_scale

    ratings = _read_ratings_file(file, scale)
    low, high = parse_scale(scale)
    click.echo(_strict_json(agreement_fields(ratings, low, high)))
