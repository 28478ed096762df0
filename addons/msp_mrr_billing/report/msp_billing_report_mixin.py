# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .xlsx import download_action


class MspBillingReportMixin(models.AbstractModel):
    """What the billing reports share: ratios that group as a ratio of sums
    (not an average of row ratios), and the XLSX export."""

    _name = "msp.billing.report.mixin"
    _description = "MSP Billing Report"

    # ratio field -> (numerator, denominator, scale): read_group recomputes
    # it from the group's sums
    _msp_ratios = {}
    # the columns of the XLSX export, in order
    _msp_xlsx_columns = []

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        wanted = {
            spec.split(":")[0]: self._msp_ratios[spec.split(":")[0]]
            for spec in fields
            if spec.split(":")[0] in self._msp_ratios
        }
        fields = list(fields)
        for numerator, denominator, _scale in wanted.values():
            for name in (numerator, denominator):
                if not any(spec.split(":")[0] == name for spec in fields):
                    fields.append(f"{name}:sum")
        groups = super().read_group(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        for group in groups:
            for name, (numerator, denominator, scale) in wanted.items():
                base = group.get(denominator) or 0.0
                group[name] = (
                    (group.get(numerator) or 0.0) / base * scale if base else 0.0
                )
        return groups

    def action_export_xlsx(self):
        """Download the selected rows, in their order."""
        records = self
        label = self._description
        return download_action(
            records,
            self._msp_xlsx_columns,
            label,
            f"{label} {fields.Date.context_today(self)}.xlsx",
        )


def cost_warning(env, entries, hours):
    """Why a margin cannot be trusted: time at no cost (employees without an
    hourly cost), or False."""
    if not entries:
        return False
    return env._(
        "%(count)s entries by employees without cost (%(hours)s h)",
        count=entries,
        hours=f"{hours:g}",
    )


class MspCostWarningMixin(models.AbstractModel):
    """Margin reports over time entries: the entries and hours at no cost,
    and the warning they give (contract profitability, project analysis)."""

    _name = "msp.cost.warning.mixin"
    _description = "Margin report: time without cost"

    uncosted_entries = fields.Integer(
        string="Entries Without Cost",
        readonly=True,
        aggregator="sum",
        help="Time entries at no cost: their employee had no hourly cost. "
        "The margin is overstated by their hours.",
    )
    uncosted_hours = fields.Float(
        string="Hours Without Cost", readonly=True, aggregator="sum"
    )
    cost_incomplete = fields.Boolean(
        readonly=True,
        aggregator="bool_or",
        help="Some of the time has no cost (employees without an hourly cost).",
    )
    cost_warning = fields.Char(
        string="Warning",
        compute="_compute_cost_warning",
        help="Why the margin cannot be trusted.",
    )

    @api.depends("uncosted_entries", "uncosted_hours")
    def _compute_cost_warning(self):
        for row in self:
            row.cost_warning = cost_warning(
                self.env, row.uncosted_entries, row.uncosted_hours
            )
