"""Configuration from GRADEFLOW_* environment variables (api.config): the mode and clock rules of
docs/api-extensions.md, every bad value refused naming its variable, the defaults, and the
development secret kept under the instance folder."""
from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from api.config import ConfigError, development_secret, settings_from_env


def settings(tmp_path: Path, **environ: str) -> dict:
    return settings_from_env(environ, instance_path=tmp_path)


# --- mode and clock -----------------------------------------------------------------------

def test_default_mode_is_production_with_the_system_clock(tmp_path):
    config = settings(tmp_path)
    assert config["GRADEFLOW_MODE"] == "production"
    assert config["GRADEFLOW_CLOCK"] == "system"
    assert config["GRADEFLOW_CLOCK_START"] is None


def test_empty_variables_count_as_unset(tmp_path):
    config = settings(tmp_path, GRADEFLOW_ENV="", GRADEFLOW_CLOCK="", GRADEFLOW_CLOCK_START="",
                      GRADEFLOW_TOKEN_TTL="", GRADEFLOW_MAX_BODY_BYTES="", GRADEFLOW_DATABASE_URL="")
    assert config == settings(tmp_path)


def test_manual_clock_is_refused_in_production_mode(tmp_path):
    with pytest.raises(ConfigError, match="GRADEFLOW_CLOCK") as refused:
        settings(tmp_path, GRADEFLOW_CLOCK="manual", GRADEFLOW_ENV="production")
    assert "production" in str(refused.value)


def test_manual_clock_without_gradeflow_env_selects_test_mode(tmp_path):
    config = settings(tmp_path, GRADEFLOW_CLOCK="manual")
    assert (config["GRADEFLOW_MODE"], config["GRADEFLOW_CLOCK"]) == ("test", "manual")


@pytest.mark.parametrize("mode", ["development", "test"])
def test_manual_clock_is_allowed_outside_production(tmp_path, mode):
    config = settings(tmp_path, GRADEFLOW_CLOCK="manual", GRADEFLOW_ENV=mode)
    assert (config["GRADEFLOW_MODE"], config["GRADEFLOW_CLOCK"]) == (mode, "manual")


@pytest.mark.parametrize("mode", ["production", "development", "test"])
def test_an_explicit_mode_is_kept_with_the_system_clock(tmp_path, mode):
    config = settings(tmp_path, GRADEFLOW_ENV=mode)
    assert (config["GRADEFLOW_MODE"], config["GRADEFLOW_CLOCK"]) == (mode, "system")


def test_clock_start_is_an_instant_with_its_offset(tmp_path):
    config = settings(tmp_path, GRADEFLOW_CLOCK="manual", GRADEFLOW_CLOCK_START="2026-09-01T09:00:00+08:00")
    start = config["GRADEFLOW_CLOCK_START"]
    assert start == datetime(2026, 9, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert start.utcoffset() == timedelta(hours=8)


# --- a bad value is refused, naming the variable ------------------------------------------------

@pytest.mark.parametrize("environ, variable", [
    ({"GRADEFLOW_CLOCK": "sundial"}, "GRADEFLOW_CLOCK"),
    ({"GRADEFLOW_ENV": "staging"}, "GRADEFLOW_ENV"),
    ({"GRADEFLOW_CLOCK": "manual", "GRADEFLOW_CLOCK_START": "yesterday"}, "GRADEFLOW_CLOCK_START"),
    ({"GRADEFLOW_CLOCK": "manual", "GRADEFLOW_CLOCK_START": "2026-09-01T09:00:00"}, "GRADEFLOW_CLOCK_START"),
    ({"GRADEFLOW_TOKEN_TTL": "abc"}, "GRADEFLOW_TOKEN_TTL"),
    ({"GRADEFLOW_TOKEN_TTL": "5"}, "GRADEFLOW_TOKEN_TTL"),
    ({"GRADEFLOW_TOKEN_TTL": "59"}, "GRADEFLOW_TOKEN_TTL"),
    ({"GRADEFLOW_TOKEN_TTL": str(30 * 24 * 3600 + 1)}, "GRADEFLOW_TOKEN_TTL"),
    ({"GRADEFLOW_MAX_BODY_BYTES": "1023"}, "GRADEFLOW_MAX_BODY_BYTES"),
    ({"GRADEFLOW_MAX_BODY_BYTES": "0"}, "GRADEFLOW_MAX_BODY_BYTES"),
    ({"GRADEFLOW_MAX_BODY_BYTES": "-1"}, "GRADEFLOW_MAX_BODY_BYTES"),
    ({"GRADEFLOW_MAX_BODY_BYTES": str(64 * 1024 * 1024 + 1)}, "GRADEFLOW_MAX_BODY_BYTES"),
    ({"GRADEFLOW_MAX_BODY_BYTES": "1MB"}, "GRADEFLOW_MAX_BODY_BYTES"),
    ({"GRADEFLOW_SIGNIN_MAX_FAILURES": "0"}, "GRADEFLOW_SIGNIN_MAX_FAILURES"),
    ({"GRADEFLOW_SIGNIN_MAX_FAILURES": "five"}, "GRADEFLOW_SIGNIN_MAX_FAILURES"),
    ({"GRADEFLOW_SIGNIN_WINDOW": "0"}, "GRADEFLOW_SIGNIN_WINDOW"),
    ({"GRADEFLOW_SIGNIN_WINDOW": "15m"}, "GRADEFLOW_SIGNIN_WINDOW"),
    ({"GRADEFLOW_SIGNIN_WINDOW": str(24 * 3600 + 1)}, "GRADEFLOW_SIGNIN_WINDOW"),
    ({"GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS": "-1"}, "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS"),
    ({"GRADEFLOW_IDEMPOTENCY_LEASE": "59"}, "GRADEFLOW_IDEMPOTENCY_LEASE"),
    ({"GRADEFLOW_IDEMPOTENCY_LEASE": str(7 * 24 * 3600 + 1)}, "GRADEFLOW_IDEMPOTENCY_LEASE"),
], ids=["clock_sundial", "env_staging", "clock_start_not_iso", "clock_start_naive", "ttl_not_a_number",
        "ttl_5_below_60", "ttl_59", "ttl_above_30_days", "body_below_1024", "body_zero", "body_negative",
        "body_above_64_mib", "body_with_unit", "signin_failures_zero", "signin_failures_word", "signin_window_zero",
        "signin_window_with_unit", "signin_window_above_a_day", "signin_per_address_negative",
        "idempotency_lease_below_a_minute", "idempotency_lease_above_a_week"])
def test_a_bad_value_is_refused_naming_the_variable(tmp_path, environ, variable):
    with pytest.raises(ConfigError) as refused:
        settings(tmp_path, **environ)
    message = str(refused.value)
    assert message.startswith(f"{variable}="), message
    assert repr(environ[variable]) in message, message


def test_a_naive_clock_start_is_refused_asking_for_an_offset(tmp_path):
    with pytest.raises(ConfigError, match="GRADEFLOW_CLOCK_START") as refused:
        settings(tmp_path, GRADEFLOW_CLOCK="manual", GRADEFLOW_CLOCK_START="2026-09-01T09:00:00")
    assert "offset" in str(refused.value)


@pytest.mark.parametrize("variable, raw, key, value", [
    ("GRADEFLOW_TOKEN_TTL", "60", "GRADEFLOW_TOKEN_TTL", 60),
    ("GRADEFLOW_TOKEN_TTL", str(30 * 24 * 3600), "GRADEFLOW_TOKEN_TTL", 30 * 24 * 3600),
    ("GRADEFLOW_MAX_BODY_BYTES", "1024", "MAX_CONTENT_LENGTH", 1024),
    ("GRADEFLOW_MAX_BODY_BYTES", str(64 * 1024 * 1024), "MAX_CONTENT_LENGTH", 64 * 1024 * 1024),
    ("GRADEFLOW_SIGNIN_MAX_FAILURES", "1", "GRADEFLOW_SIGNIN_MAX_FAILURES", 1),
    ("GRADEFLOW_SIGNIN_WINDOW", "1", "GRADEFLOW_SIGNIN_WINDOW", 1),
    ("GRADEFLOW_SIGNIN_WINDOW", str(24 * 3600), "GRADEFLOW_SIGNIN_WINDOW", 24 * 3600),
    ("GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS", "0", "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS", 0),
], ids=["ttl_60", "ttl_30_days", "body_1024", "body_64_mib", "signin_failures_1", "signin_window_1s",
        "signin_window_a_day", "signin_per_address_off"])
def test_the_limits_of_each_range_are_accepted(tmp_path, variable, raw, key, value):
    assert settings(tmp_path, **{variable: raw})[key] == value


# --- defaults ----------------------------------------------------------------------------------

def test_default_limits(tmp_path):
    config = settings(tmp_path)
    assert config["GRADEFLOW_TOKEN_TTL"] == 8 * 3600
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["SECRET_KEY"] is None and config["GRADEFLOW_POLICY"] is None
    # sign-in: 5 failures per username, 100 per address, within 15 minutes
    assert (config["GRADEFLOW_SIGNIN_MAX_FAILURES"], config["GRADEFLOW_SIGNIN_WINDOW"],
            config["GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS"]) == (5, 900, 100)


@pytest.mark.parametrize("environ", [
    {"GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS": "4"},
    {"GRADEFLOW_SIGNIN_MAX_FAILURES": "101"},
    {"GRADEFLOW_SIGNIN_MAX_FAILURES": "20", "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS": "19"},
], ids=["per_address_below_default_per_username", "per_username_above_default_per_address", "both_set"])
def test_a_limit_per_address_below_the_limit_per_username_is_refused_naming_both(tmp_path, environ):
    """Else one person's typos would lock out everyone signing in from their address."""
    with pytest.raises(ConfigError) as refused:
        settings(tmp_path, **environ)
    assert "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS" in str(refused.value)
    assert "GRADEFLOW_SIGNIN_MAX_FAILURES " in str(refused.value)


def test_the_sign_in_limits_may_be_equal(tmp_path):
    config = settings(tmp_path, GRADEFLOW_SIGNIN_MAX_FAILURES="7", GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS="7")
    assert (config["GRADEFLOW_SIGNIN_MAX_FAILURES"], config["GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS"]) == (7, 7)


def test_default_database_is_sqlite_under_the_instance_path(tmp_path):
    config = settings(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path.resolve() / 'gradeflow.db'}"


def test_the_database_url_variable_wins(tmp_path):
    url = "postgresql+psycopg://gradeflow@db.example/gradeflow"
    assert settings(tmp_path, GRADEFLOW_DATABASE_URL=url)["SQLALCHEMY_DATABASE_URI"] == url


# --- the development secret ------------------------------------------------------------------

def test_development_secret_is_made_once_into_a_private_file(tmp_path):
    instance = tmp_path / "instance"
    first = development_secret(instance)
    path = instance / "dev-secret-key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and first == path.read_text().strip()
    written = path.stat().st_mtime_ns
    assert development_secret(instance) == first
    assert path.stat().st_mtime_ns == written
    # nothing else is left behind in the folder (no draft files)
    assert [p.name for p in instance.iterdir()] == ["dev-secret-key"]


def test_each_instance_folder_gets_its_own_development_secret(tmp_path):
    assert development_secret(tmp_path / "one") != development_secret(tmp_path / "two")


def test_a_short_secret_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="GRADEFLOW_SECRET_KEY is too short"):
        settings_from_env({"GRADEFLOW_SECRET_KEY": "x" * 31}, instance_path=tmp_path)
    assert settings_from_env({"GRADEFLOW_SECRET_KEY": "x" * 32}, instance_path=tmp_path)["SECRET_KEY"] == "x" * 32
