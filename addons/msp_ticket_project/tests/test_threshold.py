# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common_convert import TicketProjectCase


@tagged("post_install", "-at_install")
class TestThreshold(TicketProjectCase):
    def test_flag_by_estimate_above_company_threshold(self):
        ticket = self._ticket(msp_estimate_hours=8.0)
        self.assertFalse(ticket.msp_should_be_project, "8 h is not above 8 h")
        self.assertFalse(ticket.msp_project_badge)
        ticket.msp_estimate_hours = 8.5
        self.assertTrue(ticket.msp_should_be_project)
        self.assertEqual(ticket.msp_project_badge, "Should be a project")
        self.assertIn(
            ticket, self.Ticket.search([("msp_should_be_project", "=", True)])
        )
        # the company setting, through Settings
        settings = self.env["res.config.settings"].create(
            {"msp_project_threshold_hours": 10.0}
        )
        settings.execute()
        self.assertEqual(self.company.msp_project_threshold_hours, 10.0)
        self.assertFalse(ticket.msp_should_be_project)
        with self.assertRaises(ValidationError):
            self.company.msp_project_threshold_hours = 0

    def test_team_override(self):
        ticket = self._ticket(msp_estimate_hours=12.0)
        self.assertTrue(ticket.msp_should_be_project)
        self.team.msp_project_threshold_hours = 20.0
        self.assertFalse(ticket.msp_should_be_project, "team's 20 h wins")
        self.team.msp_project_threshold_hours = 4.0
        small = self._ticket("Small", msp_estimate_hours=5.0)
        self.assertTrue(small.msp_should_be_project, "5 h above the team's 4 h")
        self.team.msp_project_threshold_hours = 0.0
        self.assertFalse(small.msp_should_be_project, "0: the company's 8 h")
        with self.assertRaises(ValidationError):
            self.team.msp_project_threshold_hours = -1

    def test_flag_by_tells(self):
        for tell in ("msp_needs_phases", "msp_needs_signoff", "msp_several_engineers"):
            ticket = self._ticket(f"Tell {tell}", msp_estimate_hours=1.0)
            self.assertFalse(ticket.msp_should_be_project)
            ticket[tell] = True
            self.assertTrue(ticket.msp_should_be_project, tell)
            ticket[tell] = False
            self.assertFalse(ticket.msp_should_be_project, tell)

    def test_one_activity_for_the_dispatcher_across_edits(self):
        ticket = self._ticket(msp_estimate_hours=2.0)
        self.assertFalse(self._open_activities(ticket))
        ticket.with_user(self.tech).write({"msp_estimate_hours": 12.0})
        activities = self._open_activities(ticket)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.dispatcher, "team's dispatcher")
        self.assertIn("12", str(activities.note))
        # more edits, by several people: still the same single activity
        ticket.with_user(self.tech).write({"msp_estimate_hours": 16.0})
        ticket.with_user(self.dispatcher).write({"msp_needs_phases": True})
        ticket.write({"msp_several_engineers": True, "name": "Tenant migration v2"})
        ticket.write({"msp_estimate_hours": 30.0})
        self.assertEqual(self._open_activities(ticket), activities)
        # no longer flagged: done (not deleted), then flagged again: a new one
        ticket.write(
            {
                "msp_estimate_hours": 1.0,
                "msp_needs_phases": False,
                "msp_several_engineers": False,
            }
        )
        self.assertFalse(self._open_activities(ticket))
        done = self.env["mail.message"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("mail_activity_type_id", "=", self.activity_type.id),
            ]
        )
        self.assertEqual(len(done), 1, "the activity was marked done")
        ticket.msp_needs_signoff = True
        self.assertEqual(len(self._open_activities(ticket)), 1)

    def test_activity_flagged_on_create_and_by_threshold_change(self):
        ticket = self._ticket(msp_estimate_hours=9.0)
        self.assertEqual(len(self._open_activities(ticket)), 1)
        self.team.msp_project_threshold_hours = 10.0
        self.assertFalse(self._open_activities(ticket))
        self.team.msp_project_threshold_hours = 0.0
        self.assertEqual(len(self._open_activities(ticket)), 1)

    def test_dispatcher_order(self):
        ticket = self._ticket(msp_estimate_hours=1.0)
        self.assertEqual(ticket._msp_project_dispatcher(), self.dispatcher)
        self.team.user_id = self.pm
        self.assertEqual(ticket._msp_project_dispatcher(), self.pm, "team leader")
        self.team.write({"user_id": False, "user_ids": [(3, self.dispatcher.id)]})
        fallback = ticket._msp_project_dispatcher()
        self.assertTrue(fallback.has_group("msp_base.group_msp_service_manager"))

    def test_resolved_on_convert(self):
        ticket = self._ticket(msp_estimate_hours=20.0)
        self.assertEqual(len(self._open_activities(ticket)), 1)
        wizard = self._wizard(ticket, mode="blank", ticket_action="keep")
        wizard.action_convert()
        self.assertEqual(ticket.msp_project_link, "origin")
        self.assertFalse(ticket.msp_should_be_project, "converted: no longer flagged")
        self.assertFalse(self._open_activities(ticket))
        # editing the converted ticket does not raise a new one
        ticket.msp_estimate_hours = 40.0
        self.assertFalse(self._open_activities(ticket))

    def test_flag_and_link_are_system_fields(self):
        ticket = self._ticket(msp_estimate_hours=20.0)
        for values in (
            {"msp_should_be_project": False},
            {"msp_project_link": "origin"},
        ):
            with self.assertRaises(AccessError):
                ticket.with_user(self.dispatcher).write(values)
        self.assertTrue(ticket.msp_should_be_project)

    def test_views_show_the_badge_and_filter(self):
        Ticket = self.Ticket.with_user(self.dispatcher)
        for xmlid, needle in (
            ("msp_base.helpdesk_ticket_view_list_msp", "msp_project_badge"),
            ("helpdesk_mgmt.view_helpdesk_ticket_kanban", "Should be a project"),
            ("helpdesk_mgmt.ticket_view_form", "action_msp_convert_to_project"),
            ("msp_base.helpdesk_ticket_view_search_msp", "msp_should_be_project"),
        ):
            view = self.env.ref(xmlid)
            arch = Ticket.get_view(view.id, view.type)["arch"]
            self.assertIn(needle, arch, xmlid)
        # a technician sees the badge, not the buttons
        view = self.env.ref("helpdesk_mgmt.ticket_view_form")
        arch = self.Ticket.with_user(self.tech).get_view(view.id, "form")["arch"]
        self.assertIn("o_msp_should_be_project", arch)
        self.assertNotIn("action_msp_convert_to_project", arch)
