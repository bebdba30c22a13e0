"""`activation ui`: the web app for marketers (segment builder, customer lookup, syncs, dashboard).

`create_app` builds the Flask app; `serve` runs it on werkzeug's threaded server (the app serialises its
warehouse work), bound to 127.0.0.1 unless told otherwise, and then only with a token.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from activation.errors import ConfigurationError

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_ENV = "CDP_UI_TOKEN"


def resolve_token(host: str, token_env: str) -> str | None:
    """The token clients must give: required when the app is reachable beyond this machine."""
    from activation.ui.app import is_loopback

    token = os.environ.get(token_env) or None
    if not is_loopback(host) and not token:
        raise ConfigurationError(
            f"Binding {host} exposes customer data beyond this machine: set {token_env} to a long random "
            "token, e.g. `export CDP_UI_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe())')`"
        )
    if token is not None and len(token) < 16:
        raise ConfigurationError(f"{token_env} is too short: use at least 16 characters")
    return token


def make_server(app, host: str, port: int):
    """werkzeug's threaded server, logging each request without its query string (a search is personal
    data)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class RequestHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = self.path.split("?", 1)[0]
            logger.info('%s "%s %s" %s', self.address_string(), self.command, path, code)

    return make_server(host, port, app, threaded=True, request_handler=RequestHandler)


def serve(
    project_dir: Path, target: str, host: str, port: int, *, show_pii: bool, token_env: str = TOKEN_ENV
) -> None:
    from activation.ui.app import create_app

    token = resolve_token(host, token_env)
    app = create_app(project_dir, target, show_pii=show_pii, token=token)
    server = make_server(app, host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(
        f"Composable CDP web app on http://{shown_host}:{server.server_port}/ (target {target}; "
        f"personal data {'shown' if show_pii else 'masked'}{'; token required' if token else ''}). "
        "Ctrl-C stops.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        server.server_close()
