"""What production refuses: the settings that would leave a deployment open, each named.

`create_app` refuses to build the site (and so gunicorn's workers and `flask worker`) in production
while any problem below remains; `flask check --production` prints the same list without starting.
Development keeps its conveniences (a secret key made in instance/, limits in memory, the demo
department).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from app.config import DEFAULT_SECRET_KEY, SETTINGS

MIN_SECRET_LENGTH = 32  # characters: `secrets.token_hex(32)` gives 64
# who runs the site and how to reach them (office hours may well be the demo's: the usual ones)
DEPARTMENT_SETTINGS = tuple(
    s.name for s in SETTINGS if s.name.startswith("DEPARTMENT_") and not s.name.startswith("DEPARTMENT_HOURS")
)
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def demo_department_settings(values) -> list[str]:
    """The department's contact settings still at the demo's values: production refuses them, and the
    workspace's first-week checklist asks for them."""
    return [name for name in DEPARTMENT_SETTINGS if values.get(name) == _DEFAULTS[name]]


class UnsafeConfiguration(RuntimeError):
    """Production was asked for with settings that would leave it open; the message lists them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"APP_ENV=production refuses to start ({len(problems)} unsafe setting(s)):\n{lines}")


def _redis_without_password(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        return False
    if parts.password:
        return False
    return "password=" not in (parts.query or "")  # unix:///run/redis.sock?password=…


def problems(values: dict[str, Any]) -> list[str]:
    """Every unsafe setting among `values` (the declared settings, as `config.load_settings` resolves
    them), each naming the setting and what to do. Empty: production may start."""
    found = []
    secret = values.get("SECRET_KEY") or ""
    if secret in ("", DEFAULT_SECRET_KEY):
        found.append(
            "SECRET_KEY is missing or the default: set a random one, e.g. `python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    elif len(secret) < MIN_SECRET_LENGTH:
        found.append(
            f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters: it signs sessions, tasks and cached pages."
        )
    base = str(values.get("PUBLIC_BASE_URL") or "").strip()
    if not base.startswith("https://") or not urlsplit(base).hostname:
        found.append("PUBLIC_BASE_URL must be the site's https:// address (links in e-mails are built from it).")
    if str(values.get("RATELIMIT_STORAGE_URI") or "").startswith("memory://"):
        found.append(
            "RATELIMIT_STORAGE_URI keeps rate limits in each process's memory, where several workers each count "
            "apart: set redis://… (with a password) shared by every process."
        )
    if values.get("PASSWORD_HASHING") != "argon2id":
        found.append("PASSWORD_HASHING must be argon2id (argon2id-cheap only serves the test suite).")
    demo = demo_department_settings(values)
    if demo:
        found.append(
            f"{', '.join(demo)} still hold the demo department's values: every deployment names who runs it "
            "(footer, contact page, privacy notice)."
        )
    if not values.get("REDIS_IS_PRIVATE"):
        for name in ("TASK_QUEUE", "PAGE_CACHE_URL", "RATELIMIT_STORAGE_URI"):
            url = str(values.get(name) or "")
            if _redis_without_password(url):
                found.append(
                    f"{name} names a Redis without a password: give it one (redis://:PASSWORD@host:6379/N), "
                    "or set REDIS_IS_PRIVATE=1 if that Redis listens only on this machine."
                )
    return found


def refuse_if_unsafe(values: dict[str, Any]) -> None:
    """Raise UnsafeConfiguration in production while any problem remains."""
    if values.get("APP_ENV") == "production":
        found = problems(values)
        if found:
            raise UnsafeConfiguration(found)
