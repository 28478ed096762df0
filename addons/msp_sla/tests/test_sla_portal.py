# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A client closing their ticket from the portal stops the clocks as
*closed by client*: not met, out of the statistics; and portal users read
no other client's contracts, lines, invoices."""

from datetime import timedelta

from freezegun import freeze_time
from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client

from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestClientCloseClocks(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": "sla_portal_ann",
                    "partner_id": cls.contact.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
        )

    def client_close(self, ticket, when, stage=None):
        with freeze_time(when):
            ticket.with_user(self.portal)._msp_client_close(stage or self.stage_done)

    def test_client_close_is_not_met(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.client_close(ticket, MONDAY.replace(hour=10))
        for kind in ("response", "resolution"):
            clock = self.clock(ticket, kind)
            self.assertEqual(clock.state, "stopped")
            self.assertEqual(clock.stop_reason, "client")
            self.assertFalse(clock.breached)
            self.assertEqual(clock.status, "client_closed")
        self.assertEqual(ticket.msp_sla_response_status, "client_closed")
        self.assertEqual(ticket.msp_sla_resolution_status, "client_closed")
        self.assertEqual(ticket.msp_sla_status, "client_closed")
        self.assertFalse(ticket.msp_sla_breached)

    def test_client_close_after_response_keeps_the_response_met(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        with freeze_time(MONDAY.replace(hour=10)):
            ticket._msp_sla_register_response(MONDAY.replace(hour=10))
        self.client_close(ticket, MONDAY.replace(hour=11))
        self.assertEqual(self.clock(ticket, "response").status, "met")
        self.assertEqual(self.clock(ticket, "resolution").status, "client_closed")
        # the ticket shows the resolution outcome, not "met"
        self.assertEqual(ticket.msp_sla_status, "client_closed")

    def test_a_breach_before_the_client_closes_stays_a_breach(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        # 4 h response target passed at 13:00, nobody answered
        self.client_close(ticket, MONDAY.replace(hour=15))
        response = self.clock(ticket, "response")
        self.assertTrue(response.breached)
        self.assertEqual(response.status, "breached")
        self.assertEqual(len(response._breaches()), 1)
        self.assertEqual(self.clock(ticket, "resolution").status, "client_closed")

    def test_msp_close_is_still_met(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_done, MONDAY.replace(hour=10))
        resolution = self.clock(ticket, "resolution")
        self.assertEqual(resolution.stop_reason, "msp")
        self.assertEqual(ticket.msp_sla_resolution_status, "met")

    def test_context_key_alone_does_not_make_a_client_close(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        with freeze_time(MONDAY.replace(hour=10)):
            ticket.with_context(msp_client_close=True).stage_id = self.stage_done
        self.assertEqual(self.clock(ticket, "resolution").status, "met")

    def test_reopen_after_client_close_runs_both_clocks(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.client_close(ticket, MONDAY.replace(hour=10))
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=11))
        for kind in ("response", "resolution"):
            clock = self.clock(ticket, kind)
            self.assertEqual(clock.state, "running", kind)
            self.assertFalse(clock.stop_reason)
            self.assertAlmostEqual(clock.paused_hours, 1.0)
        self.move(ticket, self.stage_done, MONDAY.replace(hour=12))
        self.assertEqual(ticket.msp_sla_resolution_status, "met")

    def test_rebuild_keeps_the_client_close(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.client_close(ticket, MONDAY.replace(hour=10))
        with freeze_time(MONDAY.replace(hour=10, minute=5)):
            ticket.priority = "2"
        self.assertEqual(self.clock(ticket, "resolution").status, "client_closed")

    def test_client_closed_clocks_stay_out_of_the_statistics(self):
        met = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        client = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(met, self.stage_done, MONDAY.replace(hour=11))
        self.client_close(client, MONDAY.replace(hour=10))
        self.env.flush_all()
        rows = self.env["msp.sla.clock"]._percentiles(
            MONDAY,
            MONDAY + timedelta(days=1),
            self.env.company.ids,
            profile_ids=self.profile.ids,
        )
        row = next(r for r in rows if r["kind"] == "resolution")
        self.assertEqual(row["count"], 1)
        self.assertAlmostEqual(row["p50"], 2.0)
        self.assertEqual(row["hit_rate"], 100.0)
        report = self.env["msp.sla.report"].search(
            [("ticket_id", "=", client.id), ("kind", "=", "resolution")]
        )
        self.assertEqual(report.outcome, "client_closed")
        self.assertFalse(report.hit_rate)
        groups = self.env["msp.sla.report"].read_group(
            [("ticket_id", "in", (met | client).ids), ("kind", "=", "resolution")],
            ["hit_rate:avg"],
            ["priority"],
        )
        self.assertAlmostEqual(groups[0]["hit_rate"], 100.0)


@tagged("post_install", "-at_install")
class TestPortalSlaAndContracts(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            env, "SLA Portal Alpha", "slap_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            env, "SLA Portal Bravo", "slap_bravo"
        )
        cls.profile = env["msp.sla.profile"].create(
            {
                "name": "Portal 24x7",
                "target_ids": [
                    Command.create(
                        {
                            "priority": "1",
                            "response_hours": 4,
                            "resolution_hours": 16,
                            "around_the_clock": True,
                        }
                    )
                ],
            }
        )
        cls.team = env["helpdesk.ticket.team"].create(
            {"name": "SLA Portal Desk", "msp_sla_profile_id": cls.profile.id}
        )
        cls.stage_done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.ticket_a = env["helpdesk.ticket"].create(
            {
                "name": "Alpha printer",
                "description": "<p>x</p>",
                "partner_id": cls.contact_a.id,
                "team_id": cls.team.id,
                "priority": "1",
                "stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id,
            }
        )
        product = env["product.product"].create(
            {"name": "Managed endpoint", "list_price": 42.0}
        )
        cls.contracts = {}
        for key, client, contact in (
            ("a", cls.client_a, cls.contact_a),
            ("b", cls.client_b, cls.contact_b),
        ):
            contract = env["contract.contract"].create(
                {
                    "name": f"Managed services {key}",
                    "partner_id": client.id,
                    "contract_type": "sale",
                    "date_start": fields.Date.today(),
                    "line_recurrence": False,
                    "recurring_rule_type": "monthly",
                    "contract_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": f"Endpoints {key}",
                                "quantity": 10,
                                "price_unit": 42.0 + (key == "b"),
                                "uom_id": product.uom_id.id,
                            }
                        )
                    ],
                }
            )
            contract.message_subscribe(partner_ids=contact.ids)
            cls.contracts[key] = contract
        invoice_b = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.client_b.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": 99}
                    )
                ],
            }
        )
        invoice_b.action_post()
        invoice_b.message_subscribe(partner_ids=cls.contact_b.ids)
        cls.invoice_b = invoice_b

    def test_client_close_over_http_is_not_met(self):
        self.login_as(self.user_a)
        response = self.post_close(self.ticket_a, self.stage_done)
        self.assertEqual(response.status_code, 302)
        self.env.invalidate_all()
        self.assertEqual(self.ticket_a.stage_id, self.stage_done)
        clocks = self.ticket_a.msp_sla_clock_ids
        self.assertEqual(len(clocks), 2)
        self.assertEqual(set(clocks.mapped("stop_reason")), {"client"})
        self.assertEqual(set(clocks.mapped("status")), {"client_closed"})
        self.assertNotEqual(self.ticket_a.msp_sla_status, "met")

    def test_own_contract_readable(self):
        self.login_as(self.user_a)
        contract = self.contracts["a"]
        result, error = self.rpc("contract.contract", "read", contract.ids, ["name"])
        self.assertIsNone(error)
        self.assertEqual(result[0]["name"], "Managed services a")
        result, error = self.rpc(
            "contract.line", "read", contract.contract_line_ids.ids, ["price_unit"]
        )
        self.assertIsNone(error)
        self.assertEqual(result[0]["price_unit"], 42.0)
        page = self.url_open(f"/my/contracts/{contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Managed services a", page.text)

    def test_other_clients_contracts_lines_invoices_unreadable(self):
        self.login_as(self.user_a)
        contract_b = self.contracts["b"]
        self.assertRpcDenied("contract.contract", contract_b.ids)
        self.assertRpcDenied("contract.line", contract_b.contract_line_ids.ids)
        self.assertRpcDenied("account.move", self.invoice_b.ids)
        self.assertRpcDenied("account.move.line", self.invoice_b.invoice_line_ids.ids)
        # search_read of every line shows only the client's own
        result, error = self.rpc("contract.line", "search_read", [], fields=["name"])
        self.assertIsNone(error)
        self.assertEqual(
            {r["id"] for r in result}, set(self.contracts["a"].contract_line_ids.ids)
        )
        modification = self.env["contract.modification"].create(
            {
                "contract_id": contract_b.id,
                "date": fields.Date.today(),
                "description": "Price up",
            }
        )
        self.assertRpcDenied("contract.modification", modification.ids)
        for url in (
            f"/my/contracts/{contract_b.id}",
            f"/my/invoices/{self.invoice_b.id}",
        ):
            page = self.url_open(url)
            self.assertNotIn("Managed services b", page.text, url)
            self.assertNotIn(self.invoice_b.name, page.text, url)
        listing = self.url_open("/my/contracts")
        self.assertIn("Managed services a", listing.text)
        self.assertNotIn("Managed services b", listing.text)
        listing = self.url_open("/my/invoices")
        self.assertNotIn(self.invoice_b.name, listing.text)

    def test_clocks_are_not_portal_data(self):
        self.login_as(self.user_a)
        self.assertRpcDenied("msp.sla.clock", self.ticket_a.msp_sla_clock_ids.ids)
        self.assertRpcDenied("msp.sla.profile", self.profile.ids)
