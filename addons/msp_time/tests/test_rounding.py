# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.tests import BaseCase, tagged

from odoo.addons.msp_time.lib.rounding import billed_hours, billed_seconds, to_seconds

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestRoundingRule(BaseCase):
    def test_edges(self):
        self.assertEqual(billed_seconds(0, 15), 0)
        self.assertEqual(billed_seconds(0, 15, 60), 0, "no minimum on nothing")
        self.assertEqual(billed_seconds(-300, 15, 60), 0)
        self.assertEqual(billed_seconds(900, 15), 900, "exactly 15 min stays 15")
        self.assertEqual(billed_seconds(901, 15), 1800, "15:01 bills 30")
        self.assertEqual(billed_seconds(1, 15), 900)
        self.assertEqual(billed_seconds(600, 15, 30), 1800, "minimum charge")
        self.assertEqual(billed_seconds(2700, 15, 30), 2700, "above the minimum")
        self.assertEqual(billed_seconds(61, 0), 61, "no increment")
        self.assertEqual(billed_seconds(61, 1), 120)

    def test_no_float_trap(self):
        # 0.1 + 0.15 h is 15 min in floats that are not exactly 0.25
        self.assertEqual(to_seconds(0.1 + 0.15), 900)
        self.assertEqual(billed_hours(0.1 + 0.15, 15), 0.25)
        self.assertEqual(billed_hours(15 / 60, 15), 0.25)
        self.assertEqual(billed_hours(901 / 3600, 15), 0.5)
        for minutes in range(1, 241):
            expected = -(-minutes // 15) * 15 / 60
            self.assertEqual(billed_hours(minutes / 60, 15), expected, minutes)


@tagged("post_install", "-at_install")
class TestBilledHours(MspTimeCase):
    def test_entries_keep_actual_and_billed(self):
        cases = [
            (0.0, 0.0),
            (0.25, 0.25),
            (901 / 3600, 0.5),
            (40 / 60, 0.75),
            (2.0, 2.0),
        ]
        for actual, billed in cases:
            line = self._entry(hours=actual, date_time=False)
            self.assertAlmostEqual(line.unit_amount, actual, places=6)
            self.assertEqual(line.msp_billed_hours, billed, actual)
            self.assertAlmostEqual(
                line.msp_rounding_hours, billed - actual, places=3, msg=actual
            )

    def test_timer_of_exactly_fifteen_minutes(self):
        self.ticket.with_user(self.tech).msp_action_start_timer()
        line = self.Line.search(
            [("user_id", "=", self.tech.id), ("msp_timer_running", "=", True)]
        )
        self.assertTrue(line.msp_timer_running)
        self.assertEqual(line.msp_billed_hours, 0.0, "running: nothing billed")
        line.with_user(self.tech).with_context(
            stop_dt=line.date_time + timedelta(minutes=15)
        ).button_end_work()
        self.assertEqual(line.msp_billed_hours, 0.25)
        self.assertFalse(line.msp_timer_running)

    def test_client_increment_and_minimum(self):
        self.client.write(
            {"msp_billing_increment_minutes": 30, "msp_billing_minimum_minutes": 60}
        )
        self.assertEqual(self._entry(hours=10 / 60).msp_billed_hours, 1.0)
        self.assertEqual(self._entry(hours=70 / 60).msp_billed_hours, 1.5)
        self.assertEqual(self._entry(hours=0.0, date_time=False).msp_billed_hours, 0.0)
        self.company.msp_billing_minimum_minutes = 30
        self.client.msp_billing_minimum_minutes = 0
        self.assertEqual(self._entry(hours=5 / 60).msp_billed_hours, 0.5)

    def test_increment_hook_per_line(self):
        line = self._entry(hours=0.1)
        self.assertEqual(line._msp_billing_increment(), (15, 0))
        self.client.msp_billing_increment_minutes = 6
        self.assertEqual(self._entry(hours=0.1)._msp_billing_increment(), (6, 0))

    def test_rounding_report_per_client_and_engineer(self):
        other = self.env["res.partner"].create({"name": "Other Co", "is_company": True})
        ticket_other = self._ticket("Other", partner_id=other.id)
        self._entry(hours=10 / 60)  # +5 min
        self._entry(user=self.tech2, hours=20 / 60)  # +10 min
        self._entry(ticket=ticket_other, hours=0.25)  # +0
        domain = [
            ("project_id", "=", self.project.id),
            ("msp_state", "=", "confirmed"),
        ]
        by_client = dict(
            self.Line._read_group(domain, ["msp_client_id"], ["msp_rounding_hours:sum"])
        )
        self.assertAlmostEqual(by_client[self.client], 15 / 60, places=4)
        self.assertAlmostEqual(by_client[other], 0.0, places=4)
        by_user = dict(
            self.Line._read_group(domain, ["user_id"], ["msp_rounding_hours:sum"])
        )
        self.assertAlmostEqual(by_user[self.tech], 5 / 60, places=4)
        self.assertAlmostEqual(by_user[self.tech2], 10 / 60, places=4)
        action = self.env.ref("msp_time.action_msp_rounding_report")
        self.assertIn("msp_state", action.domain)
