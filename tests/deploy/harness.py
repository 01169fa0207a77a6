"""The deployment of deploy/, started on this machine as the README describes it.

What runs: the checkout's own systemd units (ExecStart, WorkingDirectory, EnvironmentFile read from
deploy/*.service, with /srv/chuyendoiso replaced by this checkout and %i by a free port), the
environment file example with this machine's database, Redis and mail sink put in, nginx with
deploy/nginx-chuyendoiso.conf (its paths and ports replaced by this machine's), PostgreSQL (a fresh
database on the server of TEST_DATABASE_URL) and Redis (REDIS_URL, the machine's own; three scratch
databases, emptied before and after), and an SMTP sink (aiosmtpd) in this process.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SRV = "/srv/chuyendoiso"
HOST = "doanhnghiep.example.vn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unit(name: str) -> dict[str, str]:
    """The [Service] settings of a unit file of deploy/ (the last of a repeated key)."""
    found = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments, blank lines, quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


class _Sink:
    """An SMTP server that keeps what it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@dataclass
class Deployment:
    tmp: Path
    database_url: str
    redis_url: str
    ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    # -- setting up --------------------------------------------------------------------------------

    def prepare(self) -> None:
        self.sink = _Sink()
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self._database()
        self._empty_redis()
        env_path = self.tmp / "env"
        example = (DEPLOY / "chuyendoiso.env.example").read_text()
        env_path.write_text(example + "\n" + "\n".join(f"{k}={v}" for k, v in self._machine().items()) + "\n")
        web = unit("chuyendoiso-web@.service")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_"))},
            **environment_file(Path(web["EnvironmentFile"].replace("/etc/chuyendoiso/env", str(env_path)))),
        }
        self._certificate()
        self._nginx_config()

    def _machine(self) -> dict[str, str]:
        """What this machine changes in the example: its own services, a secret, the sink."""
        redis_base = self.redis_url.rstrip("/")
        return {
            "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
            "INSTANCE_PATH": str(self.tmp / "instance"),
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": f"{redis_base}/10",
            "TASK_QUEUE": f"{redis_base}/11",
            "PAGE_CACHE_URL": f"{redis_base}/12",
            "REDIS_IS_PRIVATE": "1",  # the machine's Redis listens on 127.0.0.1 only, without a password
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp.port),
            "MAIL_USE_TLS": "0",
            "MAIL_USERNAME": "",
            "MAIL_PASSWORD": "",
            "IMPORT_BACKGROUND_BYTES": "4096",  # the walk's file goes to the worker
            "IMPORT_JOB_STALL_SECONDS": "6",  # a killed worker's job shows as stopped soon
        }

    def _database(self) -> None:
        url = make_url(self.database_url)
        self.db_name = f"deploy_{uuid.uuid4().hex[:8]}"
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        self.database_url = url.set(database=self.db_name).render_as_string(hide_password=False)

    def _empty_redis(self) -> None:
        for n in (10, 11, 12):
            redis.Redis.from_url(f"{self.redis_url.rstrip('/')}/{n}").flushdb()

    def _certificate(self) -> None:
        self.cert, self.key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}"]
            + ["-keyout", str(self.key), "-out", str(self.cert)],
            check=True,
            capture_output=True,
        )

    def _nginx_config(self) -> None:
        site = (DEPLOY / "nginx-chuyendoiso.conf").read_text()
        site = site.replace(SRV, str(ROOT))
        site = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl", site)
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{self.http_port};", site)
        site = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {self.cert};", site)
        site = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {self.key};", site)
        for deployed, here in zip(("8001", "8002"), self.ports, strict=True):
            site = site.replace(f"127.0.0.1:{deployed}", f"127.0.0.1:{here}")
        (self.tmp / "site.conf").write_text(site)
        n = self.tmp / "nginx"
        n.mkdir()
        user = "user root;" if os.geteuid() == 0 else ""
        (n / "nginx.conf").write_text(
            f"""{user}
worker_processes 1;
pid {n}/nginx.pid;
error_log {n}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    log_format walk '$http_x_walk $upstream_addr $status "$request"';
    access_log {n}/access.log walk;
    client_body_temp_path {n}/body;
    proxy_temp_path {n}/proxy;
    fastcgi_temp_path {n}/fastcgi;
    uwsgi_temp_path {n}/uwsgi;
    scgi_temp_path {n}/scgi;
    include {self.tmp}/site.conf;
}}
"""
        )

    def nginx_test(self) -> subprocess.CompletedProcess:
        return subprocess.run(self._nginx_args("-t"), capture_output=True, text=True)

    def _nginx_args(self, *extra: str) -> list[str]:
        n = self.tmp / "nginx"
        return ["nginx", "-p", str(n), "-c", str(n / "nginx.conf"), *extra]

    # -- running -----------------------------------------------------------------------------------

    def flask(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """A command of the README's deployment section, in the units' environment (changed by `env`)."""
        return subprocess.run(
            [str(ROOT / ".venv/bin/flask"), "--app", "app", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def _start(self, name: str, exec_start: str, log: str) -> None:
        argv = [a.replace(SRV, str(ROOT)) for a in shlex.split(exec_start)]
        out = open(self.tmp / log, "ab")  # noqa: SIM115 - kept open for the process's life
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_site(self) -> None:
        web = unit("chuyendoiso-web@.service")
        assert web["WorkingDirectory"] == SRV
        for port in self.ports:
            exec_start = web["ExecStart"].replace("%i", str(port)).replace("--workers 4", "--workers 2")
            self._start(f"web-{port}", exec_start, f"web-{port}.log")
        self.start_worker()
        self.processes["nginx"] = subprocess.Popen(
            self._nginx_args("-g", "daemon off;"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for port in self.ports:
            self._wait_for(port, f"web-{port}.log")
        self._wait_for(self.https_port, None)

    def start_worker(self) -> None:
        self._start("worker", unit("chuyendoiso-worker.service")["ExecStart"], "worker.log")

    def kill_worker(self) -> None:
        """kill -9 of the worker's whole process group: no chance to finish or clean up."""
        process = self.processes.pop("worker")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def _wait_for(self, port: int, log: str | None, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        detail = (self.tmp / log).read_text()[-3000:] if log else ""
        raise AssertionError(f"nothing answers on {port} after {seconds} s\n{detail}")

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace") if path.exists() else ""

    def served_by(self, walk_id: str) -> str:
        """The upstream (127.0.0.1:port) nginx sent the request marked `walk_id` to (nginx logs a request
        once its response is sent: a moment after the client has it)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for line in reversed((self.tmp / "nginx" / "access.log").read_text().splitlines()):
                parts = line.split(" ")
                if parts[0] == walk_id:
                    return parts[1]
            time.sleep(0.05)
        raise AssertionError(f"no request {walk_id} in nginx's log")

    def stop(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM) if process.pid else None
            except ProcessLookupError:
                pass
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.smtp.stop()
        self._empty_redis()
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        self._admin.dispose()
