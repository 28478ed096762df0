# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPhoneToTicket(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.env["res.partner"].create(
            {"name": "Phone Client", "is_company": True, "phone": "+1 937 555 0100"}
        )
        cls.caller = cls.env["res.partner"].create(
            {
                "name": "Paula Phone",
                "parent_id": cls.client.id,
                "phone": "(937) 555-0199",
            }
        )
        cls.tech = new_test_user(
            cls.env,
            login="ph_tech",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        cls.env["hr.employee"].create({"name": "Ph Tech", "user_id": cls.tech.id})
        project = cls.env["project.project"].create(
            {"name": "Phone Support", "allow_timesheets": True}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Phone Desk",
                "allow_timesheet": True,
                "default_project_id": project.id,
            }
        )

    def test_wizard_matches_caller_and_books_the_time(self):
        call = (
            self.env["msp.phone.call"]
            .with_user(self.tech)
            .create(
                {
                    "caller_number": "+1-937-555-0199",
                    "subject": "Cannot print",
                    "notes": "Printer shows error 49",
                    "duration_minutes": 12,
                    "team_id": self.team.id,
                }
            )
        )
        self.assertEqual(call.partner_id, self.caller)
        call.action_create_ticket()
        ticket = call.ticket_id
        self.assertEqual(ticket.partner_id, self.caller)
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone"),
        )
        self.assertAlmostEqual(call.timesheet_id.unit_amount, 0.2)
        self.assertEqual(call.timesheet_id.ticket_id, ticket)
        self.assertEqual(call.timesheet_id.user_id, self.tech)
        # msp_time: the call is time with a work type and a billed duration
        self.assertEqual(
            call.timesheet_id.msp_work_type_id,
            self.env.company.msp_work_type_id or call.timesheet_id.msp_work_type_id,
        )
        self.assertTrue(call.timesheet_id.msp_work_type_id)
        self.assertEqual(call.timesheet_id.msp_state, "confirmed")
        self.assertEqual(call.timesheet_id.msp_billed_hours, 0.25)  # 12 min

    def _call(self, **values):
        return (
            self.env["msp.phone.call"]
            .with_user(self.tech)
            .create(
                {
                    "caller_number": "+44 20 7946 0000",
                    "subject": "Who am I",
                    "duration_minutes": 3,
                    **values,
                }
            )
        )

    def _no_rule_matches(self):
        self.env["msp.routing.rule"].search([]).active = False

    def test_unknown_caller_goes_to_triage(self):
        self._no_rule_matches()
        self.env.company.msp_catchall_team_id = self.team
        call = self._call()
        call.action_create_ticket()
        self.assertFalse(call.partner_id)
        self.assertTrue(call.ticket_id.msp_unknown_sender)
        self.assertEqual(call.ticket_id.team_id, self.team)
        self.assertAlmostEqual(call.timesheet_id.unit_amount, 0.05)

    def test_no_rule_matches_catchall_team_and_time_entry(self):
        """Nothing lost: no routing rule matches, the ticket lands in the
        catch-all team and the call's minutes are a time entry of whoever
        logged it, ending now at the latest."""
        self._no_rule_matches()
        other = self.env["helpdesk.ticket.team"].create({"name": "Other Desk"})
        self.env.company.msp_catchall_team_id = self.team
        call = self._call(caller_number="+1-937-555-0199", duration_minutes=18)
        self.assertFalse(call.team_id)
        call.action_create_ticket()
        ticket = call.ticket_id
        self.assertEqual(ticket.team_id, self.team)
        self.assertNotEqual(ticket.team_id, other)
        self.assertIn(
            "catch-all", "".join(ticket.msp_routing_log_ids.mapped("changes"))
        )
        entry = call.timesheet_id
        self.assertTrue(entry)
        self.assertEqual(entry.ticket_id, ticket)
        self.assertEqual(entry.user_id, self.tech)
        self.assertAlmostEqual(entry.unit_amount, 0.3)
        self.assertEqual(call.ticket_team_id, self.team)
        self.assertAlmostEqual(call.timesheet_hours, 0.3)
        self.assertFalse(entry.msp_timer_running)
        end = entry.date_time + timedelta(hours=entry.unit_amount)
        self.assertLessEqual(end, fields.Datetime.now() + timedelta(seconds=1))

    def test_catchall_team_without_team_project_books_on_catchall_project(self):
        """The call's own team has no project: the catch-all's is used."""
        self._no_rule_matches()
        bare = self.env["helpdesk.ticket.team"].create({"name": "Bare Desk"})
        self.env.company.msp_catchall_team_id = self.team
        call = self._call(team_id=bare.id)
        call.action_create_ticket()
        self.assertEqual(call.ticket_id.team_id, bare)
        self.assertEqual(call.timesheet_id.project_id, self.team.default_project_id)

    def test_call_that_cannot_be_booked_is_refused_not_lost(self):
        self._no_rule_matches()
        self.env.company.msp_catchall_team_id = False
        call = self._call()
        with (
            self.assertRaisesRegex(UserError, "no project to book"),
            self.env.cr.savepoint(),
        ):
            call.action_create_ticket()
        call.invalidate_recordset()
        self.assertFalse(call.ticket_id, "the whole action is undone")
        with self.assertRaisesRegex(UserError, "duration"):
            self._call(duration_minutes=0).action_create_ticket()
        nobody = new_test_user(
            self.env,
            login="ph_nobody",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        with self.assertRaisesRegex(UserError, "no employee"):
            self._call(user_id=nobody.id, team_id=self.team.id).action_create_ticket()

    def test_phone_system_call_without_project_still_gets_its_ticket(self):
        self._no_rule_matches()
        self.env.company.msp_catchall_team_id = False
        call = self._call().with_context(msp_phone_api=True)
        call.action_create_ticket()
        self.assertTrue(call.ticket_id)
        bodies = "".join(call.ticket_id.message_ids.mapped("body"))
        self.assertIn("not booked", bodies)

    def test_api(self):
        self.env["msp.intake.source"].create(
            {"name": "PBX", "code": "pbx", "auth_mode": "token", "token": "pbx-token"}
        )
        body = json.dumps(
            {
                "caller": "9375550199",
                "duration_seconds": 600,
                "subject": "VPN",
                "agent_login": "ph_tech",
            }
        ).encode()
        status, answer = self.env["msp.intake.source"]._receive_call(
            "pbx", {"X-MSP-Token": "pbx-token"}, body
        )
        self.assertEqual(status, 200)
        call = self.env["msp.phone.call"].browse(answer["call_id"])
        self.assertEqual(call.partner_id, self.caller)
        self.assertEqual(call.user_id, self.tech)
        bad = self.env["msp.intake.source"]._receive_call(
            "pbx", {"X-MSP-Token": "pbx-token"}, b'{"subject": "no caller"}'
        )
        self.assertEqual(bad[0], 422)
        self.assertEqual(
            self.env["msp.intake.source"]._receive_call("pbx", {}, body)[0], 401
        )
