"""docker-compose.yml against the code: what each service's settings class needs is provided.

No Docker engine is needed: the file is parsed, its `${VAR:-default}` interpolated with the
defaults, and each service's settings class is built from the environment compose would give it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices, AliasPath, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_PORTS = {"registration": 8001, "scheduling": 8002, "notifications": 8003, "webhooks": 8004}
INFRA = ("rabbitmq", "postgres", "mailpit")
INIT_DIR = "/docker-entrypoint-initdb.d"
# A default containing one of these is a developer's convenience, not a production value.
DEV_ONLY_MARKERS = ("127.0.0.1", "localhost", "sqlite", "guest:guest@", ".example", "example.com")

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`; unset variables, as in a fresh
    checkout with no .env. `${VAR:?message}` fails: the stack must start without a .env."""

    def one(match: re.Match[str]) -> str:
        op = match.group("op") or ""
        if "?" in op:
            raise AssertionError(f"{match.group(0)} requires {match.group('name')} to be set")
        return match.group("arg") or ""

    return _VAR.sub(one, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    svc = compose["services"][name]
    assert isinstance(svc, dict)
    return svc


def environment(compose: dict[str, Any], name: str) -> dict[str, str]:
    """A service's environment, list or mapping form, interpolated."""
    raw = service(compose, name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(k): interpolate("" if v is None else str(v)) for k, v in raw.items()}


def settings_class(name: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{name}.settings")
    cls: type[BaseSettings] = getattr(module, f"{name.capitalize()}Settings")
    assert issubclass(cls, BaseSettings)
    return cls


def env_names(field_name: str, field: FieldInfo) -> list[str]:
    """The environment variables pydantic-settings reads a field from (no env prefix here)."""
    alias = field.validation_alias or field.alias
    names: list[str] = []
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias] if alias else []
    for choice in choices:
        if isinstance(choice, str):
            names.append(choice)
        elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
            names.append(choice.path[0])
    return [n.upper() for n in names] or [field_name.upper()]


def env_to_field(cls: type[BaseSettings]) -> dict[str, str]:
    return {env: name for name, f in cls.model_fields.items() for env in env_names(name, f)}


def needs_production_value(cls: type[BaseSettings]) -> set[str]:
    """Fields without a safe production default, read off the class: required ones, the
    environment itself, defaults pointing at a developer's machine or placeholder domains, and
    the port beside such a host."""
    needed: set[str] = set()
    for name, field in cls.model_fields.items():
        if field.is_required():
            needed.add(name)
            continue
        default = field.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        not_production = name == "environment" and default != "production"
        dev_only = isinstance(default, str) and any(m in default.lower() for m in DEV_ONLY_MARKERS)
        if not_production or dev_only:
            needed.add(name)
    for name in list(needed):
        if (
            name.endswith("_host")
            and (port := name.removesuffix("_host") + "_port") in cls.model_fields
        ):
            needed.add(port)
    return needed


def build_settings(
    monkeypatch: pytest.MonkeyPatch, cls: type[BaseSettings], env: dict[str, str]
) -> BaseSettings:
    """The settings the container would get: only the compose environment, no .env file."""
    for name in env_to_field(cls):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cls(_env_file=None)


def published(svc: dict[str, Any]) -> set[tuple[int, int]]:
    """(host port, container port) pairs of short (`[ip:]host:container`) or long syntax."""
    pairs: set[tuple[int, int]] = set()
    for entry in svc.get("ports") or []:
        if isinstance(entry, dict):
            pairs.add((int(interpolate(str(entry["published"]))), int(entry["target"])))
        else:
            parts = interpolate(str(entry)).split("/")[0].split(":")
            pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


def init_script(compose: dict[str, Any]) -> Path:
    """The host file the postgres service mounts into its init directory."""
    for volume in service(compose, "postgres").get("volumes") or []:
        source, _, target = str(volume).partition(":")
        if target.split(":")[0].startswith(INIT_DIR) and source.startswith("."):
            return (ROOT / source).resolve()
    raise AssertionError(f"postgres mounts no init script into {INIT_DIR}")


# --- shape of the stack ---------------------------------------------------------------------


def test_six_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {*INFRA, *APP_PORTS}


def test_infrastructure_images_and_healthchecks(compose: dict[str, Any]) -> None:
    rabbit = service(compose, "rabbitmq")
    assert rabbit["image"].startswith("rabbitmq:3.13-management")
    assert rabbit["healthcheck"]["test"][-3:] == ["rabbitmq-diagnostics", "-q", "ping"]
    postgres = service(compose, "postgres")
    assert str(postgres["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    mailpit = service(compose, "mailpit")
    assert str(mailpit["image"]).startswith("axllent/mailpit")
    assert mailpit.get("healthcheck", {}).get("test")


def test_rabbitmq_has_its_own_user(compose: dict[str, Any]) -> None:
    env = environment(compose, "rabbitmq")
    assert env.get("RABBITMQ_DEFAULT_USER") not in (None, "", "guest")
    assert env.get("RABBITMQ_DEFAULT_PASS") not in (None, "", "guest")


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_app_service_builds_from_the_dockerfile(compose: dict[str, Any], name: str) -> None:
    build = service(compose, name)["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    path = (ROOT / context / dockerfile).resolve()
    assert path == (ROOT / "deploy" / "Dockerfile").resolve()
    assert path.is_file()


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_app_service_runs_its_own_app_on_its_port(compose: dict[str, Any], name: str) -> None:
    svc = service(compose, name)
    port = APP_PORTS[name]
    assert (port, port) in published(svc)
    command = svc.get("command")
    command = command.split() if isinstance(command, str) else command
    assert command is not None, "the image's default CMD serves one service; name it"
    assert f"services.{name}.main:create_app" in command
    assert command[command.index("--port") + 1] == str(port)
    assert "--factory" in command
    main = importlib.import_module(f"services.{name}.main")
    assert callable(main.create_app)


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_app_service_healthcheck_asks_readyz(compose: dict[str, Any], name: str) -> None:
    test = service(compose, name)["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    command = " ".join(test[1:])
    assert (
        f"127.0.0.1:{APP_PORTS[name]}/readyz" in command
        or f"localhost:{APP_PORTS[name]}/readyz" in command
    )
    assert "curl" not in command and "wget" not in command, "python:3.11-slim has neither"


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_app_service_waits_for_healthy_dependencies(compose: dict[str, Any], name: str) -> None:
    depends = service(compose, name)["depends_on"]
    assert isinstance(depends, dict), "the long form is needed for `condition: service_healthy`"
    wanted = {"rabbitmq", "postgres"} | ({"mailpit"} if name == "notifications" else set())
    for dependency in wanted:
        assert depends.get(dependency, {}).get("condition") == "service_healthy", dependency


# --- environment against the settings classes ----------------------------------------------------


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_every_compose_variable_is_a_setting(compose: dict[str, Any], name: str) -> None:
    known = env_to_field(settings_class(name))
    unknown = sorted(k for k in environment(compose, name) if k.upper() not in known)
    assert not unknown, f"{name}: not read by {settings_class(name).__name__}: {unknown}"


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_settings_without_production_default_are_provided(
    compose: dict[str, Any], name: str
) -> None:
    cls = settings_class(name)
    needed = needs_production_value(cls)
    assert {"database_url", "amqp_url", "environment"} <= needed
    if name == "notifications":
        assert {"smtp_host", "smtp_port"} <= needed
    provided = {k.upper() for k in environment(compose, name)}
    missing = sorted(
        f"{field} ({' or '.join(env_names(field, cls.model_fields[field]))})"
        for field in needed
        if not provided & set(env_names(field, cls.model_fields[field]))
    )
    assert not missing, f"{name}: compose gives no value for {missing}"


@pytest.mark.parametrize("name", list(APP_PORTS))
def test_settings_build_from_the_compose_environment(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = settings_class(name)
    env = environment(compose, name)
    settings: Any = build_settings(monkeypatch, cls, env)
    assert settings.environment == "production"
    # Read under the names compose uses: the same values given by field name agree.
    fields = env_to_field(cls)
    by_name = cls.model_validate({fields[k.upper()]: v for k, v in env.items()})  # no env read
    assert settings.model_dump() == by_name.model_dump()

    amqp = urlsplit(settings.amqp_url)
    rabbit = environment(compose, "rabbitmq")
    assert amqp.hostname == "rabbitmq"
    assert (amqp.username, amqp.password) == (
        rabbit["RABBITMQ_DEFAULT_USER"],
        rabbit["RABBITMQ_DEFAULT_PASS"],
    )
    database = urlsplit(settings.database_url)
    postgres = environment(compose, "postgres")
    assert database.scheme == "postgresql+asyncpg"
    assert database.hostname == "postgres"
    assert (database.username, database.password) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
    )
    if name == "notifications":
        assert settings.smtp_host == "mailpit"
        assert settings.smtp_port == 1025  # Mailpit's SMTP port


def test_each_service_has_its_own_database_created_by_the_init_script(
    compose: dict[str, Any],
) -> None:
    script = init_script(compose)
    assert script.is_file(), script
    created = {
        m.lower()
        for m in re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", script.read_text(), re.IGNORECASE)
    }
    databases = {}
    for name in APP_PORTS:
        env = {k.upper(): v for k, v in environment(compose, name).items()}
        url = env.get(f"{name.upper()}_DATABASE_URL") or env["DATABASE_URL"]
        databases[name] = urlsplit(url).path.lstrip("/")
    assert len(set(databases.values())) == len(databases), databases
    assert set(databases.values()) <= created, (databases, created)


def test_dockerfile_is_slim_non_root_and_installs_the_project() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^FROM\s+python:3\.11-slim\b", text, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the services must not run as root"
    assert "pip install -r /src/requirements.lock" in text, "the image installs the lock file"
    ignored = {
        line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
    }
    needed = {"shared", "services", "pyproject.toml", "requirements.lock"}
    assert not ignored & needed, "the image needs these"
