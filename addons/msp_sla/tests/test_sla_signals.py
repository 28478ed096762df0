# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA signals a dispatcher can act on: one activity per ticket and clock
(at risk, then breached: the same activity), the overrun of an open breach
counted to now, the queue sorted and filtered by SLA."""

from datetime import timedelta

from freezegun import freeze_time
from lxml import etree
from odoo.tests import tagged

from odoo.addons.msp_base.tests.test_ticket_queue import apply_filters, filter_groups

from .common import MONDAY, SlaCase

FRIDAY_NOON = MONDAY + timedelta(days=4, hours=12)


@tagged("post_install", "-at_install")
class TestSlaSignals(SlaCase):
    def _run_cron(self, when):
        with freeze_time(when):
            self.env["msp.sla.clock"]._cron_check()

    def _sla_activities(self, ticket):
        return ticket.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                in (
                    self.env.ref("msp_sla.mail_activity_type_sla_at_risk")
                    | self.env.ref("msp_sla.mail_activity_type_sla_breached")
                )
            )
        )

    def test_at_risk_activity_becomes_the_breach(self):
        # P3 response: 4 h from Monday 09:00, warning at 12:12, due 13:00
        ticket = self.make_ticket(
            MONDAY.replace(hour=9), priority="1", user_id=self.tech.id
        )
        response = self.clock(ticket, "response")
        self._run_cron(MONDAY.replace(hour=12, minute=15))
        at_risk = self._sla_activities(ticket)
        self.assertEqual(len(at_risk), 1)
        self.assertEqual(
            at_risk.activity_type_id,
            self.env.ref("msp_sla.mail_activity_type_sla_at_risk"),
        )
        self.assertIn("SLA at risk", at_risk.summary)
        self.assertEqual(response.activity_id, at_risk)
        self._run_cron(MONDAY.replace(hour=13, minute=5))
        self._run_cron(MONDAY.replace(hour=14))
        after = self._sla_activities(ticket)
        self.assertEqual(after, at_risk, "updated, not a second activity")
        self.assertEqual(
            after.activity_type_id,
            self.env.ref("msp_sla.mail_activity_type_sla_breached"),
        )
        self.assertIn("SLA breached", after.summary)
        self.assertEqual(after.date_deadline, MONDAY.date())
        self.assertEqual(after.user_id, self.tech)
        # red on the board: the breach type is a danger decoration
        ticket.invalidate_recordset()
        self.assertEqual(ticket.activity_exception_decoration, "danger")
        self.assertEqual(ticket.activity_exception_icon, "fa-exclamation-triangle")

    def test_never_at_risk_after_the_breach(self):
        # the cron did not run between the warning and the deadline: the
        # breach fires, and later runs never add an "at risk" activity
        ticket = self.make_ticket(
            MONDAY.replace(hour=9), priority="2", user_id=self.tech.id
        )
        self._run_cron(MONDAY.replace(hour=10, minute=5))  # P2 response: 1 h
        self._run_cron(MONDAY.replace(hour=10, minute=30))
        self._run_cron(MONDAY.replace(hour=12))  # resolution warns at 14:24
        activities = self._sla_activities(ticket)
        self.assertEqual(len(activities), 1)
        self.assertIn("SLA breached", activities.summary)
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: "SLA warning" in (m.body or ""))
        )

    def test_done_activity_gives_a_new_one_at_the_breach(self):
        ticket = self.make_ticket(
            MONDAY.replace(hour=9), priority="1", user_id=self.tech.id
        )
        self._run_cron(MONDAY.replace(hour=12, minute=15))
        self._sla_activities(ticket).action_feedback(feedback="on it")
        self._run_cron(MONDAY.replace(hour=13, minute=5))
        activities = self._sla_activities(ticket)
        self.assertEqual(len(activities), 1)
        self.assertIn("SLA breached", activities.summary)

    def test_open_breach_overrun_counts_to_now(self):
        # P2, created Monday 08:00 on an 08-17 calendar: resolution due
        # Monday 16:00 (8 h); on Friday 12:00 it has run 4 x 9 h + 4 h = 40 h
        ticket = self.make_ticket(
            MONDAY.replace(hour=8), priority="2", user_id=self.tech.id
        )
        self._run_cron(MONDAY.replace(hour=16, minute=5))
        breaches = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        resolution = breaches.filtered(lambda b: b.kind == "resolution")
        self.assertEqual(len(resolution), 1)
        self.assertEqual(resolution.overrun_hours, 0.0, "stored: final only")
        with freeze_time(FRIDAY_NOON):
            resolution.invalidate_recordset()
            self.assertTrue(resolution.open_clock)
            self.assertAlmostEqual(resolution.actual_so_far_hours, 40.0, places=2)
            self.assertAlmostEqual(resolution.overrun_so_far_hours, 32.0, places=2)
            ticket.invalidate_recordset()
            # the response (1 h) is the most overdue: 39 h
            self.assertAlmostEqual(ticket.msp_sla_overrun_hours, 39.0, places=2)
            open_breaches = self.env["msp.sla.breach"].search(
                [("open_clock", "=", True), ("ticket_id", "=", ticket.id)]
            )
            self.assertEqual(open_breaches, breaches)
        # waiting on the client from Thursday 08:00: paused time is not overrun
        self.move(ticket, self.stage_waiting, MONDAY + timedelta(days=3, hours=8))
        with freeze_time(FRIDAY_NOON):
            resolution.invalidate_recordset()
            self.assertAlmostEqual(resolution.actual_so_far_hours, 27.0, places=2)
        # resolved Friday 12:00: the overrun is final and the same
        self.move(ticket, self.stage_progress, FRIDAY_NOON)
        self.move(ticket, self.stage_done, FRIDAY_NOON)
        resolution.invalidate_recordset()
        self.assertFalse(resolution.open_clock)
        self.assertAlmostEqual(resolution.overrun_so_far_hours, 19.0, places=2)
        self.assertAlmostEqual(resolution.overrun_hours, 19.0, places=2)
        self.assertFalse(
            self.env["msp.sla.breach"].search(
                [("open_clock", "=", True), ("ticket_id", "=", ticket.id)]
            )
        )

    def test_queue_sorted_by_sla_due_with_sla_filters(self):
        action = "msp_base.action_msp_tickets"
        list_view = (
            self.env.ref(action)
            .view_ids.filtered(lambda v: v.view_mode == "list")
            .view_id
        )
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.tech)
            .get_views([(list_view.id, "list")])["views"]["list"]["arch"]
        )
        self.assertTrue(arch.get("default_order").startswith("msp_sla_deadline"))
        due = arch.xpath("//field[@name='msp_sla_deadline']")
        self.assertTrue(due and due[0].get("widget") == "msp_sla_countdown")
        self.assertNotEqual(due[0].get("optional"), "hide")
        groups = filter_groups(self.env, action, self.tech)
        group_of = {name: i for i, group in enumerate(groups) for name in group}
        self.assertEqual(group_of["msp_sla_breached"], group_of["msp_sla_at_risk"])
        self.assertNotEqual(group_of["msp_sla_breached"], group_of["open"])
        self.assertNotEqual(group_of["msp_sla_waiting"], group_of["msp_sla_breached"])
        late = self.make_ticket(MONDAY.replace(hour=8), priority="2")
        waiting = self.make_ticket(MONDAY.replace(hour=8), priority="1")
        self._run_cron(MONDAY.replace(hour=10))
        self.move(waiting, self.stage_waiting, MONDAY.replace(hour=10))
        scope = [("team_id", "=", self.team.id)]
        Ticket = self.env["helpdesk.ticket"]
        breached = apply_filters(self.env, action, ["msp_sla_breached", "open"])
        self.assertEqual(Ticket.search(breached + scope), late)
        waits = apply_filters(self.env, action, ["msp_sla_waiting"])
        self.assertEqual(Ticket.search(waits + scope), waiting)
        # the queue's order: overdue first, paused (no running deadline) last
        self.assertEqual(
            Ticket.search(scope, order=arch.get("default_order")).ids,
            [late.id, waiting.id],
        )
