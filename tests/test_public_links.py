"""Absolute links come from PUBLIC_BASE_URL, never from the request's Host header; only the configured
host names are served; proxies are trusted only as far as configured."""

from __future__ import annotations

import pytest

from app import create_app
from tests.factories import make_user, production_settings

BASE = "https://doanhnghiep.example.vn"


def test_a_forged_host_header_cannot_point_a_reset_link_elsewhere(client, app, outbox):
    app.config["PUBLIC_BASE_URL"] = BASE
    with app.app_context():
        make_user("hoa@example.vn")
    response = client.post("/quen-mat-khau", data={"email": "hoa@example.vn"}, headers={"Host": "evil.example"})
    assert response.status_code == 200
    body = outbox.last().get_body(("plain",)).get_content()
    assert f"{BASE}/dat-lai-mat-khau/" in body and "evil.example" not in body


def test_production_needs_an_https_public_address(tmp_path):
    for base in ("", "http://doanhnghiep.example.vn", "https://"):
        with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
            create_app(production_settings(tmp_path, PUBLIC_BASE_URL=base))


def test_production_answers_only_its_own_host_names(tmp_path):
    app = create_app(production_settings(tmp_path, PUBLIC_BASE_URL=BASE))
    client = app.test_client()
    assert client.get("/gioi-thieu", base_url=BASE).status_code != 400
    assert client.get("/gioi-thieu", base_url="https://evil.example").status_code == 400
    other = create_app(
        production_settings(
            tmp_path, PUBLIC_BASE_URL=BASE, TRUSTED_HOSTS="doanhnghiep.example.vn, www.doanhnghiep.example.vn"
        )
    )
    assert other.test_client().get("/gioi-thieu", base_url="https://www.doanhnghiep.example.vn").status_code != 400


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_through_the_configured_proxies_only(tmp_path, proxies, seen):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.db", "PROXY_COUNT": proxies}
    )

    @app.get("/_whoami")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    answer = (
        app.test_client()
        .get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        .get_json()
    )
    assert answer["addr"] == seen and answer["scheme"] == ("https" if proxies else "http")
