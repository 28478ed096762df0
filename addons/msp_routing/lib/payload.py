# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monitoring alert payloads: request validation, signature checks and
field mapping (pure: no database, so every check runs before any query)."""

import hashlib
import hmac
import json
import math
import re

MAX_BODY = 1024 * 1024  # 1 MiB
MAX_DEPTH = 32  # nesting of JSON objects and arrays
READ_CHUNK = 64 * 1024
# the source code in the URL: anything else is answered 404 without a lookup
CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Unix seconds in ASCII digits only (str.isdigit() also accepts '²')
TIMESTAMP = re.compile(r"[0-9]{1,12}")
# the one signature format: "sha256=" and 64 lowercase hex digits; bare hex
# is still accepted from sources set up before the prefix was documented
SIGNATURE = re.compile(r"(?:sha256=)?([0-9a-f]{64})")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
FIELDS = ("alert_id", "title", "description", "severity", "device", "site", "status")
_STEP = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Field paths per preset: NinjaOne webhook activities, Datto RMM and Tactical
# RMM webhook templates as we document them, Zabbix webhook media, generic.
PRESETS = {
    "generic": {
        "alert_id": "id",
        "title": "title",
        "description": "message",
        "severity": "severity",
        "device": "device",
        "site": "site",
        "status": "status",
    },
    "ninjaone": {
        "alert_id": "seriesUid",
        "title": "message",
        "description": "data.message.code",
        "severity": "severity",
        "device": "deviceId",
        "site": "organizationId",
        "status": "statusCode",
    },
    "datto": {
        "alert_id": "alertUid",
        "title": "message",
        "description": "detail",
        "severity": "priority",
        "device": "hostname",
        "site": "siteName",
        "status": "status",
    },
    "tactical": {
        "alert_id": "alert_id",
        "title": "message",
        "description": "details",
        "severity": "severity",
        "device": "agent",
        "site": "site",
        "status": "status",
    },
    "zabbix": {
        "alert_id": "eventid",
        "title": "subject",
        "description": "message",
        "severity": "severity",
        "device": "host",
        "site": "hostgroup",
        "status": "status",
    },
}
# Severity words (lowercase) -> helpdesk priority ("3" = P1 ... "0" = P4).
DEFAULT_SEVERITY = {
    "disaster": "3",
    "critical": "3",
    "emergency": "3",
    "high": "2",
    "major": "2",
    "error": "2",
    "warning": "1",
    "moderate": "1",
    "average": "1",
    "medium": "1",
    "minor": "0",
    "low": "0",
    "info": "0",
    "information": "0",
    "none": "0",
}
DEFAULT_CLEAR = {"resolved", "reset", "cleared", "ok", "recovery", "closed", "normal"}


def extract(payload, path):
    """Value at a dotted path with list indices: ``data.device[0].name``."""
    value = payload
    for key, index in _STEP.findall(path or ""):
        if key:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return None
            value = value[int(index)]
        if value is None:
            return None
    return value


def normalize(payload, paths):
    """The alert's fields as strings (missing ones empty)."""
    alert = {}
    for field in FIELDS:
        value = extract(payload, paths.get(field))
        if isinstance(value, (dict, list)):
            value = None
        text = "" if value is None else str(value)
        # PostgreSQL text cannot hold NUL; other control characters are noise
        alert[field] = _CONTROL.sub("", text).strip()[:1000]
    return alert


class BadRequest(Exception):
    """Input refused before any database work: an HTTP status and a reason."""

    def __init__(self, status, error):
        super().__init__(error)
        self.status = status
        self.error = error


def valid_code(code):
    return bool(isinstance(code, str) and CODE.fullmatch(code))


def read_bounded(stream, limit=MAX_BODY, chunk=READ_CHUNK):
    """Read a request body of at most ``limit`` bytes from a file-like
    ``stream`` (a chunked body has no length): returns (body, too_large).
    Stops as soon as one byte more than the limit came in, so it never
    holds more than ``limit + chunk`` bytes."""
    parts, size = [], 0
    while size <= limit:
        data = stream.read(min(chunk, limit + 1 - size))
        if not data:
            break
        parts.append(data)
        size += len(data)
    if size > limit:
        return b"", True
    return b"".join(parts), False


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _clean_text(text):
    """PostgreSQL text holds neither NUL nor lone surrogates (they cannot be
    encoded to UTF-8): NUL is dropped, a lone surrogate becomes U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text


def _clean_tree(value):
    """The decoded JSON with every string cleaned, refused when nested
    deeper than MAX_DEPTH (iterative: no recursion on hostile input)."""
    root = [value]
    stack = [(root, 0, 0)]  # (container, key or index, depth of the value)
    while stack:
        container, key, depth = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = _clean_text(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise BadRequest(400, f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                cleaned = {_clean_text(k): v for k, v in item.items()}
                container[key] = cleaned
                stack.extend((cleaned, k, depth + 1) for k in cleaned)
            else:
                stack.extend((item, i, depth + 1) for i in range(len(item)))
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadRequest(400, "JSON number out of range")
    return root[0]


def parse_json(body):
    """The request body as a JSON object, safe to store: or BadRequest."""
    if len(body) > MAX_BODY:
        raise BadRequest(413, "payload larger than 1 MiB")
    try:
        text = body.decode("utf-8")  # strict: raw surrogate bytes refused
    except UnicodeDecodeError as error:
        raise BadRequest(400, "the body is not UTF-8") from error
    try:
        payload = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise BadRequest(400, f"JSON nested deeper than {MAX_DEPTH} levels") from error
    except ValueError as error:  # JSONDecodeError, NaN, too many int digits
        raise BadRequest(400, f"malformed JSON: {str(error)[:200]}") from error
    if not isinstance(payload, dict):
        raise BadRequest(400, "the payload must be a JSON object")
    return _clean_tree(payload)


def sign(secret, timestamp, body):
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, timestamp, body):
    """The canonical X-MSP-Signature value."""
    return "sha256=" + sign(secret, timestamp, body)


def verified_digest(secret, timestamp, body, signature):
    """The HMAC digest when ``signature`` is a well-formed header value
    (``sha256=<64 lowercase hex>``, or the bare hex) carrying it, else None.
    The digest, not the header text, is the replay key: any rewording of a
    header is either refused here or maps to the same key."""
    match = SIGNATURE.fullmatch(signature or "")
    if not (secret and match and TIMESTAMP.fullmatch(timestamp or "")):
        return None
    expected = sign(secret, timestamp, body)
    return expected if hmac.compare_digest(expected, match.group(1)) else None


def token_ok(expected, given):
    """Constant-time token comparison."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def like_literal(text):
    """``text`` as a LIKE pattern matching itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


MAX_CALL_SECONDS = 24 * 3600


def _text(payload, key, size, required=False):
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise BadRequest(422, f"the call has no {key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRequest(422, f"{key} must be a string")
    return _CONTROL.sub("", str(value)).strip()[:size]


def call_values(payload):
    """A phone system's call record, checked (pure), or BadRequest(422)."""
    caller = _text(payload, "caller", 64)
    if not caller:
        raise BadRequest(422, "the call has no caller number")
    duration = payload.get("duration_seconds")
    if duration is None or duration == "":
        duration = 0
    if isinstance(duration, bool) or not isinstance(duration, (str, int, float)):
        raise BadRequest(422, "duration_seconds is not a number")
    try:
        seconds = float(duration)
    except (ValueError, OverflowError) as error:
        raise BadRequest(422, "duration_seconds is not a number") from error
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_CALL_SECONDS):
        raise BadRequest(422, "duration_seconds must be between 0 and 86400")
    return {
        "caller": caller,
        "duration_seconds": seconds,
        "subject": _text(payload, "subject", 200),
        "notes": _text(payload, "notes", 10000),
        "agent_login": _text(payload, "agent_login", 128),
    }
