"""The site shell: home page with live counts, languages, headers, error pages, compression."""

from __future__ import annotations

import re

import pytest

from app import create_app
from tests.factories import make_enterprise, production_settings


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_home_is_vietnamese_by_default_with_live_counts(client, app):
    with app.app_context():
        make_enterprise("Công ty TNHH Phần mềm Biển Xanh", main_vsic="6201", is_digital_tech=True)
        make_enterprise("Hợp tác xã Nông nghiệp Hòa Đồng", legal_form="htx", main_vsic="0111")
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert html_lang(response) == "vi"
    assert "Chuyển đổi số doanh nghiệp" in page
    assert re.search(r'<div class="stat-value">2</div>', page)


def test_language_switch_persists_in_a_cookie(client):
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="nav-link lang-switch[^"]*" href="([^"]+)" hreflang="en"', page)
    assert link, "the switch is a link marked with hreflang"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 302
    english = client.get("/")
    assert html_lang(english) == "en"
    assert "Digital transformation of enterprises" in english.get_data(as_text=True)
    assert html_lang(client.get("/gioi-thieu")) == "en"


def test_accept_language_is_the_fallback(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "vi"


def test_language_switch_refuses_foreign_redirects(client):
    response = client.get("/ngon-ngu/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_english_aliases_redirect(client):
    response = client.get("/about?x=1")
    assert response.status_code == 301 and response.headers["Location"] == "/gioi-thieu?x=1"


def test_about_page_credits_every_source(client):
    page = client.get("/gioi-thieu").get_data(as_text=True)
    for source in (
        "open-admin-data/vietnam-administrative-divisions",
        "CC BY 4.0",
        "Tran Ngoc Minh Hieu",
        "MIT",
        "Bootstrap",
    ):
        assert source in page


@pytest.mark.parametrize("lang, text", [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
def test_not_found_page_in_both_languages(client, lang, text):
    client.set_cookie("lang", lang)
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and text in response.get_data(as_text=True)


def test_errors_show_no_stack_trace(app, client):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/_boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_reference_no_third_party(client):
    for path in ("/", "/gioi-thieu", "/dang-nhap", "/dang-ky"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), path


def test_first_visit_is_light(client):
    """HTML plus every stylesheet and script it loads, compressed, stay under 200 KB."""
    headers = {"Accept-Encoding": "gzip, deflate, br"}
    home = client.get("/", headers=headers)
    total = len(home.data)
    page = client.get("/").get_data(as_text=True)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        response = client.get(asset, headers=headers)
        assert response.status_code == 200
        body = b"".join(response.response) if response.is_streamed else response.data
        assert response.headers.get("Content-Encoding") in {"br", "gzip", "deflate", "zstd", None}
        total += len(body)
    assert total < 200_000, total


def test_production_refuses_a_default_secret_key(tmp_path):
    for key in (None, "change-me", "", "short-but-not-default"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(production_settings(tmp_path, SECRET_KEY=key))


def test_production_turns_on_secure_cookies_and_hsts(tmp_path):
    app = create_app(production_settings(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] and not app.debug
    response = app.test_client().get("/khong-co", base_url="https://doanhnghiep.example.vn")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_development_makes_its_own_secret_key(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    assert len(first.config["SECRET_KEY"]) >= 32 and first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_every_setting_is_declared_once_with_help():
    from app.config import SETTINGS

    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names)) and all(s.help for s in SETTINGS)


def test_instance_config_and_environment_override_defaults(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('REGION_NAME_EN = "Test region"\nMAIL_PORT = 2525\n')
    monkeypatch.setenv("MAIL_PORT", "2626")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    assert app.config["REGION_NAME_EN"] == "Test region" and app.config["MAIL_PORT"] == 2626


def test_vnd_and_dates_follow_the_language(app):
    from datetime import date

    from app.i18n import fmt_date, fmt_vnd

    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert fmt_date(date(2026, 11, 5)) == "05/11/2026"
        assert fmt_vnd(1234567).replace("\xa0", " ") == "1.234.567 ₫"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert fmt_date(date(2026, 11, 5)) == "5 Nov 2026"
        assert fmt_vnd(1234567) == "₫1,234,567"


def test_passwords_are_hashed_at_the_production_cost_unless_the_test_suite_asks_otherwise(tmp_path):
    from app.auth.passwords import hash_password

    settings = production_settings(tmp_path)
    with create_app(settings).app_context():
        assert hash_password("một mật khẩu dài").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with pytest.raises(RuntimeError, match="PASSWORD_HASHING"):
        create_app({**settings, "PASSWORD_HASHING": "argon2id-cheap"})
