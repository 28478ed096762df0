# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.tests import tagged

from ..wizards.msp_sla_suggest import round_up_quarter
from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestSlaCron(SlaCase):
    def _run_cron(self, when):
        with freeze_time(when):
            self.env["msp.sla.clock"]._cron_check()

    def _notes(self, ticket, text):
        return ticket.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_warning_fires_once(self):
        ticket = self.make_ticket(
            MONDAY.replace(hour=9), priority="1", user_id=self.tech.id
        )
        response = self.clock(ticket, "response")
        # 80% of 4 h = 3 h 12 min -> 12:12
        self.assertEqual(response.warn_at, MONDAY.replace(hour=12, minute=12))
        self._run_cron(MONDAY.replace(hour=12))
        self.assertFalse(response.warned)
        self._run_cron(MONDAY.replace(hour=12, minute=15))
        self.assertTrue(response.warned)
        self.assertTrue(ticket.msp_sla_at_risk)
        self.assertEqual(ticket.msp_sla_response_status, "at_risk")
        self._run_cron(MONDAY.replace(hour=12, minute=20))
        self.assertEqual(len(self._notes(ticket, "SLA warning")), 1)
        activities = ticket.activity_ids.filtered(lambda a: "SLA at risk" in a.summary)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.tech)

    def test_breach_fires_once_and_records_the_breach(self):
        lead = self.tech
        self.team.user_id = lead
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2", user_id=False)
        self._run_cron(MONDAY.replace(hour=10, minute=1))  # P2 response: 1 h
        response = self.clock(ticket, "response")
        self.assertTrue(response.breached)
        self.assertTrue(ticket.msp_sla_breached)
        self.assertEqual(ticket.msp_sla_status, "breached")
        self._run_cron(MONDAY.replace(hour=10, minute=30))
        breach = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(len(breach), 1)
        self.assertEqual(breach.kind, "response")
        self.assertEqual(breach.priority, "2")
        self.assertEqual(breach.partner_id, self.client)
        self.assertEqual(breach.target_hours, 1.0)
        self.assertEqual(breach.breached_at, MONDAY.replace(hour=10))
        self.assertEqual(len(self._notes(ticket, "SLA breach")), 1)
        self.assertEqual(
            ticket.activity_ids.filtered(lambda a: "SLA breached" in a.summary).user_id,
            lead,
            "unassigned: the team lead is told",
        )
        with freeze_time(MONDAY.replace(hour=10, minute=30)):
            ticket._msp_sla_register_response(MONDAY.replace(hour=10, minute=30))
        self.assertAlmostEqual(breach.actual_hours, 1.5)
        self.assertAlmostEqual(breach.overrun_hours, 0.5)

    def test_hooks_are_called_once_per_crossing(self):
        calls = []
        ticket_model = type(self.env["helpdesk.ticket"])
        original = ticket_model._msp_sla_on_breach

        def spy(tickets, clocks):
            calls.append(clocks.ids)
            return original(tickets, clocks)

        ticket_model._msp_sla_on_breach = spy
        try:
            ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
            self._run_cron(MONDAY.replace(hour=11))
            self._run_cron(MONDAY.replace(hour=12))
        finally:
            ticket_model._msp_sla_on_breach = original
        self.assertEqual(calls, [self.clock(ticket, "response").ids])

    def test_paused_clock_does_not_breach(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=9, minute=30))
        self._run_cron(MONDAY.replace(hour=16))
        self.assertFalse(self.clock(ticket, "response").breached)

    def _count_queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_cron_queries_do_not_grow_with_quiet_tickets(self):
        self.make_ticket(MONDAY.replace(hour=9))
        quiet = MONDAY.replace(hour=9, minute=30)

        def cron():
            with freeze_time(quiet):
                self.env["msp.sla.clock"]._cron_check()

        few = self._count_queries(cron)
        for hour in range(10):
            self.make_ticket(MONDAY.replace(hour=8, minute=hour))
        many = self._count_queries(cron)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 3)

    def test_deadline_recompute_queries_do_not_grow_with_tickets(self):
        small = self.env["helpdesk.ticket"]
        for minute in range(2):
            small |= self.make_ticket(MONDAY.replace(hour=9, minute=minute))
        big = self.env["helpdesk.ticket"]
        for minute in range(20):
            big |= self.make_ticket(MONDAY.replace(hour=10, minute=minute))

        def recompute(tickets):
            def run():
                clocks = tickets.msp_sla_clock_ids
                clocks._recompute_deadlines()
                tickets._msp_sla_sync_status()

            return run

        self.assertEqual(
            self._count_queries(recompute(small)), self._count_queries(recompute(big))
        )


@tagged("post_install", "-at_install")
class TestSlaReports(SlaCase):
    def _stopped_clocks(self, hours_list, priority="3", kind="response"):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority=priority)
        template = self.clock(ticket, kind)
        clocks = self.env["msp.sla.clock"].sudo()
        for hours in hours_list:
            clocks |= template.copy(
                {
                    "state": "stopped",
                    "stopped_at": MONDAY.replace(hour=10),
                    "actual_hours": hours,
                }
            )
        return clocks

    def test_percentiles_against_hand_computed_values(self):
        self._stopped_clocks([1.0, 2.0, 3.0, 4.0])
        rows = self.env["msp.sla.clock"]._percentiles(
            MONDAY, MONDAY + timedelta(days=1), self.env.company.ids
        )
        row = next(r for r in rows if r["priority"] == "3" and r["kind"] == "response")
        self.assertEqual(row["count"], 4)
        self.assertAlmostEqual(row["p50"], 2.5)
        self.assertAlmostEqual(row["p75"], 3.25)
        self.assertAlmostEqual(row["p95"], 3.85)

    def test_percentile_wizard(self):
        self._stopped_clocks([0.5, 1.5])
        wizard = self.env["msp.sla.percentile"].create(
            {"date_from": MONDAY.date(), "date_to": MONDAY.date()}
        )
        line = wizard.line_ids.filtered(
            lambda x: x.priority == "3" and x.kind == "response"
        )
        self.assertAlmostEqual(line.p50, 1.0)
        self.assertEqual(line.count, 2)

    def test_suggest_targets_from_p75(self):
        now = fields.Datetime.now()
        clocks = self._stopped_clocks([0.2, 0.4, 0.6, 1.0], priority="2")
        clocks.write({"stopped_at": now - timedelta(days=1)})
        action = self.profile.action_suggest_targets()
        wizard = self.env["msp.sla.suggest"].browse(action["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.priority == "2")
        self.assertAlmostEqual(line.p75_hours, 0.7)
        self.assertEqual(line.suggested_hours, 0.75)
        wizard.action_apply()
        self.assertEqual(self.profile._target_for("2").response_hours, 0.75)

    def test_round_up_quarter(self):
        self.assertEqual(round_up_quarter(0.7), 0.75)
        self.assertEqual(round_up_quarter(1.0), 1.0)
        self.assertEqual(round_up_quarter(0), 0.25)

    def test_analysis_report_hit_rate(self):
        met = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        late = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        with freeze_time(MONDAY.replace(hour=10)):
            met._msp_sla_register_response(MONDAY.replace(hour=10))
        with freeze_time(MONDAY.replace(hour=15)):
            late._msp_sla_register_response(MONDAY.replace(hour=15))
        self.env.flush_all()
        groups = self.env["msp.sla.report"].read_group(
            [("ticket_id", "in", (met | late).ids), ("kind", "=", "response")],
            ["hit_rate:avg"],
            ["priority"],
        )
        self.assertEqual(len(groups), 1)
        self.assertAlmostEqual(groups[0]["hit_rate"], 50.0)

    def test_weekly_summary_mail(self):
        self.env.ref("base.user_admin").email = "admin@msp.example.com"
        self._stopped_clocks([1.0]).write(
            {"stopped_at": datetime.now() - timedelta(days=1)}
        )
        before = self.env["mail.mail"].search_count([])
        self.env["msp.sla.profile"]._cron_weekly_summary()
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertEqual(self.env["mail.mail"].search_count([]), before + 1)
        self.assertIn("SLA summary", mail.subject)
        self.assertIn("P1 - Outage", mail.body_html)


@tagged("post_install", "-at_install")
class TestZeroActual(SlaCase):
    def test_an_answer_outside_working_hours_counts_as_zero(self):
        """Answered before the office opens: 0 working hours, not 'unknown'."""
        saturday = datetime(2026, 11, 21, 10)
        ticket = self.make_ticket(saturday, priority="1")
        with freeze_time(saturday.replace(hour=11)):
            ticket._msp_sla_register_response(saturday.replace(hour=11))
        self.env.flush_all()
        rows = self.env["msp.sla.clock"]._percentiles(
            saturday,
            saturday + timedelta(days=1),
            self.env.company.ids,
            profile_ids=self.profile.ids,
        )
        row = next(r for r in rows if r["kind"] == "response")
        self.assertEqual(row["p50"], 0.0)
        self.assertEqual(row["hit_rate"], 100.0)
