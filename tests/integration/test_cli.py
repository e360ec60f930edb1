"""The real `gradeflow` command, run as a subprocess against a fresh database in tmp_path.

Every run gets its own HOME, its own instance folder (GRADEFLOW_INSTANCE_PATH) and its own SQLite
file, so that nothing is written into the working copy's instance/ folder (tests.support.commands).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import urllib.error
import urllib.request
from importlib import resources
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from api import create_app
from api.migrations import MIGRATIONS
from models import db
from tests.support.commands import GRADEFLOW, command_env, first_answer, free_port, gradeflow, snapshot, sqlite_url
from tests.support.settings import config_for
from workflow.periods import Period
from workflow.policy import BUILTIN_POLICIES, load_policy

GOOD_PASSWORD = "a long enough passphrase"


# --- running the command (tests.support.commands) -------------------------------------------------

def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result


def _rows(url: str, *queries: str) -> list[list]:
    """The rows of each query, read on a connection of its own that is closed afterwards (the command's database)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [conn.execute(sa.text(query)).all() for query in queries]
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_by_the_command(tmp_path_factory) -> Path:
    """A folder whose SQLite file `gradeflow db upgrade` migrated, once per test process (the tests of
    `db upgrade` itself run it on their own)."""
    folder = tmp_path_factory.mktemp("migrated")
    _ok(gradeflow(folder, "db", "upgrade"))
    return folder


@pytest.fixture
def migrated_sqlite(tmp_path, migrated_by_the_command) -> str:
    for file in migrated_by_the_command.glob("gradeflow.db*"):  # with its -wal file, if one was left
        shutil.copy(file, tmp_path / file.name)
    return sqlite_url(tmp_path)


@pytest.fixture
def client_for():
    """The app's test client on a database the command wrote (test config, not the command's env)."""
    apps = []

    def build(url: str):
        app = create_app(config_for(url))
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _sign_in(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _me(client, username: str, password: str) -> dict:
    response = _sign_in(client, username, password)
    assert response.status_code == 200, (username, response.get_json())
    token = response.get_json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    return {"token": token, **me.get_json()}


# --- db upgrade -----------------------------------------------------------------------------

def test_db_upgrade_creates_the_schema_on_a_fresh_database(tmp_path, fresh_database_url):
    assert _tables(fresh_database_url) == set()
    result = _ok(gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_DATABASE_URL=fresh_database_url))
    assert _tables(fresh_database_url) == set(db.metadata.tables) | {"alembic_version"}
    head = ScriptDirectory(MIGRATIONS).get_current_head()
    engine = sa.create_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    finally:
        engine.dispose()
    assert head in result.stderr + result.stdout
    # a second upgrade is a no-op
    _ok(gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_DATABASE_URL=fresh_database_url))
    assert _tables(fresh_database_url) == set(db.metadata.tables) | {"alembic_version"}


def test_the_command_keeps_its_files_in_the_chosen_instance_folder(tmp_path):
    """Without GRADEFLOW_DATABASE_URL the SQLite file, and in development mode the generated secret,
    live under GRADEFLOW_INSTANCE_PATH, not in the working copy."""
    _ok(gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_DATABASE_URL=None))
    assert _tables(f"sqlite:///{tmp_path / 'instance' / 'gradeflow.db'}") == set(db.metadata.tables) | {"alembic_version"}
    secret = tmp_path / "instance" / "dev-secret-key"
    assert secret.is_file() and len(secret.read_text().strip()) >= 32
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# --- users create ---------------------------------------------------------------------------

@pytest.mark.parametrize("stdin, password, wrong", [
    (f"{GOOD_PASSWORD}\n", GOOD_PASSWORD, f"{GOOD_PASSWORD}\n"),
    (f"{GOOD_PASSWORD}\r\n", GOOD_PASSWORD, f"{GOOD_PASSWORD}\r"),
    ("  spaced out passphrase  \n", "  spaced out passphrase  ", "spaced out passphrase"),
    (GOOD_PASSWORD, GOOD_PASSWORD, GOOD_PASSWORD[:-1]),
    ("密码也可以是中文的十个字符\n", "密码也可以是中文的十个字符", "密码也可以是中文的十个"),
], ids=["newline", "crlf", "inner_and_trailing_spaces_kept", "no_newline", "non_ascii"])
def test_users_create_reads_the_password_from_stdin(tmp_path, migrated_sqlite, client_for, stdin, password, wrong):
    result = _ok(gradeflow(tmp_path, "users", "create", "hr.wang", "--role", "hr", "--password-stdin", stdin=stdin))
    assert "hr.wang" in result.stdout and "hr" in result.stdout
    client = client_for(migrated_sqlite)
    me = _me(client, "hr.wang", password)
    assert (me["username"], me["roles"], me["employee_no"]) == ("hr.wang", ["hr"], None)
    refused = _sign_in(client, "hr.wang", wrong)
    assert refused.status_code == 401 and refused.get_json()["code"] == "invalid_credentials"


def test_users_create_grants_several_roles(tmp_path, migrated_sqlite, client_for):
    _ok(gradeflow(tmp_path, "users", "create", "ops1", "--role", "hr", "--role", "admin", "--password-stdin",
                  stdin=f"{GOOD_PASSWORD}\n"))
    assert _me(client_for(migrated_sqlite), "ops1", GOOD_PASSWORD)["roles"] == ["admin", "hr"]


@pytest.mark.parametrize("args, stdin, field, rule", [
    (["ops1", "--role", "boss"], f"{GOOD_PASSWORD}\n", "roles", "known_role"),
    (["ops1", "--role", "hr", "--role", "boss"], f"{GOOD_PASSWORD}\n", "roles", "known_role"),
    (["ops1", "--role", "hr"], "short\n", "password", "password_length"),
    (["ops1", "--role", "hr"], "", "password", "password_length"),
    (["ops1", "--role", "hr"], "123456789\n", "password", "password_length"),
    (["x!", "--role", "hr"], f"{GOOD_PASSWORD}\n", "username", "username_format"),
    (["ops1", "--role", "employee"], f"{GOOD_PASSWORD}\n", "employee_no", "employee_no_for_role"),
    (["ops1", "--role", "hr", "--employee-no", "M404"], f"{GOOD_PASSWORD}\n", "employee_no", "known_manager"),
], ids=["unknown_role", "one_unknown_role", "short_password", "empty_password", "nine_characters",
        "bad_username", "employee_without_number", "unknown_employee_no"])
def test_users_create_refuses_bad_input_naming_the_field(tmp_path, migrated_sqlite, args, stdin, field, rule):
    result = gradeflow(tmp_path, "users", "create", *args, "--password-stdin", stdin=stdin)
    assert result.returncode != 0, result.stdout
    assert f"{field}:" in result.stderr and f"[{rule}]" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    # (the notices' cursor is the migrations' own row)
    assert all(rows == [] for table, rows in snapshot(migrated_sqlite).items() if table != "notice_cursor")


def test_users_create_refuses_a_taken_username(tmp_path, migrated_sqlite):
    _ok(gradeflow(tmp_path, "users", "create", "ops1", "--role", "hr", "--password-stdin", stdin=f"{GOOD_PASSWORD}\n"))
    before = snapshot(migrated_sqlite)
    result = gradeflow(tmp_path, "users", "create", "ops1", "--role", "admin", "--password-stdin",
                       stdin="another long passphrase\n")
    assert result.returncode != 0
    assert "username_taken" in result.stderr and "ops1" in result.stderr
    assert snapshot(migrated_sqlite) == before


# --- demo -----------------------------------------------------------------------------------

def _printed_logins(stdout: str) -> dict[str, tuple[str, str, list[str]]]:
    """username -> (password, employee_no, roles), from the table the demo prints."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["username", "password"])
    logins = {}
    for line in lines[header + 1:]:
        if not line.startswith("  "):
            break
        username, password, employee_no, roles = line.split()
        logins[username] = (password, employee_no, roles.split(","))
    return logins


def test_demo_loads_an_organisation_and_prints_every_login(tmp_path, migrated_sqlite, client_for):
    result = _ok(gradeflow(tmp_path, "demo"))
    logins = _printed_logins(result.stdout)
    users, [(managers,)] = _rows(migrated_sqlite, "SELECT username FROM users", "SELECT count(*) FROM managers")
    usernames = {username for username, in users}
    assert set(logins) == usernames
    assert managers >= 2
    assert {role for _, _, roles in logins.values() for role in roles} == {"employee", "supervisor", "committee",
                                                                            "hr", "admin"}
    client = client_for(migrated_sqlite)
    for username, (password, employee_no, roles) in logins.items():
        me = _me(client, username, password)
        assert me["roles"] == sorted(roles), username
        assert me["employee_no"] == (None if employee_no == "-" else employee_no), username
    hr = next(u for u, (_, _, roles) in logins.items() if "hr" in roles)
    listed = client.get("/api/v1/managers?per_page=500",
                        headers={"Authorization": f"Bearer {_me(client, hr, logins[hr][0])['token']}"})
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == str(managers)
    hr_token = _me(client, hr, logins[hr][0])["token"]
    cycles = client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {hr_token}"}).get_json()
    assert len(cycles) == 1 and cycles[0]["decided_at"] is None and len(cycles[0]["members"]) >= 3
    cases = client.get(f"/api/v1/cases?cycle={cycles[0]['code']}", headers={"Authorization": f"Bearer {hr_token}"})
    assert sorted(c["state"] for c in cases.get_json()) == ["deliberation", "deliberation"]
    # the chair is in no demo applicant's supervisor chain: they may decide the cycle
    chair = cycles[0]["chair"]
    chair_token = _me(client, chair, logins[chair][0])["token"]
    decided = client.post(f"/api/v1/cycles/{cycles[0]['code']}/decide",
                          headers={"Authorization": f"Bearer {chair_token}"})
    assert decided.status_code == 200, decided.get_json()
    assert sorted(d["outcome"] for d in decided.get_json()["decided"]) == ["approved", "denied"]
    saved = tmp_path / "instance" / "demo-logins.txt"
    assert str(saved) in result.stdout
    assert saved.is_file() and stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert {line.split("\t")[0]: line.split("\t")[1] for line in saved.read_text().splitlines()} == {
        u: p for u, (p, _, _) in logins.items()}


def test_demo_people_were_at_work_through_the_periods_their_records_count(tmp_path, migrated_sqlite):
    """A record of a year's 12 months for someone hired in December, a grade reached before probation could have
    ended: a demo that contradicts itself teaches a new user nothing."""
    _ok(gradeflow(tmp_path, "demo"))
    people, records = _rows(migrated_sqlite, "SELECT employee_no, grade, grade_since, hire_date FROM managers",
                            "SELECT employee_no, period, months_worked FROM performance_records")
    hired = {no: date.fromisoformat(str(day)) for no, _, _, day in people}
    for no, grade, since, day in people:
        if grade == "probation":
            assert str(since) == str(day), no  # hired onto probation
        else:
            assert date.fromisoformat(str(day)) <= date.fromisoformat(str(since)) - timedelta(days=90), no
    for no, period, months in records:
        assert months == 12 and hired[no] <= date(int(period), 1, 1), (no, period)


def test_demo_says_which_login_may_apply_for_what_and_why_the_others_may_not(tmp_path, migrated_sqlite):
    result = _ok(gradeflow(tmp_path, "demo"))
    outlook = result.stdout[result.stdout.index("Who may apply"):].splitlines()[1:]
    rows = {line.split()[0]: line for line in outlook if line.startswith("  ")}
    logins = _printed_logins(result.stdout)
    assert set(rows) == {u for u, (_, employee_no, _) in logins.items() if employee_no != "-"}
    assert [r for r in rows.values() if r.endswith("may apply")], rows  # somebody may apply now
    refused = [r for r in rows.values() if "tenure:" in r or "performance_rank:" in r]
    assert refused, rows  # and somebody may not, for a named rule
    assert all("one_open_case" in rows[u] for u in rows if "case" in rows[u] and "open" in rows[u]), rows


def test_demo_under_a_policy_with_stages_leaves_its_applications_in_the_first_stage(tmp_path, migrated_sqlite):
    """The demo's applications are scored by the committee under the default pipeline; where the policy puts
    stages of its own before the interview, they wait in the first one (nothing fails, nothing is skipped)."""
    from tests.api.test_policy_stages import STAGES
    from tests.support.policies import policy_file
    policy = policy_file(tmp_path, lambda document: document.update(stages={"promotion": STAGES}))
    _ok(gradeflow(tmp_path, "demo", GRADEFLOW_POLICY=policy))
    cases, [(scores,)] = _rows(migrated_sqlite, "SELECT state, stage FROM cases ORDER BY id",
                               "SELECT count(*) FROM committee_scores")
    assert [tuple(c) for c in cases] == [("in_stage", "qualification_check")] * 2 and scores == 0


def test_demo_under_a_policy_with_supervisor_items_scores_each_item(tmp_path, migrated_sqlite):
    """The demo's supervisors score one number each; where the policy scores the supervisor by item, each score is
    split over the items in proportion to their points, and the items add up to it (what rounding down to the
    scoring's places leaves goes to the first item with room)."""
    from tests.support.policies import policy_file
    thirds = [{"code": "a", "points": 33.3}, {"code": "b", "points": 33.3}, {"code": "c", "points": 33.4}]
    policy = policy_file(tmp_path, lambda document: document["scoring"].update(supervisor_items=thirds,
                                                                               decimal_places=1))
    _ok(gradeflow(tmp_path, "demo", GRADEFLOW_POLICY=policy))
    [reviewed] = _rows(migrated_sqlite, "SELECT supervisor_score, supervisor_items FROM cases "
                                        "WHERE supervisor_score IS NOT NULL ORDER BY id")
    assert [(float(score), json.loads(items)) for score, items in reviewed] == [
        (86.0, {"a": "28.7", "b": "28.6", "c": "28.7"}),  # 28.6, 28.6, 28.7 rounded down, 0.1 left
        (50.0, {"a": "16.7", "b": "16.6", "c": "16.7"})]


def test_demo_if_empty_changes_nothing_the_second_time(tmp_path, migrated_sqlite):
    first = _ok(gradeflow(tmp_path, "demo"))
    before = snapshot(migrated_sqlite)
    assert before["managers"] and before["users"]
    second = _ok(gradeflow(tmp_path, "demo", "--if-empty"))
    assert snapshot(migrated_sqlite) == before
    assert _printed_logins(second.stdout) == _printed_logins(first.stdout)


def test_demo_if_empty_loads_an_empty_database(tmp_path, migrated_sqlite):
    result = _ok(gradeflow(tmp_path, "demo", "--if-empty"))
    assert _printed_logins(result.stdout)
    assert snapshot(migrated_sqlite)["managers"]


def test_demo_refuses_a_database_that_holds_managers(tmp_path, migrated_sqlite):
    _ok(gradeflow(tmp_path, "demo"))
    before = snapshot(migrated_sqlite)
    again = gradeflow(tmp_path, "demo")
    assert again.returncode != 0
    assert "already holds managers" in again.stderr
    assert snapshot(migrated_sqlite) == before


# --- serve: refuses to start ------------------------------------------------------------------

@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_serve_in_production_needs_a_secret_key(tmp_path, secret):
    result = gradeflow(tmp_path, "serve", "--port", str(free_port()),
                       GRADEFLOW_ENV="production", GRADEFLOW_SECRET_KEY=secret)
    assert result.returncode != 0
    assert "GRADEFLOW_SECRET_KEY" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "Listening at" not in result.stdout + result.stderr


@contextlib.contextmanager
def _serving(tmp_path: Path, port: int, **env: str | None):
    """`gradeflow serve` in its own process group, stopped (by group) on the way out; its output goes to
    tmp_path/serve.log, shown when a check fails."""
    (tmp_path / "home").mkdir(exist_ok=True)
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(GRADEFLOW), "serve", "--port", str(port), "--threads", "1"],
                                  env=command_env(tmp_path, **env), cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        yield server, log
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_serve_in_production_starts_with_a_secret_key(tmp_path):
    """Control for the refusal above: the same command with a secret serves (and is then stopped)."""
    port = free_port()
    with _serving(tmp_path, port, GRADEFLOW_ENV="production", GRADEFLOW_SECRET_KEY="k" * 48) as (server, log):
        answer = first_answer(server, urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/openapi.json"))
        assert answer is not None and answer[:2] == (200, "application/json"), (server.poll(), log.read_text())


def test_serve_applies_pending_migrations_to_a_fresh_sqlite_file(tmp_path):
    """No `db upgrade` first: serve brings a fresh SQLite file to the head revision itself, so that the
    first request that needs a table (sign-in of an unknown user: 401, not 500) finds it."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert _tables(url) == set()
    port = free_port()
    sign_in = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"username": "nobody.here", "password": "not the password at all"}).encode())
    with _serving(tmp_path, port, GRADEFLOW_ENV="development", GRADEFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
                  GRADEFLOW_DATABASE_URL=url) as (server, log):
        answer = first_answer(server, sign_in)
        assert answer is not None, (server.poll(), log.read_text())
        status, content_type, body = answer
        assert (status, content_type) == (401, "application/problem+json"), (answer, log.read_text())
        assert json.loads(body)["code"] == "invalid_credentials", body
    assert _tables(url) == set(db.metadata.tables) | {"alembic_version"}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert versions == [ScriptDirectory(MIGRATIONS).get_current_head()]
    # the server used the file it was given, not one in the instance folder
    assert not (tmp_path / "instance" / "gradeflow.db").exists()


# --- a bad policy file stops start-up ---------------------------------------------------------

DEFAULT_POLICY = resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8")
WEIGHTS = "weights: {supervisor: 0.3, interview: 0.4, performance: 0.3}"


def _write_policy(tmp_path: Path, old: str, new: str) -> Path:
    assert old in DEFAULT_POLICY
    path = tmp_path / "policy.yaml"
    path.write_text(DEFAULT_POLICY.replace(old, new), "utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["db", "upgrade"],
    ["serve", "--port", "{port}"],
    ["demo"],
    ["users", "create", "ops1", "--role", "hr", "--password-stdin"],
], ids=["db_upgrade", "serve", "demo", "users_create"])
def test_a_policy_whose_weights_do_not_add_up_stops_start_up(tmp_path, command):
    policy = _write_policy(tmp_path, WEIGHTS, "weights: {supervisor: 0.3, interview: 0.4, performance: 0.4}")
    args = [a.format(port=free_port()) for a in command]
    result = gradeflow(tmp_path, *args, stdin=f"{GOOD_PASSWORD}\n", GRADEFLOW_POLICY=str(policy))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "scoring.weights" in result.stderr and "add up to 1" in result.stderr, result.stderr
    assert str(policy) in result.stderr
    assert "Traceback" not in result.stderr
    assert _tables(sqlite_url(tmp_path)) == set()


@pytest.mark.parametrize("old, new, key", [
    ("pass_mark: 60", "pass_mark: 160", "scoring.pass_mark"),
    ("timezone: Asia/Shanghai", "timezone: Mars/Olympus_Mons", "timezone"),
    ("quorum: 3", "quorum: 0", "committee.quorum"),
    ("probation:\n  months: 3", "probation:\n  months: 3\n  weeks: 2", "probation.weeks"),
    ("entry_grade: probation", "entry_grade: junior", "ladder.entry_grade"),
], ids=["pass_mark_off_scale", "unknown_timezone", "quorum_zero", "unknown_key", "entry_not_lowest"])
def test_a_bad_policy_names_the_broken_key(tmp_path, old, new, key):
    policy = _write_policy(tmp_path, old, new)
    result = gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_POLICY=str(policy))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{key}:" in result.stderr, result.stderr
    assert _tables(sqlite_url(tmp_path)) == set()


def test_a_missing_policy_file_stops_start_up(tmp_path):
    missing = tmp_path / "no-such-policy.yaml"
    result = gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_POLICY=str(missing))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert str(missing) in result.stderr and "cannot read" in result.stderr


def test_the_shipped_example_policy_starts(tmp_path, client_for):
    """Control for the refusals above: a valid policy file (the bank's six-level ladder) starts."""
    shipped = resources.files("workflow.policies").joinpath("bank-six-level.yaml").read_text("utf-8")
    policy = tmp_path / "bank.yaml"
    policy.write_text(shipped, "utf-8")
    _ok(gradeflow(tmp_path, "db", "upgrade", GRADEFLOW_POLICY=str(policy)))
    assert _tables(sqlite_url(tmp_path)) == set(db.metadata.tables) | {"alembic_version"}


def test_demo_if_empty_leaves_a_database_with_users_alone(tmp_path, migrated_sqlite):
    created = gradeflow(tmp_path, "users", "create", "root", "--role", "admin", "--password-stdin",
                        stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    again = gradeflow(tmp_path, "demo", "--if-empty")
    assert again.returncode == 0, again.stderr
    assert "no demo logins are on file" in again.stdout
    refused = gradeflow(tmp_path, "demo")
    assert refused.returncode != 0 and "already holds managers or users" in refused.stderr


# --- demo --policy: a rule pack's own demo (issue 14, point 6) -----------------------------------------------------

PACKS = [name for name in BUILTIN_POLICIES if name != "default"]


@pytest.mark.parametrize("pack", PACKS)
def test_demo_policy_loads_an_organisation_on_every_grade_of_the_pack_whose_close_preview_reads_it(
        tmp_path, migrated_sqlite, pack):
    result = _ok(gradeflow(tmp_path, "demo", "--policy", pack, GRADEFLOW_POLICY=pack))
    logins = _printed_logins(result.stdout)
    app = create_app(config_for(migrated_sqlite, GRADEFLOW_POLICY=pack, GRADEFLOW_CLOCK="system"))
    client = app.test_client()
    try:
        hr = {"Authorization": f"Bearer {_me(client, 'hr.chen', logins['hr.chen'][0])['token']}"}
        listed = client.get("/api/v1/managers?per_page=100", headers=hr).get_json()
        ladder = load_policy(pack).ladder
        assert {m["grade"] for m in listed} == set(ladder.codes)
        for username, (password, employee_no, roles) in logins.items():
            assert _me(client, username, password)["roles"] == sorted(roles), username
        policy = load_policy(pack)
        for kind in policy.closed_kinds:
            period = str(Period.of(kind, date.today()).shifted(-1))
            preview = client.get(f"/api/v1/evaluations/{period}/preview", headers=hr)
            assert preview.status_code == 200, preview.get_json()
            assert preview.get_json()["foreseen"], (pack, period)  # the demo recorded the period
        events = client.get(f"/api/v1/managers/{listed[-1]['employee_no']}/events", headers=hr).get_json()
        assert [e["kind"] for e in events] == ["complaint"]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_demo_policy_refuses_a_pack_the_service_does_not_run_and_writes_nothing(tmp_path, migrated_sqlite):
    result = gradeflow(tmp_path, "demo", "--policy", "salon-cba")
    assert result.returncode == 1 and "GRADEFLOW_POLICY=salon-cba" in result.stderr, result.stderr
    assert not snapshot(migrated_sqlite)["managers"]
    unknown = gradeflow(tmp_path, "demo", "--policy", "no-such-pack")
    assert unknown.returncode == 2 and "no-such-pack" in unknown.stderr


# --- import (api.md: gradeflow import KIND FILE): all rows or none (issue 14, point 2; issue 16, point 1) ---------

def test_import_events_enters_every_row_or_none_naming_each_problem_by_line(tmp_path, migrated_sqlite):
    _ok(gradeflow(tmp_path, "demo"))
    day = (date.today() - timedelta(days=3)).isoformat()  # after the demo's hirings, before today
    bad = tmp_path / "bad.csv"
    bad.write_text("\ufeffemployee_no,kind,occurred_on,days,reason,note\n"  # as a spreadsheet saves it, with a BOM
                   f"M1004,complaint,{day},,,客户投诉\n"
                   f"M9999,complaint,{day},,,\n"
                   f"M1005,leave,{day},2,holiday,\n", "utf-8")
    refused = gradeflow(tmp_path, "import", "events", str(bad))
    assert refused.returncode == 1, refused.stdout
    assert "bad.csv, row 3, employee_no: known_manager" in refused.stderr, refused.stderr
    assert "bad.csv, row 4, reason: leave_reason" in refused.stderr, refused.stderr
    assert "row 2" not in refused.stderr and snapshot(migrated_sqlite)["manager_events"] == []
    good = tmp_path / "good.csv"
    good.write_text("employee_no,kind,occurred_on,days,reason,note\n"
                    f"M1004,complaint,{day},,,客户投诉\nM1005,leave,{day},2,sick,病假\n", "utf-8")
    assert "events: 2 row(s): 2 created" in _ok(gradeflow(tmp_path, "import", "events", str(good))).stdout
    assert len(snapshot(migrated_sqlite)["manager_events"]) == 2
    assert "2 unchanged" in _ok(gradeflow(tmp_path, "import", "events", str(good))).stdout


# --- export (api.md: gradeflow export KIND ...), issue 16 ------------------------------------------------------

def test_export_writes_each_kind_as_xlsx_and_a_table_as_csv(tmp_path, migrated_sqlite):
    import openpyxl
    from api.demo import demo_cycle_code
    _ok(gradeflow(tmp_path, "demo"))
    cycle = demo_cycle_code(date.today())
    for kind, subject, sheet in (("decisions", cycle, "决定名单"), ("notice", cycle, "公示"), ("roster", None, "花名册"),
                                 ("file", "M1004", "档案"), ("report", cycle, "漏斗"), ("close", "2026Q2", "2026Q2")):
        out = tmp_path / f"{kind}.xlsx"
        said = _ok(gradeflow(tmp_path, "export", kind, *([subject] if subject else []), "--out", str(out))).stdout
        assert said.startswith(f"exported {kind}: ") and str(out) in said
        assert sheet in openpyxl.load_workbook(out).sheetnames
    roster = tmp_path / "roster.csv"
    _ok(gradeflow(tmp_path, "export", "roster", "--out", str(roster)))
    lines = roster.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("工号,姓名,机构,等级") and any(line.startswith("M1004,") for line in lines)


def test_export_refuses_what_it_cannot_write_and_writes_nothing(tmp_path, migrated_sqlite):
    _ok(gradeflow(tmp_path, "demo"))
    several = gradeflow(tmp_path, "export", "file", "M1004", "--out", str(tmp_path / "file.csv"))
    assert several.returncode == 1 and "export it as .xlsx [xlsx_only]" in several.stderr
    unknown = gradeflow(tmp_path, "export", "file", "M9999", "--out", str(tmp_path / "file.xlsx"))
    assert unknown.returncode == 1 and "no manager M9999" in unknown.stderr
    assert gradeflow(tmp_path, "export", "roster", "--out", str(tmp_path / "r.txt")).returncode == 2
    assert gradeflow(tmp_path, "export", "decisions", "--out", str(tmp_path / "d.xlsx")).returncode == 2
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.xlsx"))


def test_import_template_gives_the_header_an_import_reads_and_a_dry_run_writes_nothing(tmp_path, migrated_sqlite):
    template = tmp_path / "roster.csv"
    assert "wrote" in _ok(gradeflow(tmp_path, "import", "template", "roster", "--format", "csv", str(template))).stdout
    header = template.read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("工号,姓名,机构,等级,定级日期,入职日期,上级工号")
    template.write_text(header + "\nM2001,李强,北京分行,中级,2024-03-01,2020-07-01,,,,\n", "utf-8-sig")
    checked = _ok(gradeflow(tmp_path, "import", "roster", "--dry-run", str(template))).stdout
    assert "1 would be created" in checked and "dry run" in checked and not snapshot(migrated_sqlite)["managers"]
    assert "1 created" in _ok(gradeflow(tmp_path, "import", "roster", str(template))).stdout
    assert [m[3] for m in snapshot(migrated_sqlite)["managers"]] == ["mid"]  # employee_no, name, org_unit, grade
