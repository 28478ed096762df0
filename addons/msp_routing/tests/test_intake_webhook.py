# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo import Command
from odoo.tests import BaseCase, HttpCase, TransactionCase, tagged

from ..lib.payload import PRESETS, extract, normalize, sign


@tagged("post_install", "-at_install")
class TestPayloadLib(BaseCase):
    def test_extract_paths(self):
        payload = {"data": {"devices": [{"name": "FW01"}]}, "n": 0}
        self.assertEqual(extract(payload, "data.devices[0].name"), "FW01")
        self.assertIsNone(extract(payload, "data.devices[3].name"))
        self.assertIsNone(extract(payload, "n.x"))
        self.assertEqual(extract(payload, "n"), 0)

    def test_presets(self):
        ninja = {
            "seriesUid": "abc-1",
            "message": "CPU above 95% on ACME-SRV01",
            "severity": "CRITICAL",
            "deviceId": 42,
            "statusCode": "TRIGGERED",
        }
        alert = normalize(ninja, PRESETS["ninjaone"])
        self.assertEqual(alert["alert_id"], "abc-1")
        self.assertEqual(alert["device"], "42")
        self.assertEqual(alert["severity"], "CRITICAL")
        tactical = {
            "alert_id": 7,
            "message": "Disk C: 95%",
            "agent": "LFA-DC01",
            "severity": "warning",
            "status": "active",
        }
        alert = normalize(tactical, PRESETS["tactical"])
        self.assertEqual((alert["alert_id"], alert["device"]), ("7", "LFA-DC01"))
        zabbix = {
            "eventid": "9",
            "subject": "Web server down",
            "host": "web1",
            "severity": "Disaster",
            "status": "PROBLEM",
        }
        self.assertEqual(
            normalize(zabbix, PRESETS["zabbix"])["title"], "Web server down"
        )


class IntakeMixin:
    @classmethod
    def _setup_sources(cls):
        cls.client = cls.env["res.partner"].create(
            {"name": "Alert Client", "is_company": True}
        )
        cls.source = cls.env["msp.intake.source"].create(
            {
                "name": "Test monitor",
                "code": "test-monitor",
                "preset": "generic",
                "auth_mode": "hmac",
                "secret": "s3cret",
                "on_clear": "close",
                "client_map_ids": [
                    Command.create(
                        {
                            "kind": "device",
                            "value": "ACME-FW09",
                            "partner_id": cls.client.id,
                        }
                    )
                ],
            }
        )
        cls.token_source = cls.env["msp.intake.source"].create(
            {
                "name": "Token monitor",
                "code": "token-monitor",
                "auth_mode": "token",
                "token": "t0ken",
            }
        )

    def signed(self, payload, secret="s3cret", timestamp=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        timestamp = str(timestamp or int(time.time()))
        return body, {
            "X-MSP-Timestamp": timestamp,
            "X-MSP-Signature": sign(secret, timestamp, body),
            "Content-Type": "application/json",
        }

    def tickets(self, source, key):
        return self.env["helpdesk.ticket"].search(
            [("msp_alert_source_id", "=", source.id), ("msp_alert_key", "=", key)]
        )


@tagged("post_install", "-at_install")
class TestIntakeWebhook(IntakeMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sources()

    def post(self, code, body, headers):
        response = self.url_open(f"/msp/intake/{code}", data=body, headers=headers)
        return response.status_code, response.json()

    def alert(self, **values):
        return {
            "id": "A-1",
            "title": "Firewall CPU high",
            "severity": "major",
            "device": "ACME-FW09",
            "status": "problem",
            **values,
        }

    def test_alert_creates_then_counts_then_clears(self):
        status, answer = self.post("test-monitor", *self.signed(self.alert()))
        self.assertEqual((status, answer["action"]), (200, "created"))
        ticket = self.tickets(self.source, "A-1")
        self.assertEqual(ticket.partner_id, self.client, "client from the device")
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(
            ticket.channel_id, self.env.ref("msp_routing.channel_monitoring")
        )
        self.assertFalse(ticket.user_id)
        status, answer = self.post(
            "test-monitor", *self.signed(self.alert(), timestamp=int(time.time()) + 1)
        )
        self.assertEqual(answer["action"], "updated")
        self.assertEqual(len(self.tickets(self.source, "A-1")), 1)
        self.assertEqual(ticket.msp_alert_count, 2)
        status, answer = self.post(
            "test-monitor",
            *self.signed(self.alert(status="RESOLVED"), timestamp=int(time.time()) + 2),
        )
        self.assertEqual(answer["action"], "closed")
        self.assertTrue(ticket.stage_id.closed)

    def test_rejections_are_4xx_with_a_message(self):
        body, headers = self.signed(self.alert())
        self.assertEqual(self.post("test-monitor", body, headers)[0], 200)
        status, answer = self.post("test-monitor", body, headers)
        self.assertEqual((status, answer["error"]), (409, "replayed request"))
        stale = self.signed(self.alert(id="A-2"), timestamp=int(time.time()) - 3600)
        self.assertEqual(
            self.post("test-monitor", *stale), (401, {"error": "stale timestamp"})
        )
        forged = self.signed(self.alert(id="A-3"), secret="wrong")
        self.assertEqual(self.post("test-monitor", *forged)[0], 401)
        self.assertEqual(self.post("test-monitor", b"{}", {})[0], 401)
        self.assertEqual(self.post("nope", *self.signed(self.alert()))[0], 404)
        self.assertEqual(self.post("test-monitor", *self.signed(b"{not json"))[0], 400)
        self.assertEqual(self.post("test-monitor", *self.signed(b"[1, 2]"))[0], 400)
        self.assertEqual(
            self.post("test-monitor", *self.signed({"severity": "x"}))[0], 422
        )
        big = self.signed({"title": "x" * (1024 * 1024 + 10)})
        self.assertEqual(self.post("test-monitor", *big)[0], 413)
        events = self.source.event_ids.filtered(lambda e: e.outcome == "rejected")
        self.assertGreaterEqual(len(events), 6)
        self.assertFalse(
            self.tickets(self.source, "A-2") | self.tickets(self.source, "A-3")
        )

    def test_token_source(self):
        body = json.dumps(self.alert(id="T-1")).encode()
        self.assertEqual(
            self.post("token-monitor", body, {"X-MSP-Token": "bad"})[0], 401
        )
        status, answer = self.post(
            "token-monitor", body, {"Authorization": "Bearer t0ken"}
        )
        self.assertEqual((status, answer["action"]), (200, "created"))

    def test_clear_annotates_when_configured(self):
        self.source.on_clear = "annotate"
        self.post("test-monitor", *self.signed(self.alert(id="N-1")))
        _status, answer = self.post(
            "test-monitor",
            *self.signed(
                self.alert(id="N-1", status="ok"), timestamp=int(time.time()) + 5
            ),
        )
        self.assertEqual(answer["action"], "annotated")
        self.assertFalse(self.tickets(self.source, "N-1").stage_id.closed)


@tagged("post_install", "-at_install")
class TestIntakeFuzz(IntakeMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sources()

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=8,
    )
    bodies = st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {"id": st.text(min_size=1, max_size=12), "title": st.text(max_size=30)},
            optional={
                "severity": st.text(max_size=10),
                "status": st.sampled_from(["problem", "x", ""]),
            },
        ).map(lambda v: json.dumps(v).encode()),
    )

    @settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies)
    def test_random_payloads(self, body):
        Ticket = self.env["helpdesk.ticket"]
        before = Ticket.search_count(
            [("msp_alert_source_id", "=", self.token_source.id)]
        )
        status, answer = self.env["msp.intake.source"]._receive(
            "token-monitor", {"X-MSP-Token": "t0ken"}, body
        )
        self.assertIn(status, (200, 400, 422))
        after = Ticket.search_count(
            [("msp_alert_source_id", "=", self.token_source.id)]
        )
        valid = status == 200 and answer["action"] == "created"
        self.assertEqual(after - before, 1 if valid else 0)
        if status == 200:
            key = self.tickets(
                self.token_source, Ticket.browse(answer["ticket_id"]).msp_alert_key
            )
            self.assertEqual(len(key.filtered(lambda t: not t.stage_id.closed)), 1)


@tagged("post_install", "-at_install")
class TestIntakeSanitising(IntakeMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sources()

    def test_markup_and_nul_in_alerts_are_neutralised(self):
        body = json.dumps(
            {
                "id": "X-1",
                "title": "bad\u0000title",
                "message": "<script>alert(1)</script>",
            }
        ).encode()
        status, answer = self.env["msp.intake.source"]._receive(
            "token-monitor", {"X-MSP-Token": "t0ken"}, body
        )
        self.assertEqual(status, 200)
        ticket = self.env["helpdesk.ticket"].browse(answer["ticket_id"])
        self.assertEqual(ticket.name, "badtitle")
        self.assertNotIn("<script>", str(ticket.description))

    def test_the_device_asset_is_set_at_intake(self):
        asset = self.env["msp.asset"].create(
            {"name": "ACME-SRV77", "client_id": self.client.id}
        )
        body = json.dumps({"id": "AS-1", "title": "Disk full", "device": "acme-srv77"})
        status, answer = self.env["msp.intake.source"]._receive(
            "token-monitor", {"X-MSP-Token": "t0ken"}, body.encode()
        )
        ticket = self.env["helpdesk.ticket"].browse(answer["ticket_id"])
        self.assertEqual(status, 200)
        self.assertEqual(ticket.msp_asset_id, asset)
        self.assertEqual(ticket.partner_id, self.client)
