"""Directory pages: the search with facets, and the profile of an enterprise."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.permissions import is_staff
from app.cache import cached_page
from app.directory import directory_bp, profiles, search
from app.directory import export as spreadsheet
from app.directory.facet_links import active_filters, facet_links
from app.domain.codes import canonical_key
from app.exports import csv_response, xlsx_response
from app.extensions import limiter
from app.i18n import local_today
from app.registry import reviews
from app.routing import add_alias, external_url


@directory_bp.get("/doanh-nghiep")
@cached_page(query=lambda: urlencode(search.Query.from_args(request.args).as_args()))
def index():
    query = search.Query.from_args(request.args)
    code = search.code_in_query(query.q)
    if code:
        enterprise = profiles.get_public(code)
        if enterprise is not None:
            return redirect(url_for("directory.profile", key=enterprise.public_key))
    return render_results(search.run(query))


def render_results(results: search.Results) -> str:
    """The results page of a search (apart, so that the template can be measured alone)."""
    labels = search.labels()
    links = facet_links(results, url_for("directory.index"), labels)
    by_former: dict[str, list] = {}
    for link, (code, _count) in zip(links["commune"], results.facets["commune"], strict=True):
        by_former.setdefault(labels["communes"][code].former_province or "", []).append(link)
    return render_template(
        "directory/index.html",
        results=results,
        query=results.query,
        links=links,
        chips=active_filters(results.query, url_for("directory.index"), labels),
        commune_groups=sorted(by_former.items()),
        profile_prefix=url_for("directory.profile", key="_")[:-1],  # + public_key: no url_for per result
        **labels,
    )


@directory_bp.get("/doanh-nghiep/<key>")
@cached_page
def profile(key: str):
    canonical = canonical_key(key)
    if canonical != key:  # an unhyphenated branch code, or a code typed with spaces or dots
        return redirect(url_for("directory.profile", key=canonical), code=301)
    enterprise = profiles.get_public(key)
    if enterprise is None:
        survivor = profiles.merged_into(key)
        if survivor is None:
            abort(404)
        return redirect(url_for("directory.profile", key=survivor), code=301)
    view = profiles.build(enterprise, current_user)
    json_ld = profiles.json_ld(enterprise, external_url("directory.profile", key=key))
    return render_template(
        "directory/profile.html",
        e=enterprise,
        section=search.labels()["sections"].get(enterprise.vsic_section),
        view=view,
        json_ld=json_ld,
        claim_refusal=reviews.claim_refusal(current_user, enterprise),
    )


PUBLIC_EXPORT_CAP = 5000


@directory_bp.get("/doanh-nghiep/xuat.<fmt>")
@limiter.limit("20 per hour", exempt_when=lambda: is_staff(current_user))
def export(fmt: str):
    """The filtered list as CSV or XLSX: public fields and a row cap for the public, everything for staff."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    query = search.Query.from_args(request.args)
    staff = is_staff(current_user)
    columns = spreadsheet.STAFF_COLUMNS if staff else spreadsheet.PUBLIC_COLUMNS

    def rows():  # runs while the response streams, inside the request's context
        for enterprise in search.export_rows(query, None if staff else PUBLIC_EXPORT_CAP):
            yield spreadsheet.row(enterprise, columns, public=not staff)

    name = f"doanh-nghiep-{local_today().isoformat()}.{fmt}"
    respond = csv_response if fmt == "csv" else xlsx_response
    return respond(name, spreadsheet.header(columns), rows(), codes=list(columns))


add_alias(directory_bp, "/enterprises", "directory.index")
add_alias(directory_bp, "/enterprises/<key>", "directory.profile")
