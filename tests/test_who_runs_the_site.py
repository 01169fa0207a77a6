"""Who runs the site: the department's name and contacts (DEPARTMENT_* settings) on every page's
footer, the contact page, the privacy notice (as the data controller) and the help page."""

from __future__ import annotations

import pytest

SETTINGS = {
    "DEPARTMENT_NAME_VI": "Sở Thử nghiệm tỉnh Mẫu",
    "DEPARTMENT_NAME_EN": "Department of Trials of Sample Province",
    "DEPARTMENT_ADDRESS_VI": "Số 9 đường Thử, phường Mẫu",
    "DEPARTMENT_ADDRESS_EN": "9 Thử Street, Mẫu Ward",
    "DEPARTMENT_PHONE": "0262 1234 567",
    "DEPARTMENT_EMAIL": "lienhe@so-thu.example.vn",
}


@pytest.fixture
def configured(app, client):
    app.config.update(SETTINGS)
    return client


@pytest.mark.parametrize(("language", "suffix"), [("vi", "VI"), ("en", "EN")])
def test_contact_page_shows_the_configured_department(configured, language, suffix):
    configured.set_cookie("lang", language)
    page = configured.get("/lien-he").get_data(as_text=True)
    assert SETTINGS[f"DEPARTMENT_NAME_{suffix}"] in page
    assert SETTINGS[f"DEPARTMENT_ADDRESS_{suffix}"] in page
    assert 'href="tel:02621234567"' in page and "0262 1234 567" in page
    assert 'href="mailto:lienhe@so-thu.example.vn"' in page
    other = "EN" if suffix == "VI" else "VI"
    assert SETTINGS[f"DEPARTMENT_NAME_{other}"] not in page
    assert configured.get("/contact").headers["Location"].endswith("/lien-he")


@pytest.mark.parametrize("path", ["/", "/doanh-nghiep", "/tro-giup", "/gioi-thieu"])
def test_every_footer_names_the_department_and_links_help_and_contact(configured, path):
    page = configured.get(path).get_data(as_text=True)
    footer = page[page.index("<footer") :]
    assert SETTINGS["DEPARTMENT_NAME_VI"] in footer and "lienhe@so-thu.example.vn" in footer
    assert 'href="/lien-he"' in footer and 'href="/tro-giup"' in footer and 'href="/quyen-rieng-tu"' in footer


@pytest.mark.parametrize(("language", "suffix", "words"), [("vi", "VI", "72 giờ"), ("en", "EN", "72 hours")])
def test_privacy_notice_names_the_controller_and_how_to_make_a_data_request(configured, language, suffix, words):
    configured.set_cookie("lang", language)
    page = configured.get("/quyen-rieng-tu").get_data(as_text=True)
    assert SETTINGS[f"DEPARTMENT_NAME_{suffix}"] in page  # the data controller
    assert SETTINGS[f"DEPARTMENT_ADDRESS_{suffix}"] in page  # where to write
    assert "lienhe@so-thu.example.vn" in page
    assert 'id="requests"' in page and "13/2023/NĐ-CP" in page and words in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_help_page_answers_each_kind_of_user_and_states_the_scoring_rule(configured, language):
    configured.set_cookie("lang", language)
    page = configured.get("/tro-giup").get_data(as_text=True)
    for anchor in ("claim", "score", "correct", "data-use", "contact-firm"):
        assert f'id="{anchor}"' in page
    # The thresholds come from the counting instrument's file (dbi-sme): 6.25% overall for level 1.
    assert ("6,25%" if language == "vi" else "6.25%") in page
    assert "320" in page  # the points of the six pillars
    assert SETTINGS[f"DEPARTMENT_NAME_{'VI' if language == 'vi' else 'EN'}"] in page  # footer
    assert configured.get("/help").status_code == 301
