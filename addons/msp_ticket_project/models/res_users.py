# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

PROJECT_MANAGER = "msp_ticket_project.group_msp_project_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    # Project managers land on their projects; a service manager (who is a
    # project manager too) keeps the SLA overview, billing its runs.
    MSP_HOME_PRECEDENCE = (
        "msp_base.group_msp_service_manager",
        "msp_base.group_msp_billing",
        PROJECT_MANAGER,
        "msp_base.group_msp_dispatcher",
        "msp_base.group_msp_technician",
    )

    @api.model
    def _msp_role_group_records(self):
        # Project Manager is an MSP role: demo resets and home screens know it.
        groups = super()._msp_role_group_records()
        return groups | (
            self.env.ref(PROJECT_MANAGER, raise_if_not_found=False) or groups
        )

    @api.model
    def _msp_home_screens(self):
        screens = super()._msp_home_screens()
        screens[PROJECT_MANAGER] = "msp_ticket_project.menu_msp_client_projects"
        return screens
