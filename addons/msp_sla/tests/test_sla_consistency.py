# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import timedelta

from freezegun import freeze_time
from odoo.tests import tagged

from .common import MONDAY, SlaCase


@tagged("post_install", "-at_install")
class TestBreachesAgree(SlaCase):
    """After a priority or profile change, the breach records, the ticket,
    its count, the SLA analysis and the weekly e-mail tell the same story."""

    def _cron(self, when):
        with freeze_time(when):
            self.env["msp.sla.clock"]._cron_check()

    def _weekly_breaches(self, when):
        self.env.ref("base.user_admin").email = "admin@msp.example.com"
        self.env.ref("base.user_admin").groups_id |= self.env.ref(
            "msp_base.group_msp_service_manager"
        )
        with freeze_time(when):
            self.env["msp.sla.profile"]._cron_weekly_summary()
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        return int(re.search(r"Breaches in the period: (\d+)", mail.body_html)[1])

    def _views(self, ticket):
        self.env.flush_all()
        ticket.invalidate_recordset()
        breaches = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        report = self.env["msp.sla.report"].search_count(
            [("ticket_id", "=", ticket.id), ("outcome", "=", "breached")]
        )
        return {
            "records": len(breaches),
            "count": ticket.msp_sla_breach_count,
            "analysis": report,
            "breached": int(ticket.msp_sla_breached),
        }

    def test_raising_a_breached_ticket_keeps_one_breach(self):
        base = self._weekly_breaches(MONDAY + timedelta(days=1))
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")  # P2: 1 h
        self._cron(MONDAY.replace(hour=10, minute=1))
        with freeze_time(MONDAY.replace(hour=10, minute=30)):
            ticket.priority = "3"  # P1: 15 min, still late
        self._cron(MONDAY.replace(hour=10, minute=31))
        self._cron(MONDAY.replace(hour=10, minute=32))
        views = self._views(ticket)
        self.assertEqual(
            views, {"records": 1, "count": 1, "analysis": 1, "breached": 1}
        )
        breach = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        response = self.clock(ticket, "response")
        self.assertEqual(breach.clock_id, response)
        self.assertEqual((breach.priority, breach.target_hours), ("3", 0.25))
        self.assertEqual(breach.breached_at, MONDAY.replace(hour=9, minute=15))
        self.assertTrue(breach.message_ids.filtered(lambda m: "carries over" in m.body))
        self.assertEqual(self._weekly_breaches(MONDAY + timedelta(days=1)), base + 1)

    def test_raising_an_answered_late_ticket_keeps_one_breach(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        with freeze_time(MONDAY.replace(hour=10, minute=30)):
            ticket._msp_sla_register_response(MONDAY.replace(hour=10, minute=30))
        with freeze_time(MONDAY.replace(hour=11)):
            ticket.priority = "3"
        self.assertEqual(
            self._views(ticket),
            {"records": 1, "count": 1, "analysis": 1, "breached": 1},
        )
        breach = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        self.assertAlmostEqual(breach.actual_hours, 1.5)
        self.assertAlmostEqual(breach.overrun_hours, 1.25)

    def test_lowering_a_breached_ticket_retires_its_breach(self):
        base = self._weekly_breaches(MONDAY + timedelta(days=1))
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        self._cron(MONDAY.replace(hour=10, minute=1))
        self.assertEqual(self._weekly_breaches(MONDAY + timedelta(days=1)), base + 1)
        with freeze_time(MONDAY.replace(hour=10, minute=30)):
            ticket.priority = "1"  # P3: 4 h, not late
        self._cron(MONDAY.replace(hour=10, minute=31))
        self.assertEqual(
            self._views(ticket),
            {"records": 0, "count": 0, "analysis": 0, "breached": 0},
        )
        retired = (
            self.env["msp.sla.breach"]
            .with_context(active_test=False)
            .search([("ticket_id", "=", ticket.id)])
        )
        self.assertEqual(len(retired), 1)
        self.assertFalse(retired.active)
        self.assertIn("not late", retired.retired_note)
        self.assertEqual(self._weekly_breaches(MONDAY + timedelta(days=1)), base)
        # and a later real breach under the new targets is recorded once
        self._cron(MONDAY.replace(hour=13, minute=1))
        self._cron(MONDAY.replace(hour=13, minute=2))
        self.assertEqual(
            self._views(ticket),
            {"records": 1, "count": 1, "analysis": 1, "breached": 1},
        )


@tagged("post_install", "-at_install")
class TestSlaStatusThroughOrm(SlaCase):
    def test_automation_rule_on_breached_fires_once(self):
        ticket_model = self.env["ir.model"]._get("helpdesk.ticket")
        status = self.env["ir.model.fields"]._get("helpdesk.ticket", "msp_sla_status")
        action = self.env["ir.actions.server"].create(
            {
                "name": "Tag breached",
                "model_id": ticket_model.id,
                "state": "code",
                "code": "record.message_post(body='AUTOMATION: SLA breached')",
            }
        )
        automation = self.env["base.automation"].create(
            {
                "name": "When SLA status becomes breached",
                "model_id": ticket_model.id,
                "trigger": "on_create_or_write",
                "trigger_field_ids": [(6, 0, status.ids)],
                "filter_domain": "[('msp_sla_status', '=', 'breached')]",
                "action_server_ids": [(6, 0, action.ids)],
            }
        )
        automation.filter_pre_domain = "[('msp_sla_status', '!=', 'breached')]"
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        for minute in (30, 59):
            with freeze_time(MONDAY.replace(hour=9, minute=minute)):
                self.env["msp.sla.clock"]._cron_check()
        for minute in (1, 2):
            with freeze_time(MONDAY.replace(hour=10, minute=minute)):
                self.env["msp.sla.clock"]._cron_check()
        with freeze_time(MONDAY.replace(hour=10, minute=30)):
            ticket._msp_sla_register_response(MONDAY.replace(hour=10, minute=30))
        self.assertEqual(ticket.msp_sla_status, "breached")
        fired = ticket.message_ids.filtered(
            lambda m: "AUTOMATION: SLA breached" in (m.body or "")
        )
        self.assertEqual(len(fired), 1)

    def test_status_changes_are_tracked(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        # a record created in the transaction is not tracked: "commit" it
        self.env.flush_all()
        self.env.cr.flush()
        with freeze_time(MONDAY.replace(hour=10, minute=1)):
            self.env["msp.sla.clock"]._cron_check()
        self.env.flush_all()
        self.env.cr.flush()  # tracking is written before the commit
        self.env.invalidate_all()
        values = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "msp_sla_status"
        )
        self.assertEqual(values.mapped("new_value_char"), ["Breached"])


@tagged("post_install", "-at_install")
class TestResumeOnClientReply(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Ann Client",
                "login": "ann_sla_portal",
                "partner_id": cls.contact.id,
                "groups_id": [(6, 0, cls.env.ref("base.group_portal").ids)],
            }
        )

    def _waiting_ticket(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="1")
        self.move(ticket, self.stage_progress, MONDAY.replace(hour=9, minute=30))
        self.move(ticket, self.stage_waiting, MONDAY.replace(hour=10))
        self.assertEqual(self.clock(ticket, "resolution").state, "paused")
        return ticket

    def test_client_mail_resumes_to_the_stage_it_came_from(self):
        ticket = self._waiting_ticket()
        with freeze_time(MONDAY.replace(hour=11)):
            ticket.message_post(
                body="Here are the logs.",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=self.contact.id,
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        resolution = self.clock(ticket, "resolution")
        self.assertEqual(resolution.state, "running")
        self.assertAlmostEqual(resolution.paused_hours, 1.0)

    def test_portal_message_resumes_to_the_configured_stage(self):
        self.stage_waiting.msp_sla_resume_stage_id = self.stage_new
        ticket = self._waiting_ticket()
        with freeze_time(MONDAY.replace(hour=11)):
            ticket.with_user(self.portal_user).message_post(
                body="Done, please check.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertEqual(self.clock(ticket, "resolution").state, "running")

    def test_staff_notes_and_replies_do_not_resume(self):
        ticket = self._waiting_ticket()
        with freeze_time(MONDAY.replace(hour=11)):
            ticket.with_user(self.tech).message_post(
                body="Still waiting on them", subtype_xmlid="mail.mt_note"
            )
            ticket.with_user(self.tech).message_post(
                body="Any news?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertEqual(self.clock(ticket, "resolution").state, "paused")

    def test_stage_can_opt_out(self):
        self.stage_waiting.msp_sla_resume_on_reply = False
        ticket = self._waiting_ticket()
        with freeze_time(MONDAY.replace(hour=11)):
            ticket.message_post(
                body="Here are the logs.",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=self.contact.id,
            )
        self.assertEqual(ticket.stage_id, self.stage_waiting)
