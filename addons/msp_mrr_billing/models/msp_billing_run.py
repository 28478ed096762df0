# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import logging
import traceback

import psycopg2
from dateutil.relativedelta import relativedelta
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round, mute_logger

from odoo.addons.msp_assets.models.msp_asset_type import BILLING_CLASSES
from odoo.addons.msp_base.models.msp_system_fields import system_write

from .billing_cycle import prorate
from .billing_facts import BillingFacts

_logger = logging.getLogger(__name__)


MAGIC = frozenset(models.MAGIC_COLUMNS)


class AlreadyBilled(Exception):
    """The contract's period has an invoiced run line already."""


# contracts billed with one invoice create (see MspBillingRun._bill)
BATCH_SIZE = 50
# catch-up: at most this many cycles of one contract in one run
MAX_CYCLES_PER_RUN = 120
# another transaction changed what this one read: a retry of the whole
# transaction (Odoo's service.model.retrying) bills right, so these leave
# the run instead of becoming failed lines
RETRY = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)
# lines whose quantity a partial cycle prorates (block top-ups, overage and
# time and materials are what was bought or worked: never prorated)
PRORATED_SOURCES = ("fixed", "assets", "licences")

CLASS_LABELS = {
    "endpoint": "Endpoints",
    "server": "Servers",
    "network": "Network devices",
    "user_license": "User licences",
    "other": "Other assets",
}


class MspBillingRun(models.Model):
    """One billing date: every MSP contract due is invoiced in its own
    savepoint, as a draft invoice, then reviewed and posted."""

    _name = "msp.billing.run"
    _description = "Billing Run"
    _inherit = ["mail.thread", "msp.system.fields.mixin", "msp.valid.values.mixin"]
    _order = "billing_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    reference = fields.Char(
        readonly=True,
        copy=False,
        index=True,
        help="The run's number (sequence msp.billing.run), given on creation.",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {"state", "reference"}

    billing_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many("msp.billing.run.line", "run_id", string="Contracts")
    state = fields.Selection(
        [("draft", "Draft"), ("review", "In Review"), ("posted", "Posted")],
        default="draft",
        required=True,
        tracking=True,
    )
    variance_threshold = fields.Float(
        string="Variance Threshold (%)",
        default=15.0,
        help="A contract whose total moves more than this against its previous "
        "cycle is flagged for review.",
    )
    invoiced_count = fields.Integer(compute="_compute_counts", string="Invoiced")
    failed_count = fields.Integer(compute="_compute_counts", string="Failed")
    flagged_count = fields.Integer(compute="_compute_counts", string="Flagged")
    amount_total = fields.Float(compute="_compute_counts", string="Total Untaxed")
    accepted_count = fields.Integer(compute="_compute_counts", string="Accepted")
    to_review_count = fields.Integer(compute="_compute_counts", string="To Review")
    send_invoices = fields.Boolean(
        string="Send Invoices on Post",
        default=True,
        help="Posted invoices go through Odoo's batch sending (Send & Print): "
        "the PDF is generated and e-mailed to clients whose invoice sending "
        "method is by e-mail and who have an e-mail address. The run tells "
        "which were not e-mailed and why.",
    )

    _sql_constraints = [
        (
            "reference_unique",
            "UNIQUE (reference)",
            "Two billing runs cannot have the same number.",
        )
    ]

    @api.model_create_multi
    def create(self, vals_list):
        runs = super().create(vals_list)
        Sequence = self.env["ir.sequence"].sudo()
        with system_write():
            for run in runs:
                run.reference = (
                    Sequence.with_company(run.company_id)
                    .with_context(ir_sequence_date=run.billing_date)
                    .next_by_code("msp.billing.run", sequence_date=run.billing_date)
                )
        return runs

    @api.depends("billing_date", "reference")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "%(reference)s — %(date)s",
                reference=run.reference or self.env._("Billing"),
                date=run.billing_date,
            )

    @api.constrains("billing_date")
    def _check_billing_date(self):
        """A run bills cycles that are over: not dated after today (plus the
        days ir.config_parameter msp_mrr_billing.max_days_ahead allows)."""
        ahead = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("msp_mrr_billing.max_days_ahead", 0)
        )
        latest = fields.Date.context_today(self) + relativedelta(days=ahead)
        for run in self:
            if run.billing_date > latest:
                raise ValidationError(
                    self.env._(
                        "A billing run cannot be dated after %(latest)s: it would "
                        "bill cycles that have not ended.",
                        latest=latest,
                    )
                )

    @api.depends("line_ids.state", "line_ids.flags", "line_ids.amount_untaxed")
    def _compute_counts(self):
        for run in self:
            lines = run.line_ids
            invoiced = lines.filtered(lambda line: line.state == "invoiced")
            run.invoiced_count = len(invoiced)
            run.failed_count = len(lines.filtered(lambda line: line.state == "failed"))
            run.flagged_count = len(invoiced.filtered("flags"))
            run.amount_total = sum(invoiced.mapped("amount_untaxed"))
            drafts = invoiced.filtered(lambda line: line.move_state == "draft")
            run.accepted_count = len(drafts.filtered("accepted"))
            run.to_review_count = len(
                drafts.filtered(lambda line: not line.accepted and not line.rejected)
            )

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
        }

    def action_post_accepted(self):
        """Post the accepted draft invoices, send them (run option), and say
        what was posted; with nothing accepted, say why instead."""
        self.ensure_one()
        self.env["account.move"].check_access("write")
        with system_write():
            summary = self._post_accepted()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if summary["not_sent"] else "success",
                "title": self.env._("Billing run posted"),
                "message": summary["message"],
                "sticky": bool(summary["not_sent"]),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _post_accepted(self):
        """Returns {"posted": invoices, "not_sent": {invoice: why},
        "message": what happened}; raises when nothing is accepted."""
        self.ensure_one()
        invoiced = self.line_ids.filtered(lambda line: line.state == "invoiced")
        drafts = invoiced.filtered(lambda line: line.move_id.state == "draft")
        lines = drafts.filtered(lambda line: line.accepted and not line.rejected)
        if not lines:
            raise UserError(self._nothing_to_post_reason(drafts))
        moves = lines.move_id
        moves.action_post()
        if all(line.move_id.state != "draft" for line in invoiced):
            self.state = "posted"
        not_sent = self._send(moves) if self.send_invoices else {}
        message = self.env._(
            "Posted %(count)s invoices, %(total)s untaxed.",
            count=len(moves),
            total=self._money(sum(lines.mapped("amount_untaxed"))),
        )
        left = drafts - lines
        if left:
            message += " " + self.env._(
                "%(count)s drafts left for review (not accepted or rejected).",
                count=len(left),
            )
        if not self.send_invoices:
            message += " " + self.env._(
                "Not sent: the run's 'Send Invoices on Post' is off; send them "
                "from the invoice list (Send)."
            )
        elif not_sent:
            message += " " + self.env._(
                "%(sent)s sent by e-mail; not e-mailed: %(why)s.",
                sent=len(moves) - len(not_sent),
                why="; ".join(
                    f"{move.name} ({reason})" for move, reason in not_sent.items()
                ),
            )
        else:
            message += " " + self.env._("All are being sent by e-mail with their PDF.")
        self.message_post(body=message)
        return {"posted": moves, "not_sent": not_sent, "message": message}

    def _nothing_to_post_reason(self, drafts):
        if not drafts:
            return self.env._(
                "Nothing to post: this run has no draft invoice left (all are "
                "posted, cancelled or failed)."
            )
        rejected = drafts.filtered("rejected")
        pending = drafts - rejected
        return self.env._(
            "Nothing to post: no invoice is accepted. %(pending)s to review, "
            "%(rejected)s rejected. Accept lines (or 'Accept All Within "
            "Threshold') first.",
            pending=len(pending),
            rejected=len(rejected),
        )

    def _money(self, amount):
        currency = self.company_id.currency_id
        return f"{currency.symbol or ''}{amount:,.2f}"

    def _send(self, moves):
        """Odoo's batch Send & Print on the posted invoices (PDF generated
        for all, e-mailed in the background by the account cron to partners
        whose sending method is e-mail). Returns {invoice: why it is not
        e-mailed}."""
        Send = self.env["account.move.send"]
        not_sent = {}
        for move in moves:
            method = Send._get_default_sending_method(move)
            if method != "email":
                not_sent[move] = self.env._(
                    "%(client)s's invoice sending is '%(method)s'",
                    client=move.partner_id.display_name,
                    method=dict(
                        self.env["res.partner"]
                        ._fields["invoice_sending_method"]
                        ._description_selection(self.env)
                    ).get(method, method),
                )
            elif not move.partner_id.email:
                not_sent[move] = self.env._(
                    "no e-mail address on %(client)s",
                    client=move.partner_id.display_name,
                )
        wizard = self.env["account.move.send.batch.wizard"].create(
            {"move_ids": [Command.set(moves.ids)]}
        )
        wizard.action_send_and_print()
        return not_sent

    def action_review_lines(self):
        """The run's contracts in a list: select several, Accept or Reject."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Review %(run)s", run=self.name),
            "res_model": "msp.billing.run.line",
            "view_mode": "list",
            "views": [
                (
                    self.env.ref(
                        "msp_mrr_billing.msp_billing_run_line_view_list_review"
                    ).id,
                    "list",
                )
            ],
            "search_view_id": self.env.ref(
                "msp_mrr_billing.msp_billing_run_line_view_search"
            ).id,
            "domain": [("run_id", "=", self.id)],
            "context": {"search_default_to_review": 1},
        }

    def action_accept_within_threshold(self):
        """Accept every draft not rejected whose total moved no more than the
        run's variance threshold against the previous cycle (first invoices
        have nothing to compare with: the reviewer accepts them)."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda line: (
                line.state == "invoiced"
                and line.move_state == "draft"
                and not line.accepted
                and not line.rejected
                and line.previous_amount
                and abs(line.change_pct) <= self.variance_threshold
            )
        )
        lines.action_accept()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Accepted within threshold"),
                "message": self.env._(
                    "%(count)s accepted (total within %(threshold)s%% of the "
                    "previous cycle). First invoices and rejected lines are "
                    "left to you.",
                    count=len(lines),
                    threshold=f"{self.variance_threshold:g}",
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- running -----------------------------------------------------------
    def _due_contracts(self):
        self.ensure_one()
        contracts = self.env["contract.contract"].search(
            [
                ("msp_billing", "=", True),
                ("company_id", "=", self.company_id.id),
                ("recurring_next_date", "<=", self.billing_date),
            ],
            order="id",
        )
        # OCA stops recurring_next_date after date_end; a post-paid last
        # cycle is invoiced the day after the end, so no date_end filter here
        return contracts

    # action_run: models/msp_billing_run_job.py (the run as queue jobs)

    def _bill(self, contracts):
        """Invoice every cycle due by the run's date, oldest first, one
        invoice per cycle: after a missed month a contract is billed for
        both (each round bills the next open cycle of the contracts still
        due; a contract whose cycle fails or is skipped stops there, the
        later cycles build on it).

        Each contract's cycle is billed as if in its own savepoint: one
        broken contract is reported on its line and the others carry on.
        Serialization failures and deadlocks are not
        reported: they leave the whole transaction, which Odoo retries (the
        run is idempotent)."""
        self.ensure_one()
        self.env["account.move"].check_access("create")
        pending = contracts.with_company(self.company_id)
        for _round in range(MAX_CYCLES_PER_RUN):
            if not pending:
                break
            billed = self._bill_round(pending)
            billed.invalidate_recordset(["recurring_next_date"])
            pending = billed.filtered(
                lambda c: (
                    c.recurring_next_date and c.recurring_next_date <= self.billing_date
                )
            )
        if self.state == "draft":
            self.state = "review"

    def _bill_round(self, contracts):
        """Bill the next open cycle of each contract; returns the contracts
        invoiced.

        For speed, contracts go by batches of different clients, all of a
        batch in one savepoint and their invoices in one ``create``; if
        anything in a batch raises, the batch is rolled back and its
        contracts are billed one by one, each in its own savepoint, so the
        outcome is the same as billing them one by one from the start."""
        billed = contracts.browse()
        for batch in self._batches(contracts):
            if len(batch) > 1:
                try:
                    with self.env.cr.savepoint():
                        billed |= self._bill_contracts(batch).contract_id
                    continue
                except RETRY:
                    raise
                except Exception as error:  # retried one by one below
                    _logger.info("Billing batch failed, one by one now: %s", error)
            for contract in batch:
                try:
                    with self.env.cr.savepoint():
                        billed |= self._bill_contract(contract).contract_id
                except RETRY:
                    # another transaction got there first: Odoo retries the
                    # whole transaction (service.model.retrying)
                    raise
                except psycopg2.errors.LockNotAvailable:
                    if self.env.context.get("msp_billing_job"):
                        raise  # a job: retried later (RetryableJobError)
                    self._record_failure(
                        contract,
                        "skipped",
                        self.env._(
                            "Another run is billing this period right now; run "
                            "again once it is done."
                        ),
                    )
                except (
                    psycopg2.errors.ExclusionViolation,
                    psycopg2.errors.UniqueViolation,
                    AlreadyBilled,
                ):
                    self._record_failure(
                        contract,
                        "skipped",
                        self.env._(
                            "This period, or time it would bill, is already "
                            "billed (another run)."
                        ),
                    )
                except Exception as error:  # the run log must say why
                    _logger.warning(
                        "Billing run %s: contract %s failed",
                        self.id,
                        contract.display_name,
                        exc_info=True,
                    )
                    self._record_failure(
                        contract, "failed", str(error), traceback.format_exc()
                    )
        return billed

    @api.model
    def _batches(self, contracts, size=BATCH_SIZE):
        """Consecutive contracts, at most ``size`` a batch, never two of one
        client in a batch: a contract's time and units are read before the
        batch's invoices exist, so no other contract of the batch may
        consume the same client's time in between."""
        batch, clients = [], set()
        for contract in contracts:
            client = contract.partner_id.commercial_partner_id.id
            if len(batch) >= size or client in clients:
                yield contracts.browse(batch)
                batch, clients = [], set()
            batch.append(contract.id)
            clients.add(client)
        if batch:
            yield contracts.browse(batch)

    def _record_failure(self, contract, state, message, details=None):
        self.env["msp.billing.run.line"].create(
            {"run_id": self.id, "contract_id": contract.id, "state": state,
             "error": message[:2000], "error_details": details}
        )  # fmt: skip

    def _bill_contract(self, contract):
        return self._bill_contracts(contract)

    def _bill_contracts(self, contracts):
        """Bill the contracts (of different clients) with one invoice
        ``create``; returns their run lines."""
        prepared = self._prepare_contracts(contracts)
        RunLine = self.env["msp.billing.run.line"]
        if not prepared:
            return RunLine
        moves = self.env["account.move"].create(
            [item["invoice_vals"] for item in prepared]
        )
        for item, move in zip(prepared, moves, strict=True):
            item["lines"]._update_last_date_invoiced()
            item["contract"]._compute_recurring_next_date()
            self._stamp(move, item["facts"])
            item["run_line"]._record(move, item["facts"], item["previous"])
        return RunLine.union(*(item["run_line"] for item in prepared))

    def _prepare_contracts(self, contracts):
        """For each contract due: the period key (its run line, flushed),
        what the cycle consumed and the invoice values. A fixed number of
        queries for the batch, plus OCA's own per contract."""
        date_ref = self.billing_date
        due = []  # (contract, lines to invoice, period start, period end)
        for contract in contracts:
            lines = contract._get_lines_to_invoice(date_ref)
            if not lines:
                continue
            billable = lines.filtered(lambda line: not line.display_type)
            period_start = min(billable.mapped("next_period_date_start"))
            period_end = max(billable.mapped("next_period_date_end"))
            due.append((contract, lines, period_start, period_end))
        if not due:
            return []
        RunLine = self.env["msp.billing.run.line"]
        billed = RunLine.search(
            [
                ("contract_id", "in", [item[0].id for item in due]),
                ("period_start", "in", list({item[2] for item in due})),
                ("state", "=", "invoiced"),
            ]
        )
        billed_keys = {(line.contract_id.id, line.period_start) for line in billed}
        if any((item[0].id, item[2]) in billed_keys for item in due):
            raise AlreadyBilled()
        # the keys first: a second run of these periods stops here (the
        # database refuses it when two runs get this far at once)
        with mute_logger("odoo.sql_db"):
            run_lines = RunLine.create(
                [
                    {
                        "run_id": self.id,
                        "contract_id": contract.id,
                        "period_start": period_start,
                        "period_end": period_end,
                        "state": "invoiced",
                    }
                    for contract, _lines, period_start, period_end in due
                ]
            )
            run_lines.flush_recordset()
        all_facts = BillingFacts.load(
            self.env, [(item[0], item[2], item[3]) for item in due], date_ref
        )
        previous = self._previous_lines(due)
        prepared = []
        for (contract, lines, period_start, _end), run_line, facts in zip(
            due, run_lines, all_facts, strict=True
        ):
            before = previous.get((contract.id, period_start), RunLine)
            invoice_vals = contract._prepare_invoice(date_ref)
            previous_units = json.loads(before.units or "{}") if before else {}
            for line in lines:
                vals = line.with_context(
                    msp_billing_facts=facts
                )._prepare_invoice_line()
                if not vals:
                    continue
                vals.pop("company_id", None)
                vals.pop("company_currency_id", None)
                vals.update(self._line_extras(line, facts, previous_units, run_line))
                self._prorate(line, vals)
                if line.msp_qty_source == "overage" and not vals.get("quantity"):
                    vals = self._as_note(vals)
                invoice_vals["invoice_line_ids"].append(Command.create(vals))
            invoice_vals["invoice_line_ids"] += self._tm_lines(
                contract, facts, run_line
            )
            prepared.append(
                {
                    "contract": contract,
                    "lines": lines,
                    "run_line": run_line,
                    "facts": facts,
                    "previous": before,
                    "invoice_vals": invoice_vals,
                }
            )
        return prepared

    def _previous_lines(self, due):
        """{(contract id, period start): the contract's latest invoiced run
        line before that period}, in one query."""
        RunLine = self.env["msp.billing.run.line"]
        RunLine.flush_model(["contract_id", "state", "period_start"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (v.contract, v.start) v.contract, v.start, r.id
                  FROM unnest(%s::int[], %s::date[]) AS v(contract, start)
                  JOIN msp_billing_run_line r
                    ON r.contract_id = v.contract AND r.state = 'invoiced'
                   AND r.period_start < v.start
              ORDER BY v.contract, v.start, r.period_start DESC, r.id DESC
                """,
                [item[0].id for item in due],
                [item[2] for item in due],
            )
        )
        return {
            (contract_id, start): RunLine.browse(line_id)
            for contract_id, start, line_id in self.env.cr.fetchall()
        }

    def _line_extras(self, line, facts, previous_units, run_line):
        # each line's own period (a line ending or starting mid-cycle has a
        # shorter one than the contract's)
        extras = {
            "msp_period_start": line.next_period_date_start or facts.period_start,
            "msp_period_end": line.next_period_date_end or facts.period_end,
            "msp_run_line_id": run_line.id,
        }
        source = line.msp_qty_source
        if source == "assets":
            now = facts.class_units.get(line.msp_billing_class, 0.0)
            before = previous_units.get(line.msp_billing_class)
            label = CLASS_LABELS.get(line.msp_billing_class, line.msp_billing_class)
            if before is None:
                change = self.env._("first cycle")
            else:
                change = f"{now - before:+g} vs last cycle"
            extras["name"] = f"{line.name}\n{label}: {now:g} ({change})"
        elif source == "licences":
            now = facts.units.get(("user_license", line.msp_sku_part_number), 0.0)
            before = previous_units.get(f"sku:{line.msp_sku_part_number}")
            change = (
                self.env._("first cycle")
                if before is None
                else f"{now - before:+g} vs last cycle"
            )
            extras["name"] = (
                f"{line.name}\n{line.msp_sku_part_number}: {now:g} ({change})"
            )
        elif source == "overage":
            rate = line.contract_id.sudo().msp_block_overage_rate
            if rate and facts.overage and facts.had_blocks:
                extras["price_unit"] = rate
            extras["name"] = self.env._(
                "%(name)s\nIncluded work: %(used)s h used of %(included)s h included"
                "%(blocks)s; overage %(overage)s h%(excluded)s",
                name=line.name,
                used=f"{facts.included_used:g}",
                included=f"{facts.included_hours:g}",
                blocks=self.env._("; %(h)s h from prepaid blocks", h=f"{facts.burnt:g}")
                if facts.burns
                else "",
                overage=f"{facts.overage:g}",
                excluded=self.env._(
                    "; %(h)s h not counted (excluded categories or hypercare)",
                    h=f"{facts.excluded_hours:g}",
                )
                if facts.excluded_hours
                else "",
            )
        return extras

    @api.model
    def _as_note(self, vals):
        """A zero overage is no $0.00 line on the invoice: a note with the
        included-hours summary (the run line keeps the hours)."""
        keep = (
            "name",
            "sequence",
            "contract_line_id",
            "msp_period_start",
            "msp_period_end",
            "msp_run_line_id",
        )
        return {
            "display_type": "line_note",
            **{key: vals[key] for key in keep if key in vals},
        }

    def _prorate(self, line, vals):
        """A partial cycle (the first one up to the billing day, the last
        one cut by the end date) bills its share of the cycle's quantity;
        the description keeps the full-cycle quantity."""
        if line.display_type or line.msp_qty_source not in PRORATED_SOURCES:
            return
        days, cycle_days = line._msp_proration()
        if days >= cycle_days:
            return
        full = vals["quantity"]
        # the quantity precision, not the unit of measure's rounding (a
        # whole-unit UoM would round a few days of a licence to nothing)
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        vals["quantity"] = prorate(full, days, cycle_days, 10**-digits)
        # the factor the quantity really got (after rounding), so the MRR
        # report finds the full cycle's amount again to the cent
        vals["msp_proration_factor"] = (
            vals["quantity"] / full if full else days / cycle_days
        )
        vals["name"] = "\n".join(
            (
                vals["name"],
                self.env._(
                    "Prorated %(days)s of %(cycle_days)s days (full cycle: "
                    "%(quantity)s)",
                    days=days,
                    cycle_days=cycle_days,
                    quantity=f"{full:g}",
                ),
            )
        )

    def _tm_lines(self, contract, facts, run_line):
        contract = contract.sudo()
        if not facts.tm:
            return []
        if not contract.msp_tm_product_id:
            raise UserError(
                self.env._(
                    "%(contract)s has billable (T&M) time but no T&M product and rate.",
                    contract=contract.display_name,
                )
            )
        commands = []
        multiplier = contract.msp_after_hours_multiplier or 1.0
        for (ticket_id, after), (hours, _ids, label) in sorted(
            facts.tm.items(), key=lambda item: (item[0][0] or 0, item[0][1])
        ):
            what = label or self.env._("work without ticket")
            if after:
                name = self.env._(
                    "Time and materials, after hours (x%(multiplier)s): %(what)s "
                    "(%(hours)s h)",
                    multiplier=f"{multiplier:g}",
                    what=what,
                    hours=f"{hours:g}",
                )
            else:
                name = self.env._(
                    "Time and materials: %(what)s (%(hours)s h)",
                    what=what,
                    hours=f"{hours:g}",
                )
            commands.append(
                Command.create(
                    {
                        "product_id": contract.msp_tm_product_id.id,
                        "name": name,
                        "quantity": float_round(hours, precision_digits=2),
                        "price_unit": contract.msp_tm_rate
                        * (multiplier if after else 1.0),
                        "msp_ticket_id": ticket_id,
                        "msp_after_hours": after,
                        "msp_period_start": facts.period_start,
                        "msp_period_end": facts.period_end,
                        "msp_run_line_id": run_line.id,
                    }
                )
            )
        return commands

    def _stamp(self, move, facts):
        """Every time entry the invoice consumed points at the invoice line
        that billed it (and so is billed once, ever)."""
        lines = move.invoice_line_ids
        Entry = self.env["account.analytic.line"].sudo()
        products = lines.filtered(lambda line: line.display_type == "product")
        # included time goes on the overage line, or (no overage: a note)
        # on the first product line, the fee that pays the included hours
        hours_line = (
            products.filtered(
                lambda line: line.contract_line_id.msp_qty_source == "overage"
            )[:1]
            or products[:1]
        )
        stamps = []  # (entry ids, invoice line id)
        if facts.included_ids and hours_line:
            stamps.append((facts.included_ids, hours_line.id))
        tm_lines = {
            (line.msp_ticket_id.id or None, line.msp_after_hours): line.id
            for line in lines
            if not line.contract_line_id and line.display_type == "product"
        }
        for key, (_hours, ids, _label) in facts.tm.items():
            stamps.append((ids, tm_lines.get(key)))
        self._stamp_entries(Entry, stamps)
        for line in lines.filtered(
            lambda line: line.contract_line_id.msp_qty_source == "block"
        ):
            self.env["msp.prepaid.block"].sudo()._buy(line)
        for block, hours in facts.burns:
            block._burn(hours, lines[:1].msp_run_line_id)

    def _stamp_entries(self, Entry, stamps):
        """Stamp each batch of entries with its invoice line, in one INSERT
        into the narrow stamp table (its unique key on the entry refuses a
        second billing of an entry). The caches the ORM would have updated
        are invalidated."""
        rows = [
            (entry_id, line_id)
            for ids, line_id in stamps
            if line_id
            for entry_id in ids
        ]
        if not rows:
            return
        entry_ids, line_ids = zip(*rows, strict=True)
        Entry.flush_model(["msp_billing_line_ids"])
        self.env.cr.execute(
            SQL(
                "INSERT INTO msp_billed_time (entry_id, invoice_line_id)"
                " SELECT * FROM unnest(%s::int[], %s::int[])",
                list(entry_ids),
                list(line_ids),
            )
        )
        Entry.browse(entry_ids).invalidate_recordset(
            ["msp_billing_line_ids", "msp_invoice_line_id"]
        )
        self.env["account.move.line"].browse(set(line_ids)).invalidate_recordset(
            ["msp_time_entry_ids"]
        )
        Entry.browse(entry_ids).modified(["msp_billing_line_ids"])


class MspBillingRunLine(models.Model):
    """One contract in a run: its period (the idempotency key), its draft
    invoice, and what the reviewer needs to accept it."""

    _name = "msp.billing.run.line"
    _description = "Billing Run Contract"
    _inherit = ["msp.system.fields.mixin"]
    _order = "run_id desc, flags desc nulls last, id"

    def _msp_system_fields(self):
        # the reviewer accepts or rejects; everything else is what the run found
        stored = {name for name, field in self._fields.items() if field.store}
        return super()._msp_system_fields() | (
            stored - {"accepted", "rejected"} - MAGIC
        )

    run_id = fields.Many2one(
        "msp.billing.run", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    contract_id = fields.Many2one(
        "contract.contract", required=True, index=True, ondelete="restrict"
    )
    client_id = fields.Many2one(
        related="contract_id.commercial_partner_id", store=True, string="Client"
    )
    period_start = fields.Date()
    period_end = fields.Date()
    state = fields.Selection(
        [
            ("invoiced", "Invoiced"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
            ("voided", "Voided"),
        ],
        required=True,
        default="invoiced",
    )
    error = fields.Text()
    error_details = fields.Text(
        string="Traceback",
        groups="msp_base.group_msp_billing",
        help="Where the billing of this contract failed (for support).",
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_state = fields.Selection(related="move_id.state", string="Invoice Status")
    amount_untaxed = fields.Float(string="Total")
    previous_amount = fields.Float(string="Previous Total")
    change_pct = fields.Float(string="Change (%)")
    units = fields.Char(
        string="Units (JSON)", help="Units billed per class and SKU (JSON)."
    )
    units_summary = fields.Char(string="Units (codes)")
    units_change = fields.Char(string="Unit Changes (codes)")
    previous_units = fields.Char(
        string="Previous Units (JSON)",
        help="The units of the previous billed cycle (JSON), for the changes.",
    )
    units_label = fields.Char(
        string="Units", compute="_compute_units_label", help="Units billed."
    )
    changes_label = fields.Char(
        string="Unit Changes",
        compute="_compute_units_label",
        help="What changed since the previous billed cycle.",
    )
    included_hours = fields.Float()
    used_hours = fields.Float(string="Included Work (h)")
    block_hours = fields.Float(string="From Blocks (h)")
    overage_hours = fields.Float(string="Overage (h)")
    excluded_hours = fields.Float(
        string="Not Counted (h)",
        help="Included work on excluded categories or in hypercare: it used no "
        "included hours.",
    )
    tm_hours = fields.Float(string="T&M (h)")
    flags = fields.Char(help="Why this contract needs a look before posting.")
    accepted = fields.Boolean(
        help="Post this invoice with 'Post Accepted'. Unflagged contracts start "
        "accepted."
    )
    rejected = fields.Boolean(
        help="The reviewer held this invoice back: 'Post Accepted' and 'Accept "
        "All Within Threshold' leave it in draft (void and re-bill, or fix it "
        "and accept it)."
    )
    review_status = fields.Selection(
        [
            ("to_review", "To Review"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("done", "Posted"),
            ("none", "—"),
        ],
        compute="_compute_review_status",
        string="Review",
    )

    _sql_constraints = [
        (
            "period_billed_once",
            "EXCLUDE USING btree (contract_id WITH =, period_start WITH =) "
            "WHERE (state = 'invoiced')",
            "This contract's period is already billed.",
        )
    ]

    @api.depends("state", "move_id.state", "accepted", "rejected")
    def _compute_review_status(self):
        for line in self:
            if line.state != "invoiced" or not line.move_id:
                line.review_status = "none"
            elif line.move_id.state != "draft":
                line.review_status = "done"
            elif line.rejected:
                line.review_status = "rejected"
            elif line.accepted:
                line.review_status = "accepted"
            else:
                line.review_status = "to_review"

    @api.depends("units", "previous_units", "units_change", "contract_id")
    def _compute_units_label(self):
        for line in self:
            units = json.loads(line.units or "{}")
            line.units_label = ", ".join(
                line._unit_label(key, qty) for key, qty in line._sorted_units(units)
            )
            if line.previous_units is False:
                # recorded before previous units were kept: the codes
                line.changes_label = line.units_change
                continue
            line.changes_label = line._changes_label(
                units, json.loads(line.previous_units or "{}")
            )

    @api.model
    def _sorted_units(self, units):
        """Licences (by SKU) first, then the asset classes in their order."""
        order = [code for code, _label in BILLING_CLASSES]
        return sorted(
            units.items(),
            key=lambda item: (
                not item[0].startswith("sku:"),
                order.index(item[0]) if item[0] in order else len(order),
                item[0],
            ),
        )

    def _unit_label(self, key, qty):
        """'2 x Microsoft 365 Business Premium licences', '3 endpoints'."""
        count = f"{qty:g}"
        if key.startswith("sku:"):
            sku = key[4:]
            line = self.contract_id.sudo().contract_line_ids.filtered(
                lambda cl: cl.msp_sku_part_number == sku and cl.product_id
            )[:1]
            name = line.product_id.name or sku
            return self.env._(
                "%(count)s \u00d7 %(name)s licences", count=count, name=name
            )
        singular, plural = self._unit_nouns().get(key, (key, key))
        return f"{count} {singular if qty == 1 else plural}"

    def _unit_nouns(self):
        """billing class -> (one, several)"""
        env = self.env
        return {
            "endpoint": (env._("endpoint"), env._("endpoints")),
            "server": (env._("server"), env._("servers")),
            "network": (env._("network device"), env._("network devices")),
            "user_license": (env._("user"), env._("users")),
            "other": (env._("other asset"), env._("other assets")),
        }

    def _changes_label(self, units, before):
        """'New: 1 endpoint, 1 network device · Removed: 2 servers ·
        Changed: 3 endpoints (+1)'; 'No change' when none."""
        new, removed, changed = [], [], []
        keys = dict(self._sorted_units({**before, **units}))
        for key in keys:
            if key not in before:
                new.append(self._unit_label(key, units[key]))
            elif key not in units:
                removed.append(self._unit_label(key, before[key]))
            elif units[key] != before[key]:
                changed.append(
                    f"{self._unit_label(key, units[key])} "
                    f"({units[key] - before[key]:+g})"
                )
        parts = []
        if new:
            parts.append(self.env._("New: %(what)s", what=", ".join(new)))
        if removed:
            parts.append(self.env._("Removed: %(what)s", what=", ".join(removed)))
        if changed:
            parts.append(self.env._("Changed: %(what)s", what=", ".join(changed)))
        return " · ".join(parts) or self.env._("No change")

    def action_accept(self):
        """Accept the selected drafts for 'Post Accepted'."""
        self._check_reviewable()
        self.write({"accepted": True, "rejected": False})
        return True

    def action_reject(self):
        """Hold the selected drafts back: they stay draft on post."""
        self._check_reviewable()
        self.write({"accepted": False, "rejected": True})
        return True

    def _check_reviewable(self):
        self.check_access("write")
        wrong = self.filtered(
            lambda line: line.state != "invoiced" or line.move_id.state != "draft"
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only draft invoices of the run can be accepted or rejected: "
                    "%(lines)s.",
                    lines=", ".join(wrong.contract_id.mapped("display_name")),
                )
            )

    def _record(self, move, facts, previous):
        units = {cls: qty for cls, qty in facts.class_units.items()}
        units.update(
            {f"sku:{sku}": qty for (cls, sku), qty in facts.units.items() if sku}
        )
        before = json.loads(previous.units or "{}") if previous else {}
        changes = []
        for key in sorted(set(units) | set(before)):
            if key not in before:
                changes.append(self.env._("new %(key)s", key=key))
            elif key not in units:
                changes.append(self.env._("removed %(key)s", key=key))
            elif units[key] != before[key]:
                changes.append(f"{key} {units[key] - before[key]:+g}")
        amount = move.amount_untaxed
        previous_amount = previous.amount_untaxed if previous else 0.0
        change = (
            (amount - previous_amount) / previous_amount * 100
            if previous_amount
            else 0.0
        )
        flags = []
        if not previous:
            flags.append(self.env._("first invoice"))
        elif abs(change) > self.run_id.variance_threshold:
            flags.append(self.env._("total %(change)s%%", change=f"{change:+.0f}"))
        if previous and any(
            (key in units) != (key in before) for key in set(units) | set(before)
        ):
            flags.append(self.env._("unit class added or removed"))
        flags += [
            self.env._("units: %(note)s", note=note)
            for note in sorted(facts.unit_notes)
        ]
        tm_hours = sum(hours for hours, _ids, _label in facts.tm.values())
        self.write(
            {
                "move_id": move.id,
                "amount_untaxed": amount,
                "previous_amount": previous_amount,
                "change_pct": change,
                "units": json.dumps(units, sort_keys=True),
                "units_summary": ", ".join(
                    f"{k}: {v:g}" for k, v in sorted(units.items())
                ),
                "units_change": ", ".join(changes),
                "previous_units": json.dumps(before, sort_keys=True),
                "included_hours": facts.included_hours,
                "used_hours": facts.included_used,
                "block_hours": facts.burnt,
                "overage_hours": facts.overage,
                "excluded_hours": facts.excluded_hours,
                "tm_hours": tm_hours,
                "flags": ", ".join(flags),
                "accepted": not flags,
            }
        )
        self._check_retainer(facts)
        if facts.burns:
            self._check_block_balance()

    def _check_retainer(self, facts):
        contract = self.contract_id.sudo()
        if not contract.msp_retainer_max_hours:
            return
        if facts.included_used > contract.msp_retainer_max_hours:
            contract.msp_retainer_over_cycles += 1
        else:
            contract.msp_retainer_over_cycles = 0
        if contract.msp_retainer_over_cycles >= 2:
            self._notify_once(
                "msp_mrr_billing.activity_retainer_over",
                self.env._("Pricing conversation: retainer exceeded twice"),
                self.env._(
                    "Included work was over the %(max)s h retainer range two cycles "
                    "in a row (last: %(used)s h).",
                    max=f"{contract.msp_retainer_max_hours:g}",
                    used=f"{facts.included_used:g}",
                ),
            )

    def _check_block_balance(self):
        """Judged on the run's billing date (blocks usable that day)."""
        contract = self.contract_id.sudo().with_context(
            msp_block_date=self.run_id.billing_date
        )
        if not contract.msp_block_low_hours or not contract.msp_block_ids:
            return
        if contract.msp_block_balance < contract.msp_block_low_hours:
            self._notify_once(
                "msp_mrr_billing.activity_block_low",
                self.env._("Prepaid hours running low"),
                self.env._(
                    "%(left)s h left on prepaid blocks on %(date)s (threshold "
                    "%(low)s h).",
                    left=f"{contract.msp_block_balance:g}",
                    date=self.run_id.billing_date,
                    low=f"{contract.msp_block_low_hours:g}",
                ),
            )

    def _notify_once(self, xmlid, summary, note):
        """An activity of this type for the account manager on the contract,
        unless one is still open (one per condition, however many cycles
        or runs meet it); due on the billing date."""
        contract = self.contract_id.sudo()
        activity_type = self.env.ref(xmlid)
        if contract.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ):
            return
        contract.activity_schedule(
            xmlid,
            date_deadline=self.run_id.billing_date,
            summary=summary,
            note=note,
            user_id=(contract.user_id or self.env.user).id,
        )

    # -- review ------------------------------------------------------------
    def action_void_rebill(self):
        """Void the invoice (cancel a draft, credit a posted one), release the
        period, its time entries and block usage, and bill it again."""
        with system_write():
            for line in self.filtered(lambda line: line.state == "invoiced"):
                line._void()
                line.run_id._bill(line.contract_id)
        return True

    def _void(self):
        self.ensure_one()
        if not self._is_latest():
            raise UserError(
                self.env._(
                    "%(contract)s has later billed periods: void those first "
                    "(latest first), or correct this one with a credit note.",
                    contract=self.contract_id.display_name,
                )
            )
        move = self.move_id
        if move.state == "posted":
            move._reverse_moves(
                [{"ref": self.env._("Void of %(name)s", name=move.name)}], cancel=True
            )
        elif move.state == "draft":
            move.button_cancel()  # releases the period (account.move)
        if self.state == "invoiced":
            self._release()

    def _is_latest(self):
        """No later period of the contract is billed (later cycles build on
        this one's dates, hours and blocks)."""
        self.ensure_one()
        return not self.search_count(
            [
                ("contract_id", "=", self.contract_id.id),
                ("state", "=", "invoiced"),
                ("period_start", ">", self.period_start),
            ],
            limit=1,
        )

    def _release(self):
        """The period, its time entries and block usage are free again (the
        invoice was voided, cancelled or deleted)."""
        self.ensure_one()
        contract = self.contract_id.sudo()
        if (
            contract.msp_retainer_max_hours
            and self.used_hours > contract.msp_retainer_max_hours
            and contract.msp_retainer_over_cycles
        ):
            contract.msp_retainer_over_cycles -= 1
        self.state = "voided"
        self.flush_recordset()
        invoice_lines = self.env["account.move.line"].search(
            [("msp_run_line_id", "=", self.id)]
        )
        invoice_lines.sudo().msp_time_entry_ids.write(
            {"msp_billing_line_ids": [Command.clear()]}
        )
        self.env["msp.prepaid.block.usage"].sudo().search(
            [("run_line_id", "=", self.id)]
        ).unlink()
        self.env["msp.prepaid.block"].sudo().search(
            [("move_line_id", "in", invoice_lines.ids)]
        ).unlink()
        lines = self.contract_id.contract_line_ids.filtered(
            lambda line: (
                line.last_date_invoiced and line.last_date_invoiced >= self.period_start
            )
        )
        for contract_line in lines:
            before = self.period_start - relativedelta(days=1)
            contract_line.last_date_invoiced = (
                before if before >= contract_line.date_start else False
            )
        self.contract_id._compute_recurring_next_date()

    def action_show_sources(self):
        self.ensure_one()
        return self.move_id.invoice_line_ids[:1].action_msp_show_sources(
            all_lines=self.move_id.invoice_line_ids
        )

    def action_view_error(self):
        """The failure with its traceback (billing users)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Billing failure"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "msp_mrr_billing.msp_billing_run_line_view_form_error"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
