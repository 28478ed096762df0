# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestSlaAccess(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="sla_mgr",
            groups="base.group_user,msp_base.group_msp_service_manager",
        )

    def test_technician_reads_profiles_and_clocks_but_edits_neither(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), user_id=self.tech.id)
        profile = self.profile.with_user(self.tech)
        self.assertTrue(profile.target_ids)
        with self.assertRaises(AccessError):
            profile.write({"warning_percent": 50})
        clock = self.clock(ticket, "response").with_user(self.tech)
        self.assertTrue(clock.deadline)
        with self.assertRaises(AccessError):
            clock.write({"deadline": datetime(2030, 1, 1)})

    def test_manager_edits_profiles_and_breach_reasons_but_not_clocks(self):
        self.profile.with_user(self.manager).warning_percent = 70
        self.assertEqual(self.profile.warning_percent, 70)
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        self.clock(ticket, "response")._stop(MONDAY.replace(hour=12))
        breach = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        breach.with_user(self.manager).reason = "Vendor outage"
        self.assertEqual(breach.reason, "Vendor outage")
        with self.assertRaises(AccessError):
            breach.with_user(self.tech).reason = "not my fault"
        # what the clock recorded is not the manager's to rewrite
        for vals in ({"actual_hours": 0.5}, {"active": False}, {"ticket_id": False}):
            with self.assertRaises(AccessError, msg=str(vals)):
                breach.with_user(self.manager).write(vals)
        self.assertTrue(breach.active)
        with self.assertRaises(AccessError):
            self.clock(ticket, "response").with_user(self.manager).write(
                {"breached": False}
            )

    def test_technician_moves_a_ticket_and_the_system_updates_the_clock(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), user_id=self.tech.id)
        self.move(
            ticket.with_user(self.tech), self.stage_waiting, MONDAY.replace(hour=10)
        )
        self.assertEqual(self.clock(ticket, "response").state, "paused")

    def test_manager_corrects_a_stop_with_a_tracked_reason(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        response = self.clock(ticket, "response")
        response._stop(MONDAY.replace(hour=11))
        self.assertTrue(response.breached)
        wizard = (
            self.env["msp.sla.correct"]
            .with_user(self.manager)
            .create(
                {
                    "clock_id": response.id,
                    "stopped_at": MONDAY.replace(hour=9, minute=50),
                    "reason": "Phoned the client at 09:50",
                }
            )
        )
        wizard.action_apply()
        self.assertFalse(response.breached)
        self.assertAlmostEqual(response.actual_hours, 50 / 60)
        self.assertFalse(
            self.env["msp.sla.breach"].search([("clock_id", "=", response.id)])
        )
        note = ticket.message_ids.filtered(lambda m: "SLA correction" in (m.body or ""))
        self.assertIn("Phoned the client", note.body)
        with self.assertRaises(AccessError):
            self.env["msp.sla.correct"].with_user(self.tech).create(
                {"clock_id": response.id, "stopped_at": MONDAY, "reason": "x"}
            )

    def test_dispatcher_and_billing_read_profiles_only(self):
        for group in ("group_msp_dispatcher", "group_msp_billing"):
            user = new_test_user(
                self.env,
                login=f"sla_{group}",
                groups=f"base.group_user,msp_base.{group}",
            )
            self.assertTrue(self.profile.with_user(user).target_ids)
            with self.assertRaises(AccessError):
                self.profile.with_user(user).name = "Renamed"
            with self.assertRaises(AccessError):
                self.env["msp.sla.report"].with_user(user).search([])
