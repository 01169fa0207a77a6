"""Every setting of the application, declared once with its default and what it does.

Values come, in order of precedence, from: the ``test_config`` mapping given to
``create_app``, environment variables of the same name, ``instance/config.py``, and the
defaults below.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SECRET_KEY = "change-me"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "APP_ENV",
        "development",
        "development or production; production turns on secure cookies, HSTS and refuses a default secret key.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions and tokens. Development makes one in instance/secret_key; production requires it.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL; empty means SQLite at instance/app.db. PostgreSQL: postgresql+psycopg://user@host/db.",
    ),
    Setting("SQLITE_BUSY_TIMEOUT_MS", 15000, "How long an SQLite writer waits for the lock before failing."),
    Setting(
        "SQLITE_CACHE_MB",
        256,
        "Most page cache an SQLite connection keeps (no more than the database's size): the indexes stay in memory.",
    ),
    Setting(
        "SQLITE_MMAP_MB",
        1024,
        "Most of the SQLite database a connection maps into memory (no more than its size): reads without copies.",
    ),
    Setting(
        "SQLITE_CHECK_UPGRADES",
        False,
        "Raise, instead of logging, when a read transaction on SQLite turns writer (the tests turn it on).",
    ),
    Setting(
        "PASSWORD_HASHING",
        "argon2id",
        "argon2id (the library's recommended cost), or argon2id-cheap: a minimal cost for the test suite only, refused in production.",
    ),
    Setting(
        "PUBLIC_BASE_URL",
        "",
        "The site's public address, https://… (required in production): every link in an e-mail, and every absolute link, is built from it, never from the request's Host header. Empty in development: http://127.0.0.1:5000.",
    ),
    Setting(
        "TRUSTED_HOSTS",
        "",
        "Host names the site answers to, comma-separated (others get 400); empty means the host of PUBLIC_BASE_URL in production, any in development.",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "How many reverse proxies (nginx, a load balancer) stand before the site: their X-Forwarded-For/-Proto/-Host are trusted for the client's address (rate limits) and the scheme. 0: none, the headers are ignored.",
    ),
    Setting("REGION_PROVINCE_CODE", "66", "Province (Decision 19/2025 code) the deployment serves."),
    Setting(
        "REGION_FORMER_PROVINCE",
        "Phú Yên (54)",
        "Limit to the communes of one former province (as named in the communes file); empty serves the whole province.",
    ),
    Setting("REGION_NAME_VI", "Phú Yên (cũ), tỉnh Đắk Lắk", "Name of the region shown on the site, in Vietnamese."),
    Setting("REGION_NAME_EN", "former Phú Yên, Đắk Lắk province", "Name of the region shown on the site, in English."),
    # Who runs the site: shown in the footer, on the contact page and in the privacy notice (as the
    # controller of personal data). The defaults are the demo province's: every deployment sets its own.
    Setting(
        "DEPARTMENT_NAME_VI",
        "Sở Khoa học và Công nghệ tỉnh Đắk Lắk",
        "The department that runs the site and controls its personal data, in Vietnamese.",
    ),
    Setting(
        "DEPARTMENT_NAME_EN",
        "Department of Science and Technology of Đắk Lắk Province",
        "The department that runs the site, in English.",
    ),
    Setting(
        "DEPARTMENT_ADDRESS_VI",
        "Số 15 Lê Duẩn, phường Buôn Ma Thuột, tỉnh Đắk Lắk",
        "The department's postal address, in Vietnamese (where written data requests go).",
    ),
    Setting(
        "DEPARTMENT_ADDRESS_EN",
        "15 Lê Duẩn Street, Buôn Ma Thuột Ward, Đắk Lắk Province",
        "The department's postal address, in English.",
    ),
    Setting("DEPARTMENT_PHONE", "0262 3852 627", "The department's telephone number, as people dial it."),
    Setting(
        "DEPARTMENT_EMAIL",
        "sokhcn@daklak.gov.vn",
        "The department's e-mail address for questions, corrections and personal-data requests.",
    ),
    Setting(
        "DEPARTMENT_HOURS_VI",
        "Thứ Hai đến Thứ Sáu, 7 giờ 00 – 11 giờ 00 và 13 giờ 30 – 17 giờ 00",
        "When the department answers the telephone and receives visitors, in Vietnamese.",
    ),
    Setting(
        "DEPARTMENT_HOURS_EN",
        "Monday to Friday, 7:00–11:00 and 13:30–17:00",
        "When the department answers the telephone and receives visitors, in English.",
    ),
    Setting(
        "RULES_DIR",
        None,
        "Folder with the department's rule files (size tiers, digital hints, platforms); empty means app/data/rules.",
    ),
    Setting("SURVEYS_DIR", None, "Folder of the versioned survey instruments; empty means surveys/ in the project."),
    Setting(
        "PROGRESS_REFRESH_SECONDS",
        300,
        "Longest the progress figures for today are served after a recorded write before they are computed again (figures as of a past day never change).",
    ),
    Setting(
        "PROGRESS_BACKGROUND_REFRESH",
        True,
        "Serve the stored progress figures for today while a task computes them again after a write; off: compute them in the request.",
    ),
    Setting("PEER_MINIMUM", 5, "Fewest peers (same sector group and size tier) before a peer median is shown."),
    Setting("BABEL_DEFAULT_LOCALE", "vi", "Language used when neither the cookie nor the browser says otherwise."),
    Setting("LANGUAGES", ("vi", "en"), "Languages the site offers."),
    Setting("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh", "Time zone dates are shown in."),
    Setting("MAIL_SERVER", "", "SMTP host; empty writes every message as an .eml file under instance/mail/."),
    Setting("MAIL_PORT", 587, "SMTP port."),
    Setting("MAIL_USE_TLS", True, "Use STARTTLS with the SMTP server."),
    Setting("MAIL_USERNAME", "", "SMTP user name."),
    Setting("MAIL_PASSWORD", "", "SMTP password."),
    Setting(
        "TASK_QUEUE",
        "sqlite",
        "Where background tasks (imports, e-mail, progress figures) wait for `flask worker`: sqlite (instance/tasks.db), a redis://host:6379/0 URL when several machines serve the site, or immediate (run where enqueued: the tests).",
    ),
    Setting("MAIL_DEFAULT_SENDER", "no-reply@chuyendoiso.local", "From: address of the site's e-mails."),
    Setting("RATELIMIT_ENABLED", True, "Turn rate limits on or off (benchmarks switch them off)."),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "Where rate-limit counters live; redis://host:6379 when several processes serve the site.",
    ),
    Setting("LOGIN_RATE_LIMIT", "10 per minute;50 per hour", "Sign-in attempts allowed per client address."),
    Setting("EMAIL_TOKEN_MAX_AGE", 2 * 24 * 3600, "Seconds an e-mail verification link stays valid."),
    Setting("RESET_TOKEN_MAX_AGE", 3600, "Seconds a password-reset link stays valid."),
    Setting("SESSION_IDLE_DAYS", 14, "Days after which an unused sign-in session ends."),
    Setting("PRIVACY_NOTICE_VERSION", "2026-11", "Version of the privacy notice people consent to at registration."),
    Setting(
        "IMPORT_BACKGROUND_BYTES",
        256 * 1024,
        "Imports from the web page of files larger than this (bytes) are checked and committed by a background job whose progress the page shows.",
    ),
    Setting(
        "IMPORT_UNDO_BACKGROUND_ROWS",
        2000,
        "The undo of an import that wrote more records than this runs as a background job whose progress the page shows.",
    ),
    Setting(
        "IMPORT_MAX_ROWS",
        200_000,
        "Most rows an imported file may hold (more: split it); checked from the workbook before it is read.",
    ),
    Setting("IMPORT_MAX_COLUMNS", 64, "Most columns an imported workbook may use."),
    Setting(
        "IMPORT_MAX_UNPACKED_MB", 200, "Largest size an XLSX workbook may unpack to (a few KB can unpack to gigabytes)."
    ),
    Setting(
        "IMPORT_JOB_STALL_SECONDS",
        120,
        "A background import that has not reported progress for this long is shown as stopped and can be started again.",
    ),
    Setting("MAX_CONTENT_LENGTH", 20 * 1024 * 1024, "Largest request body accepted, in bytes (uploads included)."),
    Setting(
        "DOCUMENT_MAX_MB",
        5,
        "Largest document an owner may send with a claim or a certificate (a PDF, or a photo or scan as JPEG, PNG or WebP), in MB.",
    ),
    Setting(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
        ],
        "Responses compressed with gzip or brotli.",
    ),
    Setting(
        "WTF_CSRF_TIME_LIMIT",
        None,
        "CSRF tokens last as long as the session (a long questionnaire page must still submit).",
    ),
    Setting("SEND_FILE_MAX_AGE_DEFAULT", 7 * 24 * 3600, "Seconds browsers may cache static files (CSS, JS, icons)."),
    Setting(
        "PAGE_CACHE_MB",
        64,
        "Memory for whole anonymous pages of the directory (and the API's lists), kept until the registry changes: per worker process, or in all for the Redis cache (PAGE_CACHE_URL); 0 turns the page cache off.",
    ),
    Setting(
        "PAGE_CACHE_URL",
        "",
        "redis://host:6379/0 keeps the page cache in Redis, shared by every worker; empty keeps it in each process.",
    ),
    Setting(
        "PAGE_CACHE_SECONDS",
        600,
        "Longest a cached page or count is served, even when no recorded write changed the registry (reference data reloads, SQL by hand).",
    ),
    Setting(
        "REGISTRY_VERSION_CHECK_MS",
        500,
        "How long a worker trusts the registry version it read before reading it again: cached pages show a write made by another worker or process after at most this long, one made by the same process at once.",
    ),
    Setting(
        "DIRECTORY_INDEX_DIR",
        "",
        "Folder of the directory's index files, shared by the machine's workers (empty: instance/directory-index). Local disk; each app server keeps its own.",
    ),
    Setting(
        "DIRECTORY_INDEX_BUILD",
        "background",
        "background: a worker that needs the directory's index built starts `flask directory index build` in its own process and answers in SQL meanwhile; inline: it builds at once (tests).",
    ),
    Setting(
        "DIRECTORY_INDEX_REFRESH",
        "thread",
        "thread: a thread of each worker brings the directory's index up to date beside the requests; request: the search that finds it out of date does (tests).",
    ),
    Setting(
        "VALUE_CACHE_ENTRIES",
        2000,
        "Results of directory searches (totals and facet counts) kept per worker process until the registry changes; 0 turns it off.",
    ),
    Setting(
        "REDIS_IS_PRIVATE",
        False,
        "Say that the Redis named by TASK_QUEUE, PAGE_CACHE_URL or RATELIMIT_STORAGE_URI listens only on this machine: production then accepts it without a password (tasks and cached pages are signed all the same).",
    ),
    Setting("DEMO_TOTP_HELPER", True, "Allow `flask users totp EMAIL` to print a current code (development only)."),
)


def default_instance_path() -> str:
    """instance/ beside the app package (what Flask would choose), unless INSTANCE_PATH says otherwise."""
    return os.environ.get("INSTANCE_PATH") or str(Path(__file__).resolve().parent.parent / "instance")


def instance_secret_key(instance_path: str) -> str:
    """Return the development secret key kept in instance/, making it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple | list):
        return type(default)(part.strip() for part in raw.split(","))
    return raw


def load_settings(instance_path: str, test_config: dict | None = None) -> dict[str, Any]:
    """Resolve every declared setting from defaults, instance/config.py, env and test_config."""
    values = {s.name: s.default for s in SETTINGS}
    instance_file = Path(instance_path) / "config.py"
    if instance_file.exists():
        scope: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), scope)  # noqa: S102 - operator's own file
        values.update({k: v for k, v in scope.items() if k in values})
    for setting in SETTINGS:
        raw = os.environ.get(setting.name)
        if raw is not None and raw != "":
            values[setting.name] = _coerce(raw, setting.default)
    if test_config:
        values.update(test_config)
    return values


def derive_flask_settings(values: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Turn the declared settings into the keys Flask and its extensions read."""
    production = values["APP_ENV"] == "production"  # its unsafe settings were refused before (app/production.py)
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = instance_secret_key(instance_path)
    if values["PASSWORD_HASHING"] not in ("argon2id", "argon2id-cheap"):
        raise RuntimeError("PASSWORD_HASHING is argon2id (argon2id-cheap only serves the test suite).")
    base = (values["PUBLIC_BASE_URL"] or "").strip().rstrip("/")
    values["PUBLIC_BASE_URL"] = base or "http://127.0.0.1:5000"
    hosts = [h.strip() for h in str(values["TRUSTED_HOSTS"] or "").split(",") if h.strip()]
    if not hosts and production:
        hosts = [urlsplit(base).hostname]
    url = values["DATABASE_URL"] or f"sqlite:///{Path(instance_path) / 'app.db'}"
    derived = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": dict(
            values.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        ),  # PostgreSQL: app/database.py pings idle connections
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUSTED_HOSTS": hosts or None,  # Flask answers 400 to any other Host header
        "DEBUG": False if production else values.get("DEBUG", False),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STORAGE_URI": values["RATELIMIT_STORAGE_URI"],
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
    }
    return {**values, **derived}
