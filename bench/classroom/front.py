"""Debian's nginx running the repository's deploy/nginx.conf in front of local replicas, for the replica test
(tests/deploy) and the benchmark (bench/classroom/run.py --replicas 2).

The file is used as docs/deploy.md tells an operator to use it: included in an `http` block. Only its three
addresses change: the upstream's two `server` lines become the replicas' loopback ports (one line per
replica, with the same options), and `listen 80` a free loopback port. Everything nginx writes (pid, logs,
temporary files) goes to a scratch folder.
"""

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"
SERVER_LINE = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+( .*;)$", re.MULTILINE)
START_TIMEOUT = 30.0  # seconds for nginx to listen
MAIN = """daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log notice;
events {{ worker_connections 4096; }}
http {{
    access_log {work}/access.log;
    client_body_temp_path {work}/temp/body;
    proxy_temp_path {work}/temp/proxy;
    fastcgi_temp_path {work}/temp/fastcgi;
    uwsgi_temp_path {work}/temp/uwsgi;
    scgi_temp_path {work}/temp/scgi;
    include {work}/playground.conf;
}}
"""


def nginx_binary() -> str | None:
    """Where Debian's nginx is, None if it is not installed (`make test` installs it)."""
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


def rendered_config(replica_ports: list[int], port: int) -> str:
    """deploy/nginx.conf with the replicas at `replica_ports` and the front at `port`, all on loopback."""
    text = CONFIG.read_text()
    lines = list(SERVER_LINE.finditer(text))
    if not lines or "    listen 80;\n" not in text:
        raise ValueError(f"{CONFIG} has no `server 127.0.0.1:PORT ...;` line or no `listen 80;`")
    indent, options = lines[0].group(1), lines[0].group(2)
    servers = "\n".join(f"{indent}server 127.0.0.1:{p}{options}" for p in replica_ports)
    text = text[: lines[0].start()] + servers + text[lines[-1].end() :]  # the listed replicas, in one place
    return text.replace("    listen 80;\n", f"    listen 127.0.0.1:{port};\n")


class NginxFront:
    """nginx with the repository's config in front of `replica_ports`, on its own free loopback port."""

    def __init__(self, replica_ports: list[int], work: Path) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed: `make test` installs Debian's nginx package")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.work = work
        (work / "temp").mkdir(parents=True, exist_ok=True)
        work.chmod(0o777)  # nginx's workers run as `nobody` when it is started as root
        (work / "temp").chmod(0o777)
        (work / "playground.conf").write_text(rendered_config(replica_ports, self.port))
        (work / "nginx.conf").write_text(MAIN.format(work=work))
        self._log = (work / "stderr.log").open("w")
        self.process = subprocess.Popen(
            [binary, "-p", str(work), "-c", str(work / "nginx.conf")], stdout=self._log, stderr=self._log
        )
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.work / 'stderr.log').read_text()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen on {self.port} within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()
