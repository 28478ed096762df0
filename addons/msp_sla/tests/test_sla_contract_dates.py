# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time
from odoo.tests import tagged

from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestSlaContractDates(SlaCase):
    """A ticket's contract follows contract start and end dates, not only
    writes of the contract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.premium = cls.env.ref("msp_sla.profile_premium")

    def _contract(self, start, end=False):
        with freeze_time(MONDAY):
            return self.env["contract.contract"].create(
                {
                    "name": "Managed Services Gold",
                    "partner_id": self.client.id,
                    "date_start": start,
                    "date_end": end,
                    "msp_sla_profile_id": self.premium.id,
                }
            )

    def _follow(self, when):
        with freeze_time(when):
            return self.env["helpdesk.ticket"]._cron_msp_sla_follow_contracts()

    def test_a_contract_that_starts_later_is_picked_up(self):
        tuesday = MONDAY + timedelta(days=1)
        contract = self._contract(tuesday.date())
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.assertFalse(ticket.msp_contract_id, "not running yet on Monday")
        self.assertEqual(ticket.msp_sla_profile_id, self.profile)
        self.assertNotIn(ticket, self._follow(MONDAY.replace(hour=12)))
        self.assertIn(ticket, self._follow(tuesday.replace(hour=12)))
        self.assertEqual(ticket.msp_contract_id, contract)
        self.assertEqual(ticket.msp_sla_profile_id, self.premium)
        self.assertEqual(self.clock(ticket, "response").profile_id, self.premium)
        self.assertNotIn(ticket, self._follow(tuesday.replace(hour=13)), "once")

    def test_a_contract_that_ends_is_dropped(self):
        contract = self._contract(MONDAY.date() - timedelta(days=30), MONDAY.date())
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.assertEqual(ticket.msp_contract_id, contract)
        self.assertEqual(ticket.msp_sla_profile_id, self.premium)
        self._follow(MONDAY + timedelta(days=1, hours=12))
        self.assertFalse(ticket.msp_contract_id)
        self.assertEqual(ticket.msp_sla_profile_id, self.profile)

    def test_closed_tickets_keep_their_contract(self):
        contract = self._contract(MONDAY.date() - timedelta(days=30), MONDAY.date())
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_done, MONDAY.replace(hour=10))
        self._follow(MONDAY + timedelta(days=1, hours=12))
        self.assertEqual(ticket.msp_contract_id, contract)

    def test_contract_on_a_date(self):
        tuesday = MONDAY + timedelta(days=1)
        contract = self._contract(tuesday.date())
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.assertFalse(ticket._msp_contracts_on(MONDAY.date())[ticket.id])
        self.assertEqual(ticket._msp_contracts_on(tuesday.date())[ticket.id], contract)

    def test_follow_queries_do_not_grow_with_tickets(self):
        self._contract(MONDAY.date() - timedelta(days=30))
        self.make_ticket(MONDAY.replace(hour=9))

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._follow(MONDAY.replace(hour=12))
            return self.env.cr.sql_log_count - before

        self._follow(MONDAY.replace(hour=12))  # tickets of other tests' data
        few = count()
        for minute in range(10):
            self.make_ticket(MONDAY.replace(hour=9, minute=minute))
        self.assertEqual(count(), few)
        self.assertLessEqual(few, 3)
