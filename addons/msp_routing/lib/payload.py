# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monitoring alert payloads: signature checks and field mapping (pure)."""

import hashlib
import hmac
import re

MAX_BODY = 1024 * 1024  # 1 MiB
FIELDS = ("alert_id", "title", "description", "severity", "device", "site", "status")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
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


def sign(secret, timestamp, body):
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_ok(secret, timestamp, body, signature):
    expected = sign(secret, timestamp, body)
    given = (signature or "").split("=", 1)[-1].strip().lower()
    return hmac.compare_digest(expected, given)
