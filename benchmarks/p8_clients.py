"""P8's simulated owners: each a thread with its own cookie jar that starts an assessment, answers
every page (CSRF token and shown questions read from the HTML; a 422 that reveals a new question is
answered and posted again), submits it (some twice: concurrently, or back to back) and reads the
level it was given, recording what it sent and saw for p8_submissions.py to check in the database.
"""

from __future__ import annotations

import gzip
import http.client
import math
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULT_PATH = re.compile(r"^/danh-gia/lan/([^/]+)/ket-qua$")
PAGE_PATH = re.compile(r"^/danh-gia/lan/([^/]+)/trang/(\d+)$")
REVIEW_PATH = re.compile(r"^/danh-gia/lan/([^/]+)/nop$")
LEVEL_SHOWN = re.compile(r'id="level-title"[^>]*>\D*(\d)')


# --------------------------------------------------------------------------- instruments


def load_instrument(instrument_id: str):
    """The current published version, read from surveys/ the way the app reads it."""
    sys.path.insert(0, str(ROOT))
    from app.assessment.catalog import load_catalog

    instrument = load_catalog(ROOT / "surveys").current(instrument_id)
    if instrument is None:
        sys.exit(f"no published instrument {instrument_id!r} in {ROOT / 'surveys'}")
    return instrument


def random_answer(question, rng: random.Random) -> list[str]:
    """A valid raw form value for the question, picked at random (so show_if branches vary)."""
    kind = question.type
    if kind == "single":
        return [rng.choice(question.choices).value]
    if kind == "multiple":
        exclusive = [c for c in question.choices if c.exclusive]
        others = [c for c in question.choices if not c.exclusive]
        if exclusive and (not others or rng.random() < 0.2):
            return [rng.choice(exclusive).value]
        return [c.value for c in rng.sample(others, rng.randint(1, len(others)))]
    if kind == "scale":
        return [str(rng.randint(0, question.top))]
    if kind == "yesno":
        return [rng.choice(("yes", "no"))]
    if kind == "number":
        low, high = math.ceil(question.minimum), math.floor(question.maximum)
        return [str(rng.randint(low, high))]
    raise ValueError(f"unknown question type {kind}")


# --------------------------------------------------------------------------- HTTP client


class FormScraper(HTMLParser):
    def __init__(self):
        super().__init__()
        self.csrf: str | None = None
        self.shown: list[str] = []
        self.options: dict[str, set[str]] = defaultdict(set)

    def handle_starttag(self, tag, attrs):
        if tag != "input":
            return
        a = dict(attrs)
        name = a.get("name") or ""
        if name == "csrf_token":
            self.csrf = a.get("value")
        elif name.startswith("q_") and name.endswith("__shown"):
            self.shown.append(name[2:-7])
        elif name.startswith("q_") and a.get("type") in ("radio", "checkbox"):
            self.options[name[2:]].add(a.get("value") or "")


def scrape(body: str) -> FormScraper:
    parser = FormScraper()
    parser.feed(body)
    return parser


@dataclass
class Response:
    status: int
    location: str | None
    body: str


class Transport(Exception):
    """No HTTP answer: refused, reset, timed out."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status: Counter = Counter()  # (kind, status)
        self.transport: Counter = Counter()  # (kind, error)
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.requests = 0

    def add(self, kind: str, status: int | None, seconds: float, error: str | None = None):
        with self.lock:
            self.requests += 1
            if status is None:
                self.transport[(kind, error)] += 1
            else:
                self.status[(kind, status)] += 1
                self.latency[kind].append(seconds)


class Browser:
    """One simulated person: one cookie jar, a new connection per request (gunicorn sync closes)."""

    def __init__(self, port: int, stats: Stats, timeout: float):
        self.port, self.stats, self.timeout = port, stats, timeout
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def _cookie_header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, headers: list[str]) -> None:
        with self.lock:
            for header in headers:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    gone = morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"])
                    if gone:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def request(self, kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Response:
        headers = {
            "Accept": "text/html",
            "Accept-Encoding": "gzip",
            "Accept-Language": "vi",
            "User-Agent": "p8-benchmark",
        }
        cookie = self._cookie_header()
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
            status = raw.status
            set_cookies = raw.msg.get_all("Set-Cookie") or []
            location = raw.getheader("Location")
            encoding = raw.getheader("Content-Encoding")
        except (OSError, http.client.HTTPException) as e:
            self.stats.add(kind, None, time.perf_counter() - started, type(e).__name__)
            raise Transport(f"{method} {path}: {type(e).__name__}: {e}") from e
        finally:
            connection.close()
        self.stats.add(kind, status, time.perf_counter() - started)
        self._keep_cookies(set_cookies)
        if encoding == "gzip":
            data = gzip.decompress(data)
        return Response(status, urlsplit(location).path if location else None, data.decode("utf-8", "replace"))


# --------------------------------------------------------------------------- one client


@dataclass
class Attempt:
    public_id: str
    client: int
    mode: str
    expected: dict = field(default_factory=dict)  # answers as the app should store them
    confirmed: bool = False  # the client saw the results page after submitting
    level_shown: int | None = None
    nop_statuses: list = field(default_factory=list)


class Failure(Exception):
    pass


class Client(threading.Thread):
    def __init__(
        self, number: int, mode: str, port: int, instrument, deadline: float, stats: Stats, timeout: float, seed: int
    ):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.mode, self.instrument, self.deadline = number, mode, instrument, deadline
        self.browser = Browser(port, stats, timeout)
        self.rng = random.Random(seed * 1000 + number)
        self.questions = {q.name: q for p in instrument.pillars for q in p.questions}
        from app.assessment import scoring

        self.scoring = scoring
        self.attempts: list[Attempt] = []
        self.failures: list[str] = []

    def run(self):
        while time.monotonic() < self.deadline:
            try:
                self.one_attempt()
            except (Failure, Transport) as e:
                self.failures.append(str(e))
                time.sleep(0.2)  # do not spin on a dead server

    def expect(self, response: Response, status: int, what: str, location: re.Pattern | None = None):
        if response.status != status or (location and not (response.location and location.match(response.location))):
            raise Failure(
                f"client {self.number}: {what}: got {response.status} → {response.location} "
                f"(expected {status}{' → ' + location.pattern if location else ''})"
            )

    def one_attempt(self):
        b = self.browser
        index = b.request("index", "GET", "/danh-gia")
        self.expect(index, 200, "GET /danh-gia")
        csrf = scrape(index.body).csrf
        started = b.request("start", "POST", f"/danh-gia/bat-dau/{self.instrument.id}", [("csrf_token", csrf)])
        self.expect(started, 302, "start", PAGE_PATH)
        public_id = PAGE_PATH.match(started.location).group(1)
        attempt = Attempt(public_id, self.number, self.mode)
        self.attempts.append(attempt)
        location = started.location
        chosen: dict[str, list[str]] = {}
        while PAGE_PATH.match(location):
            number = int(PAGE_PATH.match(location).group(2))
            page = b.request("page_get", "GET", location)
            self.expect(page, 200, f"GET page {number}")
            for _round in range(5):
                form = scrape(page.body)
                fields = [("csrf_token", form.csrf), ("action", "next")]
                for name in form.shown:
                    question = self.questions[name]
                    if name not in chosen:
                        chosen[name] = random_answer(question, self.rng)
                    if form.options[name] and not set(chosen[name]) <= form.options[name]:
                        raise Failure(
                            f"client {self.number}: page {number} offers {sorted(form.options[name])} "
                            f"for {name}, chosen {chosen[name]}"
                        )
                    fields += [(f"q_{name}", v) for v in chosen[name]] + [(f"q_{name}__shown", "1")]
                page = b.request("page_post", "POST", location, fields)
                if page.status != 422:
                    break
                if set(scrape(page.body).shown) <= set(form.shown):
                    raise Failure(f"client {self.number}: page {number} answered 422 without a new question")
            self.expect(page, 302, f"POST page {number}")
            location = page.location
        if not REVIEW_PATH.match(location):
            raise Failure(f"client {self.number}: after the last page went to {location}")
        review = b.request("review_get", "GET", location)
        self.expect(review, 200, "GET review")
        csrf = scrape(review.body).csrf
        attempt.expected = self.scoring.effective_answers(
            self.instrument, {n: self.questions[n].parse(raw) for n, raw in chosen.items()}
        )
        responses = self.submit(location, csrf)
        attempt.nop_statuses = [r.status for r in responses]
        for r in responses:
            self.expect(r, 302, "POST /nop", RESULT_PATH)
        result = b.request("result_get", "GET", responses[0].location)
        self.expect(result, 200, "GET results")
        shown = LEVEL_SHOWN.search(result.body)
        if shown is None:
            raise Failure(f"client {self.number}: results page of {public_id} shows no level")
        attempt.level_shown = int(shown.group(1))
        attempt.confirmed = True

    def submit(self, path: str, csrf: str) -> list[Response]:
        b, form = self.browser, [("csrf_token", csrf)]
        if self.mode == "single":
            return [b.request("submit", "POST", path, form)]
        if self.mode == "sequential":
            return [b.request("submit", "POST", path, form), b.request("submit_again", "POST", path, form)]
        # concurrent: two requests released together, as a double click on a slow connection does
        barrier, out, errors = threading.Barrier(2), [None, None], []

        def post(slot):
            barrier.wait()
            try:
                out[slot] = b.request("submit" if slot == 0 else "submit_again", "POST", path, form)
            except Transport as e:
                errors.append(e)

        threads = [threading.Thread(target=post, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return out
