"""The facet links of a results page, built once per request: label, count, URL.

A page has a hundred links or more. Their labels (sector, commune, size … in the page's language)
are read once per registry version and language; their URLs share the query string of the other
filters, encoded once per facet; their counts are grouped with the language's separator, without a
Babel call each. The template only loops over the result.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote_plus, urlencode

from babel.numbers import get_group_symbol
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from app.cache import reference_value
from app.directory import facets as facet_lists
from app.directory import search
from app.i18n import current_language, localized
from app.labels import SIZE_TIERS, legal_form_label


class FacetLink(NamedTuple):
    label: str
    count: str | None  # formatted; None when a broad search lists values without counts
    href: str
    active: bool
    empty: bool  # would find nothing: shown as plain text, not a link


def number_formatter():
    """Grouped integers as fmt_number writes them ("#,##0"), the group symbol looked up once."""
    group = reference_value(("group_symbol", current_language()), lambda: get_group_symbol(get_locale()))
    return lambda n: f"{n:,}".replace(",", group)


def value_labels(labels: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Every facet value's label in the page's language."""

    def read() -> dict[str, dict[str, str]]:
        return {
            "sector": {c: f"{c} · {localized(s.name_vi, s.name_en)}" for c, s in labels["sections"].items()},
            "commune": {c: commune.name for c, commune in labels["communes"].items()},
            "platform": {c: p.name for c, p in labels["platforms"].items()},
            "level": {str(n): gettext("Level %(n)s", n=n) for n in range(6)},
        }

    return reference_value(("facet_labels", current_language()), read)


def _label(facet: str, value: str, names: dict[str, dict[str, str]]) -> str:
    if facet == "size":
        return str(SIZE_TIERS.get(value, value))
    if facet == "legal_form":
        return str(legal_form_label(value))
    return names.get(facet, {}).get(value, value)


def facet_links(results: search.Results, index_url: str, labels: dict[str, dict]) -> dict[str, list[FacetLink]]:
    """facet -> its links, in the order the results list the values."""
    query = results.query
    args = query.as_args(page=1)
    fmt = number_formatter()
    names = value_labels(labels)
    out: dict[str, list[FacetLink]] = {}
    keys = list(search.Query.__dataclass_fields__)
    for facet, values in results.facets.items():
        before = urlencode([(k, v) for k, v in args.items() if keys.index(k) < keys.index(facet)])
        after = urlencode([(k, v) for k, v in args.items() if keys.index(k) > keys.index(facet)])
        current = getattr(query, facet)
        chosen = (
            "" if current is None or current is False or current == "" else "1" if current is True else str(current)
        )
        links = []
        for value, count in values:
            active = value == chosen
            middle = "" if active else f"{facet}={quote_plus(value)}"
            string = "&".join(part for part in (before, middle, after) if part)
            href = f"{index_url}?{string}" if string else index_url
            label = _label(facet, value, names)
            links.append(
                FacetLink(label, None if count is None else fmt(count), href, active, count == 0 and not active)
            )
        out[facet] = links
    return out


FLAG_LABELS = {
    "digital": _l("Digital-technology firms"),
    "startup": _l("Innovative startups"),
    "products": _l("With certified products"),
}


def active_filters(query: search.Query, index_url: str, labels: dict[str, dict]) -> list[tuple[str, str]]:
    """(label, the URL without it) of each filter the query holds — its words first — for the chips
    at the top of the results: also those a search with no result lists no link for."""
    args = query.as_args(page=1)
    names = value_labels(labels)

    def without(key: str) -> str:
        rest = urlencode([(k, v) for k, v in args.items() if k != key])
        return f"{index_url}?{rest}" if rest else index_url

    chips = [(gettext("Words: %(q)s", q=query.q), without("q"))] if query.q else []
    for facet in facet_lists.active_facets(query):
        value = getattr(query, facet)
        label = str(FLAG_LABELS[facet]) if facet in FLAG_LABELS else _label(facet, str(value), names)
        chips.append((label, without(facet)))
    return chips
