# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Unbilled WIP: project delivery time valued as its project bills it.

Project hours (work kind ``project``) are billed by the project's *Invoice
Project*, not by the MRR run, so the contract T&M rate is not their value:

- time & materials project: the project's hourly rate (the contract T&M rate
  only when the project has none);
- fixed fee and milestone projects: their hours bill nothing by the hour
  (the fixed price or the phase amounts do), so they are valued at 0 and
  marked as such; their hours still show, until Invoice Project stamps them.
"""

from odoo import api, fields, models
from odoo.tools import SQL

PRICED_AS_A_WHOLE = ("fixed", "milestone")


class MspWipReport(models.Model):
    _inherit = "msp.wip.report"

    _depends = {
        "account.analytic.line": ["project_id", "msp_work_kind"],
        "project.project": ["msp_billing_type", "msp_hourly_rate"],
    }

    rate = fields.Float(
        help="The hourly rate the time is valued at (see Rate Source): the T&M "
        "rate of the client's MSP contract (0 when it has none); for project "
        "time, the time & materials project's hourly rate, and 0 on fixed-fee "
        "and milestone projects (not billed by the hour).",
    )
    rate_source = fields.Selection(
        selection_add=[
            ("project", "Project rate"),
            ("fixed", "Fixed fee"),
            ("milestone", "Milestone"),
        ],
        help="Where the rate comes from. MSP contract: the T&M rate of the "
        "contract billing the work (the ticket's, else the client's); project "
        "time of a time & materials project without an hourly rate falls back "
        "to it. No contract rate: the client has no MSP contract billing T&M "
        "work, the time is valued at 0. Project rate: the hourly rate of the "
        "time & materials project the time was logged on. Fixed fee, "
        "Milestone: project time of a fixed-fee or milestone project, not "
        "billed by the hour (its price or its phase amounts are), valued at 0.",
    )

    @api.model
    def _msp_rate_sql(self):
        valuation = super()._msp_rate_sql()
        whole = SQL(
            "l.msp_work_kind = 'project' AND msp_wip_project.msp_billing_type IN %s",
            PRICED_AS_A_WHOLE,
        )
        hourly = SQL(
            "l.msp_work_kind = 'project'"
            " AND coalesce(msp_wip_project.msp_billing_type, 'tm') = 'tm'"
            " AND coalesce(msp_wip_project.msp_hourly_rate, 0) > 0"
        )
        return {
            "joins": SQL(
                "%s LEFT JOIN project_project msp_wip_project"
                " ON msp_wip_project.id = l.project_id",
                valuation["joins"],
            ),
            "rate": SQL(
                "CASE WHEN %(whole)s THEN 0"
                " WHEN %(hourly)s THEN msp_wip_project.msp_hourly_rate"
                " ELSE %(rate)s END",
                whole=whole,
                hourly=hourly,
                rate=valuation["rate"],
            ),
            "source": SQL(
                "CASE WHEN %(whole)s THEN msp_wip_project.msp_billing_type"
                " WHEN %(hourly)s THEN 'project'"
                " ELSE %(source)s END",
                whole=whole,
                hourly=hourly,
                source=valuation["source"],
            ),
        }
