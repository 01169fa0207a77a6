"""Active filters are chips at the top of the results, each removing itself, also when nothing matches."""

from __future__ import annotations

import re

from tests.test_directory import add_province


def test_every_active_filter_is_a_chip_that_removes_it_also_with_no_result(client, app):
    add_province(app)
    client.set_cookie("lang", "en")
    page = client.get("/doanh-nghiep?q=xuan&commune=22015&digital=1").get_data(as_text=True)
    chips = re.findall(r'<a class="btn btn-sm btn-outline-secondary rounded-pill" href="([^"]+)">([^<]+)<', page)
    labels = [label.strip() for _href, label in chips]
    assert labels[0] == "Words: xuan" and "Digital-technology firms" in labels and len(labels) == 3
    hrefs = dict((label.strip(), href) for href, label in chips)
    assert "q=" not in hrefs["Words: xuan"] and "commune=22015" in hrefs["Words: xuan"]
    assert "digital" not in hrefs["Digital-technology firms"].replace("&amp;", "&")
    assert "No enterprise matches. Remove one of the filters above" in page  # a software firm not named Xuân
    assert 'href="/doanh-nghiep">Remove all</a>' in page
    plain = client.get("/doanh-nghiep").get_data(as_text=True)
    assert "rounded-pill" not in plain
