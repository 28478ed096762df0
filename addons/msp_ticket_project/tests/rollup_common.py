# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the rollup and margin tests share: a client project in two phases
(Build 10 h, Test 10 h) with estimated tasks, a costed and an uncosted
employee, a ticket of the project in the Build phase."""

from datetime import date

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.msp_base.tests.common import role_user


class ProjectRollupCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        env.company.msp_time_lock_date = False
        cls.client = env["res.partner"].create(
            {"name": "Rollup Client", "is_company": True}
        )
        cls.contact = env["res.partner"].create(
            {"name": "Rita Rollup", "parent_id": cls.client.id}
        )
        cls.pm = role_user(env, "rollup_pm", "group_msp_dispatcher")
        cls.pm.groups_id += env.ref("msp_ticket_project.group_msp_project_manager")
        cls.tech = role_user(env, "rollup_tech", "group_msp_technician")
        cls.free = role_user(env, "rollup_free", "group_msp_technician")
        cls.billing = role_user(env, "rollup_billing", "group_msp_billing")
        cls.employee = env["hr.employee"].create(
            {"name": "Rollup Tech", "user_id": cls.tech.id, "hourly_cost": 50.0}
        )
        cls.free_employee = env["hr.employee"].create(
            {"name": "Rollup Free", "user_id": cls.free.id, "hourly_cost": 0.0}
        )
        cls.work_type = env.ref("msp_time.work_type_project")
        cls.project = cls.make_project("Rollup Migration")
        cls.build, cls.test_phase = cls.project.milestone_ids.sorted("msp_sequence")
        Task = env["project.task"]
        cls.task_a = Task.create(cls.task_vals("Build A", cls.build, 6.0))
        cls.task_b = Task.create(cls.task_vals("Build B", cls.build, 3.0))
        cls.task_t = Task.create(cls.task_vals("Test T", cls.test_phase, 4.0))
        # a subtask's estimate is part of its parent's: not counted again
        cls.subtask = Task.create(
            dict(cls.task_vals("Build A.1", cls.build, 2.0), parent_id=cls.task_a.id)
        )
        team = env["helpdesk.ticket.team"].create({"name": "Rollup Desk"})
        cls.ticket = env["helpdesk.ticket"].create(
            {
                "name": "Mailbox missing after migration",
                "description": "<p>x</p>",
                "partner_id": cls.contact.id,
                "team_id": team.id,
                "project_id": cls.project.id,
                "milestone_id": cls.build.id,
            }
        )

    @classmethod
    def make_project(cls, name, budgets=(("Build", 10.0), ("Test", 10.0))):
        return cls.env["project.project"].create(
            {
                "name": name,
                "partner_id": cls.client.id,
                "user_id": cls.pm.id,
                "allow_milestones": True,
                "allow_timesheets": True,
                "msp_state": "in_flight",
                "msp_billing_type": "tm",
                "msp_hourly_rate": 150.0,
                "milestone_ids": [
                    Command.create(
                        {"name": phase, "msp_sequence": n, "msp_budget_hours": hours}
                    )
                    for n, (phase, hours) in enumerate(budgets, 1)
                ],
            }
        )

    @classmethod
    def task_vals(cls, name, phase, hours):
        return {
            "name": name,
            "project_id": phase.project_id.id,
            "milestone_id": phase.id,
            "allocated_hours": hours,
        }

    @classmethod
    def entry(cls, hours, task=None, ticket=None, project=None, employee=None):
        return cls.entries([hours], task, ticket, project, employee)

    @classmethod
    def entries(cls, hours_list, task=None, ticket=None, project=None, employee=None):
        if project is None:
            project = (task or ticket).project_id if (task or ticket) else cls.project
        employee = employee or cls.employee
        return cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": project.id,
                    "task_id": task.id if task else False,
                    "ticket_id": ticket.id if ticket else False,
                    "employee_id": employee.id,
                    "user_id": employee.user_id.id,
                    "date": date(2026, 3, 2),
                    "unit_amount": hours,
                    "msp_work_type_id": cls.work_type.id,
                }
                for hours in hours_list
            ]
        )
