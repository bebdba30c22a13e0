"""`activation ui`: a small web app for marketers over the same warehouse, profile and target as the CLI.

Flask (Pallets: small, long-maintained, synchronous WSGI like everything it calls here: dbt's runner and the
engines' DB-API clients) with Jinja2 templates (already a dependency), plain JavaScript and server-rendered
SVG charts: no front-end build chain, nothing fetched from a CDN.

Security, even on localhost:
  * binds 127.0.0.1 by default; bound anywhere else it requires a token (`CDP_UI_TOKEN`, never logged), given
    once on a login form (or as `Authorization: Bearer`) and kept as an HttpOnly, SameSite=Strict cookie
    holding an HMAC of it;
  * every POST carries the page's CSRF token (a header for the app's fetch calls, a field for forms), and a
    cross-origin Origin header is refused;
  * personal data is masked unless the app was started with --show-pii; request logs carry no query strings
    (a search is personal data);
  * SQL comes only from the code: identifiers from allow-lists introspected from the warehouse and the
    segment catalogue, values as bound parameters or through the segment compiler's literals.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for

from activation.errors import ActivationError, SegmentDefinitionError
from activation.segments.definitions import load_project
from activation.ui import customers, dashboard, segments, syncs
from activation.ui.warehouse import UiWarehouse

logger = logging.getLogger(__name__)

SESSION_COOKIE = "cdp_ui_session"
CSRF_HEADER = "X-CSRF-Token"
PREVIEW_SAMPLE_SIZE = 10


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _session_value(token: str) -> str:
    return hmac.new(token.encode(), b"cdp-ui-session", hashlib.sha256).hexdigest()


def create_app(
    project_dir: Path,
    target: str,
    *,
    show_pii: bool = False,
    token: str | None = None,
    warehouse: UiWarehouse | None = None,
) -> Flask:
    """The app for one dbt project and target. `token`: required from every client (set when not bound to
    loopback)."""
    app = Flask(__name__)
    app.config.update(
        PROJECT_DIR=project_dir,
        TARGET=target,
        SHOW_PII=show_pii,
        MAX_CONTENT_LENGTH=1_000_000,
    )
    csrf_token = secrets.token_urlsafe(32)
    session_value = _session_value(token) if token else None
    data = warehouse or UiWarehouse(project_dir, target)
    app.extensions["cdp_warehouse"] = data

    @app.before_request
    def _guard() -> Response | None:
        g.csrf_token = csrf_token
        if session_value is not None and request.endpoint not in ("login", "static"):
            bearer = request.headers.get("Authorization", "")
            supplied = request.cookies.get(SESSION_COOKIE, "")
            if bearer.startswith("Bearer ") and hmac.compare_digest(
                _session_value(bearer[7:].strip()), session_value
            ):
                pass
            elif not hmac.compare_digest(supplied, session_value):
                if request.method == "GET" and not request.path.startswith("/api/"):
                    return redirect(url_for("login", next=request.path))
                abort(401)
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin != "null":
                expected = urlsplit(request.host_url)
                supplied_origin = urlsplit(origin)
                if (supplied_origin.scheme, supplied_origin.netloc) != (expected.scheme, expected.netloc):
                    abort(403, "cross-origin request refused")
            supplied_csrf = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
            if request.endpoint != "login" and not hmac.compare_digest(supplied_csrf, csrf_token):
                abort(403, "missing or wrong CSRF token: reload the page")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if response.mimetype in ("text/html", "application/json"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(ActivationError)
    def _activation_error(error: ActivationError) -> tuple[str, int]:
        return render_template("error.html", message=str(error)), 500

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "show_pii": show_pii, "target": target}

    # ------------------------------------------------------------------ login (token mode only)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if session_value is None:
            return redirect(url_for("segment_list"))
        error = None
        if request.method == "POST":
            supplied = request.form.get("token", "")
            if hmac.compare_digest(_session_value(supplied), session_value):
                target_path = request.args.get("next", "/")
                if not target_path.startswith("/") or target_path.startswith("//"):
                    target_path = "/"
                response = redirect(target_path)
                response.set_cookie(
                    SESSION_COOKIE, session_value, httponly=True, samesite="Strict", secure=request.is_secure
                )
                return response
            logger.warning("Refused a login with a wrong token from %s", request.remote_addr)
            error = "Wrong token."
        return render_template("login.html", error=error)

    # ------------------------------------------------------------------ segments

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("segment_list"))

    @app.get("/segments")
    def segment_list() -> str:
        listings = segments_listing(data)
        return render_template("segments.html", listings=listings)

    @app.get("/segments/new")
    def segment_new() -> str:
        return _builder(None)

    @app.get("/segments/<name>/edit")
    def segment_edit(name: str) -> str:
        return _builder(name)

    def _builder(name: str | None) -> str:
        project = load_project(project_dir)
        catalog = segments.builder_catalog(
            project,
            _built_columns(data, project.settings.customer_model.model),
            _built_columns(data, project.settings.prediction_model_name),
        )
        if name is None:
            definition: dict[str, Any] = {
                "name": "",
                "description": "",
                "owner": "",
                "channel": catalog["channels"][0] if catalog["channels"] else "",
                "conditions": {"all": []},
            }
        else:
            try:
                definition = segments.read_definition(project_dir, name)
            except SegmentDefinitionError:
                abort(404)
        return render_template(
            "builder.html", catalog=catalog, definition=definition, original_name=name or ""
        )

    @app.post("/api/segments/preview")
    def segment_preview() -> Response:
        definition = _json_body().get("definition")
        project = load_project(project_dir)
        checked = segments.check_definition(project, definition)
        if checked.segment is None:
            return jsonify({"ok": False, "problems": checked.problems})
        try:
            result = segments.preview(project, checked.segment, data.dbt_query, PREVIEW_SAMPLE_SIZE, show_pii)
        except ActivationError as error:
            logger.warning("Preview failed: %s", error)
            return jsonify({"ok": False, "problems": [{"path": "", "message": str(error)}]})
        return jsonify({"ok": True, "problems": [], **result})

    @app.post("/api/segments/save")
    def segment_save() -> Response:
        body = _json_body()
        definition = body.get("definition")
        replaces = body.get("replaces") or None
        if not isinstance(definition, dict):
            return jsonify({"ok": False, "problems": [{"path": "", "message": "no definition"}]})
        project = load_project(project_dir)
        checked = segments.check_definition(project, definition)
        if checked.segment is None:
            return jsonify({"ok": False, "problems": checked.problems})
        try:
            text, path = segments.save_definition(project_dir, definition, replaces)
        except SegmentDefinitionError as error:
            problems = [_problem_of(message) for message in error.problems]
            return jsonify({"ok": False, "problems": problems})
        return jsonify(
            {
                "ok": True,
                "path": str(path.relative_to(project_dir)),
                "yaml": text,
                "edit_url": url_for("segment_edit", name=checked.segment.name),
            }
        )

    # ------------------------------------------------------------------ customers

    @app.get("/customers")
    def customer_search() -> str:
        query = request.args.get("q", "").strip()
        results = customers.search(data, query, show_pii, load_project(project_dir)) if query else None
        return render_template("customers.html", query=query, results=results)

    @app.get("/customers/<customer_id>")
    def customer_detail(customer_id: str) -> str:
        project = load_project(project_dir)
        profile = customers.profile(data, project, customer_id, show_pii)
        if profile is None:
            abort(404)
        return render_template("customer.html", customer=profile)

    # ------------------------------------------------------------------ syncs

    @app.get("/syncs")
    def sync_list() -> str:
        return render_template("syncs.html", overview=syncs.overview(data))

    @app.get("/syncs/runs/<run_id>")
    def sync_run(run_id: str) -> str:
        run = syncs.run_detail(data, run_id)
        if run is None:
            abort(404)
        return render_template("sync_run.html", run=run)

    @app.post("/syncs/<name>/plan")
    def sync_plan(name: str) -> str:
        plan = syncs.plan(data, name, show_pii)
        return render_template("sync_plan.html", plan=plan)

    @app.post("/syncs/<name>/run")
    def sync_run_now(name: str) -> Response:
        result = syncs.run_now(data, name)
        if result.run_id:
            return redirect(url_for("sync_run", run_id=result.run_id))
        return Response(render_template("error.html", message=result.error or "the sync did not start"), 500)

    # ------------------------------------------------------------------ dashboard

    @app.get("/dashboard")
    def kpi_dashboard() -> str:
        return render_template("dashboard.html", panels=dashboard.panels(data))

    return app


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    return body


def _problem_of(message: str) -> dict[str, str]:
    path, _, text = message.partition(": ")
    return {"path": path, "message": text} if text else {"path": "", "message": message}


def _built_columns(data: UiWarehouse, model: str | None) -> set[str] | None:
    if model is None:
        return None
    try:
        return set(data.columns(model))
    except ActivationError as error:
        logger.info("Columns of %s not introspected (%s): offering the documented ones", model, error)
        return None


def segments_listing(data: UiWarehouse) -> list[Any]:
    from activation.segments.preview import list_segments

    return list_segments(data.project_dir, data.target, runner=data.dbt_query)
