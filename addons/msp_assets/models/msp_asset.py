# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .msp_asset_history import BILLING_FIELDS

STATES = [
    ("active", "Active"),
    ("spare", "In spare pool"),
    ("retired", "Retired"),
    ("lost", "Lost"),
]
WARRANTY_STATES = [
    ("unknown", "Unknown"),
    ("valid", "In warranty"),
    ("expiring", "Ends within 90 days"),
    ("expired", "Expired"),
]
WARRANTY_NOTICE_DAYS = 90
UNIQUE_KEY_FIELDS = {
    "company_id",
    "client_id",
    "source_id",
    "external_id",
    "serial_number",
    "active",
}


class MspAsset(models.Model):
    """One thing the MSP is responsible for at a client: a device, a licence
    assignment, a mailbox. Synced assets carry their source and the id the
    source knows them by; people decide retirements."""

    _name = "msp.asset"
    _description = "Managed Asset"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "client_id, name"

    name = fields.Char(required=True, tracking=True, index="trigram")
    client_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The client company that owns the asset.",
    )
    type_id = fields.Many2one("msp.asset.type", tracking=True, index=True)
    billing_class = fields.Selection(
        related="type_id.billing_class", store=True, string="Billing Class"
    )
    serial_number = fields.Char(tracking=True, index=True, copy=False)
    site = fields.Char(tracking=True, help="The client site or location.")
    contact_id = fields.Many2one(
        "res.partner",
        string="Assigned User",
        index="btree_not_null",
        tracking=True,
        domain="[('commercial_partner_id', '=', client_id), "
        "('is_company', '=', False)]",
        help="The person who uses the device or holds the licence.",
    )
    manufacturer = fields.Char(tracking=True)
    model = fields.Char(tracking=True)
    os_name = fields.Char(string="Operating System", tracking=True)
    os_version = fields.Char(string="OS Version", tracking=True)
    purchase_date = fields.Date(tracking=True)
    warranty_end_date = fields.Date(string="Warranty Expiry", tracking=True)
    install_date = fields.Date(tracking=True)
    last_seen = fields.Datetime(
        help="When the source last saw the device online (not tracked: it "
        "changes on every sync)."
    )
    state = fields.Selection(
        STATES, string="Status", required=True, default="active", tracking=True
    )
    retired_date = fields.Date(tracking=True, copy=False)
    source_id = fields.Many2one(
        "msp.asset.source",
        index="btree_not_null",
        tracking=True,
        ondelete="restrict",
        copy=False,
        help="Empty for assets recorded by hand.",
    )
    external_id = fields.Char(
        string="External ID",
        copy=False,
        tracking=True,
        help="The asset's id in its source (agent id, device id, user/SKU).",
    )
    stale = fields.Boolean(
        copy=False,
        tracking=True,
        help="Not seen by the last complete sync of its source.",
    )
    stale_since = fields.Date(copy=False)
    sku_part_number = fields.Char(string="SKU", tracking=True)
    sku_id = fields.Char(string="SKU GUID")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Html(string="Notes")
    ticket_ids = fields.One2many("helpdesk.ticket", "msp_asset_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    warranty_state = fields.Selection(
        WARRANTY_STATES, compute="_compute_warranty_state"
    )

    _sql_constraints = [
        (
            "source_external_id_unique",
            "EXCLUDE USING btree (client_id WITH =, source_id WITH =, "
            "external_id WITH =) WHERE (active AND external_id IS NOT NULL)",
            "This client already has an active asset with this external ID "
            "from the same source.",
        ),
        (
            "serial_unique",
            "EXCLUDE USING btree (company_id WITH =, (lower(serial_number)) WITH =) "
            "WHERE (active AND serial_number IS NOT NULL AND serial_number <> '')",
            "Another active asset already has this serial number.",
        ),
    ]

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("msp_asset_id", "in", self.ids)], ["msp_asset_id"], ["__count"]
            )
        )
        for asset in self:
            asset.ticket_count = counts.get(asset, 0)

    @api.depends("warranty_end_date")
    @api.depends_context("date")
    def _compute_warranty_state(self):
        today = fields.Date.context_today(self)
        notice = today + timedelta(days=WARRANTY_NOTICE_DAYS)
        for asset in self:
            end = asset.warranty_end_date
            if not end:
                asset.warranty_state = "unknown"
            elif end < today:
                asset.warranty_state = "expired"
            elif end <= notice:
                asset.warranty_state = "expiring"
            else:
                asset.warranty_state = "valid"

    def _key_rows(self, vals_list):
        """The uniqueness keys the given values would give (one dict per row)."""
        rows = []
        for record, vals in vals_list:
            row = {}
            for name in UNIQUE_KEY_FIELDS:
                if name in vals:
                    value = vals[name]
                elif record:
                    value = record[name]
                    value = value.id if isinstance(value, models.BaseModel) else value
                elif name == "company_id":
                    value = self.env.company.id
                elif name == "active":
                    value = True
                else:
                    value = False
                row[name] = value
            row["id"] = record.id if record else 0
            row["name"] = vals.get("name") or (record.name if record else "")
            if row["active"]:
                rows.append(row)
        return rows

    def _assert_unique(self, vals_list):
        """Refuse, with a clear message, a second active asset with the same
        serial in a company, or the same external ID from the same source at
        a client. One query per batch; the database constraints are the
        backstop for concurrent writes."""
        rows = self._key_rows(vals_list)
        serials, externals = {}, {}
        for row in rows:
            # serials compare without regard to case: AB12 is ab12
            company = row["company_id"]
            serial = (row["serial_number"] or "").strip().lower()
            ext_key = (row["client_id"], row["source_id"], row["external_id"])
            if serial and serials.setdefault((company, serial), row) is not row:
                self._raise_duplicate(row, serials[(company, serial)]["name"], True)
            if row["external_id"] and externals.setdefault(ext_key, row) is not row:
                self._raise_duplicate(row, externals[ext_key]["name"], False)
        if not rows:
            return
        values = SQL(", ").join(
            SQL(
                "(%s::int, %s::int, %s::int, %s::int, %s::varchar, %s::varchar)",
                row["id"],
                row["company_id"],
                row["client_id"] or None,
                row["source_id"] or None,
                row["external_id"] or None,
                (row["serial_number"] or "").strip() or None,
            )
            for row in rows
        )
        self.flush_model(list(UNIQUE_KEY_FIELDS))
        self.env.cr.execute(
            SQL(
                """
                WITH v(id, company_id, client_id, source_id, external_id, serial)
                  AS (VALUES %s)
                SELECT v.id, v.serial, v.external_id, b.name, true
                  FROM v JOIN msp_asset b ON b.company_id = v.company_id
                   AND lower(b.serial_number) = lower(v.serial) AND b.active
                   AND b.id <> v.id
                 UNION ALL
                SELECT v.id, v.serial, v.external_id, b.name, false
                  FROM v JOIN msp_asset b ON b.client_id = v.client_id
                   AND b.external_id = v.external_id AND b.active AND b.id <> v.id
                   AND b.source_id IS NOT DISTINCT FROM v.source_id
                 LIMIT 1
                """,
                values,
            )
        )
        hit = self.env.cr.fetchone()
        if hit:
            row = next(
                r
                for r in rows
                if r["id"] == hit[0]
                and ((r["serial_number"] or "").strip() or None) == hit[1]
                and (r["external_id"] or None) == hit[2]
            )
            self._raise_duplicate(row, hit[3], hit[4])

    def _raise_duplicate(self, row, other, same_serial):
        if same_serial:
            raise ValidationError(
                self.env._(
                    "Serial number %(serial)s is already used by the active asset "
                    "%(other)s; %(name)s cannot have it too. Archive or correct one "
                    "of them.",
                    serial=row["serial_number"],
                    other=other,
                    name=row["name"],
                )
            )
        raise ValidationError(
            self.env._(
                "%(name)s and %(other)s have the same external ID %(external)s "
                "from the same source for this client.",
                name=row["name"],
                other=other,
                external=row["external_id"],
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._assert_unique([(None, vals) for vals in vals_list])
        assets = super().create(vals_list)
        ticket_id = self.env.context.get("msp_link_ticket_id")
        if ticket_id and len(assets) == 1:
            # "Create the asset" from a ticket: link it back
            self.env["helpdesk.ticket"].browse(ticket_id).msp_asset_id = assets
        return assets

    def write(self, vals):
        if UNIQUE_KEY_FIELDS.intersection(vals):
            self._assert_unique([(asset, vals) for asset in self])
        if vals.get("state") in ("retired", "lost") and "retired_date" not in vals:
            vals = dict(vals, retired_date=fields.Date.context_today(self))
        elif vals.get("state") in ("active", "spare"):
            vals = dict(vals, retired_date=False)
        before = self._billing_states() if BILLING_FIELDS.intersection(vals) else {}
        result = super().write(vals)
        if before:
            self._record_billing_changes(before, vals)
        return result

    def _billing_states(self):
        """{asset id: (company, client, billing class, SKU, status)}: what
        each asset counts for billing now."""
        states = {}
        for asset in self:
            cls = asset.type_id.billing_class or "other"
            if asset.active and asset.state == "active":
                status = "stale" if asset.stale else "counted"
            else:
                status = "none"
            states[asset.id] = (
                asset.company_id.id,
                asset.client_id.id,
                cls,
                (asset.sku_part_number or "") if cls == "user_license" else "",
                status,
            )
        return states

    def _record_billing_changes(self, before, vals):
        """Keep what the assets counted before a change of client, class,
        SKU or counted status (msp.asset.history): the day it takes effect
        is today, or the retirement date given with a retirement."""
        day = fields.Date.context_today(self)
        retired = vals.get("state") in ("retired", "lost") and vals.get("retired_date")
        if retired:
            day = min(day, fields.Date.to_date(retired))
        after = self._billing_states()
        rows = [
            {
                "asset_id": asset_id,
                "date": day,
                "company_id": was[0],
                "client_id": was[1],
                "billing_class": was[2],
                "sku_part_number": was[3],
                "status": was[4],
            }
            for asset_id, was in before.items()
            if after.get(asset_id) != was
        ]
        if rows:
            self.env["msp.asset.history"].sudo().create(rows)

    def action_view_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tickets of %(asset)s", asset=self.name),
            "res_model": "helpdesk.ticket",
            "view_mode": "list,form",
            "domain": [("msp_asset_id", "=", self.id)],
            "context": {
                "default_msp_asset_id": self.id,
                "default_partner_id": (self.contact_id or self.client_id).id,
            },
        }

    def action_retire(self):
        self.write({"state": "retired"})

    def action_plan_renewal(self):
        """Warranty renewals, grouped by client: an opportunity when CRM is
        installed, else a quotation when Sales is, else a to-do activity on
        the client for its account manager (the salesperson)."""
        created = self.env["msp.asset"]._plan_renewals(self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s renewal follow-up(s) created.", count=len(created)
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _plan_renewals(self, assets):
        created = []
        for client in assets.client_id:
            devices = assets.filtered(lambda a, c=client: a.client_id == c)
            manager = client.user_id or self.env.user
            lines = "".join(
                f"<li>{d.name} ({d.model or d.type_id.name or ''}): "
                f"{d.warranty_end_date or ''}</li>"
                for d in devices
            )
            title = self.env._(
                "Warranty renewal: %(count)s device(s) at %(client)s",
                count=len(devices),
                client=client.name,
            )
            note = f"<p>{title}</p><ul>{lines}</ul>"
            if "crm.lead" in self.env:
                created.append(
                    self.env["crm.lead"].create(
                        {
                            "name": title,
                            "type": "opportunity",
                            "partner_id": client.id,
                            "user_id": manager.id,
                            "description": note,
                        }
                    )
                )
            elif "sale.order" in self.env:
                created.append(
                    self.env["sale.order"].create(
                        {"partner_id": client.id, "user_id": manager.id, "note": note}
                    )
                )
            else:
                created.append(
                    client.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=title,
                        note=note,
                        user_id=manager.id,
                    )
                )
        return created

    @api.model
    def _action_lifecycle(self, which):
        """The lifecycle lists: warranty ending within 90 days, devices older
        than the company's age limit, devices not seen for its day limit."""
        today = fields.Date.context_today(self)
        company = self.env.company
        devices = [("billing_class", "in", ("endpoint", "server", "network"))]
        if which == "warranty":
            name = self.env._(
                "Warranty ending in %(days)s days", days=WARRANTY_NOTICE_DAYS
            )
            domain = [
                ("warranty_end_date", ">=", today),
                (
                    "warranty_end_date",
                    "<=",
                    today + timedelta(days=WARRANTY_NOTICE_DAYS),
                ),
            ]
        elif which == "old":
            limit = today - relativedelta(years=company.msp_asset_age_years)
            name = self.env._(
                "Devices older than %(years)s years", years=company.msp_asset_age_years
            )
            domain = [
                "|",
                ("purchase_date", "<", limit),
                "&",
                ("purchase_date", "=", False),
                ("install_date", "<", limit),
            ]
        else:
            limit = fields.Datetime.now() - timedelta(
                days=company.msp_asset_not_seen_days
            )
            name = self.env._(
                "Devices not seen for %(days)s days",
                days=company.msp_asset_not_seen_days,
            )
            domain = [("last_seen", "<", limit)]
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "msp.asset",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("msp_assets.msp_asset_view_list_lifecycle").id, "list"),
                (False, "form"),
            ],
            "domain": [*devices, ("state", "=", "active"), *domain],
            "context": {"group_by": ["client_id"]},
        }

    @api.model
    def _billing_counts(self, client_ids):
        """{(client_id, billing_class): count} of what billing would count now:
        active, not stale, in the 'Active' status."""
        if not client_ids:
            return {}
        self.flush_model(["client_id", "type_id", "active", "stale", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT a.client_id, coalesce(t.billing_class, 'other'), count(*)
                  FROM msp_asset a
             LEFT JOIN msp_asset_type t ON t.id = a.type_id
                 WHERE a.client_id = ANY(%s) AND a.active
                   AND a.state = 'active' AND NOT coalesce(a.stale, false)
              GROUP BY 1, 2
                """,
                list(client_ids),
            )
        )
        return {(client, cls): count for client, cls, count in self.env.cr.fetchall()}
