# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        project_id = self.env.context.get("msp_kickoff_project_id")
        if project_id and isinstance(project_id, int):
            # "Schedule kickoff" on a project: the new meeting becomes its
            # kickoff (written with the user's own rights on the project)
            project = self.env["project.project"].browse(project_id).exists()
            if project and not project.msp_kickoff_event_id:
                project.msp_kickoff_event_id = events[:1]
        return events
