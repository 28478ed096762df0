# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestCatchUp(BillingCase):
    def test_a_run_bills_two_missed_cycles_oldest_first(self):
        self.asset("WS0", "workstation")
        self.asset("WS1", "workstation")
        self.asset("WS2", "workstation", install_date=date(2026, 2, 20))
        self.asset("SEAT", "m365_license", sku_part_number="SPB")
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 12.0)  # 2 h overage
        self.entry(ticket, date(2026, 2, 20), 5.0)
        self.entry(ticket, date(2026, 3, 18), 3.0)  # the open cycle
        # the runs of 15 February and 15 March were missed
        run = self.bill(date(2026, 3, 20), self.contract)
        lines = run.line_ids.sorted("period_start")
        self.assertEqual(
            [(ln.period_start, ln.period_end, ln.state) for ln in lines],
            [
                (date(2026, 1, 15), date(2026, 2, 14), "invoiced"),
                (date(2026, 2, 15), date(2026, 3, 14), "invoiced"),
            ],
        )
        first, second = lines
        self.assertNotEqual(first.move_id, second.move_id, "one invoice per cycle")
        # 500 base + 2 endpoints x 40 + 1 seat x 22 + 2 h x 150
        self.assertEqual(first.move_id.amount_untaxed, 902.0)
        # 500 base + 3 endpoints x 40 + 1 seat x 22, 5 h within the 10
        self.assertEqual(second.move_id.amount_untaxed, 642.0)
        self.assertEqual(second.previous_amount, 902.0)
        self.assertEqual(second.units_change, "endpoint +1")
        self.assertEqual(self.contract.recurring_next_date, date(2026, 4, 15))
        again = self.env["msp.billing.run"].create({"billing_date": date(2026, 3, 20)})
        self.assertNotIn(self.contract, again._due_contracts())
        again._bill(self.contract)
        self.assertFalse(again.line_ids, "nothing is left due: nothing billed")

    def test_a_failed_cycle_stops_the_contract_there(self):
        self.contract.msp_tm_product_id = False
        self.entry(self.ticket(), date(2026, 1, 20), 1.0, kind="billable")
        with self.assertLogs(
            "odoo.addons.msp_mrr_billing.models.msp_billing_run", "WARNING"
        ):
            run = self.bill(date(2026, 3, 20), self.contract)
        self.assertEqual(run.line_ids.mapped("state"), ["failed"])
        self.assertEqual(run.line_ids.period_start, False)
        self.assertEqual(self.contract.recurring_next_date, date(2026, 2, 15))
