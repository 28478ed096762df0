# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
from datetime import date as Date

import xlsxwriter
from odoo import api, fields, models
from odoo.tools import SQL

from ..models.msp_asset_type import BILLING_CLASSES

COUNTED_CLASSES = ("endpoint", "server", "network", "user_license")
EMPTY_COUNTS = ("discovered", "inventory", "new", "retired_reporting")


def quarter_start(day):
    return Date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class MspAssetReconciliation(models.TransientModel):
    """Quarterly reconciliation: per client and billing class, what the sync
    sources discovered, what the inventory counts, and what was last billed,
    with the gaps flagged."""

    _name = "msp.asset.reconciliation"
    _description = "Asset Reconciliation"

    date_from = fields.Date(
        required=True, default=lambda self: quarter_start(fields.Date.today())
    )
    date_to = fields.Date(required=True, default=fields.Date.today)
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        domain="[('is_company', '=', True)]",
        help="Empty: every client with assets.",
    )
    line_ids = fields.One2many(
        "msp.asset.reconciliation.line", "reconciliation_id", string="Lines"
    )
    billed_source = fields.Char(
        readonly=True, help="Where the 'Billed' column comes from."
    )

    def action_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        rows = self._rows()
        # clients billed for assets they no longer have count too
        clients = self.client_ids or self.env["res.partner"].browse(
            {r["client_id"] for r in rows}
        ).union(
            *(
                client
                for (client,) in self.env["msp.asset.snapshot"]._read_group(
                    [("date", "<=", self.date_to)], ["client_id"]
                )
            )
        )
        billed, label = self._billed_counts(clients, self.date_to)
        # classes billed but no longer in the inventory get a row too
        seen = {(r["client_id"], r["billing_class"]) for r in rows}
        for client_id, billing_class in set(billed) - seen:
            if billing_class in COUNTED_CLASSES:
                empty = dict.fromkeys(EMPTY_COUNTS, 0)
                rows.append(
                    empty | {"client_id": client_id, "billing_class": billing_class}
                )
        self.billed_source = label
        self.env["msp.asset.reconciliation.line"].create(
            [
                dict(
                    row,
                    reconciliation_id=self.id,
                    billed=billed.get((row["client_id"], row["billing_class"]), 0),
                )
                for row in rows
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Asset reconciliation"),
            "res_model": "msp.asset.reconciliation.line",
            "view_mode": "list",
            "domain": [("reconciliation_id", "=", self.id)],
            "context": {"group_by": ["client_id"]},
        }

    def _rows(self):
        self.env["msp.asset"].flush_model()
        client_filter = SQL("")
        if self.client_ids:
            client_filter = SQL("AND a.client_id = ANY(%s)", self.client_ids.ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT a.client_id, t.billing_class,
                       count(*) FILTER (WHERE a.source_id IS NOT NULL
                                        AND NOT coalesce(a.stale, false)),
                       count(*) FILTER (WHERE a.state = 'active'
                                        AND NOT coalesce(a.stale, false)),
                       count(*) FILTER (WHERE a.source_id IS NOT NULL
                                        AND a.create_date::date BETWEEN %s AND %s),
                       count(*) FILTER (WHERE a.source_id IS NOT NULL
                                        AND NOT coalesce(a.stale, false)
                                        AND a.state IN ('retired', 'lost'))
                  FROM msp_asset a
                  JOIN msp_asset_type t ON t.id = a.type_id
                 WHERE a.active AND a.company_id = ANY(%s)
                   AND t.billing_class = ANY(%s) %s
              GROUP BY 1, 2
                """,
                self.date_from,
                self.date_to,
                self.env.companies.ids,
                list(COUNTED_CLASSES),
                client_filter,
            )
        )
        return [
            {
                "client_id": client_id,
                "billing_class": billing_class,
                "discovered": discovered,
                "inventory": inventory,
                "new": new,
                "retired_reporting": retired_reporting,
            }
            for client_id, billing_class, discovered, inventory, new, retired_reporting
            in self.env.cr.fetchall()
        ]  # fmt: skip

    @api.model
    def _billed_counts(self, clients, date):
        """({(client, class): count}, label). The billing addon returns the
        counts last invoiced; until then, the last snapshot."""
        return (
            self.env["msp.asset.snapshot"].counts(clients, date),
            self.env._("Last snapshot"),
        )

    def action_export_xlsx(self):
        self.ensure_one()
        if not self.line_ids:
            self.action_compute()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"asset-reconciliation-{self.date_to}.xlsx",
                "raw": self._xlsx(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _xlsx(self):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet(self.env._("Reconciliation"))
        bold = book.add_format({"bold": True})
        Line = self.env["msp.asset.reconciliation.line"]
        columns = [
            "client_id",
            "billing_class",
            "discovered",
            "inventory",
            "billed",
            "under_billed",
            "refund_risk",
            "new",
            "retired_reporting",
            "flags",
        ]
        for col, name in enumerate(columns):
            sheet.write(
                0, col, Line._fields[name].get_description(self.env)["string"], bold
            )
        classes = dict(BILLING_CLASSES)
        for row, line in enumerate(
            self.line_ids.sorted(lambda r: (r.client_id.name, r.billing_class)), 1
        ):
            values = [
                line.client_id.name,
                classes[line.billing_class],
                line.discovered,
                line.inventory,
                line.billed,
                line.under_billed,
                line.refund_risk,
                line.new,
                line.retired_reporting,
                line.flags or "",
            ]
            for col, value in enumerate(values):
                sheet.write(row, col, value)
        sheet.set_column(0, 0, 30)
        sheet.set_column(9, 9, 50)
        book.close()
        return output.getvalue()


class MspAssetReconciliationLine(models.TransientModel):
    _name = "msp.asset.reconciliation.line"
    _description = "Asset Reconciliation Line"
    _order = "client_id, billing_class"

    reconciliation_id = fields.Many2one(
        "msp.asset.reconciliation", required=True, ondelete="cascade"
    )
    client_id = fields.Many2one("res.partner", readonly=True)
    billing_class = fields.Selection(BILLING_CLASSES, readonly=True)
    discovered = fields.Integer(help="Seen by a sync source (not stale), any status.")
    inventory = fields.Integer(
        help="Active status, not stale: what billing counts now."
    )
    billed = fields.Integer()
    under_billed = fields.Integer(compute="_compute_gaps", string="Not Billed")
    refund_risk = fields.Integer(compute="_compute_gaps")
    new = fields.Integer(string="New Devices", help="Discovered in the period.")
    retired_reporting = fields.Integer(
        string="Retired Still Reporting",
        help="Retired or lost in the inventory, yet still seen by a source.",
    )
    flags = fields.Char(compute="_compute_gaps")

    @api.depends("inventory", "billed", "new", "retired_reporting")
    def _compute_gaps(self):
        for line in self:
            line.under_billed = max(0, line.inventory - line.billed)
            line.refund_risk = max(0, line.billed - line.inventory)
            flags = []
            if line.under_billed:
                flags.append(self.env._("under-billing"))
            if line.refund_risk:
                flags.append(self.env._("refund risk"))
            if line.new:
                flags.append(self.env._("new devices"))
            if line.retired_reporting:
                flags.append(self.env._("retired still reporting"))
            line.flags = ", ".join(flags)
