# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.connectors import CONNECTORS
from .sync_engine import SyncEngine

KINDS = [
    ("tactical", "Tactical RMM"),
    ("ninjaone", "NinjaOne"),
    ("datto", "Datto RMM"),
    ("graph", "Microsoft 365 (Graph)"),
]
DEFAULT_URLS = {
    "tactical": "https://api.example.com",
    "ninjaone": "https://app.ninjarmm.com",
    "datto": "https://pinotage-api.centrastage.net",
    "graph": "https://graph.microsoft.com",
}
# which secrets each kind needs
NEEDS = {
    "tactical": ("api_key",),
    "ninjaone": ("oauth_client_id", "api_secret"),
    "datto": ("api_key", "api_secret"),
    "graph": ("oauth_client_id", "api_secret", "tenant_id", "client_id"),
}
MANAGER = "msp_base.group_msp_service_manager"
SECRETS = ("api_key", "api_secret", "oauth_client_id")


class MspAssetSource(models.Model):
    """A sync connector's configuration: where, with which credentials,
    which vendor organisation is which client, and when."""

    _name = "msp.asset.source"
    _description = "Asset Sync Source"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(KINDS, required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    base_url = fields.Char(
        string="API URL", required=True, tracking=True, help="The API's base address."
    )
    token_url = fields.Char(
        string="Token URL",
        help="Leave empty for the vendor's usual token endpoint.",
    )
    path_prefix = fields.Char(
        default="/v2", help="NinjaOne: /v2 per the spec, /api/v2 on some instances."
    )
    api_key = fields.Char(
        string="API Key", groups=MANAGER, copy=False, help="Tactical, Datto."
    )
    api_secret = fields.Char(
        string="Secret", groups=MANAGER, copy=False, help="NinjaOne, Datto, Graph."
    )
    oauth_client_id = fields.Char(
        string="OAuth Client ID", groups=MANAGER, copy=False, help="NinjaOne, Graph."
    )
    tenant_id = fields.Char(string="Tenant ID", help="Microsoft 365 tenant (Graph).")
    client_id = fields.Many2one(
        "res.partner",
        domain="[('is_company', '=', True)]",
        help="Graph: the client whose tenant this is.",
    )
    page_size = fields.Integer(help="0: the vendor's usual page size.")
    timeout = fields.Integer(string="Timeout (s)", default=30)
    max_retries = fields.Integer(default=4)
    stale_retire_days = fields.Integer(
        string="Retire After Stale Days",
        help="Retire assets stale for this many days (0: never; a person decides).",
    )
    schedule_enabled = fields.Boolean(
        string="Nightly Sync", tracking=True, help="Run the sync every night."
    )
    cron_id = fields.Many2one("ir.cron", readonly=True, copy=False, ondelete="set null")
    mapping_ids = fields.One2many(
        "msp.asset.source.mapping", "source_id", string="Organisations"
    )
    run_ids = fields.One2many("msp.asset.sync.run", "source_id", string="Runs")
    last_run_id = fields.Many2one("msp.asset.sync.run", compute="_compute_last_run")
    last_complete_sync = fields.Datetime(compute="_compute_last_run")
    asset_count = fields.Integer(compute="_compute_asset_count")
    configured = fields.Boolean(compute="_compute_configured")

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind and not self.base_url:
            self.base_url = DEFAULT_URLS[self.kind]

    def _compute_last_run(self):
        Run = self.env["msp.asset.sync.run"]
        for source in self:
            source.last_run_id = Run.search([("source_id", "=", source.id)], limit=1)
            source.last_complete_sync = Run.search(
                [("source_id", "=", source.id), ("state", "=", "done")], limit=1
            ).finished

    def _compute_asset_count(self):
        counts = dict(
            self.env["msp.asset"]._read_group(
                [("source_id", "in", self.ids)], ["source_id"], ["__count"]
            )
        )
        for source in self:
            source.asset_count = counts.get(source, 0)

    @api.depends(
        "kind",
        "tenant_id",
        "client_id",
        "base_url",
        "api_key",
        "api_secret",
        "oauth_client_id",
    )
    def _compute_configured(self):
        for source, secrets in zip(self, self.sudo(), strict=True):
            source.configured = bool(
                source.kind
                and source.base_url
                and all(secrets[name] for name in NEEDS[source.kind])
            )

    # -- schedule ----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        sources._sync_cron()
        return sources

    def write(self, vals):
        result = super().write(vals)
        if {"schedule_enabled", "active", *SECRETS, "tenant_id", "client_id"} & set(
            vals
        ):
            self._sync_cron()
        return result

    def _sync_cron(self):
        """One cron per source, created off; on only when the nightly sync is
        wanted and the source has what it needs."""
        Cron = self.env["ir.cron"].sudo()
        model = self.env["ir.model"]._get_id(self._name)
        for source in self:
            wanted = bool(
                source.schedule_enabled and source.active and source.configured
            )
            if not source.cron_id:
                tomorrow = fields.Date.context_today(source) + timedelta(days=1)
                source.sudo().cron_id = Cron.create(
                    {
                        "name": self.env._("Asset sync: %(name)s", name=source.name),
                        "model_id": model,
                        "state": "code",
                        "code": f"model.browse({source.id})._cron_sync()",
                        "interval_number": 1,
                        "interval_type": "days",
                        "nextcall": datetime.combine(tomorrow, time(2)),
                        "active": wanted,
                    }
                )
            elif source.sudo().cron_id.active != wanted:
                # (service managers edit sources; crons are the system's)
                source.sudo().cron_id.active = wanted

    def unlink(self):
        crons = self.sudo().cron_id
        result = super().unlink()
        crons.unlink()
        return result

    # -- sync --------------------------------------------------------------
    def _connector(self):
        self.ensure_one()
        secrets = self.sudo()
        config = {
            "base_url": self.base_url,
            "token_url": self.token_url,
            "path_prefix": self.path_prefix,
            "api_key": secrets.api_key,
            "api_secret": secrets.api_secret,
            "oauth_client_id": secrets.oauth_client_id,
            "tenant_id": self.tenant_id,
            "tenant_name": self.client_id.name,
            "page_size": self.page_size,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }
        return CONNECTORS[self.kind](
            config, sleep=self.env.context.get("msp_sync_sleep")
        )

    def _refresh_mapping(self, organisations):
        """Add the vendor's new organisations (matched to a client company of
        the same name when there is exactly one); return {ref: client id}."""
        self.ensure_one()
        if self.kind == "graph":
            return {self.tenant_id: self.client_id.id} if self.client_id else {}
        lines = {line.org_ref: line for line in self.mapping_ids}
        new = [(ref, name) for ref, name in organisations if ref not in lines]
        for ref, name in organisations:
            if ref in lines and name and lines[ref].org_name != name:
                lines[ref].org_name = name
        if new:
            self.env.cr.execute(
                SQL(
                    "SELECT lower(name), array_agg(id) FROM res_partner"
                    " WHERE is_company AND active AND lower(name) = ANY(%s)"
                    " GROUP BY 1",
                    [name.lower() for _ref, name in new if name],
                )
            )
            by_name = {
                name: ids[0] for name, ids in self.env.cr.fetchall() if len(ids) == 1
            }
            self.env["msp.asset.source.mapping"].create(
                [
                    {
                        "source_id": self.id,
                        "org_ref": ref,
                        "org_name": name,
                        "client_id": by_name.get((name or "").lower(), False),
                    }
                    for ref, name in new
                ]
            )
        self.env.cr.execute(
            SQL(
                "SELECT org_ref, client_id FROM msp_asset_source_mapping"
                " WHERE source_id = %s AND client_id IS NOT NULL",
                self.id,
            )
        )
        return dict(self.env.cr.fetchall())

    def _sync(self, client=None):
        """Run one sync (all mapped clients, or one) in this transaction and
        return its run: the synchronous path (tests, scripts). The buttons
        and the cron queue jobs instead (msp_asset_sync_job.py)."""
        self._check_can_sync()
        source = self.sudo().with_company(self.company_id)
        run = source.env["msp.asset.sync.run"].create(
            {"source_id": self.id, "client_id": client.id if client else False}
        )
        return SyncEngine(source, run, client).execute()

    def _cron_sync(self):
        """Nightly: only queue the sync (a few queries per source)."""
        for source in self.filtered("configured"):
            source._enqueue_sync()

    def action_sync_now(self):
        runs = self.env["msp.asset.sync.run"]
        for source in self:
            runs |= source._enqueue_sync()
        return runs._open()

    def action_view_assets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "msp.asset",
            "view_mode": "list,form",
            "domain": [("source_id", "=", self.id)],
        }


class MspAssetSourceMapping(models.Model):
    """Which client a vendor organisation (or site, or tenant) is."""

    _name = "msp.asset.source.mapping"
    _description = "Asset Source Organisation"
    _order = "org_name, id"

    source_id = fields.Many2one(
        "msp.asset.source", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    org_ref = fields.Char(string="Organisation ID", required=True)
    org_name = fields.Char(string="Organisation")
    client_id = fields.Many2one(
        "res.partner",
        domain="[('is_company', '=', True)]",
        help="Empty: this organisation's devices are not synced.",
    )

    _sql_constraints = [
        (
            "org_unique",
            "unique(source_id, org_ref)",
            "An organisation is mapped once per source.",
        )
    ]

    def action_sync_client(self):
        self.ensure_one()
        if not self.client_id:
            raise UserError(self.env._("Map the organisation to a client first."))
        return self.source_id._enqueue_sync(self.client_id)._open()
