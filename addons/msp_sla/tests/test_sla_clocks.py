# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo.tests import new_test_user, tagged

from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestSlaClocks(SlaCase):
    def test_friday_1650_fifteen_minutes_lands_monday_0805(self):
        friday = datetime(2026, 11, 20, 16, 50)
        ticket = self.make_ticket(friday, priority="0")  # P4: 15 min response
        response = self.clock(ticket, "response")
        self.assertEqual(response.start, friday)
        self.assertEqual(response.deadline, datetime(2026, 11, 23, 8, 5))
        self.assertEqual(ticket.msp_sla_response_deadline, response.deadline)
        self.assertEqual(ticket.msp_sla_response_status, "running")
        self.assertEqual(ticket.msp_sla_profile_id, self.profile)

    def test_public_holiday_is_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Thanksgiving-like holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 23, 0, 0),
                "date_to": datetime(2026, 11, 23, 23, 59),
            }
        )
        ticket = self.make_ticket(datetime(2026, 11, 20, 16, 50), priority="0")
        self.assertEqual(
            self.clock(ticket, "response").deadline, datetime(2026, 11, 24, 8, 5)
        )

    def test_time_zone_and_dst_change(self):
        """New York, 09:00-17:00 local: US DST starts Sunday 2026-03-08. Four
        working hours from Friday 16:00 EST (21:00 UTC) end Monday 12:00
        EDT, which is 16:00 UTC, not 17:00."""
        new_york = self._calendar("NY office", "America/New_York", 9, 17)
        self.profile.calendar_id = new_york
        ticket = self.make_ticket(datetime(2026, 3, 6, 21, 0), priority="1")
        self.assertEqual(
            self.clock(ticket, "response").deadline, datetime(2026, 3, 9, 16, 0)
        )

    def test_p1_runs_around_the_clock_in_a_business_hours_profile(self):
        friday = datetime(2026, 11, 20, 16, 50)
        ticket = self.make_ticket(friday, priority="3")
        response = self.clock(ticket, "response")
        self.assertFalse(response.calendar_id)
        self.assertEqual(response.deadline, datetime(2026, 11, 20, 17, 5))
        self.assertEqual(
            self.clock(ticket, "resolution").deadline, datetime(2026, 11, 20, 20, 50)
        )

    def test_pause_and_resume_twice(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=9, minute=30))
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=10))
        resolution = self.clock(ticket, "resolution")
        self.assertEqual(resolution.state, "paused")
        self.assertEqual(ticket.msp_sla_resolution_status, "paused")
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=11))
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=13))
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=15))
        self.assertEqual(resolution.state, "running")
        self.assertEqual(len(resolution.pause_ids), 2)
        self.assertEqual(resolution.pause_ids.mapped("hours"), [1.0, 2.0])
        self.assertAlmostEqual(resolution.paused_hours, 3.0)
        # 16 h + 3 h paused from Monday 09:00: Mon 8 h, Tue 9 h, Wed 2 h.
        self.assertEqual(resolution.deadline, datetime(2026, 11, 18, 10, 0))
        # the response clock paused too: 4 h + 3 h from Monday 09:00
        self.assertEqual(
            self.clock(ticket, "response").deadline, MONDAY.replace(hour=16)
        )

    def test_pause_over_a_night_counts_working_time_only(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=16))
        self.move(
            ticket,
            self.stage_progress,
            MONDAY.replace(hour=1) + timedelta(days=1, hours=8),
        )
        resolution = self.clock(ticket, "resolution")
        self.assertAlmostEqual(resolution.paused_hours, 2.0)  # 16-17 and 08-09

    def test_internal_note_is_not_a_response_but_a_reply_is(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        response = self.clock(ticket, "response")
        with freeze_time(MONDAY.replace(hour=9, minute=20)):
            ticket.with_user(self.tech).message_post(
                body="Looking at logs", subtype_xmlid="mail.mt_note"
            )
        self.assertEqual(response.state, "running")
        with freeze_time(MONDAY.replace(hour=9, minute=25)):
            ticket.message_post(
                body="Still broken!",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=self.contact.id,
            )
        self.assertEqual(response.state, "running", "the client's mail is no response")
        with freeze_time(MONDAY.replace(hour=9, minute=40)):
            ticket.with_user(self.tech).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(response.state, "stopped")
        self.assertEqual(response.stopped_at, MONDAY.replace(hour=9, minute=40))
        self.assertAlmostEqual(response.actual_hours, 40 / 60)
        self.assertEqual(ticket.msp_sla_response_status, "met")
        self.assertEqual(self.clock(ticket, "resolution").state, "running")

    def test_email_reply_through_the_mail_gateway_is_a_response(self):
        self.tech.email = "sla_tech@msp.example.com"
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        message = (
            "From: Sla Tech <sla_tech@msp.example.com>\r\n"
            "To: support@msp.example.com\r\n"
            f"Subject: Re: {ticket.name}\r\n"
            "Message-Id: <reply-sla-1@msp.example.com>\r\n"
            f"In-Reply-To: {ticket.message_ids[-1:].message_id or ''}\r\n"
            "Content-Type: text/plain\r\n\r\nRebooted the printer, please retry.\r\n"
        )
        with freeze_time(MONDAY.replace(hour=10)):
            self.env["mail.thread"].message_process(
                "helpdesk.ticket", message, thread_id=ticket.id
            )
        self.assertEqual(self.clock(ticket, "response").state, "stopped")

    def test_responding_stage_stops_the_response_clock(self):
        self.stage_progress.msp_sla_responding = True
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=14))
        response = self.clock(ticket, "response")
        self.assertEqual(response.state, "stopped")
        self.assertTrue(response.breached, "5 h against a 4 h target")

    def test_close_then_reopen(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_done, MONDAY.replace(hour=12))
        resolution = self.clock(ticket, "resolution")
        self.assertEqual(resolution.state, "stopped")
        self.assertAlmostEqual(resolution.actual_hours, 3.0)
        self.assertEqual(ticket.msp_sla_resolution_status, "met")
        # closing answered the unanswered ticket too
        self.assertEqual(self.clock(ticket, "response").state, "stopped")
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=15))
        self.assertEqual(resolution.state, "running")
        self.assertEqual(resolution.pause_ids.reason, "closed")
        self.assertAlmostEqual(resolution.paused_hours, 3.0)
        # 16 h + 3 h closed from Monday 09:00 -> Wednesday 10:00
        self.assertEqual(resolution.deadline, datetime(2026, 11, 18, 10, 0))
        self.assertEqual(self.clock(ticket, "response").state, "stopped")
        self.move(ticket, self.stage_done, MONDAY.replace(hour=16))
        self.assertAlmostEqual(resolution.actual_hours, 4.0)

    def test_priority_change_rebuilds_from_creation_and_keeps_history(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=9, minute=30))
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=10))
        old = ticket.msp_sla_clock_ids
        with freeze_time(MONDAY.replace(hour=10, minute=5)):
            ticket.priority = "3"
        self.assertEqual(set(old.mapped("state")), {"superseded"})
        new_resolution = self.clock(ticket, "resolution")
        self.assertEqual(new_resolution.priority, "3")
        self.assertEqual(new_resolution.start, MONDAY.replace(hour=9))
        self.assertFalse(new_resolution.calendar_id, "P1 runs 24x7")
        # the pause is carried and measured again on the 24x7 clock
        self.assertAlmostEqual(new_resolution.paused_hours, 0.5)
        self.assertEqual(new_resolution.deadline, MONDAY.replace(hour=13, minute=30))
        self.assertEqual(len(ticket.msp_sla_clock_ids), 4)
        note = ticket.message_ids.filtered(lambda m: "recomputed" in (m.body or ""))
        self.assertIn("P3", note.body)
        self.assertIn("P1", note.body)

    def test_priority_change_of_an_answered_ticket_keeps_the_answer(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        with freeze_time(MONDAY.replace(hour=9, minute=30)):
            ticket._msp_sla_register_response(MONDAY.replace(hour=9, minute=30))
        with freeze_time(MONDAY.replace(hour=10)):
            ticket.priority = "3"
        response = self.clock(ticket, "response")
        self.assertEqual(response.state, "stopped")
        self.assertTrue(response.breached, "30 min against the P1 15 min")
        self.assertEqual(ticket.msp_sla_response_status, "breached")
        self.assertEqual(ticket.msp_sla_breach_count, 1)

    def test_profile_resolution_order(self):
        company = self.env.company
        premium = self.env.ref("msp_sla.profile_premium")
        break_fix = self.env.ref("msp_sla.profile_break_fix")
        standard = self.env.ref("msp_sla.profile_standard")
        company.msp_sla_profile_id = standard
        no_team = self.make_ticket(MONDAY.replace(hour=9), team_id=False)
        self.assertEqual(no_team.msp_sla_profile_id, standard, "company default")
        ticket = self.make_ticket(MONDAY.replace(hour=9))
        self.assertEqual(ticket.msp_sla_profile_id, self.profile, "team default")
        self.client.msp_sla_profile_id = break_fix
        ticket._msp_sla_rebuild()
        self.assertEqual(ticket.msp_sla_profile_id, break_fix, "client profile")
        contract = self.env["contract.contract"].create(
            {
                "name": "Managed Services Gold",
                "partner_id": self.client.id,
                "date_start": MONDAY.date() - timedelta(days=30),
                "msp_sla_profile_id": premium.id,
            }
        )
        self.assertEqual(ticket.msp_contract_id, contract)
        self.assertEqual(ticket.msp_sla_profile_id, premium, "contract profile")
        contract.msp_sla_profile_id = break_fix
        self.assertEqual(ticket.msp_sla_profile_id, break_fix)

    def test_no_profile_no_clock(self):
        self.team.msp_sla_profile_id = False
        self.env.company.msp_sla_profile_id = False
        ticket = self.make_ticket(MONDAY.replace(hour=9))
        self.assertFalse(ticket.msp_sla_clock_ids)
        self.assertEqual(ticket.msp_sla_status, "none")

    def test_helpdesk_user_without_msp_role_creates_tickets(self):
        """Plain helpdesk users (and so the OCA suites) are not blocked."""
        user = new_test_user(
            self.env, login="sla_plain_hd", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(user)
            .create({"name": "From a plain user", "description": "<p>x</p>"})
        )
        ticket.with_user(user).stage_id = self.stage_done
        self.assertTrue(ticket.sudo().msp_sla_clock_ids)
