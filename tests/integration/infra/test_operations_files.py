"""The files operators run Llais from stay true to the code: compose, the topology export, the settings list."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from services import INTERNAL_SERVICES, SERVICES

ROOT = Path(__file__).resolve().parents[3]
LLAIS = str(Path(sys.executable).with_name("llais"))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_every_role_of_every_service_and_each_scales_alone():
    services = compose()["services"]
    expected = {f"{s}-api" for s in SERVICES} | {f"{s}-worker" for s in INTERNAL_SERVICES}
    assert expected <= set(services)
    for name in expected:
        service, role = name.rsplit("-", 1)
        definition = services[name]
        assert definition["command"] == ["serve", service, "--role", role]
        assert "container_name" not in definition, f"{name} could not be scaled"
        if name != "gateway-api":
            assert "ports" not in definition, f"{name} publishes a host port, so it could not be scaled"
        environment = definition["environment"]
        assert environment["AMQP_URL"].startswith("amqp://") and environment["MONGO_URL"].startswith("mongodb://")
        assert definition["depends_on"]["bus-topology"]["condition"] == "service_completed_successfully"
    assert {"rabbitmq", "mongodb", "otel-collector", "bus-topology"} <= set(services)
    assert services["bus-topology"]["command"] == ["bus", "declare-topology"]


def test_every_file_compose_mounts_is_in_the_repository():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is missing"


def test_the_collector_receives_otlp():
    config = yaml.safe_load((ROOT / "infra" / "otel" / "collector.yaml").read_text())
    assert "otlp" in config["receivers"]
    assert config["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]


def test_the_committed_topology_is_what_the_services_declare():
    exported = subprocess.run([LLAIS, "bus", "export-topology", "--queue-type", "quorum"], capture_output=True,
                              text=True, check=True, env={"PATH": "", "LLAIS_BUS_PREFIX": "llais"}).stdout
    committed = (ROOT / "infra" / "rabbitmq" / "definitions.json").read_text()
    assert json.loads(committed) == json.loads(exported), "run `make topology` and commit the result"


def test_every_setting_the_code_reads_is_in_env_example():
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    config = (ROOT / "shared" / "config.py").read_text()
    read = set(re.findall(r'env(?:\.get)?[\[(]"([A-Z][A-Z0-9_]*)"', config))
    read |= set(re.findall(r'_int\(env, "([A-Z][A-Z0-9_]*)"', config))
    assert {"PORT", "AMQP_URL", "LLAIS_PREFETCH"} <= read, "the scan misses how config.py reads settings"
    read |= {f"LLAIS_{name.upper()}_URL" for name in SERVICES}
    read |= set(re.findall(r'envvar="([A-Z_]+)"', (ROOT / "services" / "cli.py").read_text()))
    assert read, "the scan found no settings at all"
    assert read - listed == set()
    for variable in yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-llais-env"]:
        assert variable in listed, f"compose sets {variable}, which .env.example does not explain"
