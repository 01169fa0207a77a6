"""The public directory: Vietnamese search, facets, profiles. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import audit
from app.directory import search
from app.directory.owner import set_solutions
from app.extensions import db
from app.models import Enterprise, Listing, Product, ProductCertificate
from app.models.base import utcnow
from app.registry import product_history
from app.registry.services import refresh_search_text, update_enterprise
from app.text import fold
from tests.factories import make_enterprise


@pytest.fixture
def province(app):
    """A handful of enterprises with the traps of Vietnamese search in their names."""
    add_province(app)


def add_xuan_firms() -> None:
    """Eighteen firms named "Xuân …" with every kind of facet value, unknown sizes and founding days,
    and the investors' fields: what the index and SQL must answer alike (test_directory_memory, _live)."""
    for i in range(18):
        make_enterprise(
            f"Công ty {'TNHH' if i % 3 else 'Cổ phần'} Xuân {'Đồng' if i % 2 else 'Hòa'} {i}",
            commune_code=("22015", "22081", "22258")[i % 3],
            legal_form="tnhh2" if i % 3 else "cp",
            main_vsic=("6201", "1020", "5510", "0111")[i % 4],
            employees=None if i % 5 == 0 else i * 3,
            founded_on=None if i % 4 == 0 else date(2001 + i, 1 + i % 12, 1),
            is_digital_tech=i % 4 == 0,
            is_startup=i % 5 == 1,
            stage="seed" if i % 5 == 1 else None,
            funding_sought_vnd=1_000_000_000 if i % 5 == 1 else None,
        )


def add_province(app) -> None:
    with app.app_context():
        hai_dang = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22258", main_vsic="1020")
        make_enterprise("Hợp tác xã Nông nghiệp Hòa Đồng", commune_code="22255", legal_form="htx", main_vsic="0111")
        make_enterprise("Công ty Cổ phần Du lịch Đồng Xuân", commune_code="22081", legal_form="cp", main_vsic="5510")
        make_enterprise("Công ty TNHH Dòng Xuân", commune_code="22015", main_vsic="4711")
        make_enterprise("Công ty TNHH Phần mềm Biển Xanh", commune_code="22015", main_vsic="6201", is_digital_tech=True)
        lobster = Product(
            enterprise_id=hai_dang.id,
            name="Tôm hùm bông Phú Yên",
            name_folded="tom hum bong phu yen",
            certification="gi",
            certified_on=date(2017, 1, 1),
            verified_at=utcnow(),
            verified_on=date(2017, 1, 1),
        )  # counts: verified
        db.session.add(lobster)
        db.session.flush()
        held = {k: getattr(lobster, k) for k in product_history.MIRRORED}
        db.session.add(ProductCertificate(product_id=lobster.id, provenance="test", **held))
        db.session.add(
            Listing(
                product_id=lobster.id,
                platform_code="shopee",
                url="https://shopee.vn/tom-hum",
                last_verified_on=date(2026, 11, 1),
            )
        )
        refresh_search_text(hai_dang)
        db.session.commit()


def names(client, url: str) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return re.findall(r'<h3 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', page)


def test_search_without_diacritics_finds_d_stroke(client, province):
    assert set(names(client, "/doanh-nghiep?q=dong+xuan")) == {
        "Công ty Cổ phần Du lịch Đồng Xuân",
        "Công ty TNHH Dòng Xuân",
    }


def test_exact_diacritics_rank_first(client, province):
    assert names(client, "/doanh-nghiep?q=Dòng+Xuân")[0] == "Công ty TNHH Dòng Xuân"
    assert names(client, "/doanh-nghiep?q=Đồng+Xuân")[0] == "Công ty Cổ phần Du lịch Đồng Xuân"


def test_dong_hoa_finds_enterprises_in_dong_hoa(client, province):
    assert "Công ty TNHH Thủy sản Hải Đăng" in names(client, "/doanh-nghiep?q=dong+hoa")


def test_tom_hum_finds_the_makers_of_lobster_products(client, province):
    assert names(client, "/doanh-nghiep?q=tom+hum") == ["Công ty TNHH Thủy sản Hải Đăng"]


def test_the_last_word_matches_as_a_prefix(client, province):
    assert names(client, "/doanh-nghiep?q=bien+xa") == ["Công ty TNHH Phần mềm Biển Xanh"]


def test_legal_form_words_are_not_search_terms(client, province):
    assert names(client, "/doanh-nghiep?q=công+ty+tnhh+hải+đăng") == ["Công ty TNHH Thủy sản Hải Đăng"]
    assert len(names(client, "/doanh-nghiep?q=cong+ty")) == 5  # nothing left to search: everything


def test_an_enterprise_code_goes_straight_to_its_profile(client, app, province):
    with app.app_context():
        code = db.session.scalar(
            db.select(db.text("code"))
            .select_from(db.text("enterprise"))
            .where(db.text("name = 'Công ty TNHH Phần mềm Biển Xanh'"))
        )
    response = client.get(f"/doanh-nghiep?q={code}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/doanh-nghiep/{code}")


def test_facets_narrow_the_list_and_the_url_reproduces_it(client, province):
    page = client.get("/doanh-nghiep?q=xuan").get_data(as_text=True)
    link = re.search(r'href="(/doanh-nghiep\?[^"]*sector=I[^"]*)"', page).group(1).replace("&amp;", "&")
    assert names(client, link) == ["Công ty Cổ phần Du lịch Đồng Xuân"]
    assert "q=xuan" in link


def test_facet_counts(app, province):
    with app.test_request_context():
        results = search.run(search.Query())
        assert results.total == 5
        assert dict(results.facets["legal_form"]) == {"tnhh2": 3, "htx": 1, "cp": 1}
        assert results.facets["digital"] == [("1", 1)]
        assert results.facets["products"] == [("1", 1)]
        assert results.facets["platform"] == [("shopee", 1)]


def test_sort_by_name_follows_vietnamese_order(client, province):
    from app.search_text import without_legal_form
    from app.text import vietnamese_sort_key

    listed = names(client, "/doanh-nghiep?sort=name")
    # Legal-form words are ignored: "Biển Xanh", "Dòng Xuân", "Du lịch Đồng Xuân", "Nông nghiệp…", "Thủy sản…".
    assert listed == sorted(listed, key=lambda n: vietnamese_sort_key(without_legal_form(n)))
    assert listed.index("Công ty TNHH Dòng Xuân") < listed.index("Công ty Cổ phần Du lịch Đồng Xuân")


def test_pages_are_capped(app, province):
    with app.test_request_context():
        assert search.run(search.Query(page=999)).query.page == 1


def test_profile_shows_products_listings_and_json_ld(client, app, province):
    with app.app_context():
        key = db.session.scalar(
            db.text("SELECT public_key FROM enterprise WHERE name = 'Công ty TNHH Thủy sản Hải Đăng'")
        )
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "Tôm hùm bông Phú Yên" in page and "Shopee" in page and "01/11/2026" in page
    assert '"@type": "Organization"' in page
    assert client.get(f"/enterprises/{key}").status_code == 301


def test_branch_code_without_hyphen_redirects(client, app):
    with app.app_context():
        make_enterprise("Chi nhánh Công ty TNHH Hải Đăng tại Sông Cầu", code="0314409058-002", legal_form="branch")
    response = client.get("/doanh-nghiep/0314409058002")
    assert response.status_code == 301 and response.headers["Location"].endswith("/doanh-nghiep/0314409058-002")
    assert client.get("/doanh-nghiep/0314409058-002").status_code == 200


def test_household_business_never_shows_its_personal_id(client, app):
    with app.app_context():
        household = make_enterprise("Hộ kinh doanh Bánh tráng Cô Ba", legal_form="hkd", personal_id="054123456789")
        key = household.public_key
    assert key.startswith("HKD-")
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "Bánh tráng Cô Ba" in page and "054123456789" not in page
    assert "054123456789" not in client.get("/doanh-nghiep?q=banh+trang").get_data(as_text=True)


@settings(
    max_examples=int(__import__("os").environ.get("HYPOTHESIS_SEARCH_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=st.one_of(
        st.text(max_size=80),
        st.sampled_from(["hải đăng", "HAI DANG", "Hải", "đồng xuân", "đ", '"hải', "hải*", "-đăng OR (", "NEAR(xanh"]),
    ),
    facet=st.sampled_from(["commune", "sector", "platform", "size", "legal_form"]),
)
def test_any_input_returns_a_page(client, province, q, facet):
    """On a registry with records: every query, with any facet value, sort or page, gives a page."""
    params = {"q": q, "sort": q[:5], "page": q[:3], "per_page": q[:2], facet: q[-6:]}
    response = client.get("/doanh-nghiep", query_string=params)
    assert response.status_code in ((400,) if "\x00" in q else (200, 302))  # NUL is turned away at the edge
    plain = client.get("/doanh-nghiep", query_string={"q": q})
    assert plain.status_code in ((400,) if "\x00" in q else (200,))
    if fold(q) in ("hai dang", "hai"):  # the words of a name, however typed, find it
        assert "Hải Đăng" in plain.get_data(as_text=True), ascii(q)


def test_public_export_has_public_fields_only_and_neutralises_formulas(client, app, province):
    import csv
    import io

    with app.app_context():
        make_enterprise('=HYPERLINK("http://x")', commune_code="22015")
        make_enterprise("Hộ kinh doanh Cá khô", legal_form="hkd", personal_id="054999888777", email="chu@example.vn")
    text = client.get("/doanh-nghiep/xuat.csv?sort=name").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "personal_id" not in rows[1] and "email" not in rows[1]  # the row of field codes under the header
    assert "054999888777" not in text and "chu@example.vn" not in text
    assert any(r[1] == '\'=HYPERLINK("http://x")' for r in rows[2:])
    assert len(rows) == 9


def test_staff_export_has_every_field(client, app, province):
    from tests.factories import login, make_user

    with app.app_context():
        make_enterprise("Hộ kinh doanh Cá khô", legal_form="hkd", personal_id="054999888777")
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    text = client.get("/doanh-nghiep/xuat.csv?q=ca+kho").get_data(as_text=True)
    assert "personal_id" in text and "054999888777" in text


def test_json_ld_cannot_break_out_of_its_script(client, app):
    with app.app_context():
        key = make_enterprise("Công ty TNHH <!--<script> Sóng Biển </script>", commune_code="22015").public_key
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    script = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in script and "\\u003c" in script


def test_superscripts_and_fractions_fold_to_nothing_on_both_engines():
    from app.text import fold

    assert fold("Kho 3½ m²") == "kho 3 m"


def test_broad_searches_list_facets_without_counting(app, province, monkeypatch):
    monkeypatch.setattr(search, "BROAD_LIMIT", 2)
    with app.test_request_context():
        results = search.run(search.Query())
        # counted no further than the limit: "more than 2"
        assert results.broad and results.total == 3 and not results.total_is_exact
        assert ("tnhh2", None) in results.facets["legal_form"]
        assert [e.name for e in results.items] == [e.name for e in search.run(search.Query(sort="name")).items]


def test_broad_searches_say_more_than_the_limit(client, province, monkeypatch):
    monkeypatch.setattr(search, "BROAD_LIMIT", 3)
    page = client.get("/doanh-nghiep?lang=en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "More than 3 enterprises" in page and len(names(client, "/doanh-nghiep")) == 5
    body = client.get("/api/v1/enterprises").get_json()
    assert body["total"] == 4 and body["total_exact"] is False and len(body["items"]) == 5
    narrow = client.get("/api/v1/enterprises?q=xuan").get_json()
    assert narrow["total"] == 2 and narrow["total_exact"] is True


@pytest.mark.parametrize("q", ["xuan", "dong xuan", "dong x", "d", "hai dang", "tom hum b", "bien", "biê", "22", "zzz"])
def test_scanning_rows_finds_what_the_full_text_index_finds(app, province, q):
    """Broad searches test the words on each row instead of asking the index: same enterprises."""
    with app.test_request_context():
        query = search.Query(q=q)
        by_index = db.session.scalars(db.select(search.Enterprise.id).where(*search._conditions(query, plan="index")))
        by_scan = db.session.scalars(db.select(search.Enterprise.id).where(*search._conditions(query, plan="scan")))
        assert sorted(by_index) == sorted(by_scan)


def test_a_search_sampled_as_broad_walks_rows_and_returns_the_same_page(app, province, monkeypatch):
    with app.test_request_context():
        before = search.run(search.Query(q="x", sort="name"))
        monkeypatch.setattr(search, "BROAD_LIMIT", 1)
        assert search.plan_for(search.Query(q="x")) == "scan"  # 3 of 5 in the sample: more than 1
        after = search.run(search.Query(q="x", sort="name"))
        assert after.broad and [e.id for e in after.items] == [e.id for e in before.items]


def test_facet_counts_follow_the_other_filters(app, province):
    with app.test_request_context():
        results = search.run(search.Query(q="xuan", sector="I"))
        assert results.total == 1
        # the sector facet ignores its own filter (both "xuan" enterprises), the others apply it
        assert dict(results.facets["sector"]) == {"I": 1, "G": 1}
        assert dict(results.facets["legal_form"]) == {"cp": 1}


def test_filtering_on_readiness_level_0_still_lists_the_other_levels(app_ctx):
    from app.models import Assessment, LatestAssessment

    for n, level in enumerate((0, 0, 2)):
        e = make_enterprise(f"Công ty TNHH Mức {n}", shows_readiness=True)
        attempt = Assessment(
            public_id=f"lv{n}",
            resume_token_hash=f"lv{n}",
            instrument_id="dbi-sme",
            instrument_version=1,
            enterprise_id=e.id,
            status="submitted",
            counts_toward_indicators=True,
            overall_level=level,
            total_share=0.1,
        )
        db.session.add(attempt)
        db.session.flush()
        db.session.add(
            LatestAssessment(
                enterprise_id=e.id,
                assessment_id=attempt.id,
                instrument_id="dbi-sme",
                instrument_version=1,
                overall_level=level,
                total_share=0.1,
                submitted_at=date(2026, 1, 1),
            )
        )
    db.session.commit()
    results = search.run(search.Query(level=0))
    assert results.total == 2
    assert {str(value): count for value, count in results.facets["level"]} == {"0": 2, "2": 1}


def test_a_facet_that_would_find_nothing_is_plain_text_not_a_link(client, province):
    page = client.get("/doanh-nghiep?legal_form=htx").get_data(as_text=True)
    # Filtered to the cooperative, no enterprise is digital-tech: the choice shows 0 and links nowhere.
    digital = re.search(r"<li>((?:(?!</li>).)*Doanh nghiệp công nghệ số(?:(?!</li>).)*)</li>", page)
    assert "<a " not in digital.group(1), digital.group(1)
    assert 'class="facet-link is-empty"' in page
    assert re.search(r'<span class="facet-count[^"]*">0</span>', page)
    for item in re.findall(r"<li>(.*?)</li>", page):
        if re.search(r'class="facet-count[^"]*">0<', item) and "aria-current" not in item:
            assert "<a " not in item, item
    # A choice with a count is a link.
    assert re.search(r'<a class="facet-link[^"]*" href="/doanh-nghiep\?[^"]*legal_form=', page)


def test_an_empty_result_offers_no_download_and_a_full_one_does(client, province):
    empty = client.get("/doanh-nghiep?q=khong+co+ai+ten+nay").get_data(as_text=True)
    assert "xuat.csv" not in empty and "xuat.xlsx" not in empty
    full = client.get("/doanh-nghiep").get_data(as_text=True)
    assert "/doanh-nghiep/xuat.csv" in full and "/doanh-nghiep/xuat.xlsx" in full


def test_descriptions_and_declared_solutions_are_searched_ranked_below_names(client, app):
    """Investors type what a firm offers: "truy xuất", "QR", a solution category."""
    with app.app_context():
        make_enterprise(
            "Công ty TNHH Phần mềm Sao Mai",
            main_vsic="6201",
            is_digital_tech=True,
            description="Giải pháp truy xuất nguồn gốc bằng mã QR cho sản phẩm OCOP và thủy sản.",
        )
        make_enterprise("Công ty TNHH Truy Xuất Việt", main_vsic="6201")
        provider = make_enterprise("Công ty TNHH Công nghệ Bình Minh", main_vsic="6201", is_digital_tech=True)
        set_solutions(provider, audit.CLI, {"e_invoice"})
        db.session.commit()
        provider_id = provider.id
    assert names(client, "/doanh-nghiep?q=truy+xuất") == [
        "Công ty TNHH Truy Xuất Việt",
        "Công ty TNHH Phần mềm Sao Mai",
    ]
    assert names(client, "/doanh-nghiep?q=truy+xuat+nguon") == ["Công ty TNHH Phần mềm Sao Mai"]
    assert names(client, "/doanh-nghiep?q=QR") == ["Công ty TNHH Phần mềm Sao Mai"]
    assert names(client, "/doanh-nghiep?q=hóa+đơn+điện+tử") == ["Công ty TNHH Công nghệ Bình Minh"]
    assert client.get("/api/v1/enterprises?q=invoicing").get_json()["total"] == 1
    with app.app_context():  # a change of the description or the solutions is searched at once
        provider = db.session.get(Enterprise, provider_id)
        set_solutions(provider, audit.CLI, set())
        update_enterprise(provider, audit.CLI, "staff", description="Hệ thống truy xuất cho hợp tác xã.")
        db.session.commit()
    assert names(client, "/doanh-nghiep?q=hoa+don+dien+tu") == []
    found = names(client, "/doanh-nghiep?q=truy+xuat")
    assert found[0] == "Công ty TNHH Truy Xuất Việt" and "Công ty TNHH Công nghệ Bình Minh" in found[1:]


def test_a_description_edit_keeps_the_products_searchable(client, app, province):
    with app.app_context():
        hai_dang = db.session.scalar(db.select(Enterprise).where(Enterprise.name.like("%Hải Đăng%")))
        update_enterprise(hai_dang, audit.CLI, "staff", description="Nuôi và chế biến hải sản.")
        db.session.commit()
    assert names(client, "/doanh-nghiep?q=tom+hum") == ["Công ty TNHH Thủy sản Hải Đăng"]
    assert names(client, "/doanh-nghiep?q=hai+san") == ["Công ty TNHH Thủy sản Hải Đăng"]


def test_a_broad_text_with_a_narrow_filter_is_tested_on_the_filter_s_rows(app, province, monkeypatch):
    with app.test_request_context():
        expected = search.run(search.Query(q="x", sector="I"))
        monkeypatch.setattr(search, "BROAD_LIMIT", 1)
        assert search.plan_for(search.Query(q="x")) == "scan"  # the text alone: 3 of 5
        narrow = search.run(search.Query(q="x", sector="I"))
        assert narrow.total == expected.total == 1 and not narrow.broad
        assert [e.name for e in narrow.items] == ["Công ty Cổ phần Du lịch Đồng Xuân"]
        assert dict(narrow.facets["sector"]) == dict(expected.facets["sector"]) == {"I": 1, "G": 1, "J": 1}
