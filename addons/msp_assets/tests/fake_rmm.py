# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Loopback fake vendor APIs for the connector tests and the bench.

Each ``Fake*`` app serves ``tests/fixtures/<vendor>.json`` the way the vendor
pages it, checks credentials and tokens, and lets a test inject faults:
``fail(path_part, status, body, headers, times)`` answers the next matching
request(s) with that response instead."""

import copy
import itertools
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def load_fixture(name):
    with open(os.path.join(FIXTURES, f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)


class FakeServer:
    """Runs an app on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app):
        self.app = app
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, payload, headers = server.app.handle(
                    self.command, self.path, dict(self.headers), body
                )
                raw = payload if isinstance(payload, str) else json.dumps(payload)
                raw = raw.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        app.base_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeApp:
    page_size = 1000

    def __init__(self, data=None):
        self.data = copy.deepcopy(data) if data is not None else load_fixture(self.name)
        self.faults = []
        self.requests = []
        self.tokens = set()
        self._token_ids = itertools.count(1)
        self.base_url = ""
        self.lock = threading.Lock()

    # -- test controls ----------------------------------------------------
    def fail(self, path_part, status, body="", headers=None, times=1, after=0):
        """The next ``times`` requests whose path holds ``path_part``, after
        skipping ``after`` of them, get this answer."""
        self.faults.append(
            {
                "part": path_part,
                "status": status,
                "body": body,
                "headers": headers or {},
                "times": times,
                "skip": after,
            }
        )

    def expire_tokens(self):
        self.tokens.clear()

    def issue_token(self):
        token = f"tok-{next(self._token_ids)}"
        self.tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def authorised(self, headers):
        auth = headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.tokens

    # -- serving ----------------------------------------------------------
    def handle(self, method, path, headers, body):
        with self.lock:
            self.requests.append((method, path, headers))
            for fault in self.faults:
                if fault["part"] in path and fault["times"] > 0:
                    if fault["skip"]:
                        fault["skip"] -= 1
                        continue
                    fault["times"] -= 1
                    return fault["status"], fault["body"], fault["headers"]
        url = urlparse(path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        return self.route(method, url.path, query, headers, body)

    def route(self, method, path, query, headers, body):
        raise NotImplementedError


UNAUTHORISED = (401, {"detail": "The token has expired."}, {})
NOT_FOUND = (404, {"detail": "Not found."}, {})


class FakeTactical(FakeApp):
    name = "tactical"
    api_key = "tactical-key"

    def route(self, method, path, query, headers, body):
        if headers.get("X-API-KEY") != self.api_key:
            return 401, {"detail": "Invalid token."}, {}
        if path == "/clients/":
            return 200, self.data["clients"], {}
        if path == "/agents/" and "site" in query:
            return 200, self.data["agents"].get(query["site"], []), {}
        return NOT_FOUND


class FakeNinjaOne(FakeApp):
    name = "ninjaone"

    def route(self, method, path, query, headers, body):
        if path == "/ws/oauth/token" and method == "POST":
            form = parse_qs(body)
            if form.get("client_secret") != ["ninja-secret"]:
                return 401, {"error": "invalid_client"}, {}
            return 200, self.issue_token(), {}
        if not self.authorised(headers):
            return UNAUTHORISED
        table = path.rsplit("/", 1)[-1]
        items = {
            "organizations": self.data["organizations"],
            "locations": self.data["locations"],
            "devices-detailed": self.data["devices"],
        }.get(table)
        if items is None:
            return NOT_FOUND
        if query.get("df", "").startswith("org = "):
            org = int(query["df"][6:])
            items = [d for d in items if d.get("organizationId") == org]
        after = int(query.get("after", 0) or 0)
        size = int(query.get("pageSize", self.page_size))
        page = sorted((i for i in items if i["id"] > after), key=lambda i: i["id"])
        return 200, page[:size], {}


class FakeDatto(FakeApp):
    name = "datto"

    def route(self, method, path, query, headers, body):
        if path == "/auth/oauth/token" and method == "POST":
            form = parse_qs(body)
            basic = headers.get("Authorization", "")
            if not basic.startswith("Basic ") or form.get("password") != [
                "datto-secret"
            ]:
                return 401, {"error": "invalid_grant"}, {}
            return 200, self.issue_token(), {}
        if not self.authorised(headers):
            return UNAUTHORISED
        if path == "/api/v2/account/sites":
            return self.paged(path, query, "sites", self.data["sites"])
        if path == "/api/v2/account/devices":
            return self.paged(path, query, "devices", self.data["devices"])
        if path.startswith("/api/v2/site/") and path.endswith("/devices"):
            uid = path.split("/")[4]
            devices = [d for d in self.data["devices"] if d.get("siteUid") == uid]
            return self.paged(path, query, "devices", devices)
        return NOT_FOUND

    def paged(self, path, query, key, items):
        page = int(query.get("page", 0))
        size = int(query.get("max", 250))
        chunk = items[page * size : (page + 1) * size]
        more = (page + 1) * size < len(items)
        next_url = None
        if more:
            next_url = (
                f"{self.base_url}{path}?{urlencode({'page': page + 1, 'max': size})}"
            )
        details = {
            "count": len(chunk),
            "totalCount": len(items),
            "prevPageUrl": None,
            "nextPageUrl": next_url,
        }
        return 200, {"pageDetails": details, key: chunk}, {}


class FakeGraph(FakeApp):
    name = "graph"
    tenant = "48a80680-7326-48cd-9935-b556b81d3a4e"

    def route(self, method, path, query, headers, body):
        if path == f"/{self.tenant}/oauth2/v2.0/token" and method == "POST":
            form = parse_qs(body)
            if form.get("client_secret") != ["graph-secret"]:
                return 401, {"error": "invalid_client"}, {}
            return 200, self.issue_token(), {}
        if not self.authorised(headers):
            return 401, {"error": {"code": "InvalidAuthenticationToken"}}, {}
        if path == "/v1.0/subscribedSkus":
            return 200, self.data["subscribedSkus"], {}
        if path == "/v1.0/users":
            if headers.get("ConsistencyLevel") != "eventual":
                return 400, {"error": {"code": "Request_UnsupportedQuery"}}, {}
            size = int(query.get("$top", 100))
            skip = int(query.get("$skiptoken", 0) or 0)
            users = [u for u in self.data["users"] if u.get("assignedLicenses")]
            page = {"value": users[skip : skip + size]}
            if skip + size < len(users):
                page["@odata.nextLink"] = f"{self.base_url}/v1.0/users?" + urlencode(
                    {**query, "$skiptoken": skip + size}
                )
            return 200, page, {}
        return NOT_FOUND
