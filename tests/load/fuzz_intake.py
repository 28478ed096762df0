#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile requests at a running server's intake webhooks: prints the count
of answers per HTTP status and exits 1 when any is a 5xx.

Seeded (same run for the same --seed), bounded in count (--count, at most
20000) and time (--seconds, at most 600), loopback only. Against
``./msp run`` with the demo data (source ``uptime``, secret
``demo-uptime-secret``; token source ``tactical``)::

    python3 tests/load/fuzz_intake.py --url http://127.0.0.1:8069 \\
        --count 3000 --seconds 120

Note: failed authentications are rate limited per source (30 a minute by
default), so many of them answer 429 by design; set
``msp_routing.intake_auth_failures_per_minute`` higher to exercise the
signature checks themselves.
"""

import argparse
import collections
import hashlib
import hmac
import json
import random
import sys
import time
from urllib.parse import quote, urlsplit

import requests

MAX_BODY = 1024 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def sign(secret, timestamp, body):
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


ODD = ["\x00", "\ud800", "\udfff", "²", "%", "_", "\\", "%_\\", "é", "\u202e"]


def odd_text(rng):
    return "".join(
        rng.choice([*ODD, "a", "Z", "0", " "]) for _ in range(rng.randint(0, 12))
    )


def case(rng, args, serial):
    """(path, body, headers, label) of one hostile request."""
    key = f"LOAD-{args.seed}-{serial}"
    now = str(int(time.time()))
    # generic and Tactical RMM field names
    alert = {"id": key, "title": f"Load {key}", "alert_id": key, "message": key}
    kind = rng.choice(
        [
            "binary", "deep", "number", "surrogate", "nul", "replay", "timestamp",
            "code", "device", "phone", "big", "chunked", "valid",
        ]
    )  # fmt: skip

    def signed(body, timestamp=now, rewording=lambda d: f"sha256={d}"):
        return {
            "X-MSP-Timestamp": timestamp,
            "X-MSP-Signature": rewording(sign(args.secret, timestamp, body)),
        }

    intake = f"/msp/intake/{args.source}"
    token = {"X-MSP-Token": args.token}
    if kind == "binary":
        body = rng.randbytes(rng.randint(0, 400))
        return intake, body, signed(body), kind
    if kind == "deep":
        depth = rng.choice([10, 31, 32, 33, 1000, 100000])
        body = b'{"id": "%s", "x": %s%s}' % (key.encode(), b"[" * depth, b"]" * depth)
        return intake, body, signed(body), kind
    if kind == "number":
        number = rng.choice(
            ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "1e308"]
        )
        body = b'{"id": "%s", "n": %s}' % (key.encode(), number.encode())
        return intake, body, signed(body), kind
    if kind == "surrogate":
        body = b'{"id": "%s", "title": "\xed\xa0\x80 \\ud800"}' % key.encode()
        return intake, body, signed(body), kind
    if kind == "nul":
        body = json.dumps({**alert, "title": "a\x00b", "x\x00": "\x00"}).encode()
        return intake, body, signed(body), kind
    if kind == "replay":
        body = json.dumps(alert).encode()
        rewording = rng.choice(
            [lambda d: d.upper(), lambda d: f"SHA256={d}", lambda d: f"sha256=  {d}",
             lambda d: f"sha256={d},x", lambda d: d]
        )  # fmt: skip
        return intake, body, signed(body, rewording=rewording), kind
    if kind == "timestamp":
        body = json.dumps(alert).encode()
        stamp = rng.choice(["²", "١٢٣", "\uff11\uff12", "12a", "9" * 13])
        headers = signed(body, timestamp=stamp)
        headers["X-MSP-Timestamp"] = stamp.encode()
        return intake, body, headers, kind
    if kind == "code":
        code = rng.choice(["a\x00b", "%00", "é", "x" * 65, "x" * 3000, odd_text(rng)])
        path = "/msp/intake/" + quote(code.encode("utf-8", "surrogatepass"), safe="")
        return path, b"{}", {}, kind
    if kind == "device":
        body = json.dumps({**alert, "device": odd_text(rng)}).encode()
        return f"/msp/intake/{args.token_source}", body, token, kind
    if kind == "phone":
        duration = rng.choice(['"NaN"', '"inf"', "NaN", "1e999", "-1", "86401", "60"])
        body = b'{"caller": "555 0100", "duration_seconds": %s}' % duration.encode()
        return f"/msp/phone/{args.token_source}", body, token, kind
    if kind == "big":
        return intake, b"x" * (MAX_BODY + 1), {}, kind
    if kind == "chunked":
        return intake, (b"y" * 65536 for _ in range(24)), {}, kind
    body = json.dumps(alert).encode()
    return intake, body, signed(body), kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--source", default="uptime", help="an HMAC source")
    parser.add_argument("--secret", default="demo-uptime-secret")
    parser.add_argument("--token-source", default="tactical")
    parser.add_argument("--token", default="demo-tactical-token")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("loopback servers only")
    count, seconds = min(args.count, 20000), min(args.seconds, 600)
    rng = random.Random(args.seed)
    statuses = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    session = requests.Session()
    deadline = time.monotonic() + seconds
    for serial in range(count):
        if time.monotonic() > deadline:
            break
        path, body, headers, kind = case(rng, args, serial)
        try:
            status = session.post(
                args.url + path, data=body, headers=headers, timeout=30
            ).status_code
        except requests.RequestException as error:
            status = f"error ({type(error).__name__})"
        statuses[status] += 1
        by_kind[kind][status] += 1
    for status, number in sorted(statuses.items(), key=lambda s: str(s[0])):
        print(f"{status}: {number}")
    for kind, counts in sorted(by_kind.items()):
        print(
            f"  {kind}: "
            + ", ".join(f"{s}={n}" for s, n in sorted(counts.items(), key=str))
        )
    server_errors = sum(
        n for s, n in statuses.items() if isinstance(s, int) and s >= 500
    )
    print(f"{sum(statuses.values())} requests, {server_errors} answered 5xx")
    return 1 if server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
