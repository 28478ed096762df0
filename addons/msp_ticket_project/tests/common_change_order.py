# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A fixed-fee client project with phases, its project manager, a
technician and the client's portal contact, for the change-order tests."""

from odoo.tests import new_test_user

from odoo.addons.msp_base.tests.common import make_portal_client


def make_change_order_world(cls, prefix):
    env = cls.env
    cls.client, cls.contact, cls.portal_user = make_portal_client(
        env, f"{prefix} Client", f"{prefix.lower()}_client"
    )
    cls.pm = new_test_user(
        env,
        login=f"{prefix.lower()}_pm",
        name=f"{prefix} PM",
        groups="base.group_user,msp_ticket_project.group_msp_project_manager",
    )
    cls.tech = new_test_user(
        env,
        login=f"{prefix.lower()}_tech",
        name=f"{prefix} Tech",
        groups="base.group_user,msp_base.group_msp_technician",
    )
    cls.billing = new_test_user(
        env,
        login=f"{prefix.lower()}_billing",
        groups="base.group_user,msp_base.group_msp_billing",
    )
    env["hr.employee"].create({"name": cls.tech.name, "user_id": cls.tech.id})
    cls.project = env["project.project"].create(
        {
            "name": f"{prefix} Tenant Migration",
            "partner_id": cls.client.id,
            "user_id": cls.pm.id,
            "allow_milestones": True,
            "allow_timesheets": True,
            "privacy_visibility": "portal",
            "msp_billing_type": "fixed",
            "msp_fixed_price": 12000.0,
            "msp_hourly_rate": 150.0,
        }
    )
    cls.project.message_subscribe(partner_ids=cls.contact.ids)
    Phase = env["project.milestone"]
    cls.build = Phase.create(
        {"name": "Build", "project_id": cls.project.id, "msp_sequence": 30,
         "msp_budget_hours": 40.0}
    )  # fmt: skip
    cls.test_phase = Phase.create(
        {"name": "Test", "project_id": cls.project.id, "msp_sequence": 40,
         "msp_budget_hours": 10.0}
    )  # fmt: skip
    cls.hypercare = Phase.create(
        {"name": "Hypercare", "project_id": cls.project.id, "msp_sequence": 60,
         "msp_budget_hours": 8.0, "msp_is_hypercare": True}
    )  # fmt: skip


def make_change_order(env, project, user, **values):
    return (
        env["msp.change.order"]
        .with_user(user)
        .create(
            {
                "title": "Migrate 20 more mailboxes",
                "project_id": project.id,
                "hours_delta": 10.0,
                "description": "<p>Twenty shared mailboxes found in discovery.</p>",
                **values,
            }
        )
    )
