"""The deployment files in deploy/ and docs/deploy.md: every `hearth` command line in them is
one the real `hearth` accepts, the compose file and the systemd units hang together, the
proxies upgrade the web chat's socket, and the configuration example loads.

No Docker, systemd or nginx is needed: each command line is given to the Typer app with
`--help` appended (an unknown option or command still fails; nothing runs), the files are
parsed as YAML, INI and text."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.cli.root import app
from hearthkeeper.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
DOC = ROOT / "docs" / "deploy.md"
ROUTES = ROOT / "src" / "hearthkeeper" / "carriers" / "webchat" / "routes.py"
HEARTH_SERVICES = ("migrate", "web1", "web2", "engine")
INSTANCE = {"hearth-web@.service": "8001", "hearth-engine@.service": "1"}  # a sample %i


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string((UNITS / name).read_text(encoding="utf-8"), source=name)
    return parser


def accepted(args: list[str]) -> None:
    """`hearth ARGS --help` exits 0: the command exists and takes every option given."""
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"`hearth {shlex.join(args)}` is refused:\n{result.output}"


# --- every command line is a real `hearth` command ------------------------------------------


def compose_commands() -> Iterator[tuple[str, list[str]]]:
    for name, service in compose()["services"].items():
        if service.get("image") == "hearthkeeper:local" and "command" in service:
            command = service["command"]
            yield name, command if isinstance(command, list) else shlex.split(command)


def test_every_hearth_service_runs_the_image() -> None:
    services = compose()["services"]
    assert [name for name, _ in compose_commands()] == list(HEARTH_SERVICES)
    assert all(
        services[name]["build"]["dockerfile"] == "deploy/Dockerfile" for name in HEARTH_SERVICES
    )


@pytest.mark.parametrize(("service", "args"), list(compose_commands()))
def test_compose_commands_are_hearth_commands(service: str, args: list[str]) -> None:
    accepted(args)


def test_the_image_runs_hearth_and_its_default_command_is_one() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])$", text, re.MULTILINE)
    command = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert entrypoint is not None and command is not None
    assert json.loads(entrypoint.group(1)) == ["hearth"]
    accepted(json.loads(command.group(1)))
    assert re.search(r"^FROM python:3\.1[12]-slim", text, re.MULTILINE)
    assert 'pip install --no-cache-dir ".[postgres]"' in text  # psycopg for PostgreSQL


def unit_commands() -> Iterator[tuple[str, list[str]]]:
    for path in sorted(UNITS.glob("*.service")):
        line = unit(path.name)["Service"]["ExecStart"]
        yield path.name, shlex.split(line.replace("%i", INSTANCE.get(path.name, "1")))


@pytest.mark.parametrize(("name", "argv"), list(unit_commands()))
def test_unit_exec_start_is_a_hearth_command(name: str, argv: list[str]) -> None:
    assert Path(argv[0]).name == "hearth", f"{name} runs {argv[0]}, not hearth"
    assert Path(argv[0]).is_absolute()  # systemd wants the full path
    accepted(argv[1:])


def doc_commands() -> Iterator[list[str]]:
    """The `hearth` command lines in docs/deploy.md's code blocks: `hearth …`,
    `/opt/hearth/bin/hearth …` after any wrapper (`systemd-run …`), and `docker compose run
    [options] SERVICE ARGS` (the image's entry point is `hearth`)."""
    blocks = re.findall(r"```(?:sh|console)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line.split(" #")[0])
            if words[:3] == ["docker", "compose", "run"]:
                rest = [w for w in words[3:] if not w.startswith("-")]
                if rest[1:]:
                    yield rest[1:]
                continue
            for at, word in enumerate(words):
                if (word == "hearth" and at == 0) or word.endswith("/bin/hearth"):
                    yield words[at + 1 :]
                    break


def test_the_guide_shows_hearth_commands() -> None:
    assert len(list(doc_commands())) >= 3


@pytest.mark.parametrize("args", list(doc_commands()), ids=shlex.join)
def test_hearth_commands_in_the_guide_are_real(args: list[str]) -> None:
    accepted(args)


# --- compose.yaml ----------------------------------------------------------------------------


def test_compose_has_postgres_migrate_two_web_nodes_engines_and_a_proxy() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for web in ("web1", "web2"):
        assert services[web]["command"][:3] == ["serve", "--role", "web"]
    assert services["engine"]["command"] == ["serve", "--role", "engine"]
    assert services["engine"]["deploy"]["replicas"] >= 2
    assert "ports" not in services["engine"]  # an engine opens no port
    for name in ("web1", "web2", "engine"):
        after = services[name]["depends_on"]
        assert after["migrate"]["condition"] == "service_completed_successfully"
        assert after["postgres"]["condition"] == "service_healthy"
    published = [name for name, service in services.items() if "ports" in service]
    assert published == ["proxy"]  # browsers reach the web nodes through the proxy only


def test_every_hearth_container_shares_the_data_volume_and_the_database() -> None:
    services = compose()["services"]
    for name in HEARTH_SERVICES:
        service = services[name]
        data_dir = service["environment"]["HEARTH_DATA_DIR"]
        assert f"hearth-data:{data_dir}" in service["volumes"], name
        assert service["environment"]["HEARTH_DATABASE_URL"].startswith("postgresql://"), name
        assert "@postgres:5432/" in service["environment"]["HEARTH_DATABASE_URL"]
    assert "hearth-data" in compose()["volumes"]


def test_the_proxy_reaches_each_web_node_on_the_port_it_serves() -> None:
    text = (DEPLOY / "nginx-compose.conf").read_text(encoding="utf-8")
    services = compose()["services"]
    upstream = re.findall(r"^\s*server (\S+):(\d+)\b", text, re.MULTILINE)
    assert sorted(upstream) == [("web1", "8000"), ("web2", "8000")]
    for host, port in upstream:
        command = services[host]["command"]
        assert command[command.index("--port") + 1] == port
        assert command[command.index("--host") + 1] == "0.0.0.0"
    mount = "./nginx-compose.conf:/etc/nginx/conf.d/default.conf:ro"
    assert mount in services["proxy"]["volumes"]


def test_the_proxy_is_the_trusted_proxy_of_the_configuration_and_it_loads() -> None:
    path = DEPLOY / "hearth.toml"
    env = {"HEARTH_DATABASE_URL": "postgresql://hearth:x@postgres:5432/hearth"}
    settings = load_settings(path, env, ROOT, CARRIERS)  # validated like `hearth serve` does
    proxy = compose()["services"]["proxy"]["networks"]["edge"]["ipv4_address"]
    assert settings.server.trusted_proxies == (proxy,)
    subnet = compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert proxy.startswith(subnet.rsplit(".", 1)[0] + ".")
    assert settings.playbooks == ((DEPLOY / "playbooks" / "playbook.yaml").resolve(),)
    mounted = compose()["services"]["web1"]["volumes"]
    assert "./playbooks:/etc/hearth/playbooks:ro" in mounted
    assert "./hearth.toml:/etc/hearth/hearth.toml:ro" in mounted


# --- the reverse proxies ---------------------------------------------------------------------


def socket_path() -> str:
    """The web chat's WebSocket route, from its source, with a sample invite code."""
    found = re.findall(r'@router\.websocket\("([^"]+)"\)', ROUTES.read_text(encoding="utf-8"))
    assert len(found) == 1
    return found[0].replace("{code}", "Xk3-_aZ9")


def locations(text: str) -> dict[str, str]:
    """Each `location` of an nginx file: its match → its body (comments left out)."""
    text = re.sub(r"#.*", "", text)
    found = re.finditer(r"\blocation ([^{]+)\{(.*?)\}", text, re.S)
    return {m.group(1).strip(): m.group(2) for m in found}


@pytest.mark.parametrize("name", ["nginx.conf", "nginx-compose.conf"])
def test_proxy_upgrades_the_web_chat_socket_and_forwards_the_client(name: str) -> None:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    path = socket_path()
    sockets = [(match[2:], body) for match, body in locations(text).items()
               if match.startswith("~ ") and re.search(match[2:], path)]  # fmt: skip
    assert len(sockets) == 1, f"{name}: no one location matches {path}"
    pattern, socket = sockets[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in socket
    assert "proxy_set_header Connection $connection_upgrade;" in socket
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", text)
    assert "proxy_http_version 1.1;" in text
    assert not re.search(pattern, "/chat/Xk3/upload")  # only the socket is upgraded
    for body in locations(text).values():  # headers do not inherit into a location that sets one
        assert "proxy_pass http://hearth_web;" in body
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in body
        assert "proxy_set_header Host $http_host;" in body  # the socket compares Origin with it
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size is not None and int(size.group(1)) > 5  # a 5 MiB picture and its form


def test_the_systemd_proxy_reaches_the_web_units_of_the_guide() -> None:
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    ports = re.findall(r"^\s*server 127\.0\.0\.1:(\d+)\b", text, re.MULTILINE)
    assert ports == ["8001", "8002"]
    guide = DOC.read_text(encoding="utf-8")
    for port in ports:
        assert f"hearth-web@{port}" in guide


# --- the systemd units -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hearth-web@.service", "hearth-engine@.service"])
def test_units_restart_read_the_environment_file_and_are_hardened(name: str) -> None:
    parsed = unit(name)
    service = parsed["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/hearth/hearth.env"
    assert service["User"] == "hearth"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/hearth"  # the shared data directory only
    assert parsed["Unit"]["PartOf"] == "hearth.target"
    assert parsed["Install"]["WantedBy"] == "hearth.target"


def test_units_listen_as_the_guide_and_proxy_expect() -> None:
    web = unit("hearth-web@.service")["Service"]["ExecStart"]
    assert "--role web" in web and "--port %i" in web and "--host 127.0.0.1" in web
    engine = unit("hearth-engine@.service")["Service"]["ExecStart"]
    assert "--role engine" in engine and "--port" not in engine
    target = unit("hearth.target")
    assert target["Install"]["WantedBy"] == "multi-user.target"
    example = (UNITS / "hearth.env.example").read_text(encoding="utf-8")
    for variable in ("HEARTH_CONFIG", "HEARTH_DATABASE_URL", "HEARTH_DATA_DIR"):
        assert f"\n{variable}=" in example


# --- docs/deploy.md --------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}  # fmt: skip


def test_deploy_guide_links_resolve() -> None:
    text = re.sub(r"```.*?```", "", DOC.read_text(encoding="utf-8"), flags=re.S)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # an outside address
        target, _, anchor = link.partition("#")
        path = (DOC.parent / target).resolve() if target else DOC
        assert path.exists(), f"docs/deploy.md links to {link}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"docs/deploy.md links to {link}: no such heading"


def test_readme_lists_the_deploy_guide() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_guide_names_every_deploy_file() -> None:
    guide = DOC.read_text(encoding="utf-8")
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert path.relative_to(ROOT).as_posix() in guide, f"{path} is not in docs/deploy.md"
