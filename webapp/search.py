"""The search page: one box, results grouped by document, facets, paging, suggestions."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from indexer.search import MAX_QUERY_CHARS, QueryError
from webapp.access import get_index, get_searcher
from webapp.results import FILTER_PARAMS, hit_url, run_search

bp = Blueprint("search", __name__)


@bp.get("/")
def index():
    """The search page; with ``q`` it shows one page of results."""
    api_url = url_for("api.search", **request.args)
    if not request.args.get("q", "").strip():
        return render_template("search/index.html", result=None, error=None, api_url=api_url,
                               documents=len(get_index().document_facts(get_searcher())), max_chars=MAX_QUERY_CHARS)
    try:
        result = run_search(request.args)
    except QueryError as err:
        return render_template("search/index.html", result=None, error=err, api_url=api_url,
                               documents=None, max_chars=MAX_QUERY_CHARS), 400
    return render_template("search/index.html", result=result, error=None, api_url=api_url, hit_url=hit_url,
                           documents=None, max_chars=MAX_QUERY_CHARS)


@bp.app_template_global()
def url_with(**changes) -> str:
    """This page's URL with some parameters changed (None removes one); any change but paging resets the page."""
    args = {k: v for k, v in request.args.items() if v}
    if "page" not in changes:
        args.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.app_template_global()
def active_filters() -> dict[str, str]:
    """The filters set in this page's query string."""
    return {name: request.args[name] for name in FILTER_PARAMS if request.args.get(name)}
