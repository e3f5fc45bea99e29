"""docker-compose.yml as an operator gets it: `docker-compose config` (Debian's docker-compose,
which parses and validates without a Docker engine) with `.env.example` copied to `.env`, as
the README says, and again with a `.env` that sets every folder elsewhere. The portal's
folders must lie on volumes whatever `.env` holds, static files must be where the image
collected them, only the proxy may be reachable from outside, and the README's deployment
tables must say what the file does."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml
from django.conf import settings

from tests.conftest import _missing

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text()
PORTAL_SERVICES = {"web", "worker", "beat", "backup"}
FOLDER_VARIABLES = ("PRIVATE_MEDIA_ROOT", "BACKUP_DIR", "VAR_DIR")
# A .env whose every folder points elsewhere, and which holds a backup key.
HOSTILE_ENV = """
VAR_DIR=/srv/dit-portal/var
PRIVATE_MEDIA_ROOT=/srv/dit-portal/private
STATIC_ROOT=/srv/dit-portal/static
BACKUP_DIR=/srv/dit-portal/backups
BACKUP_KEY=a-key-only-the-backup-service-may-read
"""


def compose_config(folder, env_text):
    """The effective configuration, every profile included, as docker-compose resolves it."""
    if not shutil.which("docker-compose"):
        _missing("needs Debian's docker-compose (apt-get install docker-compose)")
    for name in ("docker-compose.yml", "Caddyfile", "Dockerfile"):
        shutil.copy(ROOT / name, folder / name)
    (folder / ".env").write_text(env_text)
    # Only PATH: variables of the test's own environment (SITE_URL, ...) must not take part.
    result = subprocess.run(
        ["docker-compose", "--profile", "ops", "config"],  # noqa: S607
        cwd=folder,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module", params=["env-example", "env-with-other-folders"])
def config(request, tmp_path_factory):
    env_text = (ROOT / ".env.example").read_text()
    if request.param == "env-with-other-folders":
        env_text += HOSTILE_ENV
    return compose_config(tmp_path_factory.mktemp(request.param), env_text)


def mounts(service):
    """(source, target) of each volume of a service, short or long syntax."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        found.append((source, PurePosixPath(target)))
    return found


def mount_holding(service, folder):
    """The mount whose target holds `folder` (the deepest one), or None."""
    folder = PurePosixPath(folder)
    holding = [(source, target) for source, target in mounts(service) if folder.is_relative_to(target)]
    return max(holding, key=lambda mount: len(mount[1].parts), default=None)


def published(service):
    """(host address, host port, container port) of each published port."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, str):
            parts = port.split("/")[0].split(":")
            host_ip = parts[0] if len(parts) == 3 else ""
            found.append((host_ip, parts[-2] if len(parts) > 1 else "", parts[-1]))
        else:
            found.append((port.get("host_ip", ""), str(port.get("published", "")), str(port["target"])))
    return found


def dockerfile_instructions():
    """(instruction, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def readme_section(title):
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def readme_table(section, first_header):
    """Rows of the Markdown table whose header starts with `first_header`, as lists of cells."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_compose_file_is_valid_and_has_the_services_the_readme_names(config):
    documented = [
        row[0].strip("`") for row in readme_table(readme_section("Deployment with Docker Compose"), "service")
    ]
    assert sorted(documented) == sorted(config["services"])
    assert {name for name, service in config["services"].items() if "build" in service} == PORTAL_SERVICES

    # Every service a README command names exists, and every profile it names is declared.
    deployment_text = readme_section("Deployment with Docker Compose") + readme_section("Backups")
    named = set()
    for command in re.findall(r"docker compose ([^`#\n]+)", deployment_text):
        words = [word for word in shlex.split(command) if not word.startswith("-")]
        subcommand, arguments = words[0], words[1:]
        if subcommand in ("run", "exec"):
            named.add(arguments[0])
        elif subcommand in ("up", "stop", "start", "restart", "logs", "pull", "build"):
            named.update(arguments)
    assert named >= {"web", "backup", "postgres", "redis"}
    assert named <= set(config["services"])
    # The restore recipe reads the archive from the folder the backup service keeps in ./backups.
    archive = PurePosixPath(
        re.search(r"docker compose run --rm backup python manage.py restore (\S+)", deployment_text)[1]
    )
    source, target = mount_holding(config["services"]["backup"], archive)
    assert PurePosixPath(source).name == "backups" and target == PurePosixPath(
        config["services"]["backup"]["environment"]["BACKUP_DIR"]
    )
    profiles = set(re.findall(r"profile `(\w+)`", deployment_text))
    assert profiles == {"ops"}
    assert config["services"]["backup"]["profiles"] == ["ops"]


def test_the_portals_folders_lie_on_volumes_shared_by_every_portal_service(config):
    services = config["services"]
    declared_volumes = set(config.get("volumes", {}))
    private_volumes = set()
    for name in PORTAL_SERVICES:
        environment = services[name]["environment"]
        for variable in FOLDER_VARIABLES:
            mount = mount_holding(services[name], environment[variable])
            assert mount is not None, f"{name}: {variable}={environment[variable]} is on no volume"
            source, _ = mount
            assert source in declared_volumes or source.startswith("/"), (name, variable, source)
        private_volumes.add(mount_holding(services[name], environment["PRIVATE_MEDIA_ROOT"])[0])
    # The worker renders certificates the web service serves: one volume for all.
    assert private_volumes == {"private-files"}
    # The backup service writes its archives to ./backups on the host.
    source, _ = mount_holding(services["backup"], services["backup"]["environment"]["BACKUP_DIR"])
    assert PurePosixPath(source).name == "backups" and source.startswith("/")


def test_static_files_are_served_from_where_the_image_collected_them(config):
    instructions = dockerfile_instructions()
    image_env = {}
    collect_index = None
    for index, (instruction, arguments) in enumerate(instructions):
        if instruction == "ENV":
            image_env.update(word.split("=", 1) for word in shlex.split(arguments))
        if instruction == "RUN" and "collectstatic" in arguments:
            collect_index = index
            collected_into = image_env["STATIC_ROOT"]
            assert "STATIC_ROOT=" not in arguments  # it collects into the image's STATIC_ROOT
    assert collect_index is not None
    for name in PORTAL_SERVICES:
        service = config["services"][name]
        assert service["environment"]["STATIC_ROOT"] == collected_into
        # No volume hides (or keeps an old copy of) what the image collected.
        assert mount_holding(service, collected_into) is None
        # The compose file's folders are the image's own.
        for variable in ("VAR_DIR", "PRIVATE_MEDIA_ROOT"):
            assert service["environment"][variable] == image_env[variable]


def test_the_readme_folder_table_is_what_the_file_sets(config):
    rows = readme_table(readme_section("Deployment with Docker Compose"), "folder")
    documented = set()
    for folder, variable, names, kept_on in rows:
        folder, variable = folder.strip("`"), variable.strip("`")
        for name in (name.strip() for name in names.split(",")):
            service = config["services"][name]
            assert service["environment"][variable] == folder, (name, variable)
            documented.add((name, variable))
            mount = mount_holding(service, folder)
            if kept_on.startswith("the image"):
                assert mount is None
            elif kept_on.startswith("the volume"):
                assert mount[0] == re.search(r"`([\w-]+)`", kept_on).group(1)
            else:
                host_folder = re.search(r"`\./([\w-]+)`", kept_on).group(1)
                assert PurePosixPath(mount[0]).name == host_folder
    assert documented == {
        (name, variable) for name in PORTAL_SERVICES for variable in (*FOLDER_VARIABLES, "STATIC_ROOT")
    }


def test_only_the_proxy_is_reachable_from_outside(config):
    services = config["services"]
    outside = {
        name for name, service in services.items() for host_ip, _, _ in published(service) if host_ip != "127.0.0.1"
    }
    assert outside == {"proxy"}
    assert {(port, target) for _, port, target in published(services["proxy"])} == {("80", "80"), ("443", "443")}
    # gunicorn publishes nothing, not even on the loopback: the proxy is the way in.
    gunicorn_port = services["web"]["environment"]["GUNICORN_BIND"].rsplit(":", 1)[1]
    assert not published(services["web"])
    assert all(target != gunicorn_port for service in services.values() for _, _, target in published(service))
    # The proxy serves the site named by SITE_URL, passes to web, refuses big bodies, and
    # has no admin endpoint; the portal trusts exactly one proxy's X-Forwarded-For.
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert services["proxy"]["environment"]["SITE_URL"] == services["web"]["environment"]["SITE_URL"]
    assert re.search(r"^\{\$SITE_URL\} \{$", caddyfile, re.MULTILINE)
    assert re.search(rf"reverse_proxy \{{\$PORTAL_UPSTREAM:web:{gunicorn_port}\}}", caddyfile)
    assert re.search(r"request_body \{\s*max_size \d+MB\s*\}", caddyfile)
    assert re.search(r"^\s*admin off$", caddyfile, re.MULTILINE)
    project_folder = PurePosixPath(services["web"]["build"]["context"])
    assert (str(project_folder / "Caddyfile"), PurePosixPath("/etc/caddy/Caddyfile")) in mounts(services["proxy"])
    for name in PORTAL_SERVICES:
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_healthchecks_ask_readiness_celery_and_the_beat_heartbeat(config):
    services = config["services"]
    web = services["web"]["healthcheck"]["test"]
    assert web[:4] == ["CMD", "python", "-m", "dit_portal.healthcheck"] and web[4] == "web"
    url = web[5]
    gunicorn_port = services["web"]["environment"]["GUNICORN_BIND"].rsplit(":", 1)[1]
    assert url == f"http://127.0.0.1:{gunicorn_port}/health/ready/"
    worker = services["worker"]["healthcheck"]["test"]
    assert worker[0] == "CMD-SHELL" and re.fullmatch(
        r"celery -A dit_portal inspect ping --destination celery@\$\$HOSTNAME --timeout \d+", worker[1]
    )
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "-m", "dit_portal.healthcheck", "beat"]
    # The proxy waits for a ready web service.
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_backup_key_reaches_the_backup_service_only(tmp_path):
    config = compose_config(tmp_path, (ROOT / ".env.example").read_text() + HOSTILE_ENV)
    keys = {name: service.get("environment", {}).get("BACKUP_KEY") for name, service in config["services"].items()}
    assert keys["backup"] == "a-key-only-the-backup-service-may-read"
    assert {name for name, key in keys.items() if key} == {"backup"}
    assert config["services"]["backup"]["command"] == "python manage.py backup"
