# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time
from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestContractOnTheEntryDate(BillingCase):
    """Time entries use the contract in force on the entry's date, not the
    one stored on the ticket when it was opened."""

    def test_a_ticket_opened_before_the_contract_bills_one_increment(self):
        self.env.company.msp_billing_increment_minutes = 15
        client = self.env["res.partner"].create(
            {"name": "Late Contract Client", "is_company": True}
        )
        with freeze_time("2026-03-10 09:00:00"):
            ticket = self.ticket(client=client)
        self.assertFalse(ticket.msp_contract_id)
        contract = self.make_contract(
            client, start=date(2026, 3, 12), msp_billing_increment_minutes=30
        )
        # the contract's write refresh picks it up today; the stored link of
        # a ticket opened earlier must not decide the increment either way
        ticket.sudo().msp_contract_id = False
        before = self.entry(ticket, date(2026, 3, 11), 1.1, kind="billable")
        after = self.entry(ticket, date(2026, 3, 13), 1.1)
        self.assertAlmostEqual(before.msp_billed_hours, 1.25, msg="company: 15 min")
        self.assertAlmostEqual(after.msp_billed_hours, 1.5, msg="contract: 30 min")
        self.assertEqual(after._msp_contract(), contract)
        self.assertFalse(before._msp_contract())
