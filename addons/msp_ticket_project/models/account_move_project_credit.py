# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Credit notes of project invoices.

As sale_timesheet does for timesheets on a reversed invoice: once a posted
credit note (``reversed_entry_id``) fully reverses a posted project invoice
(its payment state is *Reversed*, or its posted credit notes add up to its
total), what that invoice billed is billable again:

- time & materials: the stamps of the hours it billed are deleted (the
  hours are unbilled, in the WIP report, billed by the next Invoice
  Project);
- milestone / fixed fee: the invoice line is marked released, so the phase
  or the fixed fee is due again (and the hours it covered are unbilled).

This happens only when the credit note is posted, once per invoice (the
line's ``msp_project_released`` marker, under a row lock of the invoice):
posting again or a retried request releases nothing more. A partial credit
note releases nothing; the project's chatter says so, for the accountant to
decide. Neither the reversed invoice nor a credit note that released time can
be reset to draft afterwards (the time may be billed again meanwhile).
"""

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, html_escape

from odoo.addons.msp_base.models.msp_system_fields import system_write

CREDIT_STATES = [
    ("released", "Project billing released"),
    ("partial", "Partial: nothing released"),
    ("none", "Nothing left to release"),
]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "msp.system.fields.mixin"]

    msp_project_credit_state = fields.Selection(
        CREDIT_STATES,
        string="Project Credit",
        copy=False,
        readonly=True,
        help="What this credit note did to the project invoice it reverses: "
        "released its time, milestone or fixed fee (full reversal), or "
        "nothing (partial credit note: the accountant decides).",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {"msp_project_credit_state"}

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._msp_project_credit_posted()
        return posted

    def _msp_check_reversal_draft(self):
        """A fully reversed project invoice, or the credit note that
        released its time, stays posted."""
        locked = self.filtered(
            lambda move: (
                move.state == "posted"
                and (
                    move.msp_project_credit_state == "released"
                    or move.invoice_line_ids.filtered("msp_project_released")
                )
            )
        )
        if locked:
            raise UserError(
                self.env._(
                    "%(moves)s: this credit note fully reversed a project "
                    "invoice and made its time or milestones billable again; "
                    "it cannot be reset to draft. Issue a new invoice instead.",
                    moves=", ".join(locked.mapped("display_name")),
                )
            )

    def _msp_project_credit_posted(self):
        notes = self.filtered(
            lambda move: (
                move.move_type == "out_refund"
                and move.state == "posted"
                and not move.msp_project_credit_state
                and move.reversed_entry_id.state == "posted"
                and move.reversed_entry_id.invoice_line_ids.filtered(
                    "msp_project_bill_kind"
                )
            )
        )
        for note in notes:
            note._msp_project_credit_one()

    @api.model
    def _msp_is_fully_reversed(self, invoice):
        if invoice.payment_state == "reversed":
            return True
        credited = sum(
            invoice.reversal_move_ids.filtered(
                lambda move: move.state == "posted" and move.move_type == "out_refund"
            ).mapped("amount_total")
        )
        return invoice.currency_id.compare_amounts(credited, invoice.amount_total) >= 0

    def _msp_project_credit_one(self):
        self.ensure_one()
        invoice = self.reversed_entry_id.sudo()
        # one release per invoice, whatever the concurrent requests
        self.env.cr.execute(
            SQL(
                "SELECT id FROM account_move WHERE id = %s FOR NO KEY UPDATE",
                invoice.id,
            )
        )
        invoice.invalidate_recordset(["payment_state"])
        invoice.invoice_line_ids.invalidate_recordset(["msp_project_released"])
        lines = invoice.invoice_line_ids.filtered(
            lambda line: line.msp_project_bill_kind and not line.msp_project_released
        )
        if not lines:
            state = "none"
        elif self._msp_is_fully_reversed(invoice):
            state = "released"
            self._msp_release_reversed_lines(lines)
        else:
            state = "partial"
            self._msp_note_partial(invoice, lines)
        with system_write():
            self.sudo().msp_project_credit_state = state

    def _msp_release_reversed_lines(self, lines):
        hours = lines._msp_released_hours()
        lines._msp_release_stamps()
        with system_write():
            lines.sudo().msp_project_released = True
        for project, project_lines in lines.grouped("msp_project_id").items():
            items = []
            for line in project_lines.sorted("sequence"):
                entries, total = hours.get(line.id, (0, 0.0))
                phase = line.msp_milestone_id.name or self.env._("No phase")
                if line.msp_project_bill_kind == "tm":
                    what = self.env._(
                        "%(phase)s: %(hours).2f h (%(count)s time entr(y/ies)) "
                        "billable again",
                        phase=phase,
                        hours=total,
                        count=entries,
                    )
                elif line.msp_project_bill_kind == "milestone":
                    what = self.env._(
                        "milestone %(phase)s billable again "
                        "(%(hours).2f h it covered unbilled)",
                        phase=phase,
                        hours=total,
                    )
                else:
                    what = self.env._(
                        "the fixed fee billable again (%(hours).2f h it "
                        "covered unbilled)",
                        hours=total,
                    )
                items.append(Markup("<li>%s</li>") % what)
            project.sudo().message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "Credit note %(note)s fully reverses invoice %(invoice)s:",
                        note=self.name,
                        invoice=self.reversed_entry_id.name,
                    ),
                    Markup().join(items),
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    def _msp_note_partial(self, invoice, lines):
        for project in lines.msp_project_id:
            project.sudo().message_post(
                body=Markup("<p>%s</p>")
                % html_escape(
                    self.env._(
                        "Credit note %(note)s (%(amount)s) credits part of "
                        "invoice %(invoice)s (%(total)s): no time, milestone "
                        "or fixed fee was released. If the client must be "
                        "billed again for this work, the accountant decides "
                        "(a credit note of the whole invoice releases it).",
                        note=self.name,
                        amount=format_amount(
                            self.env, self.amount_total, self.currency_id
                        ),
                        invoice=invoice.name,
                        total=format_amount(
                            self.env, invoice.amount_total, invoice.currency_id
                        ),
                    )
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"  # pylint: disable=consider-merging-classes-inherited

    def _copy_data_extend_business_fields(self, values):
        # a credit note's lines keep the project they credit (project
        # revenue nets it)
        result = super()._copy_data_extend_business_fields(values)
        if self.msp_project_id:
            values["msp_project_id"] = self.msp_project_id.id
        return result

    def _msp_released_hours(self):
        """{line id: (entries, billed hours)} of the time stamped with the
        lines of ``self``, one query."""
        if not self:
            return {}
        self.env["account.analytic.line"].flush_model(["msp_billed_hours"])
        self.env.cr.execute(
            SQL(
                """
                SELECT b.invoice_line_id, count(*),
                       sum(coalesce(l.msp_billed_hours, 0))
                  FROM msp_billed_time b
                  JOIN account_analytic_line l ON l.id = b.entry_id
                 WHERE b.invoice_line_id = ANY(%s)
              GROUP BY b.invoice_line_id
                """,
                self.ids,
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}
