"""Take screenshots of the main pages at phone and desktop widths, in both languages.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000 [out-folder]
(needs Debian's chromium; the site should hold the demo province: `make run`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "directory": "/doanh-nghiep?q=tom+hum",
    "directory-all": "/doanh-nghiep",
    "startups": "/doanh-nghiep?digital=1",
    "assessment": "/danh-gia",
    "about": "/gioi-thieu",
    "api": "/api/v1/",
}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for lang in ("vi", "en"):
            for width in (360, 1280):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": "lang", "value": lang, "url": base}])
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path)
                    page.screenshot(path=str(out / f"{name}-{lang}-{width}.png"), full_page=True)
                first = page.goto(base + "/doanh-nghiep?q=tom+hum")
                link = page.locator(".results a").first
                if first and link.count():
                    link.click()
                    page.screenshot(path=str(out / f"profile-{lang}-{width}.png"), full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screens"))
