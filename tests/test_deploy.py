"""The Dockerfile and compose.yaml, checked without a Docker engine: every path they copy exists,
the image runs as an unprivileged user, its health check asks a route the app serves, and every
command they run is a real `votehall` command with real options."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
import yaml

from server.app import create_app
from server.cli import app as cli_app
from server.config import Settings

ROOT = Path(__file__).parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def served(path: str) -> bool:
    """Whether the app has a route at `path` (asked without starting it: /readyz then says 503)."""

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(Settings(database_url="sqlite:///:memory:")))
        async with httpx.AsyncClient(transport=transport, base_url="http://votehall") as client:
            return await client.get(path)

    answer = asyncio.run(ask())
    return answer.status_code in (200, 503) and answer.json().get("error") != "not_found"


def parse_command(argv: list[str]) -> Any:
    """Parse `votehall ...` as the CLI would, without running it; a bad command or option raises.
    Answers the subcommand's context (its `params`)."""
    assert argv[0] == "votehall", argv
    group: Any = typer.main.get_command(cli_app)
    context = group.make_context("votehall", argv[1:])
    name, command, rest = group.resolve_command(context, [*context._protected_args, *context.args])
    return command.make_context(name, rest, parent=context)


def instruction(name: str) -> list[str]:
    return [rest for keyword, rest in dockerfile() if keyword == name]


def test_the_image_copies_what_exists_and_runs_as_an_unprivileged_user() -> None:
    for rest in instruction("COPY"):
        *sources, _target = shlex.split(rest)
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
    user = instruction("USER")[-1]
    assert user not in ("root", "0") and not user.startswith("0:"), user
    assert user in " ".join(instruction("RUN")), "the user is created in a RUN step"


def test_the_health_check_asks_a_route_the_app_serves() -> None:
    (check,) = instruction("HEALTHCHECK")
    asked = re.findall(r"http://127\.0\.0\.1:[^/]+(/[a-z]+)", check)
    assert asked and set(asked) <= {"/readyz", "/healthz"}, asked
    assert all(served(path) for path in asked)
    exposed = instruction("EXPOSE")
    env = " ".join(instruction("ENV"))
    assert exposed == ["8000"] and "VOTEHALL_PORT=8000" in env and "VOTEHALL_HOST=0.0.0.0" in env


def test_the_image_command_is_a_real_cli_command_that_migrates() -> None:
    (cmd,) = instruction("CMD")
    argv = json.loads(cmd)  # the exec form: SIGTERM reaches votehall itself
    assert parse_command(argv).info_name == "serve"  # `serve` migrates before it listens
    source = (ROOT / "server" / "cli" / "serve.py").read_text(encoding="utf-8")
    serve = source[source.index("def serve(") : source.index("def several_processes_problem")]
    assert "upgrade(settings.database_url)" in serve


def test_compose_runs_the_server_on_postgresql_and_redis_once_they_are_healthy() -> None:
    services = compose()["services"]
    assert set(services) == {"server", "postgres", "redis", "caddy"}
    server = services["server"]
    assert server["build"] == "." and (ROOT / "Dockerfile").exists()
    assert server["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    context = parse_command(server["command"])
    assert context.params["workers"] == 2

    env = server["environment"]
    assert {"VOTEHALL_DATABASE_URL", "VOTEHALL_REDIS_URL", "VOTEHALL_ADMIN_TOKEN"} <= set(env)
    database = re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", env["VOTEHALL_DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    assert database == (
        f"postgresql://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD'].split(':-')[1][:-1]}"
        f"@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    settings = Settings(database_url=database, redis_url=env["VOTEHALL_REDIS_URL"])
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert env["VOTEHALL_REDIS_URL"].startswith("redis://redis:6379")
    assert "VOTEHALL_ADMIN_TOKEN:?" in env["VOTEHALL_ADMIN_TOKEN"]  # compose refuses to start without it
    # The workers' shared metrics directory is one the image makes and gives to its user.
    assert env["PROMETHEUS_MULTIPROC_DIR"] in " ".join(instruction("RUN"))


def test_compose_puts_caddy_in_front_as_the_one_trusted_proxy() -> None:
    document = compose()
    services = document["services"]
    caddy, server = services["caddy"], services["server"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert (ROOT / "deploy" / "Caddyfile").exists()
    assert caddy["environment"]["VOTEHALL_UPSTREAM"] == "server:8000" and "8000" in server["expose"]
    assert "ports" not in server  # no way around the proxy
    address = caddy["networks"]["default"]["ipv4_address"]
    assert server["environment"]["VOTEHALL_TRUSTED_PROXIES"] == address
    (subnet,) = document["networks"]["default"]["ipam"]["config"]
    assert ip_address(address) in ip_network(subnet["subnet"])
    assert Settings(trusted_proxies=address).trusted_proxies == address


def test_compose_keeps_the_database_in_a_named_volume() -> None:
    document = compose()
    (mount,) = document["services"]["postgres"]["volumes"]
    volume, path = mount.split(":")
    assert path == "/var/lib/postgresql/data" and volume in document["volumes"]


@pytest.mark.parametrize("argv", [["votehall", "serve", "--no-such-option"], ["votehall", "serv"]])
def test_the_command_check_catches_a_wrong_command(argv: list[str]) -> None:
    with pytest.raises(Exception, match="No such"):
        parse_command(argv)
