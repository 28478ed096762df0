# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing review at scale: accept / reject per line and in bulk, accept all
within the variance threshold, Post Accepted that says what it did (or why
nothing), sending on post, human unit labels, numbered run names, the count
a contract line will bill, no $0.00 overage line, and the client's portal
showing each posted invoice once."""

import re
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import (
    PortalHttpMixin,
    call_kw,
    make_portal_client,
)

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestBillingReview(PortalHttpMixin, HttpCase, BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="rv_billing",
            password="rv_billing_pw",
            groups="base.group_user,msp_base.group_msp_billing",
        )
        cls.technician = new_test_user(
            cls.env,
            login="rv_tech",
            password="rv_tech_pw",
            groups="base.group_user,msp_base.group_msp_technician",
        )

    def first_cycle(self, endpoints=2):
        for n in range(endpoints):
            self.asset(f"WS{n}", "workstation")
        self.snapshot(date(2026, 2, 14))
        return self.bill(date(2026, 2, 15), self.contract)

    # -- names ---------------------------------------------------------------
    def test_runs_are_numbered_and_dated(self):
        one = self.env["msp.billing.run"].create({"billing_date": date(2026, 2, 15)})
        two = self.env["msp.billing.run"].create({"billing_date": date(2026, 2, 15)})
        self.assertNotEqual(one.name, two.name)
        for run in one | two:
            self.assertRegex(run.name, r"^BR/2026/\d{4} — 2026-02-15$")

    # -- accept / reject -------------------------------------------------------
    def test_post_with_nothing_accepted_says_why(self):
        run = self.first_cycle()
        line = run.line_ids
        self.assertIn("first invoice", line.flags)
        self.assertEqual(line.review_status, "to_review")
        with self.assertRaisesRegex(UserError, "no invoice is accepted. 1 to review"):
            run.action_post_accepted()
        line.action_reject()
        self.assertEqual(line.review_status, "rejected")
        with self.assertRaisesRegex(UserError, "0 to review, 1 rejected"):
            run.action_post_accepted()
        self.assertEqual(line.move_id.state, "draft")

    def test_post_accepted_reports_counts_totals_and_sending(self):
        run = self.first_cycle()
        line = run.line_ids
        line.action_accept()
        self.assertEqual(line.review_status, "accepted")
        action = run.action_post_accepted()
        self.assertEqual(line.move_id.state, "posted")
        message = action["params"]["message"]
        self.assertIn("Posted 1 invoices", message)
        self.assertIn(f"{line.amount_untaxed:,.2f}", message)
        # the client has no e-mail address: the user is told
        self.assertIn("no e-mail address on Billed Client", message)
        self.assertIn(message, run.message_ids[0].body)
        self.assertEqual(line.review_status, "done")
        with self.assertRaisesRegex(UserError, "no draft invoice left"):
            run.action_post_accepted()

    def test_accept_all_within_threshold(self):
        first = self.first_cycle(endpoints=2)
        first.line_ids.action_accept()
        first.action_post_accepted()
        for n in range(2, 4):
            self.asset(f"WS{n}", "workstation")
        self.snapshot(date(2026, 3, 14))
        newcomer = self.env["res.partner"].create(
            {"name": "New Client", "is_company": True}
        )
        new_contract = self.make_contract(newcomer, start=date(2026, 2, 15))
        run = self.bill(date(2026, 3, 15), self.contract | new_contract)
        grown = run.line_ids.filtered(lambda x: x.contract_id == self.contract)
        fresh = run.line_ids - grown
        # 580 -> 660: +13.8 %, under the 15 % threshold; the reviewer unticked it
        self.assertAlmostEqual(grown.change_pct, 13.79, places=2)
        grown.accepted = False
        run.variance_threshold = 10.0
        run.action_accept_within_threshold()
        self.assertFalse(grown.accepted, "13.8 % is over a 10 % threshold")
        run.variance_threshold = 15.0
        action = run.action_accept_within_threshold()
        self.assertIn("1 accepted", action["params"]["message"])
        self.assertTrue(grown.accepted)
        self.assertFalse(fresh.accepted, "a first invoice has nothing to compare")
        # a rejected line stays rejected
        grown.action_reject()
        run.action_accept_within_threshold()
        self.assertEqual(grown.review_status, "rejected")

    def test_bulk_server_actions_accept_and_reject_selected_lines(self):
        run = self.first_cycle()
        line = run.line_ids
        action = self.env.ref("msp_mrr_billing.action_server_run_line_accept")
        action.with_context(active_model=line._name, active_ids=line.ids).run()
        self.assertEqual(line.review_status, "accepted")
        action = self.env.ref("msp_mrr_billing.action_server_run_line_reject")
        action.with_context(active_model=line._name, active_ids=line.ids).run()
        self.assertEqual(line.review_status, "rejected")
        line.move_id.action_post()
        with self.assertRaisesRegex(UserError, "Only draft invoices"):
            line.action_accept()

    def test_roles_over_rpc(self):
        run = self.first_cycle()
        line = run.line_ids
        self.authenticate("rv_tech", "rv_tech_pw")
        for method, model, ids in (
            ("action_accept", line._name, line.ids),
            ("action_reject", line._name, line.ids),
            ("action_post_accepted", run._name, run.ids),
            ("action_accept_within_threshold", run._name, run.ids),
        ):
            with self.assertRaises(JsonRpcException, msg=method) as caught:
                call_kw(self, model, method, ids)
            self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual(line.review_status, "to_review")
        self.authenticate("rv_billing", "rv_billing_pw")
        call_kw(self, line._name, "action_accept", line.ids)
        result = call_kw(self, run._name, "action_post_accepted", run.ids)
        self.assertIn("Posted 1 invoices", result["params"]["message"])
        line.invalidate_recordset()
        self.assertEqual(line.move_id.state, "posted")

    # -- sending -----------------------------------------------------------
    def test_posted_invoices_are_sent_with_their_pdf(self):
        self.client.email = "billing@billed-client.example.com"
        run = self.first_cycle()
        run.line_ids.action_accept()
        action = run.action_post_accepted()
        self.assertIn("being sent by e-mail", action["params"]["message"])
        move = run.line_ids.move_id
        self.assertTrue(move.sending_data, "queued for Odoo's batch sending")
        self.env["account.move"]._cron_account_move_send()
        self.assertTrue(move.invoice_pdf_report_id, "the invoice PDF exists")
        sent = move.message_ids.filtered(
            lambda m: self.client in m.partner_ids and m.attachment_ids
        )
        self.assertTrue(sent, "an e-mail with the PDF went to the client")
        self.assertTrue(move.is_move_sent)

    def test_sending_can_be_turned_off_per_run(self):
        self.client.email = "billing@billed-client.example.com"
        run = self.first_cycle()
        run.send_invoices = False
        run.line_ids.action_accept()
        action = run.action_post_accepted()
        self.assertIn("Not sent", action["params"]["message"])
        self.assertFalse(run.line_ids.move_id.sending_data)

    def test_manual_sending_method_is_respected_and_reported(self):
        self.client.email = "billing@billed-client.example.com"
        self.client.invoice_sending_method = "manual"
        run = self.first_cycle()
        run.line_ids.action_accept()
        message = run.action_post_accepted()["params"]["message"]
        self.assertIn("invoice sending is 'Download'", message)
        self.env["account.move"]._cron_account_move_send()
        move = run.line_ids.move_id
        self.assertTrue(move.invoice_pdf_report_id)
        self.assertFalse(
            move.message_ids.filtered(lambda m: self.client in m.partner_ids)
        )

    # -- labels ------------------------------------------------------------
    def test_units_and_changes_in_words(self):
        self.asset("SEAT1", "m365_license", sku_part_number="SPB")
        self.asset("SEAT2", "m365_license", sku_part_number="SPB")
        self.asset("WS1", "workstation")
        self.snapshot(date(2026, 2, 14))
        first = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(
            first.units_label, "2 \u00d7 M365 seat licences, 1 endpoint, 2 users"
        )
        self.assertEqual(
            first.changes_label,
            "New: 2 \u00d7 M365 seat licences, 1 endpoint, 2 users",
        )
        self.asset("FW", "firewall")
        self.asset("WS2", "workstation")
        self.snapshot(date(2026, 3, 14))
        second = self.bill(date(2026, 3, 15), self.contract).line_ids
        self.assertEqual(
            second.changes_label,
            "New: 1 network device · Changed: 2 endpoints (+1)",
        )
        third = self.bill(date(2026, 4, 15), self.contract).line_ids
        self.assertEqual(third.changes_label, "No change")

    # -- contract lines ------------------------------------------------------
    def test_contract_lines_show_the_count_that_will_bill(self):
        for n in range(3):
            self.asset(f"WS{n}", "workstation")
        self.asset("SEAT1", "m365_license", sku_part_number="SPB")
        self.asset("OLD", "workstation", active=False)
        lines = {line.msp_qty_source: line for line in self.contract.contract_line_ids}
        self.assertEqual(lines["assets"].msp_qty_now, 3)
        self.assertEqual(lines["assets"].msp_qty_label, "3")
        self.assertEqual(lines["assets"].msp_amount_now, 3 * 40.0)
        self.assertEqual(lines["licences"].msp_qty_label, "1")
        self.assertEqual(lines["overage"].msp_qty_label, "at cycle end")
        self.assertEqual(lines["fixed"].msp_qty_label, "1")
        # the run bills the same count
        self.snapshot(date(2026, 2, 14))
        run_line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(self.invoice_line(run_line, self.p_endpoint).quantity, 3)

    # -- zero overage ------------------------------------------------------
    def test_zero_overage_is_a_note_not_a_zero_line(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 4.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        move = line.move_id
        self.assertFalse(self.invoice_line(line, self.p_overage))
        note = move.line_ids.filtered(lambda x: x.display_type == "line_note")
        self.assertEqual(len(note), 1)
        self.assertIn("4 h used of 10 h included", note.name)
        self.assertFalse(
            move.invoice_line_ids.filtered(
                lambda x: (
                    x.display_type == "product"
                    and x.contract_line_id.msp_qty_source == "overage"
                )
            )
        )
        # the run keeps the hours; the time is billed once (on the fee)
        self.assertEqual((line.used_hours, line.overage_hours), (4.0, 0.0))
        self.assertEqual(
            entry.msp_invoice_line_id, self.invoice_line(line, self.p_base)
        )

    # -- portal --------------------------------------------------------------
    def test_portal_lists_each_posted_invoice_once_never_a_draft(self):
        client, _contact, user = make_portal_client(
            self.env, "Portal Billed", "rv_portal"
        )
        contract = self.make_contract(client)
        posted_run = self.bill(date(2026, 2, 15), contract)
        posted_run.line_ids.action_accept()
        posted_run.action_post_accepted()
        self.env["account.move"]._cron_account_move_send()
        draft = self.bill(date(2026, 3, 15), contract).line_ids.move_id
        posted = posted_run.line_ids.move_id
        self.assertEqual((posted.state, draft.state), ("posted", "draft"))
        self.login_as(user)
        page = self.url_open("/my/invoices")
        self.assertEqual(page.status_code, 200)
        links = re.findall(r"/my/invoices/(\d+)\?", page.text)
        self.assertEqual(set(links), {str(posted.id)}, "the posted invoice only")
        self.assertEqual(page.text.count(f'title="{posted.name}"'), 1, "once")
        # its billing period tells two invoices of one run apart
        self.assertTrue(posted.msp_period_label.endswith("2026"))
        self.assertIn(posted.msp_period_label, page.text)
        report = self.url_open(f"/my/invoices/{posted.id}?report_type=html")
        self.assertEqual(report.status_code, 200)
        self.assertIn(posted.name, report.text)
        self.assertNotIn("PROFORMA", report.text)
        # a draft is not the client's to see, not even by its address
        detail = self.url_open(
            f"/my/invoices/{draft.id}?report_type=html", allow_redirects=False
        )
        self.assertEqual(detail.status_code, 303)
        self.assertNotIn("PROFORMA", detail.text)
