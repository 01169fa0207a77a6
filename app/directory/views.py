"""Directory pages: the search with facets, and the profile of an enterprise."""

from __future__ import annotations

import json

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from stdnum.vn import mst

from app.directory import directory_bp, profiles, search
from app.extensions import db
from app.main.views import NAV_ITEMS
from app.models import Commune, Platform, VsicSection
from app.routing import add_alias

NAV_ITEMS.insert(1, ("directory.index", _l("Enterprises"), None))


@directory_bp.get("/doanh-nghiep")
def index():
    query = search.Query.from_args(request.args)
    code = search.code_in_query(query.q)
    if code:
        enterprise = profiles.get_public(code)
        if enterprise is not None:
            return redirect(url_for("directory.profile", key=enterprise.public_key))
    results = search.run(query)
    communes = {c.code: c for c in db.session.scalars(select(Commune))}
    sections = {s.code: s for s in db.session.scalars(select(VsicSection))}
    platforms = {p.code: p for p in db.session.scalars(select(Platform))}
    return render_template("directory/index.html", results=results, query=results.query, communes=communes,
                           sections=sections, platforms=platforms)


@directory_bp.get("/doanh-nghiep/<key>")
def profile(key: str):
    compact = mst.compact(key)
    if compact.isdigit() and len(compact) == 13 and key != mst.format(compact):
        return redirect(url_for("directory.profile", key=mst.format(compact)), code=301)
    enterprise = profiles.get_public(key)
    if enterprise is None:
        abort(404)
    view = profiles.build(enterprise)
    json_ld = Markup(json.dumps(profiles.json_ld(enterprise, url_for("directory.profile", key=key, _external=True)),
                                ensure_ascii=False).replace("</", "<\\/"))
    return render_template("directory/profile.html", e=enterprise, view=view, json_ld=json_ld)


add_alias(directory_bp, "/enterprises", "directory.index")
add_alias(directory_bp, "/enterprises/<key>", "directory.profile")
