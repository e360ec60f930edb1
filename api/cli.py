"""The `gradeflow` command: serve, scheduler, db, users, demo, policy, audit, run-due (click groups on the app
factory)."""
from __future__ import annotations

import importlib
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from api.config import API_PREFIX, DEFAULT_THREADS, DEFAULT_WORKERS, ConfigError, require_serving_config
from api.logs import log_to_stderr
from api.migrations import migrations_command, upgrade_to_head
from models import db
from workflow.errors import Conflict, DomainError, RuleViolation
from workflow.imports import KINDS as IMPORT_KINDS
from workflow.policy import BUILTIN_POLICIES, PolicyError


def _create_app():
    from api.factory import create_core_app
    return create_core_app()


class _GradeflowGroup(FlaskGroup):
    """The commands below, and `db` (Flask-Migrate's), imported only when it is the one to run."""

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)  # for `db`: loads the app and enters its context first
        return migrations_command() if command is None and name == "db" else command

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), "db"})


@click.group(cls=_GradeflowGroup, create_app=_create_app, add_default_commands=False, load_dotenv=False,
             set_debug_flag=False)
def cli():
    """gradeflow: grading of customer managers (客户经理等级评审)."""


API_DOCS = f"{API_PREFIX}/docs"


def _is_sqlite() -> bool:
    return current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=int,
              help="gunicorn worker processes (README, \"Two ways to serve\", says how many)")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=int,
              help="threads per worker (README, \"Two ways to serve\", says why four)")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="run the scheduler in the workers: one leads, the others stand by")
@with_appcontext
def serve(host, port, workers, threads, with_scheduler):
    """Serve the API (and the web pages) with gunicorn, and the scheduler in its workers."""
    from api.metrics_folder import prepare_shared_folder
    from api.server import run_gunicorn
    log_to_stderr()
    try:
        require_serving_config(current_app)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    metrics_folder = prepare_shared_folder(current_app.instance_path)  # before prometheus-client is imported
    importlib.import_module("api.app")  # once, here: every worker forked from this process builds the whole app
    if _is_sqlite():
        upgrade_to_head(current_app)
    # gunicorn forks the workers from this process: it must hold no connection when it does (api/server.py)
    db.engine.dispose()
    address = f"http://{_url_host(host)}:{port}"
    click.echo(f"gradeflow: open {address}/ (the pages; the API and its documentation: {address}{API_DOCS})", err=True)
    run_gunicorn(host=host, port=port, workers=workers, threads=threads, with_scheduler=with_scheduler,
                 metrics_folder=metrics_folder)


def _url_host(host: str) -> str:
    """The address to type: a wildcard bind is reached on this machine through the loopback."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@cli.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler alone (beside `serve --no-scheduler`, or on hosts of its own): one leader
    sweeps the due timers; the others stand by and take over when it stops."""
    import signal
    from models.unit_of_work import unit_of_work_factory
    from scheduler.process import build_scheduler
    log_to_stderr()
    app = current_app._get_current_object()
    scheduler, job = build_scheduler(app, app.extensions["gradeflow"]["rules"], unit_of_work_factory(db.session),
                                     background=False)

    def stop(signum, _frame):
        scheduler.shutdown(wait=False)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"gradeflow scheduler: sweeping every {current_app.config['GRADEFLOW_SCHEDULER_INTERVAL']} s "
               "when leader", err=True)
    try:
        scheduler.start()
    finally:
        job.stop()


@cli.group("users")
def users():
    """User accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="repeat for several roles")
@click.option("--employee-no", default=None)
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from standard input")
@with_appcontext
def users_create(username, roles, employee_no, password_stdin):
    """Create a user; the password is read from standard input (trailing newline stripped)."""
    from api.context import extension, rules, uow
    from workflow.services.accounts import OPERATOR, create_user
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with uow() as u:
            user = create_user(u, rules(), extension("passwords"), OPERATOR, username=username,
                               password=password, roles=roles, employee_no=employee_no)
            click.echo(f"created user {user.username} with roles {', '.join(user.roles)}")
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None


@cli.group("outbox")
def outbox():
    """Notifications waiting in the outbox."""


@outbox.command("send")
@with_appcontext
def outbox_send():
    """Write the notices of what happened, then send what is due to the configured channels (GRADEFLOW_NOTIFY_*), as
    the scheduler does after each sweep."""
    from api.context import rules
    from models import db
    from models.unit_of_work import unit_of_work_factory
    from scheduler.delivery import deliver
    from workflow.services.outbox import notify_and_send
    channels = current_app.config["GRADEFLOW_NOTIFY_CHANNELS"]
    if not channels:
        raise click.ClickException("no channel is configured (GRADEFLOW_NOTIFY_SMTP, GRADEFLOW_NOTIFY_WEBHOOK, "
                                   "GRADEFLOW_NOTIFY_DINGTALK, GRADEFLOW_NOTIFY_WECOM): the messages wait in the "
                                   "outbox")
    run = notify_and_send(unit_of_work_factory(db.session), rules(), channels, deliver, limit=10_000)
    click.echo(f"notices written {run.notices}; sent {len(run.sent)}, to try again {len(run.retried)}, "
               f"dead {len(run.dead)}")
    if run.retried or run.dead:
        sys.exit(1)


@cli.group("import")
def import_group():
    """Spreadsheets in (api.md: gradeflow import KIND FILE), all or nothing."""


def _import_command(kind: str):
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="check every row, write nothing")
    @with_appcontext
    def command(file, dry_run):
        from pathlib import Path
        from api.import_files import import_file
        from workflow.imports import ImportRefused
        from workflow.services.accounts import OPERATOR
        from api.progress import Progress
        path = Path(file)
        try:
            with Progress(f"import {kind}", "rows") as progress:
                counts = import_file(OPERATOR, kind, path.read_bytes(), path.name, dry_run=dry_run, progress=progress)
        except ImportRefused as refused:
            for p in refused.problems:
                where = ", ".join(part for part in (p.sheet, p.row and f"row {p.row}", p.column) if part)
                click.echo(f"{where}: {p.rule}: {p.message}", err=True)
            raise click.ClickException(f"{len(refused.problems)} problem(s); nothing was imported") from None
        except DomainError as exc:
            raise click.ClickException("nothing imported: " + _explain(exc)) from None
        said, dry = ("would be ", " (dry run: nothing written)") if dry_run else ("", "")
        click.echo(f"{kind}: {counts['rows']} row(s): {counts['created']} {said}created, {counts['updated']} "
                   f"{said}updated, {counts['unchanged']} unchanged{dry}")
    command.__doc__ = (f"Import the {kind} of FILE (.xlsx or .csv; headers as in `gradeflow import template "
                       f"{kind}`): every row, or none when a row has a problem (each is named by sheet, row, column "
                       "and rule). Rows equal to what is stored change nothing.")
    return command


for _kind in IMPORT_KINDS:
    import_group.command(_kind)(_import_command(_kind))


@import_group.command("template")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@with_appcontext
def import_template(kind, out, fmt):
    """Write the template of KIND to OUT: the columns with their Chinese headers (an .xlsx adds a sheet 说明
    describing each)."""
    from pathlib import Path
    from api.import_files import template_file
    Path(out).write_bytes(template_file(kind, fmt))
    click.echo(f"wrote {out}")


EXPORT_KINDS = {"decisions": "CYCLE", "notice": "CYCLE", "roster": None, "close": "PERIOD", "file": "EMPLOYEE_NO",
                "report": "CYCLE"}


@cli.command("export")
@click.argument("kind", type=click.Choice(list(EXPORT_KINDS)))
@click.argument("subject", required=False)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="the file to write: .xlsx, or .csv for an export of one table (decisions, notice, roster, close)")
@click.option("--org-unit", default=None, help="roster and report: one org unit's")
@with_appcontext
def export_command(kind, subject, out, org_unit):
    """Spreadsheets out (api.md: gradeflow export KIND ...): decisions CYCLE, notice CYCLE, roster, close PERIOD,
    file EMPLOYEE_NO, report CYCLE. The command line reads everything, as hr and an admin do."""
    from pathlib import Path
    from api import exports
    from api.context import rules, uow
    from api.web import i18n
    from workflow.services.accounts import OPERATOR
    wanted = EXPORT_KINDS[kind]
    if (wanted is None) != (subject is None):
        raise click.UsageError(f"export {kind} takes {wanted or 'no argument'}")
    suffix = Path(out).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.BadParameter("name a .xlsx or a .csv file", param_hint="--out")
    i18n.init_app(current_app)  # the labels' Chinese
    build = {"decisions": lambda u: exports.decisions(u, rules(), OPERATOR, subject),
             "notice": lambda u: exports.notice(u, rules(), subject),
             "roster": lambda u: exports.roster(u, rules(), OPERATOR, org_unit=org_unit),
             "close": lambda u: exports.close(u, rules(), OPERATOR, subject),
             "file": lambda u: exports.personal(u, rules(), OPERATOR, subject),
             "report": lambda u: exports.report(u, rules(), OPERATOR, subject, org_unit)}[kind]
    try:
        export = build(uow())
        if suffix == ".csv":
            Path(out).write_text(export.csv(), encoding="utf-8-sig")
        else:
            Path(out).write_bytes(export.xlsx())
    except DomainError as exc:
        raise click.ClickException("nothing exported: " + _explain(exc)) from None
    rows = sum(len(table.rows) for table in export.tables)
    click.echo(f"exported {kind}: {rows} row(s) to {out}")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="do nothing when the database already holds managers or users")
@click.option("--policy", "pack", type=click.Choice(BUILTIN_POLICIES),
              help="a shipped policy (rule pack): its demo organisation; GRADEFLOW_POLICY must name it too")
@with_appcontext
def demo(if_empty, pack):
    """Load a demo organisation and users; print the logins."""
    from api.demo import load_demo, print_logins, print_outlook
    try:
        logins = load_demo(skip_if_not_empty=if_empty, pack=pack)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    print_logins(logins)
    print_outlook()


@cli.group("policy")
def policy():
    """Grading policies (GRADEFLOW_POLICY)."""


@policy.command("check", with_appcontext=False)
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
def policy_check(path):
    """Validate a policy file (and the files of its org units) without starting anything: print what they say
    (ladder, stages, periods, scorecard, quotas), or exit 1 naming each problem. FILE may also name a built-in
    policy (default)."""
    from workflow.org_unit_policies import load_policies
    from workflow.policy_summary import describe_with_units
    try:
        checked = load_policies(path)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"{problem}", err=True)
        click.echo(f"{path}: {len(exc.problems)} problem(s); nothing was started", err=True)
        sys.exit(1)
    for line in describe_with_units(checked):
        click.echo(line)
    click.echo(f"{path}: no problems")


@cli.group("audit")
def audit():
    """The tamper-evident history."""


@audit.command("verify")
@with_appcontext
def audit_verify():
    """Check the hash chain over every history entry; exit 1 naming the first entry altered, deleted or
    inserted. Keep the printed head hash somewhere else: a later run must reach it again."""
    from api.progress import Progress
    from models.audit import verify_chain
    with Progress("audit verify", "links") as progress:
        checked, problem, head = verify_chain(db.session, progress)
    if problem is not None:
        click.echo(f"history broken after {checked} good entries: {problem}", err=True)
        sys.exit(1)
    click.echo(f"history intact: {checked} entries, head {head}")


@cli.command("run-due")
@click.option("--now", "until", default=None, help="fire what was due at this instant (ISO 8601 with offset); "
                                                    "default: the service's current time")
@with_appcontext
def run_due_command(until):
    """Fire every timer that is due (catch-up after an outage), earliest first."""
    from api.context import rules, uow
    from scheduler.sweep import sweep
    instant = _instant(until) if until else None
    if instant is not None and instant > rules().now():
        raise click.BadParameter(f"{until} is in the future of the service clock; nothing is due then yet",
                                 param_hint="--now")
    from api.progress import Progress
    with Progress("run-due", "timers") as progress:
        run = sweep(uow, rules(), until=instant, trigger="run_due", progress=progress,
                    part_progress=lambda what: Progress(what, "managers"))
    click.echo(f"fired {len(run.fired)} timer(s)")
    for timer_id, kind, result in run.fired:
        click.echo(f"  timer {timer_id} ({kind}): {result}")
    for timer_id, why in run.failed.items():
        click.echo(f"timer {timer_id} could not be fired: {why}", err=True)
    if run.failed:
        sys.exit(1)


def _instant(text: str):
    from datetime import datetime
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant", param_hint="--now") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2026-10-11T00:00:00+08:00", param_hint="--now")
    return instant


def _explain(exc: DomainError) -> str:
    if isinstance(exc, RuleViolation):
        return "; ".join(f"{e.field}: {e.message} [{e.rule}]" for e in exc.errors)
    if isinstance(exc, Conflict):
        return f"{exc.detail} [{exc.code}]"
    return exc.detail


def main():
    try:
        cli.main(prog_name="gradeflow")
    except (PolicyError, ConfigError) as exc:
        click.echo(f"gradeflow: cannot start: {exc}", err=True)
        sys.exit(2)
