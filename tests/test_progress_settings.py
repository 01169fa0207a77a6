"""The status thresholds of the progress settings stay in order (on track > moderate > limited) and
within their bounds, whether an admin changes one on the form or the targets file loads them."""

from __future__ import annotations

import re

import pytest

from tests.test_progress_pages import staff_client

ENGLISH = {"Accept-Language": "en"}


def _post(client, key: str, value: str):
    return client.post(
        f"/so/chi-tieu/cai-dat/{key}",
        data={"value": value, "reading_vi": "Đọc thử", "reading_en": "A try"},
        headers=ENGLISH,
    )


def _field_error(page: str) -> str:
    found = re.search(r'id="value-error"[^>]*>([^<]*)<', page)
    assert found, "no error on the value field"
    return found.group(1)


@pytest.mark.parametrize(
    "key, value, said",
    [
        ("status_moderate", "-1", "must be between 0 and 2"),  # the audit's case: moderate −1 with limited 0
        ("status_moderate", "0", "must be greater than “Ratio for limited progress”, which is 0."),
        ("status_moderate", "0.95", "must be less than “Ratio for substantial progress”, which is 0.95."),
        ("status_limited", "0,7", "must be less than “Ratio for moderate progress”, which is 0.6."),
        ("status_substantial", "0.6", "must be greater than “Ratio for moderate progress”, which is 0.6."),
        ("status_substantial", "5", "must be between 0.5 and 2"),
        ("status_limited", "-3", "must be between -1 and 2"),
    ],
)
def test_thresholds_out_of_order_or_bounds_are_refused_on_the_field_keeping_what_was_typed(
    province, client, key, value, said
):
    from app.extensions import db
    from app.models import AuditEvent

    staff_client(province, client, role="admin")
    refused = _post(client, key, value)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and said in _field_error(page)
    assert f'value="{value}"' in page and "Đọc thử" in page and "A try" in page  # what the admin typed stays
    assert "stay in order" in page  # the page says so before anyone tries
    with province.app_context():
        assert db.session.query(AuditEvent).filter_by(entity_type="indicator_setting", action="update").count() == 0


def test_thresholds_in_order_are_saved_one_at_a_time(province, client):
    from app.indicator_settings import _read

    staff_client(province, client, role="admin")
    assert _post(client, "status_moderate", "0.3").status_code == 302
    assert _post(client, "status_limited", "-0.2").status_code == 302
    assert _post(client, "status_substantial", "0.8").status_code == 302
    with province.app_context():
        s = _read()
        assert (float(s.status_substantial), float(s.status_moderate), float(s.status_limited)) == (0.8, 0.3, -0.2)


def test_the_targets_file_may_not_load_thresholds_out_of_order(province):
    from app import audit
    from app.indicator_settings import SettingError, load_from_file

    with province.app_context():
        with pytest.raises(SettingError) as refused:
            load_from_file({"status_limited": {"value": "0.8"}}, replace=True, actor=audit.CLI)
        assert refused.value.field == "status_limited" and "0.6" in refused.value.message
