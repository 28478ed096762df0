# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_time_lock_date = fields.Date(
        related="company_id.msp_time_lock_date", readonly=False
    )
    msp_work_type_id = fields.Many2one(
        related="company_id.msp_work_type_id", readonly=False
    )
    msp_billing_increment_minutes = fields.Integer(
        related="company_id.msp_billing_increment_minutes", readonly=False
    )
    msp_billing_minimum_minutes = fields.Integer(
        related="company_id.msp_billing_minimum_minutes", readonly=False
    )
    msp_resolution_note_minutes = fields.Integer(
        related="company_id.msp_resolution_note_minutes", readonly=False
    )
    msp_time_max_entry_hours = fields.Float(
        related="company_id.msp_time_max_entry_hours", readonly=False
    )
    msp_time_review_reminder = fields.Boolean(
        string="Daily Review Reminder",
        compute="_compute_msp_time_review_reminder",
        inverse="_inverse_msp_time_review_reminder",
        help="Each morning, an activity for every technician who has not "
        "reviewed the previous day (off by default).",
    )

    @api.depends("company_id")
    def _compute_msp_time_review_reminder(self):
        cron = self.env.ref("msp_time.cron_msp_time_review_reminder", False)
        for settings in self:
            settings.msp_time_review_reminder = bool(cron and cron.sudo().active)

    def _inverse_msp_time_review_reminder(self):
        cron = self.env.ref("msp_time.cron_msp_time_review_reminder", False)
        for settings in self:
            if cron and cron.sudo().active != settings.msp_time_review_reminder:
                cron.sudo().active = settings.msp_time_review_reminder
