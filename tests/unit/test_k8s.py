"""deploy/k8s against the code: the Kustomize overlays render, their built-in kinds pass the
Kubernetes schemas strictly, and what a schema cannot see agrees with the services.

No cluster is needed: `kubectl kustomize` renders each overlay, `kubernetes-validate --strict`
checks the built-in kinds (Deployment, Service, Ingress, Job, …) against the Kubernetes API
schemas, and the tests below check the rest: the operators' custom resources (KEDA, RabbitMQ,
CloudNativePG), probes, resources and security contexts, the environment each service's
settings class needs in production (built from it with stand-in secret values), the image and
port of deploy/Dockerfile and docker-compose.yml, the queues KEDA watches, shutdown timing.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices, AliasPath, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from shared.clock import SystemClock
from shared.messaging.topology import queue_names

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
SERVICES = ("registration", "scheduling", "notifications")
# Each service's work queues, by consumer name. Written out here because importing the
# services' consumer modules is not reliable while their modules move; the names are checked
# against the services themselves by `test_consumer_names_are_the_services_own` when they import.
CONSUMERS = {
    "registration": ("periods",),
    "scheduling": ("registrations",),
    "notifications": ("registrations", "scheduling", "extension"),
}
# The operators' kinds: no schema in kubernetes-validate; checked field by field below.
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
}
# The oldest Kubernetes the manifests support, and (None) kubernetes-validate's newest.
KUBERNETES_VERSIONS = ("1.30.0", None)
# Read by the image's CMD (SERVICE, PORT) and by uvicorn (UVICORN_*), not by the settings.
IMAGE_VARS = {"SERVICE", "PORT", "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"}
# No settings class has a shutdown timeout yet: the pods must allow at least this much.
SHUTDOWN_ALLOWANCE_S = 20
# A default containing one of these is a developer's convenience, not a production value.
DEV_ONLY_MARKERS = ("127.0.0.1", "localhost", "sqlite", "guest:guest@", ".example", "example.com")
# Stand-ins for secret values that must have a shape; any other secret gets a plain string.
FAKE_SECRETS = {"AMQP_URL": "amqp://kanta:not-a-real-password@kanta-rabbitmq:5672/"}

Resource = dict[str, Any]
_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


# --- rendering --------------------------------------------------------------------------------


def kustomize_command() -> list[str]:
    """`kubectl kustomize` (`make test` installs kubectl with deploy/ensure_kubectl.sh)."""
    kubectl = shutil.which("kubectl")
    assert kubectl is not None, "kubectl is missing: run deploy/ensure_kubectl.sh (as root)"
    return [kubectl, "kustomize"]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Resource]]:
    command = kustomize_command()
    out: dict[str, list[Resource]] = {}
    for overlay in OVERLAYS:
        done = subprocess.run(
            [*command, str(K8S / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{overlay} does not render: {done.stderr}"
        out[overlay] = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    return out


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def resources(rendered: dict[str, list[Resource]], overlay: str) -> list[Resource]:
    return rendered[overlay]


def is_custom(resource: Resource) -> bool:
    return (resource["apiVersion"], resource["kind"]) in CUSTOM_KINDS


def of_kind(resources: list[Resource], kind: str) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def one(resources: list[Resource], kind: str, name: str) -> Resource:
    found = of_kind(resources, kind)
    assert name in found, f"no {kind} {name}; there are {sorted(found)}"
    return found[name]


def pod_spec(workload: Resource) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def app_container(workload: Resource) -> dict[str, Any]:
    containers = pod_spec(workload)["containers"]
    assert [c["name"] for c in containers] == ["app"], workload["metadata"]["name"]
    container: dict[str, Any] = containers[0]
    return container


def workloads(resources: list[Resource]) -> Iterator[tuple[str, Resource]]:
    """(service, workload) for every service's Deployment and migration Job."""
    for service in SERVICES:
        yield service, one(resources, "Deployment", service)
        yield service, one(resources, "Job", f"{service}-migrate")


# --- environment ------------------------------------------------------------------------------


@dataclass
class Var:
    """One environment variable of a container: its value as written (`template`), as the
    kubelet would expand it (`value`), and whether a Secret is where it comes from."""

    template: str
    value: str
    secret: tuple[str, str] | None = None
    optional: bool = False
    refs: list[str] = field(default_factory=list)


def container_env(resources: list[Resource], container: dict[str, Any]) -> dict[str, Var]:
    """The container's environment as the kubelet builds it: `envFrom` first, then `env` in
    order, `$(NAME)` expanded from what is defined before it; secrets as stand-ins."""
    configmaps = of_kind(resources, "ConfigMap")
    env: dict[str, Var] = {}
    for source in container.get("envFrom", []):
        assert set(source) == {"configMapRef"}, f"only ConfigMaps in envFrom, not {source}"
        name = source["configMapRef"]["name"]
        assert name in configmaps, f"envFrom names a missing ConfigMap {name}"
        for key, value in configmaps[name].get("data", {}).items():
            env[key] = Var(template=str(value), value=str(value))
    for item in container.get("env", []):
        name = item["name"]
        if "valueFrom" in item:
            ref = item["valueFrom"]
            assert set(ref) == {"secretKeyRef"}, f"{name}: only secretKeyRef, not {ref}"
            secret = ref["secretKeyRef"]
            fake = FAKE_SECRETS.get(name, f"stand-in-{secret['name']}-{secret['key']}")
            env[name] = Var(
                template=f"<secret {secret['name']}/{secret['key']}>",
                value=fake,
                secret=(secret["name"], secret["key"]),
                optional=bool(secret.get("optional", False)),
            )
            continue
        template = str(item.get("value", ""))
        refs = _REF.findall(template)
        unresolved = [r for r in refs if r not in env]
        assert not unresolved, f"{name} refers to {unresolved}, not defined before it"
        value = _REF.sub(lambda m: env[m.group(1)].value, template)
        env[name] = Var(template=template, value=value, refs=refs)
    return env


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    cls: type[BaseSettings] = getattr(module, f"{service.capitalize()}Settings")
    assert issubclass(cls, BaseSettings)
    return cls


def env_names(field_name: str, info: FieldInfo) -> list[str]:
    """The environment variables pydantic-settings reads a field from (no env prefix here)."""
    alias = info.validation_alias or info.alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias] if alias else []
    names: list[str] = []
    for choice in choices:
        if isinstance(choice, str):
            names.append(choice)
        elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
            names.append(choice.path[0])
    return [n.upper() for n in names] or [field_name.upper()]


def env_to_field(cls: type[BaseSettings]) -> dict[str, str]:
    return {env: name for name, f in cls.model_fields.items() for env in env_names(name, f)}


def is_secret_field(info: FieldInfo) -> bool:
    annotation = info.annotation
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def needs_production_value(cls: type[BaseSettings]) -> set[str]:
    """Fields without a safe production default: required ones, the environment, defaults
    pointing at a developer's machine or placeholder domains (and the port beside such a host),
    and secrets with a default (a development key, which production refuses)."""
    needed: set[str] = set()
    for name, info in cls.model_fields.items():
        if info.is_required():
            needed.add(name)
            continue
        default = info.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            needed.add(name)
            continue
        not_production = name == "environment" and default != "production"
        dev_only = isinstance(default, str) and any(m in default.lower() for m in DEV_ONLY_MARKERS)
        if not_production or dev_only:
            needed.add(name)
    for name in list(needed):
        port = name.removesuffix("_host") + "_port"
        if name.endswith("_host") and port in cls.model_fields:
            needed.add(port)
    return needed


def credential_fields(cls: type[BaseSettings]) -> set[str]:
    """Fields that hold a secret: SecretStr ones and the URLs that carry a password."""
    return {n for n, f in cls.model_fields.items() if is_secret_field(f)} | {
        "database_url",
        "amqp_url",
    }


def build_settings(
    monkeypatch: pytest.MonkeyPatch, cls: type[BaseSettings], env: dict[str, str]
) -> Any:
    """The settings the container would get: only its environment, no .env file."""
    with monkeypatch.context() as patch:
        for name in {*env_to_field(cls), *IMAGE_VARS}:
            patch.delenv(name, raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        return cls(_env_file=None)


def env_value(env: dict[str, Var], cls: type[BaseSettings], field_name: str) -> str | None:
    for name in env_names(field_name, cls.model_fields[field_name]):
        if name in env:
            return env[name].value
    return None


# --- the Dockerfile and docker-compose.yml --------------------------------------------------------


@dataclass(frozen=True)
class Image:
    exposed: set[int]
    uid: int
    cmd: str


def dockerfile() -> Image:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    exposed = {int(p) for line in re.findall(r"^EXPOSE\s+(.+)$", text, re.M) for p in line.split()}
    uid = re.search(r"useradd\b[^\n]*--uid\s+(\d+)", text)
    cmd = re.findall(r"^CMD\s+(.+)$", text, re.M)
    assert uid and cmd and exposed, "deploy/Dockerfile: EXPOSE, useradd --uid and CMD expected"
    return Image(exposed=exposed, uid=int(uid.group(1)), cmd=cmd[-1])


def compose_service(service: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    svc: dict[str, Any] = data["services"][service]
    return svc


# --- what renders --------------------------------------------------------------------------------


def test_every_service_has_its_resources(resources: list[Resource]) -> None:
    for service in SERVICES:
        for kind in ("ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"):
            one(resources, kind, service)
        for kind in ("ScaledObject", "Ingress"):
            one(resources, kind, service)
        one(resources, "Job", f"{service}-migrate")
    assert of_kind(resources, "TriggerAuthentication")
    assert len(of_kind(resources, "Namespace")) == 1
    assert len(of_kind(resources, "RabbitmqCluster")) == 1
    assert len(of_kind(resources, "Cluster")) == 1


def test_every_kind_is_built_in_or_checked_here(resources: list[Resource]) -> None:
    groups = {(r["apiVersion"], r["kind"]): r["apiVersion"].split("/")[0] for r in resources}
    unknown = {
        kind
        for kind, group in groups.items()
        if kind not in CUSTOM_KINDS and "." in group and not group.endswith(".k8s.io")
    }
    assert not unknown, f"custom kinds without checks in this file: {unknown}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS, ids=lambda v: v or "latest")
def test_built_in_kinds_pass_strict_schema_validation(
    resources: list[Resource], version: str | None
) -> None:
    built_in = [r for r in resources if not is_custom(r)]
    command = [sys.executable, "-m", "kubernetes_validate", "--strict"]
    command += ["-k", version] if version else []
    done = subprocess.run(
        [*command, "-"],
        input=yaml.safe_dump_all(built_in),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = done.stdout + done.stderr
    problems = "\n".join(line for line in report.splitlines() if not line.startswith("INFO"))
    assert done.returncode == 0, problems
    # A kind without a schema is only a warning to kubernetes-validate: here it is a failure.
    assert not problems, problems
    assert report.count(" passed for resource ") == len(built_in), report


def test_no_secret_values_are_committed(resources: list[Resource]) -> None:
    assert not of_kind(resources, "Secret"), "Secrets are created in the cluster, not committed"
    for path in K8S.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"^kind:\s*Secret\b", text, re.M), path


# --- the pods ------------------------------------------------------------------------------------


def test_deployments_have_three_probes_on_the_operational_routes(
    resources: list[Resource],
) -> None:
    for service in SERVICES:
        deployment = one(resources, "Deployment", service)
        container = app_container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        expected = {
            "livenessProbe": "/healthz",
            "readinessProbe": "/readyz",
            "startupProbe": "/healthz",
        }
        for probe, path in expected.items():
            get = container.get(probe, {}).get("httpGet")
            assert get, f"{service}: no {probe} (httpGet)"
            assert get["path"] == path, (service, probe, get)
            assert get["port"] in (*ports, *ports.values()), (service, probe, get)
        startup = container["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 30, service
        assert "replicas" not in deployment["spec"], f"{service}: KEDA owns the replica count"


def test_every_pod_has_requests_and_limits(resources: list[Resource]) -> None:
    for service, workload in workloads(resources):
        limits = app_container(workload).get("resources", {})
        for part in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(limits.get(part, {})), (service, part, limits)


def test_every_pod_is_non_root_and_read_only(resources: list[Resource]) -> None:
    image = dockerfile()
    for _service, workload in workloads(resources):
        pod = pod_spec(workload)
        container = app_container(workload)
        where = f"{workload['kind']} {workload['metadata']['name']}"
        pod_context = pod.get("securityContext", {})
        context = container.get("securityContext", {})
        assert pod_context.get("runAsNonRoot") is True, where
        # The image's user is a name (kanta), which runAsNonRoot cannot check: the uid it is.
        assert pod_context.get("runAsUser", context.get("runAsUser")) == image.uid != 0, where
        seccomp = context.get("seccompProfile") or pod_context.get("seccompProfile")
        assert seccomp == {"type": "RuntimeDefault"}, where
        assert context.get("allowPrivilegeEscalation") is False, where
        assert context.get("readOnlyRootFilesystem") is True, where
        assert context.get("privileged") in (None, False), where
        assert context.get("capabilities", {}).get("drop") == ["ALL"], where
        assert not context.get("capabilities", {}).get("add"), where
        assert pod.get("automountServiceAccountToken") is False, where
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        assert len(tmp) == 1 and "emptyDir" in volumes[tmp[0]["name"]], where


def test_termination_grace_outlasts_the_drain_and_the_shutdown(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service in SERVICES:
        deployment = one(resources, "Deployment", service)
        container = app_container(deployment)
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep" and len(command) == 2, command
        pre_stop = float(command[1])
        assert pre_stop >= 1, "endpoints need a moment to drop the pod"
        env = container_env(resources, container)
        cls = settings_class(service)
        settings = build_settings(monkeypatch, cls, {k: v.value for k, v in env.items()})
        # A shutdown timeout of the service's own, if one appears in its settings; uvicorn's
        # graceful-shutdown bound; and at least SHUTDOWN_ALLOWANCE_S for the lifespan shutdown.
        timeouts = [float(getattr(settings, f)) for f in cls.model_fields if "shutdown" in f]
        if "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN" in env:
            timeouts.append(float(env["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"].value))
        shutdown = max([SHUTDOWN_ALLOWANCE_S, *timeouts])
        grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert grace > pre_stop + shutdown, (service, grace, pre_stop, shutdown)


def test_image_and_port_match_the_dockerfile_and_compose(resources: list[Resource]) -> None:
    image = dockerfile()
    # The CMD serves services.$SERVICE.main:create_app on $PORT: the pods set both.
    assert "services.${SERVICE}.main:create_app" in image.cmd and "${PORT}" in image.cmd
    images = set()
    for service in SERVICES:
        deployment = one(resources, "Deployment", service)
        container = app_container(deployment)
        compose = compose_service(service)
        command = compose["command"]
        compose_port = int(command[command.index("--port") + 1])
        assert f"services.{service}.main:create_app" in command
        ports = [p["containerPort"] for p in container["ports"]]
        assert ports == [compose_port], (service, ports, compose_port)
        assert compose_port in image.exposed, (service, image.exposed)
        assert "command" not in container and "args" not in container, "the image's CMD runs"
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["SERVICE"] == service
        assert env["PORT"] == str(compose_port)
        repository = container["image"].rsplit(":", 1)[0].rsplit("/", 1)[-1]
        assert repository == compose["image"].split(":")[0], container["image"]
        job = app_container(one(resources, "Job", f"{service}-migrate"))
        assert job["image"] == container["image"], "the Job migrates the release it precedes"
        images.add(container["image"])
    assert len(images) == 1, f"one image for the three services, not {images}"


def test_migration_job_runs_kanta_migrate_and_the_pods_do_not(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "kanta-migrate" in scripts
    for service in SERVICES:
        job = one(resources, "Job", f"{service}-migrate")
        assert app_container(job)["command"] == ["kanta-migrate", "upgrade", service]
        assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure")
        deployment = one(resources, "Deployment", service)
        literal = {e["name"]: e.get("value") for e in app_container(deployment)["env"]}
        assert literal.get("MIGRATE_ON_STARTUP") == "false", service
        env = container_env(resources, app_container(deployment))
        settings = build_settings(
            monkeypatch, settings_class(service), {k: v.value for k, v in env.items()}
        )
        assert settings.migrate_on_startup is False


# --- the environment against the settings classes ------------------------------------------------


def test_every_production_setting_is_provided_and_secrets_come_from_secrets(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service, workload in workloads(resources):
        where = f"{workload['kind']} {workload['metadata']['name']}"
        cls = settings_class(service)
        env = container_env(resources, app_container(workload))
        needed = needs_production_value(cls)
        assert {"database_url", "amqp_url", "environment", "auth_secret"} <= needed
        missing = sorted(
            f"{f} ({' or '.join(env_names(f, cls.model_fields[f]))})"
            for f in needed
            if not set(env_names(f, cls.model_fields[f])) & {k for k, v in env.items()}
        )
        assert not missing, f"{where}: nothing sets {missing}"
        for f in credential_fields(cls):
            for name in env_names(f, cls.model_fields[f]):
                if name not in env:
                    continue
                var = env[name]
                if var.secret is None:
                    # A URL built from parts: its password must be a Secret's.
                    password = urlsplit(var.template).password or ""
                    parts = _REF.fullmatch(password)
                    assert parts and env[parts.group(1)].secret, f"{where}: {name} not secret"
        # Every variable is a setting, read by the image, or an ingredient of another one.
        known = set(env_to_field(cls)) | IMAGE_VARS
        ingredients = {ref for var in env.values() for ref in var.refs}
        stray = sorted(set(env) - known - ingredients)
        assert not stray, f"{where}: set but read by nothing: {stray}"
        # The pod starts: the settings build in production mode, with and without the optional
        # Secrets (the kubelet leaves a missing optional one's variable unset).
        full = {k: v.value for k, v in env.items()}
        bare = {k: v.value for k, v in env.items() if not v.optional}
        for values in (full, bare):
            settings = build_settings(monkeypatch, cls, values)
            assert settings.environment == "production", where


def test_database_urls_point_at_each_services_own_database(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    (cluster,) = of_kind(resources, "Cluster").values()
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in of_kind(resources, "Database").values()}
    seen = set()
    for service, workload in workloads(resources):
        cls = settings_class(service)
        env = container_env(resources, app_container(workload))
        url = env_value(env, cls, "database_url")
        assert url is not None
        parts = urlsplit(url)
        assert parts.scheme == "postgresql"
        # The read-write Service of the CloudNativePG cluster: always the primary.
        assert parts.hostname == f"{cluster['metadata']['name']}-rw", url
        name = parts.path.lstrip("/")
        assert name in databases, f"{service}: no Database resource creates {name!r}"
        owner = databases[name]["owner"]
        assert databases[name]["cluster"]["name"] == cluster["metadata"]["name"]
        # The service logs in as the owner, with the password the operator set from the Secret.
        template = urlsplit(next(v.template for v in env.values() if v.value == url))
        user_var = _REF.fullmatch(template.username or "")
        password_var = _REF.fullmatch(template.password or "")
        assert user_var and password_var, template
        user_secret = env[user_var.group(1)].secret
        password_secret = env[password_var.group(1)].secret
        assert user_secret and password_secret
        assert owner in roles and roles[owner].get("login") is True, owner
        assert roles[owner]["passwordSecret"]["name"] == password_secret[0] == user_secret[0]
        assert (user_secret[1], password_secret[1]) == ("username", "password")
        settings = build_settings(monkeypatch, cls, {k: v.value for k, v in env.items()})
        assert settings.database_url.startswith("postgresql+asyncpg://")
        seen.add((service, name))
    assert len({name for _, name in seen}) == len(SERVICES), f"one database each: {seen}"


# --- autoscaling -------------------------------------------------------------------------------


def test_scaled_objects_watch_each_services_work_queues(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    auths = of_kind(resources, "TriggerAuthentication")
    for service, consumers in CONSUMERS.items():
        deployment = one(resources, "Deployment", service)
        scaled = one(resources, "ScaledObject", service)["spec"]
        assert scaled["scaleTargetRef"]["name"] == service
        assert scaled["scaleTargetRef"].get("kind", "Deployment") == "Deployment"
        assert 1 <= scaled["minReplicaCount"] <= scaled["maxReplicaCount"]
        env = container_env(resources, app_container(deployment))
        settings = build_settings(
            monkeypatch, settings_class(service), {k: v.value for k, v in env.items()}
        )
        expected = {queue_names(settings.queue_prefix, service, c).work for c in consumers}
        rabbit = [t for t in scaled["triggers"] if t["type"] == "rabbitmq"]
        assert {t["metadata"]["queueName"] for t in rabbit} == expected, service
        assert len(rabbit) == len(expected)
        for trigger in rabbit:
            meta = trigger["metadata"]
            assert meta["mode"] == "QueueLength" and int(meta["value"]) > 0, trigger
            assert "host" not in meta, "the URL holds a password: TriggerAuthentication only"
            auth = auths[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]
            host = [(a["name"], a["key"]) for a in auth if a["parameter"] == "host"]
            # KEDA reads the queues with the same AMQP URL the service uses.
            assert host == [env["AMQP_URL"].secret], (service, host)


def test_consumer_names_are_the_services_own() -> None:
    """CONSUMERS above against each service's consumers, as its runtime builds them."""
    for service, consumers in CONSUMERS.items():
        main = importlib.import_module(f"services.{service}.main")
        settings_module = importlib.import_module(f"services.{service}.settings")
        settings = getattr(settings_module, f"{service.capitalize()}Settings")(
            database_url="sqlite+aiosqlite:///:memory:", environment="test"
        )
        runtime = main.build_runtime(settings, SystemClock())
        assert tuple(c.name for c in runtime.consumers) == consumers, service


# --- custom resources: the fields their operators require -------------------------------------


def test_custom_resources_have_their_required_fields(
    resources: list[Resource], overlay: str
) -> None:
    for scaled in of_kind(resources, "ScaledObject").values():
        spec = scaled["spec"]
        assert spec["scaleTargetRef"]["name"]
        assert spec["triggers"]
        for trigger in spec["triggers"]:
            assert trigger["type"] and isinstance(trigger["metadata"], dict), trigger
    for auth in of_kind(resources, "TriggerAuthentication").values():
        refs = auth["spec"]["secretTargetRef"]
        assert refs and all(r["parameter"] and r["name"] and r["key"] for r in refs)
    (rabbit,) = of_kind(resources, "RabbitmqCluster").values()
    assert rabbit["apiVersion"] == "rabbitmq.com/v1beta1"
    assert isinstance(rabbit["spec"]["replicas"], int)
    (cluster,) = of_kind(resources, "Cluster").values()
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert isinstance(cluster["spec"]["instances"], int)
    assert cluster["spec"]["storage"]["size"]
    for role in cluster["spec"]["managed"]["roles"]:
        assert role["name"] and role["passwordSecret"]["name"], role
    for database in of_kind(resources, "Database").values():
        spec = database["spec"]
        assert spec["name"] and spec["owner"], database
        assert spec["cluster"]["name"] == cluster["metadata"]["name"]
    if overlay == "production":
        # Quorum queues need a majority: three nodes survive one lost; so does PostgreSQL.
        assert rabbit["spec"]["replicas"] == 3
        assert cluster["spec"]["instances"] == 3
        for scaled in of_kind(resources, "ScaledObject").values():
            assert scaled["spec"]["minReplicaCount"] >= 2, "one pod may be evicted (PDB)"


# --- Services, PodDisruptionBudgets, Ingresses --------------------------------------------------


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def test_services_and_budgets_select_the_api_pods_only(resources: list[Resource]) -> None:
    for service in SERVICES:
        api = one(resources, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
        job = one(resources, "Job", f"{service}-migrate")["spec"]["template"]["metadata"]
        svc = one(resources, "Service", service)["spec"]
        assert selects(svc["selector"], api), service
        assert not selects(svc["selector"], job["labels"]), "the Job's pod serves nothing"
        container = app_container(one(resources, "Deployment", service))
        names = {p["name"] for p in container["ports"]}
        assert {p["targetPort"] for p in svc["ports"]} <= names | {
            p["containerPort"] for p in container["ports"]
        }
        budget = one(resources, "PodDisruptionBudget", service)["spec"]
        assert selects(budget["selector"]["matchLabels"], api), service
        assert not selects(budget["selector"]["matchLabels"], job["labels"])
        assert "maxUnavailable" in budget or "minAvailable" in budget


def test_ingresses_publish_the_apis_and_nothing_operational(
    resources: list[Resource], monkeypatch: pytest.MonkeyPatch, overlay: str
) -> None:
    hosts: dict[str, str] = {}
    for service in SERVICES:
        ingress = one(resources, "Ingress", service)["spec"]
        svc = one(resources, "Service", service)["spec"]
        port_names = {p["name"] for p in svc["ports"]}
        (rule,) = ingress["rules"]
        hosts[service] = rule["host"]
        paths = {p["path"] for p in rule["http"]["paths"]}
        assert "/v1" in paths, service
        assert not paths & {"/", "/metrics", "/healthz", "/readyz"}, (service, paths)
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == service
            assert backend["port"].get("name") in port_names, backend
        if overlay == "production":
            tls_hosts = {h for tls in ingress.get("tls", []) for h in tls["hosts"]}
            assert rule["host"] in tls_hosts, f"{service}: production is HTTPS only"
    assert len(set(hosts.values())) == len(hosts), hosts
    # The calendar feed URLs the scheduling service hands out must reach it.
    deployment = one(resources, "Deployment", "scheduling")
    env = container_env(resources, app_container(deployment))
    settings = build_settings(
        monkeypatch, settings_class("scheduling"), {k: v.value for k, v in env.items()}
    )
    assert urlsplit(settings.public_base_url).hostname == hosts["scheduling"]


def test_apply_order_selectors_pick_what_the_readme_says(resources: list[Resource]) -> None:
    """deploy/k8s/README.md, "Applying": the engines (`component=engine`), then everything but
    the Deployments (`component!=api`: the migration Jobs run), then the Deployments."""

    def labelled(value: str) -> set[tuple[str, str]]:
        return {
            (r["kind"], r["metadata"]["name"])
            for r in resources
            if r["metadata"].get("labels", {}).get("app.kubernetes.io/component") == value
        }

    assert labelled("api") == {("Deployment", s) for s in SERVICES}
    assert labelled("migration") == {("Job", f"{s}-migrate") for s in SERVICES}
    engines = {"RabbitmqCluster", "Cluster", "Database"}
    assert labelled("engine") == {
        (r["kind"], r["metadata"]["name"]) for r in resources if r["kind"] in engines
    }
