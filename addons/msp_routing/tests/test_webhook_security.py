# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Webhook hardening: pure checks, then the real HTTP endpoint (limits,
signatures, replays, rate limit, request log, intake user), then a seeded
fuzz run through HTTP."""

import io
import json
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo import fields
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import mute_logger

from ..lib.matching import regex_risk
from ..lib.payload import (
    MAX_BODY,
    BadRequest,
    call_values,
    like_literal,
    parse_json,
    read_bounded,
    sign,
    valid_code,
    verified_digest,
)
from ..models.msp_intake_source import MspIntakeSource
from .test_intake_webhook import IntakeMixin


class CountingStream(io.BytesIO):
    def __init__(self, size):
        super().__init__(b"x" * size)
        self.consumed = 0

    def read(self, size=-1):
        data = super().read(size)
        self.consumed += len(data)
        return data


@tagged("post_install", "-at_install")
class TestWebhookChecks(BaseCase):
    def assertRefused(self, status, func, *args):
        with self.assertRaises(BadRequest) as caught:
            func(*args)
        self.assertEqual(caught.exception.status, status, caught.exception.error)

    def test_body_is_read_up_to_the_limit_only(self):
        stream = CountingStream(10 * MAX_BODY)
        self.assertEqual(read_bounded(stream), (b"", True))
        self.assertLessEqual(stream.consumed, MAX_BODY + 1)
        stream = CountingStream(MAX_BODY)
        body, too_large = read_bounded(stream)
        self.assertEqual((len(body), too_large), (MAX_BODY, False))

    def test_json_depth_numbers_nul_and_surrogates(self):
        self.assertRefused(400, parse_json, b"[" * 100000 + b"]" * 100000)
        deep = b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"
        self.assertRefused(400, parse_json, deep)
        self.assertTrue(parse_json(b'{"a": ' + b"[" * 30 + b"]" * 30 + b"}"))
        for body in (b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1e999}'):
            self.assertRefused(400, parse_json, body)
        self.assertRefused(400, parse_json, b'{"a": ' + b"9" * 5000 + b"}")
        self.assertRefused(400, parse_json, b'{"a": "\xed\xa0\x80"}')  # raw
        self.assertRefused(400, parse_json, b"[1]")
        cleaned = parse_json(b'{"a\\u0000": ["x\\u0000y", {"b": "\\ud800z"}]}')
        self.assertEqual(cleaned, {"a": ["xy", {"b": "\ufffdz"}]})

    def test_one_signature_format(self):
        digest = sign("k", "100", b"{}")
        self.assertEqual(verified_digest("k", "100", b"{}", f"sha256={digest}"), digest)
        self.assertEqual(verified_digest("k", "100", b"{}", digest), digest)
        for reworded in (
            f"sha256={digest.upper()}",
            f"SHA256={digest}",
            f" sha256={digest}",
            f"sha256= {digest}",
            f"sha256={digest}\n",
            f"v1={digest}",
            f"sha256={digest},sha256={digest}",
        ):
            self.assertIsNone(verified_digest("k", "100", b"{}", reworded), reworded)
        self.assertIsNone(verified_digest("k", "²", b"{}", digest))
        self.assertIsNone(verified_digest("", "100", b"{}", digest))

    def test_call_values(self):
        for duration in ("NaN", "Infinity", "-inf", -1, 86401, 10**400, True, [1]):
            self.assertRefused(
                422, call_values, {"caller": "555 0100", "duration_seconds": duration}
            )
        self.assertRefused(422, call_values, {"caller": {"x": 1}})
        self.assertRefused(422, call_values, {"caller": "  "})
        values = call_values(
            {"caller": "+1\x00555", "duration_seconds": "90", "subject": "s" * 500}
        )
        self.assertEqual(values["caller"], "+1555")
        self.assertEqual(values["duration_seconds"], 90.0)
        self.assertEqual(len(values["subject"]), 200)

    def test_codes_and_like_patterns(self):
        self.assertTrue(valid_code("ninja-one_2"))
        for code in ("", "a\x00b", "é", "a b", "a%00", "x" * 65, "a/b", None):
            self.assertFalse(valid_code(code), code)
        self.assertEqual(like_literal("50%_a\\b"), "50\\%\\_a\\\\b")

    def test_regex_risk(self):
        for pattern in ("(a+)+", "(a|a)*", "(.*)*", r"(\w+\s?){2,}", "(a|ab)*c"):
            self.assertTrue(regex_risk(pattern), pattern)
        for pattern in ("^urgent", r"(\d{1,3}\.){3}", "(foo|bar)", "a*b", ""):
            self.assertIsNone(regex_risk(pattern), pattern)


class WebhookHttpMixin(IntakeMixin):
    @classmethod
    def _setup_webhook(cls):
        cls._setup_sources()
        cls.phone_source = cls.env["msp.intake.source"].create(
            {"name": "PBX", "code": "pbx-http", "auth_mode": "token", "token": "pbx"}
        )
        cls.asset = cls.env["msp.asset"].create(
            {"name": "FUZZ-ASSET", "client_id": cls.client.id}
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "msp_routing.intake_auth_failures_per_minute", "1000000"
        )

    def post(self, path, body, headers=None):
        # always a POST, also of an empty body (url_open would GET it)
        return self.opener.post(
            self.base_url() + path, data=body, headers=headers or {}, timeout=60
        )

    def alert_body(self, **values):
        return json.dumps({"id": "W-1", "title": "Disk full", **values}).encode()


@tagged("post_install", "-at_install")
class TestWebhookHttp(WebhookHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_webhook()

    def test_bad_codes_are_404_before_any_query(self):
        Source = self.env["msp.intake.source"]
        for code in ("a\x00b", "é", "x" * 65, "a b", ""):
            with self.assertQueryCount(0):
                self.assertEqual(Source._handle("alert", code, {}, b"{}")[0], 404)
        for code in ("a%00b", "%00", "%C3%A9", "x" * 300, "a%20b", "..%2F"):
            response = self.post(f"/msp/intake/{code}", b"{}")
            self.assertEqual(response.status_code, 404, code)

    def test_oversized_bodies_are_refused_while_reading(self):
        response = self.post("/msp/intake/token-monitor", b"x" * (MAX_BODY + 1))
        self.assertEqual(response.status_code, 413)
        sent = []

        def chunks():  # no Content-Length: requests sends it chunked
            for _i in range(40):
                sent.append(1)
                yield b"y" * 65536

        response = self.post(
            "/msp/intake/token-monitor", chunks(), {"X-MSP-Token": "t0ken"}
        )
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json(), {"error": "payload larger than 1 MiB"})
        # a chunked body under the limit is read in full
        ok = self.alert_body(id="CH-1")
        response = self.post(
            "/msp/intake/token-monitor",
            (ok[i : i + 7] for i in range(0, len(ok), 7)),
            {"X-MSP-Token": "t0ken"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertFalse(self.source.event_ids.filtered(lambda e: e.status == 413))

    def test_reworded_signature_headers_replay_nothing(self):
        body = self.alert_body(id="RW-1")
        timestamp = str(int(time.time()))
        digest = sign("s3cret", timestamp, body)
        statuses = []
        for header in (
            f"sha256={digest}",
            digest,
            f"sha256={digest.upper()}",
            digest.upper(),
            f"SHA256={digest}",
            f"sha256=  {digest}",
            f"sha256={digest[:32]} {digest[32:]}",
            f"sha256={digest},v0={digest}",
        ):
            response = self.post(
                "/msp/intake/test-monitor",
                body,
                {"X-MSP-Timestamp": timestamp, "X-MSP-Signature": header},
            )
            statuses.append(response.status_code)
        self.assertEqual(statuses[:2], [200, 409])
        self.assertEqual(set(statuses[2:]), {401})
        self.assertEqual(len(self.tickets(self.source, "RW-1")), 1)

    def test_non_ascii_digit_timestamps_are_401(self):
        body = self.alert_body(id="TS-1")
        for timestamp in (
            "²",
            "\uff11\uff12\uff13",
            "١٢٣",
            "12 ",
            "-1",
            "1e9",
            "0x10",
            "9" * 13,
        ):
            signature = sign("s3cret", timestamp, body)
            response = self.post(
                "/msp/intake/test-monitor",
                body,
                {
                    "X-MSP-Timestamp": timestamp.encode("utf-8"),
                    "X-MSP-Signature": signature,
                },
            )
            self.assertEqual(response.status_code, 401, timestamp)

    def test_auth_failures_are_rate_limited(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "msp_routing.intake_auth_failures_per_minute", "3"
        )
        body, headers = self.signed({"id": "RL-1", "title": "x"}, secret="wrong")
        for _i in range(3):
            self.assertEqual(
                self.post("/msp/intake/test-monitor", body, headers).status_code, 401
            )
        response = self.post("/msp/intake/test-monitor", *self.signed({"id": "RL-2"}))
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.headers["Retry-After"], "60")
        self.assertFalse(self.tickets(self.source, "RL-2"))
        # other sources are not affected
        response = self.post(
            "/msp/intake/token-monitor",
            self.alert_body(id="RL-3"),
            {"X-MSP-Token": "t0ken"},
        )
        self.assertEqual(response.status_code, 200)
        events = self.source.event_ids
        self.assertEqual(len(events.filtered(lambda e: e.status == 401)), 3)
        self.assertFalse(events.filtered(lambda e: e.status == 429), "counted only")
        self.assertEqual(sum(events.mapped("dropped_count")), 1)

    def test_rejected_requests_logged_capped_and_short(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "msp_routing.intake_rejected_logged_per_minute", "2"
        )
        body = b'{"title": "' + b"z" * 3000 + b'"'  # malformed, signed
        for _i in range(5):
            response = self.post("/msp/intake/test-monitor", *self.signed(body))
            self.assertEqual(response.status_code, 400)
        events = self.source.event_ids.filtered(lambda e: e.status == 400)
        self.assertEqual(len(events), 2)
        self.assertEqual(sum(events.mapped("dropped_count")), 3)
        self.assertTrue(all(len(e.payload) <= 256 for e in events))
        self.assertNotIn("s3cret", "".join(events.mapped("payload")))

    def test_tickets_and_calls_are_created_by_the_intake_user(self):
        user = self.source.user_id
        self.assertTrue(user)
        self.assertFalse(user.active, "archived: cannot log in")
        self.assertFalse(user.share)
        self.assertTrue(user.has_group("msp_routing.group_msp_intake"))
        self.assertFalse(user.has_group("base.group_system"))
        self.assertFalse(user.has_group("helpdesk_mgmt.group_helpdesk_manager"))
        self.assertNotEqual(self.token_source.user_id, user, "one per source")
        response = self.post(
            "/msp/intake/test-monitor", *self.signed({"id": "U-1", "title": "x"})
        )
        self.assertEqual(response.status_code, 200, response.text)
        ticket = self.tickets(self.source, "U-1")
        self.assertEqual(ticket.create_uid, user)
        call = {"caller": "555 0100 77", "duration_seconds": 60}
        response = self.post(
            "/msp/phone/pbx-http", json.dumps(call), {"X-MSP-Token": "pbx"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        phone_call = self.env["msp.phone.call"].browse(response.json()["call_id"])
        self.assertEqual(phone_call.create_uid, self.phone_source.user_id)
        self.assertEqual(phone_call.ticket_id.create_uid, self.phone_source.user_id)

    def test_phone_numbers_must_be_finite_and_in_range(self):
        for duration, status in (
            ('"NaN"', 422),
            ('"Infinity"', 422),
            ("NaN", 400),
            ("-Infinity", 400),
            ("1e999", 400),
            ("-5", 422),
            ("86401", 422),
            ("1" + "0" * 400, 422),
            ("600", 200),
        ):
            body = '{"caller": "555 0100", "duration_seconds": ' + duration + "}"
            response = self.post(
                "/msp/phone/pbx-http", body.encode(), {"X-MSP-Token": "pbx"}
            )
            self.assertEqual(response.status_code, status, duration)

    def test_device_names_match_exactly(self):
        for device, matched in (
            ("fuzz-asset", True),
            ("FUZZ%", False),
            ("FUZZ_ASSET", False),
            ("%", False),
            ("FUZZ\\-ASSET", False),
        ):
            body = self.alert_body(id=f"DEV-{device}", device=device)
            response = self.post(
                "/msp/intake/token-monitor", body, {"X-MSP-Token": "t0ken"}
            )
            self.assertEqual(response.status_code, 200, response.text)
            ticket = self.env["helpdesk.ticket"].browse(response.json()["ticket_id"])
            self.assertEqual(bool(ticket.msp_asset_id), matched, device)

    def test_a_retried_request_reads_the_same_body(self):
        original = MspIntakeSource._run
        bodies = []

        def flaky(source, kind, values, body):
            bodies.append(body)
            if len(bodies) == 1:  # a real serialization failure: Odoo retries
                source.env.cr.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'concurrent' "
                    "USING ERRCODE = '40001'; END $$"
                )
            return original(source, kind, values, body)

        body = self.alert_body(id="RT-1")
        with (
            patch.object(MspIntakeSource, "_run", flaky),
            mute_logger("odoo.sql_db", "odoo.service.model"),
        ):
            response = self.post(
                "/msp/intake/token-monitor", body, {"X-MSP-Token": "t0ken"}
            )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(bodies, [body, body])
        self.assertEqual(len(self.tickets(self.token_source, "RT-1")), 1)

    def test_old_requests_and_nonces_are_cleaned(self):
        Event = self.env["msp.intake.event"].sudo()
        now = fields.Datetime.now()

        def event(outcome, days):
            return Event.create(
                {
                    "source_id": self.source.id,
                    "outcome": outcome,
                    "status": 200 if outcome != "rejected" else 400,
                    "date": now - timedelta(days=days),
                }
            )

        keep = event("rejected", 29) | event("created", 89)
        gone = event("rejected", 31) | event("created", 91)
        self.post("/msp/intake/test-monitor", *self.signed({"id": "GC-1"}))
        self.env.cr.execute(
            "INSERT INTO msp_intake_nonce (source_id, digest, create_date) "
            "VALUES (%s, 'old', now() at time zone 'UTC' - interval '1 hour')",
            [self.source.id],
        )
        self.env["msp.intake.source"]._gc_intake_log()
        self.assertEqual((keep | gone).exists(), keep)
        self.env.cr.execute(
            "SELECT digest FROM msp_intake_nonce WHERE source_id = %s", [self.source.id]
        )
        self.assertEqual(len(self.env.cr.fetchall()), 1, "the fresh nonce stays")


# ---------------------------------------------------------------- fuzz

REWORDINGS = (
    lambda d: f"sha256={d}",
    lambda d: d,
    lambda d: f"sha256={d.upper()}",
    lambda d: d.upper(),
    lambda d: f"SHA256={d}",
    lambda d: f"sha256= {d}",
    lambda d: f"sha256={d} x",
    lambda d: f"sha256={d[:-1]}",
)
WELL_FORMED = {0, 1}
ODD_TEXT = st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "\udfff", "x\ud83d", "²", "%", "_", "\\", "%_\\"]
)
TEXT = st.one_of(st.text(max_size=12), ODD_TEXT)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


def _alert(key, extra):
    return json.dumps({"id": key, "title": f"Fuzz {key}", **extra}).encode()


@st.composite
def fuzz_cases(draw):
    """(kind, parameters) of one attack; the test sends and checks it."""
    kind = draw(
        st.sampled_from(
            [
                "binary",
                "json",
                "deep",
                "number",
                "raw_surrogate",
                "replay",
                "timestamp",
                "code",
                "device",
                "phone",
            ]
        )
    )
    if kind == "binary":
        return kind, draw(st.binary(max_size=300))
    if kind == "json":
        return kind, draw(st.dictionaries(TEXT, JSON_VALUES, max_size=5))
    if kind == "deep":
        return kind, draw(st.integers(min_value=1, max_value=3000))
    if kind == "number":
        return kind, draw(
            st.sampled_from(
                [
                    *("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000),
                    *("1e308", "-0", "123456789012345678901234567890", "0.1e-400"),
                ]
            )
        )
    if kind == "raw_surrogate":
        return kind, draw(
            st.sampled_from([b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\x80", b"\xff"])
        )
    if kind == "replay":
        return kind, draw(
            st.lists(st.integers(0, len(REWORDINGS) - 1), min_size=2, max_size=4)
        )
    if kind == "timestamp":
        return kind, draw(
            st.sampled_from(
                ["²", "³", "\uff11\uff12", "١٢٣", "߁", "12a", "+12", "1.5", "9" * 13]
            )
        )
    if kind == "code":
        return kind, draw(
            st.one_of(
                st.text(min_size=1, max_size=80),
                ODD_TEXT,
                st.sampled_from(["%00", "a%00", "x" * 65, "x" * 2000, "é", "%"]),
            )
        )
    if kind == "device":
        return kind, draw(
            st.one_of(ODD_TEXT, st.text(max_size=12), st.just("fuzz-asset"))
        )
    return kind, draw(
        st.one_of(
            st.sampled_from(['"NaN"', '"inf"', "-1", "1e999", "NaN", "86401", '"12"']),
            st.integers(-(10**20), 10**20).map(str),
            st.floats().map(lambda f: json.dumps(f) if f == f else "NaN"),
        )
    )


@tagged("post_install", "-at_install")
class TestWebhookFuzzHttp(WebhookHttpMixin, HttpCase):
    """A seeded, derandomized run of hostile requests through the real HTTP
    server: never a 5xx, always the expected class of 4xx."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_webhook()
        cls.counter = 0

    def token(self, body, code="token-monitor"):
        return self.post(f"/msp/intake/{code}", body, {"X-MSP-Token": "t0ken"})

    def check(self, response, allowed):
        self.assertLess(response.status_code, 500, response.text[:300])
        self.assertIn(response.status_code, allowed, response.text[:300])

    @settings(
        derandomize=True,
        max_examples=400,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=fuzz_cases())
    def test_hostile_requests(self, case):
        kind, value = case
        type(self).counter += 1
        key = f"FZ-{self.counter}"
        if kind == "binary":
            self.check(
                self.post("/msp/intake/test-monitor", *self.signed(value)),
                {200, 400, 422},
            )
        elif kind == "json":
            self.check(self.token(json.dumps(value).encode()), {200, 400, 422})
        elif kind == "deep":
            body = (
                b'{"id": "%s", "x": ' % key.encode()
                + b"[" * value
                + b"]" * value
                + b"}"
            )
            self.check(self.token(body), {200} if value < 32 else {400})
        elif kind == "number":
            self.check(
                self.token(b'{"id": "%s", "n": %s}' % (key.encode(), value.encode())),
                {200, 400},
            )
        elif kind == "raw_surrogate":
            body = b'{"id": "' + key.encode() + b'", "title": "a' + value + b'"}'
            self.check(self.token(body), {400})
        elif kind == "replay":
            body, timestamp = _alert(key, {}), str(int(time.time()))
            digest = sign("s3cret", timestamp, body)
            statuses = [
                self.post(
                    "/msp/intake/test-monitor",
                    body,
                    {
                        "X-MSP-Timestamp": timestamp,
                        "X-MSP-Signature": REWORDINGS[i](digest),
                    },
                ).status_code
                for i in value
            ]
            accepted = 1 if WELL_FORMED & set(value) else 0
            self.assertEqual(statuses.count(200), accepted, (value, statuses))
            self.assertTrue(set(statuses) <= {200, 401, 409}, statuses)
            self.assertEqual(len(self.tickets(self.source, key)), accepted)
        elif kind == "timestamp":
            body = _alert(key, {})
            headers = {
                "X-MSP-Timestamp": value.encode("utf-8"),
                "X-MSP-Signature": "sha256=" + sign("s3cret", value, body),
            }
            self.check(self.post("/msp/intake/test-monitor", body, headers), {401})
        elif kind == "code":
            path = quote(value.encode("utf-8", "surrogatepass"), safe="")
            allowed = {404, 405} if not valid_code(value) else {401, 404}
            self.check(self.post(f"/msp/intake/{path}", b"{}"), allowed)
        elif kind == "device":
            response = self.token(_alert(key, {"device": value}))
            self.check(response, {200, 422})
            if response.status_code == 200:
                ticket = self.env["helpdesk.ticket"].browse(
                    response.json()["ticket_id"]
                )
                matched = value.replace("\x00", "").strip().lower() == "fuzz-asset"
                self.assertEqual(bool(ticket.msp_asset_id), matched, value)
        else:
            body = b'{"caller": "555 0100", "duration_seconds": %s}' % value.encode()
            response = self.post("/msp/phone/pbx-http", body, {"X-MSP-Token": "pbx"})
            self.check(response, {200, 400, 422})
