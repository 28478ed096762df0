# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the threshold and conversion tests share: a company with known
settings, a client, a service-desk project and team, the roles."""

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class TicketProjectCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "msp_time_lock_date": False,
                "msp_project_threshold_hours": 8.0,
                "msp_resolution_note_minutes": 30,
                "msp_work_type_id": cls.env.ref("msp_time.work_type_included").id,
            }
        )
        cls.included = cls.env.ref("msp_time.work_type_included")
        cls.internal = cls.env.ref("msp_time.work_type_internal")
        cls.project_type = cls.env.ref("msp_time.work_type_project")

        def user(login, *groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(["base.group_user", *groups]),
                tz="UTC",
            )

        cls.tech = user("tp_tech", "msp_base.group_msp_technician")
        cls.dispatcher = user("tp_disp", "msp_base.group_msp_dispatcher")
        cls.pm = user("tp_pm", "msp_ticket_project.group_msp_project_manager")
        cls.manager = user("tp_mgr", "msp_base.group_msp_service_manager")
        cls.env["hr.employee"].create(
            [
                {"name": u.name, "user_id": u.id}
                for u in (cls.tech, cls.dispatcher, cls.pm, cls.manager)
            ]
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Tenant Client Ltd", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Cora Client",
                "parent_id": cls.client.id,
                "email": "cora@tenant.example.com",
            }
        )
        cls.desk = cls.env["project.project"].create(
            {"name": "Service Desk", "allow_timesheets": True}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Project Desk",
                "allow_timesheet": True,
                "default_project_id": cls.desk.id,
                "user_ids": [Command.set((cls.tech | cls.dispatcher | cls.pm).ids)],
            }
        )
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.Line = cls.env["account.analytic.line"]
        cls.activity_type = cls.env.ref(
            "msp_ticket_project.mail_activity_should_be_project"
        )

    @classmethod
    def _ticket(cls, name="Tenant migration", **values):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{name}: move 40 mailboxes</p>",
                "partner_id": cls.contact.id,
                "team_id": cls.team.id,
                "project_id": cls.desk.id,
                "user_id": cls.tech.id,
                **values,
            }
        )

    def _entry(self, ticket, hours=1.0, user=None, **values):
        return self.Line.create(
            {
                "name": values.pop("name", "Worked on it"),
                "ticket_id": ticket.id,
                "project_id": ticket.project_id.id,
                "user_id": (user or self.tech).id,
                "unit_amount": hours,
                **values,
            }
        )

    def _open_activities(self, ticket):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _wizard(self, ticket, user=None, **values):
        Wizard = self.env["msp.ticket.convert"].with_user(user or self.dispatcher)
        return Wizard.with_context(default_ticket_id=ticket.id).create(values)
