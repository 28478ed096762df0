# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

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

    def test_unknown_caller_goes_to_triage(self):
        call = self.env["msp.phone.call"].create(
            {
                "caller_number": "+44 20 7946 0000",
                "subject": "Who am I",
                "duration_minutes": 3,
            }
        )
        call.action_create_ticket()
        self.assertFalse(call.partner_id)
        self.assertTrue(call.ticket_id.msp_unknown_sender)
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
