# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing shape per project: the project's own "Invoice Project" action.

Project hours are work kind ``project``: the MRR billing run never reads them
(``BillingFacts._load_hours`` takes included and billable work only). This
action turns what the project owes into one native draft customer invoice:

- time & materials: confirmed, unbilled project hours at the project rate,
  one line per phase (billed hours);
- milestones: each reached phase with an amount, once;
- fixed fee: the fixed price, once.

Every hour it bills (or that a fixed price or milestone covers) is stamped in
msp_mrr_billing's ``msp_billed_time`` table (one row per entry, ever): it is
then out of the WIP report, locked, and never billed again.
"""

import psycopg2
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.msp_base.models.msp_system_fields import system_write

BILL_KINDS = [
    ("tm", "Time & Materials"),
    ("milestone", "Milestone"),
    ("fixed", "Fixed Fee"),
]

BILLING_GROUPS = (
    "msp_base.group_msp_billing",
    "msp_ticket_project.group_msp_project_manager",
)


class ProjectProject(models.Model):
    _inherit = "project.project"  # pylint: disable=consider-merging-classes-inherited

    msp_invoice_count = fields.Integer(
        string="Project Invoices",
        compute="_compute_msp_invoice_count",
        groups=",".join(BILLING_GROUPS),
    )

    def _compute_msp_invoice_count(self):
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("msp_project_id", "in", self.ids)],
                ["msp_project_id"],
                ["move_id:count_distinct"],
            )
        )
        counts = {project.id: count for project, count in groups}
        for project in self:
            project.msp_invoice_count = counts.get(project.id, 0)

    def action_msp_view_invoices(self):
        self.ensure_one()
        self._msp_check_can_invoice()
        moves = (
            self.env["account.move.line"]
            .sudo()
            .search([("msp_project_id", "=", self.id)])
            .move_id
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Project Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice"},
        }

    @api.model
    def _msp_project_work_type(self):
        return self.env.ref("msp_time.work_type_project", raise_if_not_found=False)

    @api.model_create_multi
    def create(self, vals_list):
        """Client projects (a delivery state, a client) and templates log
        project delivery time by default: never on the MRR run."""
        work_type = self._msp_project_work_type()
        if work_type:
            for vals in vals_list:
                if not vals.get("msp_work_type_id") and (
                    vals.get("msp_state")
                    or vals.get("partner_id")
                    or vals.get("is_template")
                ):
                    vals["msp_work_type_id"] = work_type.id
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("msp_state") or vals.get("partner_id"):
            work_type = self._msp_project_work_type()
            untyped = self.filtered(lambda p: not p.msp_work_type_id)
            if work_type and untyped:
                untyped.msp_work_type_id = work_type
        return result

    # ------------------------------------------------------------ billing

    def _msp_check_can_invoice(self):
        user = self.env.user
        if not self.env.su and not any(user.has_group(g) for g in BILLING_GROUPS):
            raise AccessError(
                self.env._("Only billing users and project managers invoice projects.")
            )
        self.check_access("read")

    def action_msp_invoice_project(self):
        """Bill what the project owes under its billing shape: one draft
        customer invoice. Nothing to bill: says so."""
        self.ensure_one()
        self._msp_check_can_invoice()
        project = self.sudo().with_company(self.company_id or self.env.company)
        if project.is_template:
            raise UserError(self.env._("A project template is never invoiced."))
        if not project.partner_id:
            raise UserError(
                self.env._(
                    "%(project)s has no client: set one before invoicing it.",
                    project=project.name,
                )
            )
        # one billing of a project at a time (the stamp's unique key is the
        # last guard)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM project_project WHERE id = %s FOR NO KEY UPDATE",
                project.id,
            )
        )
        plan = project._msp_billing_plan()
        sweep = plan.get("covered", [])
        if not plan["lines"] and not sweep:
            raise UserError(
                self.env._(
                    "Nothing to invoice on %(project)s: %(why)s",
                    project=project.name,
                    why=plan["why"],
                )
            )
        project._msp_stamp(sweep)
        if not plan["lines"]:
            # late hours of a billed fixed fee or milestone: covered by it
            invoices = (
                self.env["account.move.line"]
                .sudo()
                .browse({line_id for _entry, line_id in sweep})
                .move_id
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Nothing new to invoice"),
                    "message": self.env._(
                        "%(count)s time entr(y/ies) logged after the billing "
                        "are covered by %(invoices)s (%(why)s)",
                        count=len(sweep),
                        invoices=", ".join(invoices.mapped("display_name")),
                        why=plan["why"],
                    ),
                    "sticky": False,
                },
            }
        move = project._msp_create_invoice(plan["lines"])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Project Invoice"),
            "res_model": "account.move",
            "res_id": move.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _msp_billing_plan(self):
        """{"lines": [invoice line values with "entries": entry ids], "why":
        what stopped it when nothing is due}."""
        self.ensure_one()
        if self.msp_billing_type == "fixed":
            return self._msp_plan_fixed()
        if self.msp_billing_type == "milestone":
            return self._msp_plan_milestones()
        return self._msp_plan_tm()

    def _msp_unbilled_entries(self):
        """[(entry id, phase id or None, billed hours)] of the project's
        confirmed project-delivery time that no invoice billed yet (its own
        time, its tasks' and its follow-up tickets'), one query."""
        self.ensure_one()
        self.env["account.analytic.line"].flush_model(
            [
                "project_id",
                "task_id",
                "ticket_id",
                "msp_state",
                "msp_work_kind",
                "msp_billed_hours",
            ]
        )
        self.env["project.task"].flush_model(["milestone_id"])
        self.env["helpdesk.ticket"].flush_model(["milestone_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, coalesce(tk.milestone_id, t.milestone_id),
                       coalesce(l.msp_billed_hours, 0)
                  FROM account_analytic_line l
             LEFT JOIN project_task tk ON tk.id = l.task_id
             LEFT JOIN helpdesk_ticket t ON t.id = l.ticket_id
                 WHERE l.project_id = %s
                   AND l.msp_state = 'confirmed'
                   AND l.msp_work_kind = 'project'
                   AND NOT EXISTS (SELECT 1 FROM msp_billed_time b
                                    WHERE b.entry_id = l.id)
              ORDER BY l.date, l.id
                """,
                self.id,
            )
        )
        return self.env.cr.fetchall()

    def _msp_line_values(self, kind, name, quantity, price, **extra):
        product = self.env.ref(
            "msp_ticket_project.product_project_services", raise_if_not_found=False
        )
        values = {
            "name": name,
            "quantity": quantity,
            "price_unit": price,
            "msp_project_id": self.id,
            "msp_project_bill_kind": kind,
            "entries": [],
            **extra,
        }
        if product:
            values["product_id"] = product.id
        return values

    def _msp_plan_tm(self):
        if not self.msp_hourly_rate:
            return {
                "lines": [],
                "why": self.env._("a time & materials project needs an hourly rate."),
            }
        phases = {}
        for entry_id, phase_id, hours in self._msp_unbilled_entries():
            ids, total = phases.get(phase_id, ([], 0.0))
            ids.append(entry_id)
            phases[phase_id] = (ids, total + hours)
        if not phases:
            return {
                "lines": [],
                "why": self.env._("no confirmed project time left unbilled."),
            }
        milestones = self.env["project.milestone"].browse(
            [phase for phase in phases if phase]
        )
        order = sorted(
            phases,
            key=lambda p: (
                p is None,
                milestones.browse(p).msp_sequence if p else 0,
                p or 0,
            ),
        )
        lines = []
        for phase_id in order:
            ids, hours = phases[phase_id]
            phase = self.env["project.milestone"].browse(phase_id)
            label = phase.name if phase else self.env._("No phase")
            values = self._msp_line_values(
                "tm",
                self.env._(
                    "%(project)s - %(phase)s: time & materials",
                    project=self.name,
                    phase=label,
                ),
                hours,
                self.msp_hourly_rate,
                msp_milestone_id=phase.id,
            )
            values["entries"] = ids
            lines.append(values)
        return {"lines": lines, "why": ""}

    def _msp_billed_keys(self, field):
        """The project's invoice lines with ``field`` set, on invoices that
        are not cancelled nor fully reversed by a credit note (a milestone or
        the fixed fee is billed once)."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("msp_project_id", "=", self.id),
                    ("parent_state", "!=", "cancel"),
                    ("msp_project_released", "=", False),
                    (field, "!=", False),
                ]
            )
        )
        return lines

    def _msp_plan_milestones(self):
        billed = {
            line.msp_milestone_id.id: line.id
            for line in self._msp_billed_keys("msp_milestone_id")
            if line.msp_project_bill_kind == "milestone"
        }
        due = self.milestone_ids.filtered(
            lambda m: m.is_reached and m.msp_amount and m.id not in billed
        ).sorted(lambda m: (m.msp_sequence, m.deadline or fields.Date.today(), m.id))
        lines = [
            self._msp_line_values(
                "milestone",
                self.env._(
                    "%(project)s - milestone %(phase)s",
                    project=self.name,
                    phase=milestone.name,
                ),
                1.0,
                milestone.msp_amount,
                msp_milestone_id=milestone.id,
            )
            for milestone in due
        ]
        # the hours of a billed phase are covered by its amount (those logged
        # after its invoice too)
        by_phase = {line["msp_milestone_id"]: line for line in lines}
        covered = []
        for entry_id, phase_id, _hours in self._msp_unbilled_entries():
            if phase_id in by_phase:
                by_phase[phase_id]["entries"].append(entry_id)
            elif phase_id in billed:
                covered.append((entry_id, billed[phase_id]))
        return {
            "lines": lines,
            "covered": covered,
            "why": self.env._("no reached milestone with an amount is left unbilled."),
        }

    def _msp_plan_fixed(self):
        entries = [row[0] for row in self._msp_unbilled_entries()]
        billed = self._msp_billed_keys("msp_project_bill_kind").filtered(
            lambda line: line.msp_project_bill_kind == "fixed"
        )[:1]
        if billed:
            # hours logged after the fixed fee was invoiced are covered by it
            return {
                "lines": [],
                "covered": [(entry_id, billed.id) for entry_id in entries],
                "why": self.env._("the fixed price is already invoiced."),
            }
        if not self.msp_fixed_price:
            return {"lines": [], "why": self.env._("the fixed price is not set.")}
        values = self._msp_line_values(
            "fixed",
            self.env._("%(project)s - fixed fee", project=self.name),
            1.0,
            self.msp_fixed_price,
        )
        # the project's hours so far are covered by the price
        values["entries"] = entries
        return {"lines": [values], "why": ""}

    def _msp_create_invoice(self, plan_lines):
        """One draft customer invoice of ``plan_lines``; their entries are
        stamped with their line."""
        self.ensure_one()
        line_values = []
        stamps = {}
        for sequence, values in enumerate(plan_lines, start=1):
            values = dict(values)
            stamps[sequence] = values.pop("entries")
            values["sequence"] = sequence
            line_values.append(Command.create(values))
        with system_write():
            move = (
                self.env["account.move"]
                .sudo()
                .with_company(self.company_id or self.env.company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.partner_id.id,
                        "currency_id": self.currency_id.id,
                        "invoice_origin": self.name,
                        "invoice_line_ids": line_values,
                    }
                )
            )
        by_sequence = {
            line.sequence: line
            for line in move.invoice_line_ids
            if line.display_type == "product"
        }
        self._msp_stamp(
            [
                (entry_id, by_sequence[sequence].id)
                for sequence, ids in stamps.items()
                for entry_id in ids
            ]
        )
        move.message_post(
            body=self.env._(
                "Invoice of project %(project)s (%(kind)s).",
                project=self.name,
                kind=dict(self._fields["msp_billing_type"].selection).get(
                    self.msp_billing_type
                ),
            )
        )
        return move

    def _msp_stamp(self, rows):
        """Stamp entries with their invoice line in one INSERT into
        msp_mrr_billing's stamp table: its unique key refuses a second
        billing of an entry (a concurrent billing of the same time)."""
        if not rows:
            return
        Entry = self.env["account.analytic.line"]
        Entry.flush_model(["msp_billing_line_ids"])
        entry_ids, line_ids = zip(*rows, strict=True)
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO msp_billed_time (entry_id, invoice_line_id)"
                        " SELECT * FROM unnest(%s::int[], %s::int[])",
                        list(entry_ids),
                        list(line_ids),
                    )
                )
        except psycopg2.errors.UniqueViolation as error:
            raise UserError(
                self.env._(
                    "Some of this project's time was billed at the same moment "
                    "by another invoice: run Invoice Project again."
                )
            ) from error
        Entry.browse(entry_ids).invalidate_recordset(
            ["msp_billing_line_ids", "msp_invoice_line_id"]
        )
        self.env["account.move.line"].browse(set(line_ids)).invalidate_recordset(
            ["msp_time_entry_ids"]
        )
        Entry.browse(entry_ids).modified(["msp_billing_line_ids"])


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"  # pylint: disable=consider-merging-classes-inherited

    msp_project_bill_kind = fields.Selection(
        BILL_KINDS,
        string="Project Billing",
        copy=False,
        readonly=True,
        help="What this line bills of its project (set by Invoice Project).",
    )
    msp_milestone_id = fields.Many2one(
        "project.milestone",
        string="Phase",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The phase this line bills (its time, or its milestone amount).",
    )

    msp_project_released = fields.Boolean(
        string="Released by Credit Note",
        copy=False,
        readonly=True,
        help="A posted credit note fully reversed this line's invoice: the "
        "time, milestone or fixed fee it billed is billable again.",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {
            "msp_project_bill_kind",
            "msp_milestone_id",
            "msp_project_released",
        }

    def init(self):
        result = super().init()
        # a milestone and a fixed fee are billed once (a cancelled invoice,
        # or one fully reversed by a credit note, frees them); the first
        # versions of these indexes did not know the reversal
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS msp_project_milestone_billed_once;
            DROP INDEX IF EXISTS msp_project_fixed_billed_once;
            CREATE UNIQUE INDEX IF NOT EXISTS msp_project_milestone_billed_once_v2
                ON account_move_line (msp_milestone_id)
             WHERE msp_project_bill_kind = 'milestone'
               AND parent_state != 'cancel'
               AND msp_project_released IS NOT TRUE;
            CREATE UNIQUE INDEX IF NOT EXISTS msp_project_fixed_billed_once_v2
                ON account_move_line (msp_project_id)
             WHERE msp_project_bill_kind = 'fixed'
               AND parent_state != 'cancel'
               AND msp_project_released IS NOT TRUE
            """
        )
        return result


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def button_cancel(self):
        """A cancelled project invoice gives its time back: unbilled again
        (in the WIP report, billable by the next Invoice Project)."""
        result = super().button_cancel()
        self._msp_release_project_time()
        return result

    def button_draft(self):
        cancelled = self.filtered(
            lambda move: (
                move.state == "cancel"
                and move.invoice_line_ids.filtered("msp_project_bill_kind")
            )
        )
        if cancelled:
            raise UserError(
                self.env._(
                    "%(invoices)s: a cancelled project invoice gave its time "
                    "and milestones back; run Invoice Project on the project "
                    "again instead of resetting it.",
                    invoices=", ".join(cancelled.mapped("display_name")),
                )
            )
        self._msp_check_reversal_draft()
        return super().button_draft()

    def _msp_release_project_time(self):
        self.invoice_line_ids.filtered("msp_project_bill_kind")._msp_release_stamps()


class AccountMoveLineRelease(models.Model):
    _inherit = "account.move.line"  # pylint: disable=consider-merging-classes-inherited

    def _msp_release_stamps(self):
        """Delete the billing stamps of the time ``self`` (project invoice
        lines) billed: that time is unbilled again. Returns the released
        entries."""
        lines = self
        if not lines:
            return self.env["account.analytic.line"]
        Entry = self.env["account.analytic.line"]
        Entry.flush_model(["msp_billing_line_ids"])
        self.env.cr.execute(
            SQL(
                "DELETE FROM msp_billed_time WHERE invoice_line_id = ANY(%s)"
                " RETURNING entry_id",
                lines.ids,
            )
        )
        entry_ids = [row[0] for row in self.env.cr.fetchall()]
        Entry.browse(entry_ids).invalidate_recordset(
            ["msp_billing_line_ids", "msp_invoice_line_id"]
        )
        lines.invalidate_recordset(["msp_time_entry_ids"])
        Entry.browse(entry_ids).modified(["msp_billing_line_ids"])
        return Entry.browse(entry_ids)
