# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A small JSON-over-HTTP client for the sync connectors: timeouts, retries
with back-off on 429 and 5xx (honouring ``Retry-After``), one token refresh
on 401, and errors that carry the HTTP status and a truncated body.

Plain Python (no Odoo import) so it can be unit-tested on its own."""

import email.utils
import json
import time
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}
BODY_LIMIT = 500
MAX_WAIT = 300


class ConnectorError(Exception):
    """A sync failed talking to the vendor: what, where, and what it said."""

    def __init__(self, message, status=None, url=None, body=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.url = url
        self.body = truncate(body)

    def __str__(self):
        where = f" ({self.status} {self.url})" if self.status else ""
        return f"{self.message}{where}"


def truncate(text, limit=BODY_LIMIT):
    text = text or ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def retry_after_seconds(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0, min(int((when - now).total_seconds()), MAX_WAIT))


class NoAuth:
    can_refresh = False

    def headers(self):
        return {}

    def refresh(self):
        return None


class ApiKeyAuth(NoAuth):
    def __init__(self, header, key):
        self.header = header
        self.key = key

    def headers(self):
        return {self.header: self.key}


class OAuthToken(NoAuth):
    """Client-credentials or password grant: fetched on first use, fetched
    again when the API answers 401 (expired token)."""

    can_refresh = True

    def __init__(self, http, token_url, form, basic=None):
        self.http = http
        self.token_url = token_url
        self.form = form
        self.basic = basic
        self.token = None
        self.fetches = 0

    def headers(self):
        if not self.token:
            self.refresh()
        return {"Authorization": f"Bearer {self.token}"}

    def refresh(self):
        data = self.http.request_json(
            "POST", self.token_url, data=self.form, auth=self.basic, authorize=False
        )
        token = isinstance(data, dict) and data.get("access_token")
        if not token:
            raise ConnectorError(
                "The token endpoint answered without an access token",
                status=200,
                url=self.token_url,
                body=json.dumps(data)[:BODY_LIMIT],
            )
        self.token = token
        self.fetches += 1


class HttpClient:
    def __init__(
        self, base_url, timeout=30, max_retries=4, backoff=1.0, sleep=time.sleep
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.session = requests.Session()
        self.auth = NoAuth()
        self.requests = 0
        self.waits = []

    def url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def get_json(self, path, params=None, headers=None):
        return self.request_json("GET", path, params=params, headers=headers)

    def request_json(
        self, method, path, params=None, headers=None, data=None, auth=None,
        authorize=True,
    ):  # fmt: skip
        url = self.url(path)
        refreshed = False
        attempt = 0
        while True:
            all_headers = {"Accept": "application/json", **(headers or {})}
            if authorize:
                all_headers.update(self.auth.headers())
            self.requests += 1
            try:
                response = self.session.request(
                    method, url, params=params, headers=all_headers, data=data,
                    auth=auth, timeout=self.timeout,
                )  # fmt: skip
            except requests.RequestException as error:
                if attempt < self.max_retries:
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                raise ConnectorError(
                    f"No answer from the server: {error.__class__.__name__}", url=url
                ) from error
            status = response.status_code
            if status == 401 and authorize and self.auth.can_refresh and not refreshed:
                refreshed = True
                self.auth.refresh()
                continue
            if status in RETRY_STATUSES and attempt < self.max_retries:
                self._wait(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            if status >= 400:
                raise ConnectorError(
                    "The server refused the request",
                    status=status,
                    url=response.url,
                    body=response.text,
                )
            try:
                return response.json()
            except ValueError as error:
                raise ConnectorError(
                    "The server sent malformed JSON",
                    status=status,
                    url=response.url,
                    body=response.text,
                ) from error

    def _wait(self, attempt, retry_after):
        seconds = retry_after_seconds(retry_after)
        if seconds is None:
            seconds = min(self.backoff * (2**attempt), MAX_WAIT)
        self.waits.append(seconds)
        self.sleep(seconds)
