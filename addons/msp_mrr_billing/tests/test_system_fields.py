# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing stamps and run results are the run's: refused over RPC to the
billing user, who still runs billing and accepts lines."""

from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import call_kw

from .common import BillingCase

ACCESS_ERROR = "odoo.exceptions.AccessError"


@tagged("post_install", "-at_install")
class TestBillingSystemFields(HttpCase, BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="sfb_billing",
            password="sfb_billing_pw",
            groups="base.group_user,msp_base.group_msp_billing",
        )

    def refused(self, model, ids, vals):
        with self.assertRaises(JsonRpcException, msg=str(vals)) as caught:
            call_kw(self, model, "write", ids, vals)
        self.assertEqual(caught.exception.args[0], ACCESS_ERROR, str(vals))

    def test_run_results_and_stamps_are_refused(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 2, 3), 12.0)
        self.authenticate("sfb_billing", "sfb_billing_pw")
        # the billing user runs billing over RPC: the run writes its fields
        run_id = call_kw(
            self, "msp.billing.run", "create", {"billing_date": "2026-02-15"}
        )
        call_kw(self, "msp.billing.run", "action_run", [run_id])
        run = self.env["msp.billing.run"].browse(run_id)
        line = run.line_ids.filtered(lambda x: x.contract_id == self.contract)
        self.assertEqual(line.state, "invoiced", line.error)
        overage = self.invoice_line(line, self.p_overage)
        self.assertEqual(entry.msp_invoice_line_id, overage)
        # ... but nobody forges them
        self.refused("msp.billing.run.line", line.ids, {"state": "voided"})
        self.refused("msp.billing.run.line", line.ids, {"amount_untaxed": 1.0})
        self.refused("msp.billing.run.line", line.ids, {"move_id": False})
        self.refused("msp.billing.run.line", line.ids, {"period_start": "2027-01-01"})
        self.refused("msp.billing.run", run.ids, {"state": "posted"})
        self.refused(
            "account.analytic.line", entry.ids, {"msp_billing_line_ids": [(5, 0, 0)]}
        )
        self.refused("account.move.line", overage.ids, {"msp_run_line_id": False})
        self.refused(
            "account.move.line", overage.ids, {"msp_time_entry_ids": [(5, 0, 0)]}
        )
        with self.assertRaises(JsonRpcException):
            call_kw(
                self,
                "msp.billing.run.line",
                "create",
                {
                    "run_id": run.id,
                    "contract_id": self.contract.id,
                    "period_start": "2026-03-15",
                    "state": "invoiced",
                },
            )
        line.invalidate_recordset()
        self.assertEqual((line.state, line.move_id), ("invoiced", overage.move_id))
        self.assertEqual(entry.msp_invoice_line_id, overage)
        # the reviewer's own decision still saves
        call_kw(self, "msp.billing.run.line", "write", line.ids, {"accepted": False})
        self.assertFalse(line.accepted)

    def test_block_balance_is_refused(self):
        block = self.env["msp.prepaid.block"].create(
            {
                "name": "Block",
                "contract_id": self.contract.id,
                "date": date(2026, 1, 15),
                "expiry_date": date(2026, 12, 31),
                "hours": 10.0,
            }
        )
        self.authenticate("sfb_billing", "sfb_billing_pw")
        self.refused("msp.prepaid.block", block.ids, {"remaining_hours": 99.0})
        self.refused("msp.prepaid.block", block.ids, {"used_hours": 0.0})
        call_kw(self, "msp.prepaid.block", "write", block.ids, {"name": "Renamed"})
        self.assertEqual((block.name, block.remaining_hours), ("Renamed", 10.0))

    def test_create_invoice_on_the_contract_as_billing(self):
        """The contract's own Create Invoice bills through a run, whose
        results the billing user may not write but the run may."""
        self.authenticate("sfb_billing", "sfb_billing_pw")
        call_kw(self, "contract.contract", "recurring_create_invoice",
                self.contract.ids)  # fmt: skip
        lines = self.contract.msp_run_line_ids.sorted("period_start")
        self.assertTrue(lines)
        self.assertEqual(
            set(lines.mapped("state")), {"invoiced"}, lines.mapped("error")
        )
        self.assertEqual(lines[0].period_start, date(2026, 1, 15))
