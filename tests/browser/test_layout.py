"""Every main page fits a 360 px phone in both languages: nothing overflows sideways, no table cuts
off a column, every control is a tap target of at least 24 × 24 px or spaced as WCAG 2.2 (2.5.8)
allows, facets that would find nothing are not links and an empty result offers no download."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import audit
from app.auth import totp
from app.extensions import db
from app.models import Assessment, User
from tests.assessment_helpers import answer_all, low_value, start
from tests.factories import add_member, login, make_enterprise, make_user

WIDTH = 360

# Measured in the page: what sticks out sideways, and the tap targets that are too small and too close.
MEASURE = """
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.pointerEvents !== 'none';
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  }
  for (const table of document.querySelectorAll('main table')) {
    if (shown(table) && table.scrollWidth > table.parentElement.clientWidth + 1) {
      problems.push(`${name(table.querySelector('caption, th') || table)}: a table ${table.scrollWidth} px wide ` +
                    `in ${table.parentElement.clientWidth} px`);
    }
  }
  const out = (e) => {
    const r = e.getBoundingClientRect();
    return shown(e) && (r.right > width + 1 || r.left < -1);
  };
  for (const e of document.querySelectorAll('main *')) {  // the outermost element that sticks out
    if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg' || !out(e) || out(e.parentElement)) continue;
    const r = e.getBoundingClientRect();
    problems.push(`${name(e)} sticks out: ${Math.round(r.left)}..${Math.round(r.right)} of ${width} px`);
  }
  // Tap targets (2.5.8): a link inside a sentence is exempt; a box or a round button counts with its label.
  const inSentence = (e) => {
    if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return false;
    const block = e.closest('p, dd, figcaption, .form-text, caption, blockquote');
    if (!block) return false;
    let text = block.innerText;
    for (const a of block.querySelectorAll('a, button')) text = text.replace(a.innerText, '');
    return /[\\p{L}\\p{N}]{2}/u.test(text);
  };
  const box = (e) => {
    let r = e.getBoundingClientRect();
    if (e.matches('input[type=checkbox], input[type=radio]') && e.labels && e.labels.length) {
      const l = e.labels[0].getBoundingClientRect();
      r = {left: Math.min(r.left, l.left), right: Math.max(r.right, l.right),
           top: Math.min(r.top, l.top), bottom: Math.max(r.bottom, l.bottom)};
    }
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2,
            small: r.right - r.left < 23.5 || r.bottom - r.top < 23.5};
  };
  const targets = [...document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary, main label.btn'
  )].filter(shown).filter((e) => !inSentence(e)).map((e) => ({e, b: box(e)}));
  const reach = (b, x, y) => Math.hypot(Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom));
  for (const t of targets) {
    if (!t.b.small) continue;
    const close = targets.find((u) => u !== t && !u.e.contains(t.e) && !t.e.contains(u.e) && (
      reach(u.b, t.b.x, t.b.y) < 12 - 0.5 || (u.b.small && Math.hypot(u.b.x - t.b.x, u.b.y - t.b.y) < 24 - 0.5)));
    if (close) {
      const size = `${Math.round(t.b.right - t.b.left)}×${Math.round(t.b.bottom - t.b.top)}`;
      problems.push(`${name(t.e)} is a ${size} px target too close to ${name(close.e)}`);
    }
  }
  // A table stacked as cards: the value of a cell starts beside its column name and wraps line under
  // line, with no empty line where a column name of two lines ends.
  for (const td of document.querySelectorAll('main table td[data-label]')) {
    if (!shown(td) || getComputedStyle(td, '::before').content === 'none') continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0)
      .map((r) => r.top).sort((a, b) => a - b);
    const line = parseFloat(getComputedStyle(td).lineHeight) || 24;
    for (let i = 1; i < tops.length; i++) {
      if (tops[i] - tops[i - 1] > 1.6 * line) {
        problems.push(`${name(td)}: an empty line in the cell under "${td.dataset.label}"`);
        break;
      }
    }
  }
  return problems;
}
"""


def _province(app) -> dict:
    """Public and staff data for every page measured: a small directory, an owner with two attempts,
    an admin, an import batch with rejected rows and a corrected record."""
    from app.imports import services as imports
    from app.registry import reviews
    from app.registry.services import update_enterprise
    from app.targets.loader import load_targets
    from tests.test_imports import MESSY

    with app.app_context():
        load_targets()
        kept = make_enterprise(  # a web address long enough to push a phone's page sideways
            "Công ty TNHH Thủy sản Hải Đăng",
            commune_code="22258",
            website="https://thuysanhaidang-chebienhaisan.example.com",
        )
        make_enterprise("Hợp tác xã Nông nghiệp Hòa Đồng", commune_code="22255", legal_form="htx", main_vsic="0111")
        make_enterprise("Công ty Cổ phần Du lịch Đồng Xuân", commune_code="22081", legal_form="cp", main_vsic="5510")
        update_enterprise(kept, audit.CLI, "staff", employees=15)
        db.session.commit()
        owner = make_user("chu@example.vn", name="Lê Thị Thu")
        add_member(owner, kept)
        reviews.edit(owner, kept, {"name": "Công ty TNHH Thủy sản và Chế biến Hải sản Hải Đăng", "main_vsic": "1030"})
        admin = make_user("admin@so.gov.vn", role="admin", name="Trần Văn Bình")
        db.session.commit()
        batch_id = imports.check_file(MESSY, "so-lieu.csv", audit.CLI).id
        data = {"key": kept.public_key, "enterprise_id": kept.id, "secret": admin.totp_secret, "batch": batch_id}
    client = app.test_client()
    login(client, "chu@example.vn")
    attempts = []
    for choose in (low_value, None):
        public_id = start(client, "dbi-sme", data["enterprise_id"])
        answer_all(client, app, public_id, **({"choose": choose} if choose else {}))
        client.post(f"/danh-gia/lan/{public_id}/nop")
        attempts.append(public_id)
    with app.app_context():  # the first attempt a season earlier, so that the history has a time axis
        first = db.session.scalar(select(Assessment).filter_by(public_id=attempts[0]))
        first.submitted_at -= timedelta(days=120)
        first.started_at -= timedelta(days=120)
        db.session.commit()
    data.update(result=attempts[-1], owner_session=client.get_cookie("session").value)
    return data


def _check(page, base: str, path: str, lang: str) -> list[str]:
    response = page.goto(base + path)
    assert response.status == 200, (path, response.status)
    slug = path.strip("/").replace("/", "-").split("?")[0] or "home"
    page.screenshot(path=f"test-artifacts/layout-{slug}-{lang}-{WIDTH}.png", full_page=True)
    return [f"{path}: {p}" for p in page.evaluate(MEASURE)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_public_and_owner_pages_fit_a_phone_with_tap_targets_of_24_px(app, browser, live_server, lang):
    data = _province(app)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/")
    problems = []
    for path in ("/", "/doanh-nghiep", "/doanh-nghiep?legal_form=htx", f"/doanh-nghiep/{data['key']}", "/tien-do",
                 "/tien-do/T5", "/gioi-thieu"):  # fmt: skip
        problems += _check(page, live_server, path, lang)
    context.add_cookies([{"name": "session", "value": data["owner_session"], "url": live_server}])
    for path in (f"/danh-gia/lan/{data['result']}/ket-qua", "/danh-gia/lich-su"):
        problems += _check(page, live_server, path, lang)
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_staff_pages_fit_a_phone_with_tap_targets_of_24_px(app, browser, live_server, lang):
    data = _province(app)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/dang-nhap")
    page.fill("#email", "admin@so.gov.vn")
    page.fill("#password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.fill("#code", totp.current_code(data["secret"]))
    page.locator("main form button[type=submit]").click()
    problems = []
    for path in ("/so/", "/so/nguoi-dung", f"/so/nhap/{data['batch']}", "/so/nhap/lich-su", "/so/duyet",
                 "/so/ho-so?q=hai", f"/so/ho-so/{data['key']}", "/danh-gia/quan-ly"):  # fmt: skip
        problems += _check(page, live_server, path, lang)
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_header_fits_one_row_and_an_empty_directory_offers_no_link_that_finds_nothing(
    app, browser, live_server, lang
):
    _province(app)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/doanh-nghiep?legal_form=htx")
    header = page.locator("header nav > .container")
    brand = page.locator(".navbar-brand").bounding_box()
    for other in (page.locator(".lang-switch"), page.locator(".navbar-toggler")):
        box = other.bounding_box()
        assert box["y"] < brand["y"] + brand["height"] and box["x"] >= brand["x"] + brand["width"] - 1, lang
    assert header.bounding_box()["height"] < 80
    # The sizes of the filtered list: no enterprise is large, so "Large" finds nothing and is no link.
    facets = page.locator("#filters")
    zero = facets.locator("li").filter(has=page.locator(".facet-count", has_text="0"))
    assert zero.count() > 0
    assert zero.locator("a").count() == 0
    assert facets.locator("a.facet-link").count() > 0
    page.goto(live_server + "/doanh-nghiep?q=khong+co+ai+ten+nay")
    main = page.locator("main")
    assert main.locator("a[href*='xuat.csv'], a[href*='xuat.xlsx']").count() == 0
    page.screenshot(path=f"test-artifacts/layout-directory-empty-{lang}-{WIDTH}.png", full_page=True)
    page.goto(live_server + "/doanh-nghiep")
    assert main.locator("a[href*='xuat.csv']").count() == 1
    context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_staff_members_header_is_one_row_from_360_to_1440_px(app, browser, live_server, lang):
    """With the department's link, the inbox, a long name and "Sign out", the menu was wider than a
    1280 px screen: the page scrolled sideways and "Tiếng Việt" was cut off; then it wrapped onto a
    second row. The menu is a row from 1200 px, the account and "Sign out" folded under the name, and
    behind the menu button below that: one row at every width."""
    data = _province(app)
    with app.app_context():
        admin = db.session.scalar(select(User).filter_by(email="admin@so.gov.vn"))
        admin.full_name = "Nguyễn Thị Phương Thảo (Phòng Công nghệ thông tin)"
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/dang-nhap")
    page.fill("#email", "admin@so.gov.vn")
    page.fill("#password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.fill("#code", totp.current_code(data["secret"]))
    page.locator("main form button[type=submit]").click()
    for path in ("/so/", "/so/duyet", f"/so/ho-so/{data['key']}"):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, lang)
        switch = page.locator(".lang-switch").bounding_box()
        assert switch["x"] + switch["width"] <= width, (path, lang)
        assert page.locator(".account-name").bounding_box()["x"] + 10 < width, (path, lang)
    brand = page.locator(".navbar-brand")
    for width in (360, 992, 1100, 1200, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server + "/so/")
        row = brand.bounding_box()
        for part in (".lang-switch", ".account-name" if width >= 1200 else ".navbar-toggler"):
            found = page.locator(part).bounding_box()
            assert abs((found["y"] + found["height"] / 2) - (row["y"] + row["height"] / 2)) < 12, (width, part)
        assert page.locator("nav.navbar").bounding_box()["height"] < 80, (width, lang)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".account-menu > summary").click()  # the account and "Sign out", without JavaScript too
    assert page.locator(".account-menu-items button[type=submit]").is_visible()
    page.screenshot(path=f"test-artifacts/layout-staff-header-{lang}-1280.png")
    context.close()
