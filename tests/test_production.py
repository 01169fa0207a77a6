"""Production refuses to start with a setting that would leave it open, naming each one; `flask check
--production` prints the same list without starting (app/production.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.production import UnsafeConfiguration
from tests.factories import production_settings

ROOT = Path(__file__).resolve().parents[1]


def test_safe_production_settings_start(tmp_path):
    app = create_app(production_settings(tmp_path))
    assert app.config["APP_ENV"] == "production"


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY"),
        ({"PUBLIC_BASE_URL": "http://doanhnghiep.example.vn"}, "PUBLIC_BASE_URL"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"DEPARTMENT_EMAIL": "sokhcn@daklak.gov.vn"}, "DEPARTMENT_EMAIL"),
        ({"TASK_QUEUE": "redis://127.0.0.1:6379/1"}, "TASK_QUEUE"),
        ({"PAGE_CACHE_URL": "redis://10.0.0.5:6379/2"}, "PAGE_CACHE_URL"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, "RATELIMIT_STORAGE_URI"),
        ({"PASSWORD_HASHING": "argon2id-cheap"}, "PASSWORD_HASHING"),
    ],
)
def test_each_unsafe_setting_stops_production_and_is_named(tmp_path, override, named):
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(production_settings(tmp_path, **override))
    assert len(refused.value.problems) == 1 and named in refused.value.problems[0]


def test_every_problem_is_listed_at_once(tmp_path):
    settings = production_settings(tmp_path, SECRET_KEY="", PUBLIC_BASE_URL="", RATELIMIT_STORAGE_URI="memory://")
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(settings)
    assert len(refused.value.problems) == 3


def test_a_redis_private_to_the_machine_is_accepted_when_said_so(tmp_path):
    unsafe = {"TASK_QUEUE": "redis://127.0.0.1:6379/1", "PAGE_CACHE_URL": "redis://127.0.0.1:6379/2"}
    create_app(production_settings(tmp_path, REDIS_IS_PRIVATE=True, **unsafe))
    create_app(production_settings(tmp_path, TASK_QUEUE="redis://:secret@127.0.0.1:6379/1"))


def test_development_keeps_its_conveniences(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def _flask(args, env, cwd):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("DEPARTMENT_", "TEST_"))}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flask_check_production_lists_the_problems_without_starting(tmp_path):
    env = {"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "", "PUBLIC_BASE_URL": ""}
    result = _flask(["check", "--production"], env, ROOT)
    assert result.returncode != 0
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI", "DEPARTMENT_NAME_VI"):
        assert name in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

    fixed = {k: str(v) for k, v in production_settings(tmp_path).items()}
    result = _flask(["check", "--production"], fixed, ROOT)
    assert result.returncode == 0, result.stderr
    assert "none unsafe" in result.stdout and "all sound" in result.stdout


def test_the_worker_refuses_to_start_with_unsafe_settings(tmp_path):
    env = {"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "change-me"}
    result = _flask(["worker"], env, ROOT)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_instance_files_are_private(tmp_path):
    from app.database import write_intent
    from app.extensions import db
    from app.mail import send_email

    instance = tmp_path / "instance"
    app = create_app(
        {"INSTANCE_PATH": str(instance), "DATABASE_URL": f"sqlite:///{instance}/app.db", "TASK_QUEUE": "sqlite"}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        with write_intent():
            send_email("chu@example.vn", "Thử", "Nội dung")
            db.session.commit()
        queue = app.extensions["tasks"].huey
        queue.execute(queue.dequeue())
    assert instance.stat().st_mode & 0o777 == 0o700
    files = [p for p in instance.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"app.db", "tasks.db", "secret_key"} and any(p.suffix == ".eml" for p in files)
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others"
    assert (instance / "mail").stat().st_mode & 0o077 == 0


def test_the_production_entry_point_loads_as_gunicorn_loads_it(tmp_path):
    """`gunicorn wsgi:app` imports wsgi.py: a module it names that was renamed stops every worker."""
    fixed = {k: str(v) for k, v in production_settings(tmp_path).items()}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DEPARTMENT_", "TEST_"))}, **fixed}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi; print(wsgi.app.name, wsgi.app.config['APP_ENV'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["app", "production"]
