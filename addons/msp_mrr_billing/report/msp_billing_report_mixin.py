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
