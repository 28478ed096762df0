# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the msp_time tests share: a company with known settings, a client,
a project, a team, technicians with employees, a dispatcher, billing."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.msp_base.tests.common import role_user


class MspTimeCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "msp_time_lock_date": False,
                "msp_billing_increment_minutes": 15,
                "msp_billing_minimum_minutes": 0,
                "msp_resolution_note_minutes": 30,
                "msp_work_type_id": cls.env.ref("msp_time.work_type_included").id,
            }
        )
        cls.included = cls.env.ref("msp_time.work_type_included")
        cls.billable = cls.env.ref("msp_time.work_type_billable")
        cls.project_kind = cls.env.ref("msp_time.work_type_project")
        cls.warranty = cls.env.ref("msp_time.work_type_warranty")
        cls.internal = cls.env.ref("msp_time.work_type_internal")
        cls.client = cls.env["res.partner"].create(
            {"name": "Time Client Inc", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Tina Time", "parent_id": cls.client.id}
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Time Support", "allow_timesheets": True}
        )
        env = cls.env
        cls.tech = role_user(env, "mt_tech", "group_msp_technician", tz="UTC")
        cls.tech2 = role_user(env, "mt_tech2", "group_msp_technician", tz="UTC")
        cls.dispatcher = role_user(env, "mt_disp", "group_msp_dispatcher", tz="UTC")
        cls.manager = role_user(env, "mt_mgr", "group_msp_service_manager", tz="UTC")
        cls.billing = role_user(env, "mt_bill", "group_msp_billing", tz="UTC")
        cls.employees = cls.env["hr.employee"].create(
            [
                {"name": user.name, "user_id": user.id}
                for user in (cls.tech, cls.tech2, cls.dispatcher, cls.manager)
            ]
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Time Desk",
                "allow_timesheet": True,
                "default_project_id": cls.project.id,
                "user_ids": [(6, 0, (cls.tech | cls.tech2 | cls.dispatcher).ids)],
            }
        )
        cls.category = cls.env["helpdesk.ticket.category"].create(
            {"name": "Time Category"}
        )
        cls.ticket = cls._ticket("Printer down")
        cls.ticket2 = cls._ticket("VPN slow")
        cls.Line = cls.env["account.analytic.line"]

    @classmethod
    def _ticket(cls, name, **values):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{name}</p>",
                "partner_id": cls.contact.id,
                "team_id": cls.team.id,
                "project_id": cls.project.id,
                "user_id": cls.tech.id,
                **values,
            }
        )

    def _entry(self, user=None, ticket=None, hours=1.0, **values):
        """A time entry as a client (RPC, import) would create it."""
        ticket = ticket if ticket is not None else self.ticket
        vals = {
            "name": values.pop("name", "Worked on it"),
            "ticket_id": ticket.id,
            "project_id": ticket.project_id.id or self.project.id,
            "unit_amount": hours,
            **values,
        }
        return self.Line.with_user(user or self.tech).create(vals)

    @staticmethod
    def _at(day, hour, minute=0):
        return datetime.combine(day, datetime.min.time()) + timedelta(
            hours=hour, minutes=minute
        )

    @staticmethod
    def _today():
        return fields.Date.today()
