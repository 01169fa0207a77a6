"""The README's deployment, started and walked through nginx as its users would (`make test-deploy`).

nginx in front (deploy/nginx-chuyendoiso.conf, PROXY_COUNT=1), two gunicorn instances of wsgi:app
(deploy/chuyendoiso-web@.service), one `flask worker` (deploy/chuyendoiso-worker.service), PostgreSQL
and Redis, mail to a local SMTP sink. The tests run in order and share one deployment: each is a step
of the walk, and the next one starts where it ended.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from html.parser import HTMLParser

import pyotp
import pytest
import requests
import urllib3

from tests.deploy.harness import HOST, Deployment
from tests.test_import_jobs import _codes

pytestmark = pytest.mark.deploy
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the test's own self-signed certificate

ADMIN, ADMIN_PASSWORD = "quantri@so.example.vn", "một câu mật khẩu của quản trị"
OWNER, OWNER_PASSWORD = "chu.doanh.nghiep@example.vn", "mật khẩu của chủ doanh nghiệp"
ROWS = 12_000  # enough for the commit to last the seconds it takes to kill the worker in the middle


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    database = os.environ.get("TEST_DATABASE_URL")
    if not database:
        pytest.fail("make test-deploy sets TEST_DATABASE_URL (scripts/with-postgres)")
    deployment = Deployment(
        tmp_path_factory.mktemp("deploy"), database, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    )
    deployment.prepare()
    try:
        for step in (
            ["translate", "compile"],
            ["db", "upgrade"],
            ["reference", "load"],
            ["directory", "index", "build"],
        ):
            done = deployment.flask(*step)
            assert done.returncode == 0, done.stderr
        created = deployment.flask(
            "users", "create", "--role", "admin", "--email", ADMIN, "--name", "Quản trị", "--password", ADMIN_PASSWORD
        )
        assert created.returncode == 0, created.stderr
        deployment.start_site()
        yield deployment
    finally:
        deployment.stop()


class _Form(HTMLParser):
    """The fields of the first POST form that posts to the page itself or whose action ends with `action`."""

    def __init__(self, action: str | None):
        super().__init__()
        self.action, self.fields, self._inside, self._textarea, self._select = action, {}, False, None, None
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            target = a.get("action") or ""
            posts = (a.get("method") or "").lower() == "post"
            self._inside = (
                not self._done and posts and (not target or bool(self.action and target.endswith(self.action)))
            )
        elif not self._inside:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "button", "file"):
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._done = self._done or self._inside
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


class Visitor:
    """A browser at the site's public address, through nginx; each request is marked so that nginx's
    log says which instance answered it."""

    count = 0

    def __init__(self, site: Deployment):
        self.site, self.http = site, requests.Session()
        self.http.verify = False
        self.base = f"https://127.0.0.1:{site.https_port}"
        self.csrf = ""
        self.last_walk = ""

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        Visitor.count += 1
        self.last_walk = f"w{Visitor.count}"
        headers = {
            "Host": HOST,
            "X-Walk": self.last_walk,
            "Referer": f"https://{HOST}{path}",
            **kwargs.pop("headers", {}),
        }
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, verify=False, **kwargs
        )
        found = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', response.text
        )
        if found:
            self.csrf = found.group(1) or found.group(2)
        return response

    def get(self, path: str, follow: bool = True, **kwargs) -> requests.Response:
        response = self._send("GET", path, **kwargs)
        return self._follow(response) if follow else response

    def post(self, path: str, data: dict | None = None, follow: bool = True, **kwargs) -> requests.Response:
        response = self._send("POST", path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)
        return self._follow(response) if follow else response

    def _follow(self, response: requests.Response) -> requests.Response:
        for _ in range(5):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = response.headers["Location"]
            assert not location.startswith("http") or location.startswith(f"https://{HOST}/"), location
            response = self._send("GET", re.sub(r"^https://[^/]+", "", location))
        return response

    def form(self, path: str, action: str | None = None) -> dict[str, str]:
        parser = _Form(action)
        parser.feed(self.get(path).text)
        return parser.fields

    def served_by(self) -> str:
        return self.site.served_by(self.last_walk)


def _wait(what, seconds: float = 60, every: float = 0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    return None


STATE: dict = {}


def test_the_deployment_files_check_and_the_site_starts(site):
    tested = site.nginx_test()
    assert tested.returncode == 0, tested.stderr
    assert site.flask("check", "--production").returncode == 0
    unsafe = site.flask("check", "--production", env={"SECRET_KEY": "", "RATELIMIT_STORAGE_URI": "memory://"})
    assert unsafe.returncode != 0 and "SECRET_KEY" in unsafe.stderr and "RATELIMIT_STORAGE_URI" in unsafe.stderr
    home = Visitor(site).get("/")
    assert home.status_code == 200 and "Strict-Transport-Security" in home.headers


def test_an_owner_registers_and_the_worker_delivers_the_verification_mail(site):
    owner = Visitor(site)
    owner.get("/dang-ky")
    registered = owner.post(
        "/dang-ky",
        {"full_name": "Nguyễn Thị Hoa", "email": OWNER, "role": "owner", "password": OWNER_PASSWORD, "consent": "y"},
    )
    assert registered.status_code == 200
    mail = _wait(lambda: [m for m in site.sink.messages if m["To"] == OWNER], seconds=60)
    assert mail, "the worker did not deliver the verification mail\n" + site.log("worker.log")[-3000:]
    body = mail[0].get_body(("plain",)).get_content()
    link = re.search(rf"https://{re.escape(HOST)}(/\S+)", body).group(1)
    assert owner.get(link).status_code == 200
    owner.get("/dang-nhap")
    signed_in = owner.post("/dang-nhap", {"email": OWNER, "password": OWNER_PASSWORD})
    assert signed_in.status_code == 200 and "Nguyễn Thị Hoa" in signed_in.text
    STATE["owner"] = owner


def test_a_session_started_on_one_instance_is_used_on_the_other(site):
    owner: Visitor = STATE["owner"]
    answered = set()
    for _ in range(6):
        account = owner.get("/tai-khoan", follow=False)
        assert account.status_code == 200 and OWNER in account.text
        answered.add(owner.served_by())
    assert answered == {f"127.0.0.1:{p}" for p in site.ports}


def _admin_signs_in(site) -> Visitor:
    admin = Visitor(site)
    admin.get("/dang-nhap")
    page = admin.post("/dang-nhap", {"email": ADMIN, "password": ADMIN_PASSWORD})
    if "secret" not in STATE:  # the first sign-in sets up two-step sign-in
        STATE["secret"] = re.search(r"\b([A-Z2-7]{32})\b", page.text).group(1)
        done = admin.post("/dang-nhap/thiet-lap-xac-thuc", {"code": pyotp.TOTP(STATE["secret"]).now()})
    else:
        done = admin.post("/dang-nhap/ma-xac-thuc", {"code": pyotp.TOTP(STATE["secret"]).now()})
    assert done.status_code == 200 and "/so/" in done.url, done.text[:2000]
    return admin


def _registry_csv(rows: int) -> tuple[bytes, list[str]]:
    codes = _codes(rows, start=100_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ma_so_doanh_nghiep",
            "ten_doanh_nghiep",
            "loai_hinh",
            "ngay_thanh_lap",
            "ma_xa",
            "nganh_nghe_chinh",
            "so_lao_dong",
        ]
    )
    for i, code in enumerate(codes):
        writer.writerow(
            [code, f"Công ty TNHH Triển khai Số {i}", "TNHH", "15/03/2015", "22015", "1020", str(5 + i % 40)]
        )
    return out.getvalue().encode("utf-8"), codes


def _progress(admin: Visitor, batch: int) -> dict:
    return admin.get(f"/so/nhap/{batch}/tien-do.json").json()


def test_an_import_runs_on_the_worker_and_is_resumed_after_the_worker_is_killed(site):
    admin = _admin_signs_in(site)
    STATE["admin"] = admin
    data, codes = _registry_csv(ROWS)
    admin.get("/so/nhap")
    uploaded = admin.post("/so/nhap", files={"file": ("so-kh-dt.csv", data, "text/csv")}, follow=False)
    batch = int(re.search(r"/so/nhap/(\d+)", uploaded.headers["Location"]).group(1))
    checked = _wait(lambda: _progress(admin, batch)["state"] == "checked", seconds=120)
    assert checked, _progress(admin, batch)
    admin.get(f"/so/nhap/{batch}")
    admin.post(f"/so/nhap/{batch}/ghi", follow=False)
    midway = _wait(lambda: (p := _progress(admin, batch))["state"] == "committing" and p["done"] > 0 and p, every=0.05)
    assert midway, f"the commit was not seen half-way: {_progress(admin, batch)}"
    site.kill_worker()
    assert _progress(admin, batch)["state"] == "committing"
    stalled = _wait(lambda: _progress(admin, batch)["stalled"], seconds=30)
    assert stalled, "a job whose worker died is not shown as stopped"
    page = admin.get(f"/so/nhap/{batch}").text
    assert f"/so/nhap/{batch}/ghi" in page and f"/so/nhap/{batch}/bo" in page  # start again, or give up
    site.start_worker()
    admin.post(f"/so/nhap/{batch}/ghi")
    committed = _wait(lambda: _progress(admin, batch)["state"] == "committed", seconds=180)
    assert committed, f"{_progress(admin, batch)}\n" + site.log("worker.log")[-3000:]
    total = Visitor(site).get("/api/v1/enterprises?per_page=20").json()
    assert total["total"] == ROWS  # once each: nothing lost, nothing twice
    STATE["codes"] = codes


def test_an_owner_s_edit_replaces_the_cached_pages_on_both_instances(site):
    owner, admin, code = STATE["owner"], STATE["admin"], STATE["codes"][7]
    public = Visitor(site)
    for _ in range(4):  # cached in Redis for every anonymous visitor
        assert "Công ty TNHH Triển khai Số 7" in public.get(f"/doanh-nghiep/{code}").text
    owner.get(f"/doanh-nghiep/{code}/nhan")
    owner.post(
        f"/doanh-nghiep/{code}/nhan",
        {"representative": "Nguyễn Văn An", "evidence": "Tôi là giám đốc, giấy phép kèm theo"},
    )
    queue = admin.get("/so/duyet").text
    review = re.search(r"/so/duyet/(\d+)", queue).group(1)
    assert admin.post(f"/so/duyet/{review}", {"decision": "approve"}).status_code == 200
    form = owner.form(f"/doanh-nghiep/{code}/sua", action="/sua")
    form["description"] = "Nước mắm Gành Đỏ truyền thống, đóng chai tại xã Xuân Cảnh"
    saved = owner.post(f"/doanh-nghiep/{code}/sua", form)
    assert saved.status_code == 200 and "Nước mắm Gành Đỏ" in saved.text
    time.sleep(1.0)  # REGISTRY_VERSION_CHECK_MS: another instance sees a write after at most half a second
    answered = set()
    for _ in range(6):
        assert "Nước mắm Gành Đỏ" in public.get(f"/doanh-nghiep/{code}").text
        answered.add(public.served_by())
    assert answered == {f"127.0.0.1:{p}" for p in site.ports}


def test_a_write_made_through_one_instance_is_found_by_a_search_on_the_other_within_5_s(site):
    """The directory's index is one per machine, brought up to date in place from the change log:
    an owner's edit through one instance is found by a search answered by either within seconds."""
    owner, code = STATE["owner"], STATE["codes"][7]
    form = owner.form(f"/doanh-nghiep/{code}/sua", action="/sua")
    form["description"] = "Chả cá Hòn Nưa hấp lá chuối, đặc sản xã Hòa Hiệp"
    assert owner.post(f"/doanh-nghiep/{code}/sua", form).status_code == 200
    edited, public, found = time.monotonic(), Visitor(site), {}
    while len(found) < len(site.ports) and time.monotonic() - edited < 5:
        body = public.get("/api/v1/enterprises?q=cha+ca+hon+nua").json()
        if any(item["code"] == code for item in body["items"]):
            found.setdefault(public.served_by(), round(time.monotonic() - edited, 2))
        time.sleep(0.1)
    assert set(found) == {f"127.0.0.1:{p}" for p in site.ports}, found


def test_a_rate_limit_counts_across_both_instances(site):
    visitor = Visitor(site)
    statuses, answered = [], set()
    for i in range(130):  # the API allows 120 a minute per client address
        response = visitor.get(
            f"/api/v1/enterprises?q=trien+khai+{i}", headers={"X-Forwarded-For": f"203.0.113.{i % 250}"}
        )
        statuses.append(response.status_code)
        answered.add(visitor.served_by())
    assert answered == {f"127.0.0.1:{p}" for p in site.ports}
    assert statuses.count(200) <= 120 and statuses.count(429) >= 10, statuses


def test_the_two_step_counter_counts_across_both_instances(site):
    admin = Visitor(site)
    admin.get("/dang-nhap")
    admin.post("/dang-nhap", {"email": ADMIN, "password": ADMIN_PASSWORD})
    right = pyotp.TOTP(STATE["secret"]).now()
    wrong = "000000" if right != "000000" else "111111"
    answered = set()
    for _ in range(5):
        admin.post("/dang-nhap/ma-xac-thuc", {"code": wrong}, follow=False)
        answered.add(admin.served_by())
    assert answered == {f"127.0.0.1:{p}" for p in site.ports}
    after = admin.post("/dang-nhap/ma-xac-thuc", {"code": right})
    assert "/dang-nhap" in after.url and "/so/" not in after.url
    assert admin.get("/so/", follow=False).status_code in (302, 303)
