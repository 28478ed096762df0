# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_time_lock_date = fields.Date(
        string="Time Lock Date",
        help="Time entries dated on or before this date can no longer be "
        "created, changed or deleted, by anyone; corrections go through an "
        "adjustment entry in an open period.",
    )
    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Default Work Type",
        help="The last resort for time entries whose category, project and "
        "client set no work type.",
    )
    msp_billing_increment_minutes = fields.Integer(
        string="Billing Increment (min)",
        default=15,
        help="Billed time is the actual time rounded up to this increment.",
    )
    msp_billing_minimum_minutes = fields.Integer(
        string="Minimum Charge (min)",
        default=0,
        help="Each entry with time bills at least this much (0: no minimum).",
    )
    msp_time_max_entry_hours = fields.Float(
        string="Longest Time Entry (h)",
        default=24.0,
        help="One time entry may hold at most this many hours (0: no limit).",
    )
    msp_resolution_note_minutes = fields.Integer(
        string="Resolution Note Above (min)",
        default=30,
        help="A ticket with more time than this cannot be closed without a "
        "resolution note.",
    )

    def write(self, vals):
        if vals.get("msp_time_lock_date"):
            self._msp_check_lockable(fields.Date.to_date(vals["msp_time_lock_date"]))
        return super().write(vals)

    def _msp_check_lockable(self, lock_date):
        """A locked period holds only finished, confirmed entries."""
        Line = self.env["account.analytic.line"].sudo()
        for company in self:
            base = [
                ("company_id", "=", company.id),
                ("project_id", "!=", False),
                ("date", "<=", lock_date),
            ]
            running = Line.search_count([*base, ("msp_timer_running", "=", True)])
            drafts = Line.search_count([*base, ("msp_state", "=", "draft")])
            if running or drafts:
                raise UserError(
                    self.env._(
                        "Cannot lock time up to %(date)s for %(company)s: "
                        "%(running)s running timer(s) and %(drafts)s draft "
                        "entr(y/ies) are dated on or before it. Stop the "
                        "timers and confirm or delete the drafts first.",
                        date=lock_date,
                        company=company.name,
                        running=running,
                        drafts=drafts,
                    )
                )
