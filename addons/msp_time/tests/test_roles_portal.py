# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo staff against the README's roles table (timesheets side), their
time over real JSON-RPC, and the resolution-note rule when a client closes
their ticket from the portal."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client

TS_USER = "hr_timesheet.group_hr_timesheet_user"
TS_APPROVER = "hr_timesheet.group_hr_timesheet_approver"
TS_MANAGER = "hr_timesheet.group_timesheet_manager"
HD_TEAM = "helpdesk_mgmt.group_helpdesk_user_team"
HD_ALL = "helpdesk_mgmt.group_helpdesk_user"
HD_MANAGER = "helpdesk_mgmt.group_helpdesk_manager"
INVOICING = "account.group_account_invoice"

# README "Roles": (must have, must not have)
ROLE_TABLE = {
    "technician": (
        [HD_TEAM, TS_USER],
        [HD_ALL, HD_MANAGER, TS_APPROVER, TS_MANAGER, INVOICING],
    ),
    "dispatcher": (
        [HD_TEAM, HD_ALL, TS_USER, TS_APPROVER],
        [HD_MANAGER, TS_MANAGER, INVOICING],
    ),
    "service_manager": ([HD_ALL, HD_MANAGER, TS_APPROVER, TS_MANAGER], []),
    "billing": (
        [INVOICING, HD_ALL, TS_USER],
        [HD_MANAGER, TS_APPROVER, TS_MANAGER, "msp_base.group_msp_technician"],
    ),
}
DEMO_LOGINS = {
    "grace": "service_manager",
    "ben": "billing",
    "dana": "dispatcher",
    "luis": "technician",
    "priya": "technician",
    "tom": "technician",
    "aisha": "technician",
    "sam": "technician",
    "mei": "technician",
}


@tagged("post_install", "-at_install")
class TestDemoRolesAndTime(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.msp_time_lock_date = False
        users = cls.env["res.users"].search([("login", "in", list(DEMO_LOGINS))])
        cls.demo = {user.login: user for user in users}
        cls.project = cls.env["project.project"].create(
            {"name": "Roles Support", "allow_timesheets": True}
        )
        Employee = cls.env["hr.employee"]
        for login in ("luis", "priya", "ben"):
            user = cls.demo[login]
            if not Employee.search([("user_id", "=", user.id)]):
                Employee.create({"name": user.name, "user_id": user.id})
        Line = cls.env["account.analytic.line"]
        cls.priya_line = Line.with_user(cls.demo["priya"]).create(
            {"name": "Priya's work", "project_id": cls.project.id, "unit_amount": 1}
        )
        cls.luis_line = Line.with_user(cls.demo["luis"]).create(
            {"name": "Luis's work", "project_id": cls.project.id, "unit_amount": 1}
        )

    def test_demo_staff_match_the_roles_table(self):
        self.assertEqual(set(self.demo), set(DEMO_LOGINS))
        for login, role in DEMO_LOGINS.items():
            user = self.demo[login]
            must, must_not = ROLE_TABLE[role]
            for xmlid in must:
                self.assertTrue(
                    user.has_group(xmlid), f"{login} ({role}) lacks {xmlid}"
                )
            for xmlid in must_not:
                self.assertFalse(user.has_group(xmlid), f"{login} ({role}) has {xmlid}")

    def test_new_users_get_no_timesheet_administration_by_default(self):
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create({"name": "Fresh Hire", "login": "rt_fresh"})
        )
        self.assertTrue(user.has_group("base.group_user"))
        self.assertFalse(user.has_group(TS_MANAGER))
        self.assertFalse(user.has_group(TS_APPROVER))
        self.assertFalse(user.has_group("project.group_project_manager"))
        user.groups_id = [
            Command.link(self.env.ref("msp_base.group_msp_technician").id)
        ]
        self.assertTrue(user.has_group(TS_USER))
        self.assertFalse(user.has_group(TS_APPROVER))

    def _rpc_as(self, login, model, method, *args, **kwargs):
        self.authenticate(login, login)
        return self.rpc(model, method, *args, **kwargs)

    def test_demo_technician_cannot_touch_anothers_time_over_rpc(self):
        _r, error = self._rpc_as(
            "luis",
            "account.analytic.line",
            "write",
            self.priya_line.ids,
            {"unit_amount": 9},
        )
        self.assertEqual(error, "odoo.exceptions.AccessError")
        _r, error = self._rpc_as(
            "luis", "account.analytic.line", "unlink", self.priya_line.ids
        )
        self.assertEqual(error, "odoo.exceptions.AccessError")
        result, error = self._rpc_as(
            "luis",
            "account.analytic.line",
            "search_read",
            [("id", "in", (self.priya_line | self.luis_line).ids)],
            fields=["name"],
        )
        self.assertEqual([r["id"] for r in result], self.luis_line.ids)
        # their own time they may change
        _r, error = self._rpc_as(
            "luis",
            "account.analytic.line",
            "write",
            self.luis_line.ids,
            {"unit_amount": 2},
        )
        self.assertIsNone(error)
        self.priya_line.invalidate_recordset()
        self.assertEqual(self.priya_line.unit_amount, 1)
        self.assertTrue(self.priya_line.exists())

    def test_demo_billing_reads_but_cannot_edit_time_over_rpc(self):
        result, error = self._rpc_as(
            "ben", "account.analytic.line", "read", self.priya_line.ids, ["name"]
        )
        self.assertIsNone(error)
        self.assertEqual(result[0]["name"], "Priya's work")
        for method, args in (
            ("write", (self.priya_line.ids, {"unit_amount": 9})),
            ("unlink", (self.priya_line.ids,)),
        ):
            _r, error = self._rpc_as("ben", "account.analytic.line", method, *args)
            self.assertEqual(error, "odoo.exceptions.AccessError", method)
        self.priya_line.invalidate_recordset()
        self.assertEqual(self.priya_line.unit_amount, 1)


@tagged("post_install", "-at_install")
class TestClientCloseResolutionNote(PortalHttpMixin, HttpCase):
    """A client cannot close a ticket that needs its resolution note: the
    refusal is shown, the ticket stays open, the team gets a note and a
    to-do; once the note is written, the client's close goes through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"msp_time_lock_date": False, "msp_resolution_note_minutes": 30}
        )
        cls.client, cls.contact, cls.portal = make_portal_client(
            cls.env, "Note Client", "portal_note"
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Note Support", "allow_timesheets": True}
        )
        cls.tech = cls.env["res.users"].search([("login", "=", "luis")])
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Note Desk",
                "allow_timesheet": True,
                "default_project_id": cls.project.id,
                "user_ids": [Command.set(cls.tech.ids)],
                "user_id": cls.tech.id,
            }
        )
        if not cls.env["hr.employee"].search([("user_id", "=", cls.tech.id)]):
            cls.env["hr.employee"].create(
                {"name": cls.tech.name, "user_id": cls.tech.id}
            )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Rebuild the file server",
                "description": "<p>Rebuild</p>",
                "partner_id": cls.contact.id,
                "team_id": cls.team.id,
                "project_id": cls.project.id,
                "stage_id": cls.stage_new.id,
                "user_id": cls.tech.id,
            }
        )
        cls.env["account.analytic.line"].with_user(cls.tech).create(
            {
                "name": "Rebuild",
                "ticket_id": cls.ticket.id,
                "project_id": cls.project.id,
                "unit_amount": 2,
            }
        )

    def test_client_close_needs_the_note(self):
        self.login_as(self.portal)
        response = self.post_close(self.ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_new)
        page = self.url_open(response.headers["Location"])
        self.assertIn("until our technician has recorded what was done", page.text)
        notes = self.ticket.message_ids.filtered(
            lambda m: "asked to close this ticket" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertTrue(notes.subtype_id.internal)
        activity = self.ticket.activity_ids.filtered(
            lambda a: a.summary == "Client asked to close the ticket"
        )
        self.assertEqual(activity.user_id, self.tech)
        # the technician writes the note: now the client may close
        self.ticket.msp_resolution_done = "Rebuilt the RAID and restored"
        response = self.post_close(self.ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_done)

    def test_little_time_needs_no_note(self):
        ticket = self.ticket.copy({"name": "Quick one", "stage_id": self.stage_new.id})
        self.login_as(self.portal)
        self.post_close(ticket, self.stage_done)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_done)

    def test_client_close_flag_is_not_for_internal_callers(self):
        """The context key the client close uses does not let an internal
        user skip the rule, nor does superuser code lose its exemption."""
        from odoo.exceptions import UserError  # noqa: PLC0415

        ticket = self.ticket.with_user(self.tech).with_context(msp_client_close=True)
        with self.assertRaises(UserError):
            ticket.stage_id = self.stage_done
        other = self.ticket.copy(
            {"name": "Alert clears", "stage_id": self.stage_new.id}
        )
        self.env["account.analytic.line"].with_user(self.tech).create(
            {
                "name": "Watching",
                "ticket_id": other.id,
                "project_id": self.project.id,
                "unit_amount": 2,
            }
        )
        other.sudo().stage_id = self.stage_done
        self.assertEqual(other.stage_id, self.stage_done)
