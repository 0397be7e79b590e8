"""The Dockerfile's command, environment and file list, run here without Docker (no Docker on CI).

The image cannot be built on this machine, so the test checks what can be checked: the files the image copies
are enough to serve the app and load its offline models, the command it runs serves /_stcore/health, and its
cache variables are the ones the code honours.
"""

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 120  # seconds: a cold start imports torch on a busy 2-core machine
CACHE_VARIABLES = ("TORCH_HOME", "HF_HOME", "NUMBA_CACHE_DIR", "NEURAL_PLAYGROUND_DATA")


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    lines = [line for line in (REPO / "Dockerfile").read_text().splitlines() if not line.startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in rest.split())
    return env


def dockerfile_copies() -> list[str]:
    """The repository paths the image copies (the last COPY argument is the destination)."""
    return [
        src for keyword, rest in dockerfile_instructions() if keyword == "COPY" for src in rest.split()[:-1]
    ]


def dockerfile_cmd() -> list[str]:
    return json.loads(next(rest for keyword, rest in dockerfile_instructions() if keyword == "CMD"))


def dockerfile_healthcheck() -> list[str]:
    """The HEALTHCHECK's command (shell form, after its options), split as the shell would."""
    rest = next(rest for keyword, rest in dockerfile_instructions() if keyword == "HEALTHCHECK")
    return shlex.split(rest.split(" CMD ", 1)[1])


def test_the_image_serves_streamlit_with_the_repos_settings() -> None:
    env = dockerfile_env()
    assert dockerfile_cmd() == ["python", "-m", "serve", "run", "app.py"]  # Streamlit + warm-up
    assert env["STREAMLIT_SERVER_PORT"] == "8501" and env["STREAMLIT_SERVER_ADDRESS"] == "0.0.0.0"
    assert all(env[name].startswith("/cache/") for name in CACHE_VARIABLES)  # all on the one volume
    assert env["NEURAL_PLAYGROUND_THREADS"] == "1"
    assert {
        "requirements.txt",
        "requirements-nodeps.txt",
        ".streamlit",
        "app.py",
        "serve.py",
        "core",
        "ui",
        "pages",
    } <= set(dockerfile_copies())


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    """The files the image copies into /app, laid out the same way in a temporary directory."""
    app = tmp_path / "app"
    app.mkdir()
    for source in dockerfile_copies():
        if (REPO / source).is_dir():
            shutil.copytree(REPO / source, app / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / source, app / source)
    return app


def free_port() -> int:
    """A localhost TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def image_env(tmp_path: Path, port: int) -> dict[str, str]:
    """The image's environment, its cache directories moved under tmp_path, its port to `port`."""
    env = {**os.environ, **dockerfile_env(), "STREAMLIT_SERVER_PORT": str(port)}
    env["STREAMLIT_SERVER_ADDRESS"] = "127.0.0.1"
    for name in CACHE_VARIABLES:
        env[name] = str(tmp_path / "cache" / Path(env[name]).name)
    return env


def test_the_copied_files_load_every_offline_model_and_honour_the_cache_variables(
    image_tree: Path, tmp_path: Path
) -> None:
    env = image_env(tmp_path, 8501)
    done = subprocess.run(
        [sys.executable, "-m", "core", "info"],
        cwd=image_tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    models = json.loads(done.stdout)["pretrained_models"]
    available = {m["name"] for kind in models.values() for m in kind if m["available"]}
    assert {"efficientnet_lite0", "minilm-sst2"} <= available
    resnet = next(m for m in models["image_classifiers"] if m["name"] == "resnet18")
    assert resnet["weights"].startswith(env["TORCH_HOME"])
    distilbert = next(m for m in models["sentiment"] if m["name"] == "distilbert-sst2")
    assert env["HF_HOME"] in distilbert["how_to_get"]


def test_the_images_command_serves_the_health_check_and_the_app(image_tree: Path, tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable if part == "python" else part for part in dockerfile_cmd()]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        command, cwd=image_tree, env=image_env(tmp_path, port), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as reply:
                    assert reply.read() == b"ok"
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server never became healthy"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
            assert reply.status == 200 and b"<html" in reply.read().lower()
        healthcheck = [sys.executable if part == "python" else part for part in dockerfile_healthcheck()]
        env = image_env(tmp_path, port)
        assert subprocess.run(healthcheck, env=env, timeout=30).returncode == 0  # Docker's check passes
        env["STREAMLIT_SERVER_PORT"] = str(free_port())
        failing = subprocess.run(healthcheck, env=env, capture_output=True, timeout=30)
        assert failing.returncode != 0  # and it fails where nothing answers
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
