# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset reconciliation as jobs on OCA queue_job (channel root.msp.reports).

*Reconcile* stores the reconciliation, queues one job per batch of clients
and returns at once; each job computes its clients' rows (one SQL aggregate
and the billed counts) and commits its lines. A last job (lower priority)
waits for the batches, marks the reconciliation done or failed (keeping the
failed jobs' tracebacks) and tells the user who started it. Identity keys
(``msp.asset.reconciliation:<id>:<batch>``) keep a batch from being queued
twice, and a unique key on (reconciliation, client, class) keeps a retried
job from adding a line twice."""

import io
import logging
from datetime import date as Date

import xlsxwriter
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from odoo.addons.msp_base.models.msp_system_fields import system_write
from odoo.addons.queue_job.exception import RetryableJobError

from .msp_asset_sync_job import retry_on_concurrency
from .msp_asset_type import BILLING_CLASSES
from .msp_job_batch_mixin import FAILED_JOB_STATES, OPEN_JOB_STATES

_logger = logging.getLogger(__name__)

COUNTED_CLASSES = ("endpoint", "server", "network", "user_license")
EMPTY_COUNTS = ("discovered", "inventory", "new", "retired_reporting")
CHANNEL = "root.msp.reports"
# clients a job reconciles at most
JOB_BATCH_SIZE = 200


def quarter_start(day):
    return Date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class MspAssetReconciliation(models.Model):
    """Quarterly reconciliation: per client and billing class, what the sync
    sources discovered, what the inventory counts, and what was last billed,
    with the gaps flagged. Kept, so that last quarter's can be compared."""

    _name = "msp.asset.reconciliation"
    _inherit = ["msp.system.fields.mixin", "msp.job.batch.mixin"]
    _description = "Asset Reconciliation"
    _order = "id desc"

    date_from = fields.Date(
        required=True, default=lambda self: quarter_start(fields.Date.today())
    )
    date_to = fields.Date(required=True, default=fields.Date.today)
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        domain="[('is_company', '=', True)]",
        help="Empty: every client with assets or a count snapshot.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many(
        "msp.asset.reconciliation.line", "reconciliation_id", string="Lines"
    )
    line_count = fields.Integer(compute="_compute_line_count")
    billed_source = fields.Char(
        readonly=True, help="Where the 'Billed' column comes from."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Queued"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
    )
    status = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        compute="_compute_progress",
        help="Running once one of its jobs has started.",
    )
    user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, copy=False
    )
    computed_at = fields.Datetime(string="Computed On", readonly=True, copy=False)
    client_total = fields.Integer(string="Number of Clients", readonly=True, copy=False)
    client_done = fields.Integer(
        string="Clients Reconciled", compute="_compute_progress"
    )
    progress = fields.Float(string="Progress (%)", compute="_compute_progress")
    job_error_details = fields.Text(
        string="Job Failures",
        readonly=True,
        copy=False,
        help="Jobs that failed, with their traceback (for support).",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {
            "state",
            "user_id",
            "computed_at",
            "client_total",
            "billed_source",
            "job_error_details",
            "msp_jobs_queued_at",
        }

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = self.env._(
                "Reconciliation %(start)s - %(end)s",
                start=format_date(self.env, rec.date_from) if rec.date_from else "",
                end=format_date(self.env, rec.date_to) if rec.date_to else "",
            )

    @api.depends("line_ids")
    def _compute_line_count(self):
        counts = dict(
            self.env["msp.asset.reconciliation.line"]._read_group(
                [("reconciliation_id", "in", self.ids)],
                ["reconciliation_id"],
                ["__count"],
            )
        )
        for rec in self:
            rec.line_count = counts.get(rec, 0)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for rec in self:
            if rec.date_from > rec.date_to:
                raise ValidationError(
                    self.env._(
                        "The reconciliation's start date must be on or before "
                        "its end date."
                    )
                )

    def write(self, vals):
        if self.filtered(lambda r: r.state == "queued") and not (
            self._msp_is_system_write()
        ):
            raise UserError(
                self.env._("The reconciliation is being computed: wait until it ends.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_computing(self):
        if self.filtered(lambda r: r.state == "queued"):
            raise UserError(
                self.env._("The reconciliation is being computed: wait until it ends.")
            )

    # -- jobs --------------------------------------------------------------
    @api.depends("state", "client_total")
    def _compute_progress(self):
        queued = self.filtered(lambda rec: rec.state == "queued" and rec.id)
        batches = queued._batch_progress("_job_reconcile_batch")
        for rec in self:
            rec.status = rec.state
            total = rec.client_total
            done = total if rec.state in ("done", "failed") else 0
            if rec in batches:
                done, started = batches[rec]
                if started:
                    rec.status = "running"
            rec.client_done = min(done, total)
            rec.progress = 100.0 * rec.client_done / total if total else 0.0

    def _clients(self):
        """The clients to reconcile: those chosen, else every client with a
        counted asset or a count snapshot up to the end date (two queries)."""
        if self.client_ids:
            return self.client_ids
        self.env["msp.asset"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT a.client_id
                  FROM msp_asset a
                  JOIN msp_asset_type t ON t.id = a.type_id
                 WHERE a.active AND a.client_id IS NOT NULL
                   AND a.company_id = %s AND t.billing_class = ANY(%s)
                """,
                self.company_id.id,
                list(COUNTED_CLASSES),
            )
        )
        ids = {client_id for (client_id,) in self.env.cr.fetchall()}
        ids.update(
            client.id
            for (client,) in self.env["msp.asset.snapshot"]._read_group(
                [("date", "<=", self.date_to), ("company_id", "=", self.company_id.id)],
                ["client_id"],
            )
        )
        return self.env["res.partner"].browse(sorted(ids))

    def action_compute(self):
        """Queue the reconciliation (a job per batch of clients) and return
        at once; the form shows its progress and the user is told when it
        ends."""
        self.ensure_one()
        self.check_access("write")
        if self.state == "queued" and not self._stuck():
            raise UserError(self.env._("The reconciliation is already being computed."))
        clients = self._clients()
        with system_write():
            self.line_ids.sudo().unlink()  # lines: written by the system only
            self.write(
                {
                    "state": "queued",
                    "user_id": self.env.uid,
                    "client_total": len(clients),
                    "computed_at": False,
                    "job_error_details": False,
                    "msp_jobs_queued_at": fields.Datetime.now(),
                    "billed_source": self._billed_label(),
                }
            )
        for start in range(0, len(clients), JOB_BATCH_SIZE):
            ids = clients[start : start + JOB_BATCH_SIZE].ids
            self.with_delay(
                channel=CHANNEL,
                identity_key=self._batch_identity_key(ids),
                description=self.env._(
                    "%(name)s: %(count)s clients",
                    name=self.display_name,
                    count=len(ids),
                ),
            )._job_reconcile_batch(ids)
        self.with_delay(
            channel=CHANNEL,
            priority=20,
            identity_key=f"{self._job_key_prefix()}finish",
            description=self.env._("%(name)s: outcome", name=self.display_name),
        )._job_reconcile_finish()
        return self._open()

    def _stuck(self):
        """Queued, yet none of its jobs is left and one of them failed (its
        outcome job ran out of retries): may be computed again."""
        jobs = self._batch_jobs()
        return bool(
            jobs.filtered(lambda job: job.state in FAILED_JOB_STATES)
        ) and not jobs.filtered(lambda job: job.state in OPEN_JOB_STATES)

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _job_reconcile_batch(self, client_ids):
        """Job: the lines of these clients (its own transaction). A retry
        replaces what an earlier try of the same batch left."""
        self.ensure_one()
        if self.state != "queued":
            return "not queued"
        clients = self.env["res.partner"].browse(client_ids).exists()
        try:
            with retry_on_concurrency(), system_write():
                lines = self._reconcile(clients)
        except RetryableJobError:
            raise
        except Exception:
            # the job fails with its traceback; the finish job keeps it
            _logger.warning(
                "Asset reconciliation %s: a job of %s clients failed",
                self.id,
                len(clients),
                exc_info=True,
            )
            raise
        return f"{len(lines)} lines"

    def _reconcile(self, clients):
        # lines are the system's: only action_compute (a write check on the
        # reconciliation) queues this
        Line = self.env["msp.asset.reconciliation.line"].sudo()
        Line.search(
            [("reconciliation_id", "=", self.id), ("client_id", "in", clients.ids)]
        ).unlink()
        if not clients:
            return Line
        rows = self._rows(clients)
        billed = self._billed_counts(clients, self.date_to)[0]
        # classes billed but no longer in the inventory get a row too
        seen = {(r["client_id"], r["billing_class"]) for r in rows}
        for client_id, billing_class in set(billed) - seen:
            if billing_class in COUNTED_CLASSES:
                empty = dict.fromkeys(EMPTY_COUNTS, 0)
                rows.append(
                    empty | {"client_id": client_id, "billing_class": billing_class}
                )
        return Line.create(
            [
                dict(
                    row,
                    reconciliation_id=self.id,
                    billed=billed.get((row["client_id"], row["billing_class"]), 0),
                )
                for row in rows
            ]
        )

    def _job_reconcile_finish(self):
        """Job: once every batch has ended, the outcome and a notification.
        Waits (without using up retries) while batches are left."""
        self.ensure_one()
        if self.state != "queued":
            return "already finished"
        batches = self._batch_jobs().filtered(
            lambda job: job.method_name == "_job_reconcile_batch"
        )
        if batches.filtered(lambda job: job.state in OPEN_JOB_STATES):
            raise RetryableJobError(
                self.env._("Reconciliation jobs still running"),
                seconds=10,
                ignore_retry=True,
            )
        failed = batches.filtered(lambda job: job.state in FAILED_JOB_STATES)
        values = {
            "state": "failed" if failed else "done",
            "computed_at": fields.Datetime.now(),
        }
        if failed:
            values["job_error_details"] = "\n\n".join(
                f"{job.name or job.uuid}: {job.exc_info or job.exc_message or ''}"
                for job in failed
            )
        with retry_on_concurrency(), system_write():
            self.write(values)
        self._notify_end(failed)
        return self.state

    def _notify_end(self, failed_jobs):
        if not self.user_id:
            return
        if failed_jobs:
            message = self.env._(
                "%(name)s failed: %(jobs)s of its jobs failed; the others' "
                "lines are kept.",
                name=self.display_name,
                jobs=len(failed_jobs),
            )
        else:
            message = self.env._(
                "%(name)s is ready: %(lines)s lines, %(flagged)s flagged.",
                name=self.display_name,
                lines=self.env["msp.asset.reconciliation.line"].search_count(
                    [("reconciliation_id", "=", self.id)]
                ),
                flagged=self.env["msp.asset.reconciliation.line"].search_count(
                    [("reconciliation_id", "=", self.id), ("flagged", "=", True)]
                ),
            )
        self.user_id._bus_send(
            "simple_notification",
            {
                "type": "warning" if failed_jobs else "success",
                "title": self.env._("Asset reconciliation"),
                "message": message,
                "sticky": bool(failed_jobs),
            },
        )

    def action_view_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "msp.asset.reconciliation.line",
            "view_mode": "list",
            "domain": [("reconciliation_id", "=", self.id)],
            "context": {"group_by": ["client_id"]},
        }

    def _rows(self, clients):
        self.env["msp.asset"].flush_model()
        client_filter = SQL("AND a.client_id = ANY(%s)", clients.ids)
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
                 WHERE a.active AND a.company_id = %s
                   AND t.billing_class = ANY(%s) %s
              GROUP BY 1, 2
                """,
                self.date_from,
                self.date_to,
                self.company_id.id,
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
        """({(client, class): count}, label): what was billed. Another addon
        may return the counts last invoiced; here, the last snapshot."""
        return (
            self.env["msp.asset.snapshot"].counts(clients, date, self.company_id),
            self._billed_label(),
        )

    @api.model
    def _billed_label(self):
        return self.env._("Last snapshot")

    def action_export_xlsx(self):
        self.ensure_one()
        if self.state != "done":
            raise UserError(
                self.env._(
                    "Export once the reconciliation is done (it is %(state)s).",
                    state=dict(self._fields["status"]._description_selection(self.env))[
                        self.status
                    ],
                )
            )
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


class MspAssetReconciliationLine(models.Model):
    _name = "msp.asset.reconciliation.line"
    _description = "Asset Reconciliation Line"
    _order = "client_id, billing_class"

    reconciliation_id = fields.Many2one(
        "msp.asset.reconciliation", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="reconciliation_id.company_id", store=True, index=True
    )
    client_id = fields.Many2one("res.partner", readonly=True)
    billing_class = fields.Selection(BILLING_CLASSES, readonly=True)
    discovered = fields.Integer(help="Seen by a sync source (not stale), any status.")
    inventory = fields.Integer(
        help="Active status, not stale: what billing counts now."
    )
    billed = fields.Integer()
    under_billed = fields.Integer(
        compute="_compute_gaps", store=True, string="Not Billed"
    )
    refund_risk = fields.Integer(compute="_compute_gaps", store=True)
    new = fields.Integer(string="New Devices", help="Discovered in the period.")
    retired_reporting = fields.Integer(
        string="Retired Still Reporting",
        help="Retired or lost in the inventory, yet still seen by a source.",
    )
    flags = fields.Char(compute="_compute_gaps", store=True)
    flagged = fields.Boolean(compute="_compute_gaps", store=True)

    _sql_constraints = [
        (
            "client_class_uniq",
            "UNIQUE (reconciliation_id, client_id, billing_class)",
            "A reconciliation has one line per client and billing class.",
        )
    ]

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
            line.flagged = bool(flags)
