# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo's billing history: the last two monthly runs, billed and posted
by the billing engine, feed the MRR and profitability reports."""

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoBillingHistory(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_mrr_billing.contract_acme", raise_if_not_found=False):
            self.skipTest("database installed without demo data")
        self.today = fields.Date.context_today(self.env["msp.billing.run"])
        self.runs = self.env.ref("msp_mrr_billing.demo_billing_run_1") | self.env.ref(
            "msp_mrr_billing.demo_billing_run_2"
        )

    def test_two_posted_runs_a_month_apart(self):
        # dated today's day of the last two months (the day the demo was made)
        first, second = self.runs.mapped("billing_date")
        self.assertEqual(second, first + relativedelta(months=1))
        self.assertLessEqual(second, self.today - relativedelta(months=1))
        self.assertGreater(second, self.today - relativedelta(months=1, days=7))
        for run in self.runs:
            self.assertEqual(run.state, "posted")
            invoiced = run.line_ids.filtered(lambda line: line.state == "invoiced")
            self.assertIn(
                self.env.ref("msp_mrr_billing.contract_acme"), invoiced.contract_id
            )
            self.assertEqual(set(invoiced.move_id.mapped("state")), {"posted"})
            # history: not queued for e-mail (the send cron would try again)
            self.assertFalse(run.send_invoices)
            self.assertFalse(any(invoiced.move_id.mapped("sending_data")))
            self.assertFalse(run.line_ids.filtered(lambda line: line.state == "failed"))

    def test_cycles_since_are_left_for_a_run_of_today(self):
        acme = self.env.ref("msp_mrr_billing.contract_acme")
        self.assertLessEqual(acme.recurring_next_date, self.today)
        self.assertGreater(
            acme.recurring_next_date, self.today - relativedelta(months=1)
        )

    def test_reports_show_months_and_a_margin(self):
        mrr = self.env["msp.mrr.report"].search([])
        self.assertGreaterEqual(len(set(mrr.mapped("month"))), 2)
        rows = self.env["msp.contract.profitability.report"].search(
            [("revenue", ">", 0)]
        )
        self.assertTrue(rows)
        # technicians cost something: no 100 % margin
        self.assertTrue(any(0 < row.cost for row in rows))
        self.assertTrue(all(row.margin_pct < 100 for row in rows if row.cost))

    def test_idempotent(self):
        self.assertFalse(self.env["msp.demo"].generate_billing_history())

    def test_acme_portal_user_sees_the_contract(self):
        """The demo's Acme portal user follows Acme's contract, so *My
        contracts* is not empty for him (Oakridge's has the empty state)."""
        acme = self.env.ref("msp_mrr_billing.contract_acme")
        portal = self.env.ref("msp_base.portal_user_acme")
        self.assertEqual(
            self.env["contract.contract"].with_user(portal).search([]), acme
        )
        oakridge = self.env.ref("msp_base.portal_user_oakridge")
        self.assertFalse(self.env["contract.contract"].with_user(oakridge).search([]))
