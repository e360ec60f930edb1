"""The files that describe a company's deployment (issue 15, point 5; docs/deployment.md) say what the service
needs: compose.yaml's topology is the one tests/integration/test_deployment_topology.py runs (PostgreSQL, the
schema migrated once before anything serves, two web hosts of several workers, two schedulers); every setting it
passes is one the service documents; the Dockerfile copies what exists, runs as a user without privileges and
checks /healthz. (No container is built here: the machines that run the suite have no container registry.)"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))["services"]


def _documented_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme[readme.index("## Configuration"):readme.index("## The command line")]
    return set(re.findall(r"`(GRADEFLOW_[A-Z_]+)`", table))


def test_compose_runs_postgresql_a_migration_two_web_hosts_and_two_schedulers():
    services = _compose()
    commands = {name: service.get("command") for name, service in services.items()}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert commands["migrate"] == ["gradeflow", "db", "upgrade"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    web = [name for name, command in commands.items() if command and command[:2] == ["gradeflow", "serve"]]
    schedulers = [name for name, command in commands.items() if command == ["gradeflow", "scheduler"]]
    assert len(web) == 2 and len(schedulers) == 2, commands
    for name in web:
        command = commands[name]
        # the schedulers run apart
        assert int(command[command.index("--workers") + 1]) >= 2 and "--no-scheduler" in command
    for name in web + schedulers:
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert all(services[name]["healthcheck"] == {"disable": True} for name in schedulers + ["migrate"])
    assert len({tuple(services[name]["ports"]) for name in web}) == 2  # a port each, for the proxy


def test_every_setting_compose_passes_is_documented_and_the_secrets_come_from_outside():
    services = _compose()
    settings = {key for service in services.values() for key in (service.get("environment") or {})
                if key.startswith("GRADEFLOW_")}
    assert settings and settings <= _documented_settings(), settings - _documented_settings()
    for service in services.values():
        environment = service.get("environment") or {}
        for secret in ("GRADEFLOW_SECRET_KEY", "POSTGRES_PASSWORD"):
            if secret in environment:
                assert environment[secret].startswith("${") and ":?" in environment[secret], environment[secret]
    assert all("${POSTGRES_PASSWORD:?" in services[name]["environment"]["GRADEFLOW_DATABASE_URL"]
               for name, service in services.items() if "GRADEFLOW_DATABASE_URL" in (service.get("environment") or {}))


def test_the_dockerfile_copies_what_exists_runs_unprivileged_and_checks_healthz():
    text = (ROOT / "Dockerfile").read_text("utf-8")
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        *sources, _destination = line.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source not in ignored, f"{source} is copied but .dockerignore leaves it out"
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    assert re.search(r'^CMD \["gradeflow", "serve", "--host", "0\.0\.0\.0"', text, re.M)
    command = re.search(r"^CMD (.+)$", text, re.M).group(1)
    assert "--workers" not in command and "--threads" not in command  # serve's defaults, which the benchmarks chose
    assert "GRADEFLOW_ENV=production" in text and "SECRET" not in text.replace("GRADEFLOW_SECRET_KEY", "")
