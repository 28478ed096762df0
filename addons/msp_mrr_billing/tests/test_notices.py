# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestNoticesOnce(BillingCase):
    def test_low_balance_notice_once_judged_on_the_billing_date(self):
        self.contract.msp_block_low_hours = 5.0
        # 10 h valid until the end of April: on 15 February 8 h are left
        # (today it has expired, which must not matter)
        self.env["msp.prepaid.block"].create(
            {"name": "10 h", "contract_id": self.contract.id, "hours": 10.0,
             "date": date(2026, 1, 15), "expiry_date": date(2026, 4, 30)}
        )  # fmt: skip
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 12.0)  # burns 2 h: 8 left
        self.entry(ticket, date(2026, 2, 20), 14.0)  # burns 4 h: 4 left
        self.entry(ticket, date(2026, 3, 20), 11.0)  # burns 1 h: 3 left
        notices = self.env["mail.activity"].search

        def low():
            return notices(
                [("res_model", "=", "contract.contract"),
                 ("res_id", "=", self.contract.id),
                 ("activity_type_id", "=",
                  self.env.ref("msp_mrr_billing.activity_block_low").id)]
            )  # fmt: skip

        self.bill(date(2026, 2, 15), self.contract)
        self.assertFalse(low(), "8 h left on the billing date")
        self.bill(date(2026, 3, 15), self.contract)
        self.assertEqual(len(low()), 1)
        self.assertEqual(low().date_deadline, date(2026, 3, 15))
        self.assertIn("4 h left", str(low().note))
        self.bill(date(2026, 3, 31), self.contract)  # nothing due: no notice
        line = self.bill(date(2026, 4, 15), self.contract).line_ids
        self.assertEqual(line.block_hours, 1.0)
        self.assertEqual(len(low()), 1, "no second notice while one is open")

    def test_retainer_notice_once_while_open(self):
        self.contract.msp_retainer_max_hours = 5.0
        ticket = self.ticket()
        for day in (date(2026, 1, 20), date(2026, 2, 20), date(2026, 3, 20)):
            self.entry(ticket, day, 6.0)
        self.bill(date(2026, 4, 15), self.contract)  # three cycles over
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "contract.contract"),
             ("res_id", "=", self.contract.id),
             ("activity_type_id", "=",
              self.env.ref("msp_mrr_billing.activity_retainer_over").id)]
        )  # fmt: skip
        self.assertEqual(len(activities), 1)
        self.assertEqual(self.contract.msp_retainer_over_cycles, 3)
