# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import format_datetime

from .msp_asset_type import BILLING_CLASSES


class MspAssetSyncRun(models.Model):
    """One sync of one source: when, how far it got, what it changed."""

    _name = "msp.asset.sync.run"
    _description = "Asset Sync Run"
    _order = "started desc, id desc"

    source_id = fields.Many2one(
        "msp.asset.source", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    client_id = fields.Many2one(
        "res.partner", help="Set when only one client was synced."
    )
    started = fields.Datetime(required=True, default=fields.Datetime.now)
    finished = fields.Datetime()
    state = fields.Selection(
        [("running", "Running"), ("done", "Complete"), ("failed", "Failed")],
        required=True,
        default="running",
    )
    complete = fields.Boolean(
        help="The whole source was read: only then are unseen assets marked stale."
    )
    pages = fields.Integer()
    requests = fields.Integer(string="HTTP Requests")
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    moved = fields.Integer(help="Devices that moved to another client.")
    went_stale = fields.Integer()
    came_back = fields.Integer(help="Stale assets seen again.")
    retired = fields.Integer(help="Retired by the source's stale rule.")
    unmapped = fields.Integer(
        help="Records of organisations not mapped to a client: skipped."
    )
    error_ids = fields.One2many("msp.asset.sync.error", "run_id", string="Errors")
    error_count = fields.Integer(compute="_compute_error_count")
    diff_ids = fields.One2many("msp.asset.sync.diff", "run_id", string="Changes")

    @api.depends("source_id", "client_id", "started")
    def _compute_display_name(self):
        for run in self:
            run.display_name = " · ".join(
                part
                for part in (
                    run.source_id.name,
                    run.client_id.name or self.env._("all clients"),
                    run.started
                    and format_datetime(self.env, run.started, dt_format="short"),
                )
                if part
            )

    def _open(self):
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync runs"),
            "res_model": "msp.asset.sync.run",
            "view_mode": "list,form",
            "domain": [("id", "in", self.ids)],
        }
        if len(self) == 1:
            action.update(view_mode="form", res_id=self.id)
        return action

    def _compute_error_count(self):
        for run in self:
            run.error_count = len(run.error_ids)


class MspAssetSyncError(models.Model):
    """What went wrong (or was skipped) in a run, with the server's words."""

    _name = "msp.asset.sync.error"
    _description = "Asset Sync Error"
    _order = "id"

    run_id = fields.Many2one(
        "msp.asset.sync.run", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    level = fields.Selection(
        [("error", "Error"), ("warning", "Warning")], required=True, default="error"
    )
    message = fields.Char(required=True)
    http_status = fields.Integer(string="HTTP Status")
    url = fields.Char(string="URL")
    body = fields.Text(help="The start of the server's answer.")


class MspAssetSyncDiff(models.Model):
    """Per run, client and billing class: counts before and after, and why
    they moved. Only rows where something changed are kept."""

    _name = "msp.asset.sync.diff"
    _description = "Asset Sync Changes"
    _order = "run_id desc, client_id, billing_class"

    run_id = fields.Many2one(
        "msp.asset.sync.run", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    date = fields.Datetime(related="run_id.started", store=True)
    client_id = fields.Many2one("res.partner", required=True, index=True)
    billing_class = fields.Selection(BILLING_CLASSES, required=True)
    count_before = fields.Integer()
    count_after = fields.Integer()
    change = fields.Integer(compute="_compute_change")
    added = fields.Integer()
    moved_in = fields.Integer()
    moved_out = fields.Integer()
    went_stale = fields.Integer()
    came_back = fields.Integer()
    retired = fields.Integer()
    licence_changes = fields.Char(
        help="Licence SKUs added (+) or gone (-) for this client in this run."
    )

    def _compute_change(self):
        for diff in self:
            diff.change = diff.count_after - diff.count_before
