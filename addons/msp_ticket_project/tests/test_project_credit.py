# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Credit notes of posted project invoices: a full reversal (posted) makes
the billed time, milestone or fixed fee billable again, once, with a note on
the project; a partial one releases nothing and says so."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_project_billing import ProjectCase


@tagged("post_install", "-at_install")
class TestProjectCreditNotes(ProjectCase):
    def reverse(self, move):
        """A draft credit note of ``move`` from Odoo's reversal wizard."""
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "move_ids": [Command.set(move.ids)],
                    "journal_id": move.journal_id.id,
                    "reason": "Client credited",
                }
            )
        )
        wizard.refund_moves()
        note = wizard.new_move_ids
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.reversed_entry_id, move)
        return note

    def notes(self, project=None):
        project = project or self.client_project
        project.invalidate_recordset(["message_ids"])
        return project.message_ids.filtered(lambda m: "Credit note" in (m.body or ""))

    def test_full_credit_note_releases_tm_time_once(self):
        project = self.client_project
        d1 = self.task_entry(self.t_discovery, 2.0)
        b1 = self.task_entry(self.t_build, 3.0)
        move = self.invoice_move()
        move.action_post()
        self.assertEqual(d1.msp_invoice_line_id.move_id, move)
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()
        note = self.reverse(move)
        self.assertEqual(
            d1.msp_invoice_line_id.move_id, move, "a draft credit note releases nothing"
        )
        self.assertFalse(note.msp_project_credit_state)
        self.assertEqual(note.invoice_line_ids.msp_project_id, project)
        note.action_post()
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(note.msp_project_credit_state, "released")
        self.assertFalse(d1.msp_invoice_line_id)
        self.assertFalse(b1.msp_invoice_line_id)
        self.assertTrue(all(move.invoice_line_ids.mapped("msp_project_released")))
        message = self.notes()
        self.assertEqual(len(message), 1)
        self.assertIn(note.name, message.body)
        self.assertIn(move.name, message.body)
        self.assertIn("Discovery: 2.00 h", message.body)
        self.assertIn("Build: 3.00 h", message.body)
        # Invoice Project bills the hours again
        again = self.invoice_move()
        self.assertAlmostEqual(sum(again.invoice_line_ids.mapped("quantity")), 5.0)
        self.assertEqual(d1.msp_invoice_line_id.move_id, again)
        self.assertEqual(b1.msp_invoice_line_id.move_id, again)
        # idempotent: the hook again, or a second credit note of the same
        # invoice, releases nothing more
        note._msp_project_credit_posted()
        second = self.reverse(move)
        second.action_post()
        self.assertEqual(second.msp_project_credit_state, "none")
        self.assertEqual(d1.msp_invoice_line_id.move_id, again)
        self.assertEqual(len(self.notes()), 1)
        # money does not silently change back: neither the reversed invoice
        # nor the credit note that released its time returns to draft
        with self.assertRaisesRegex(UserError, "cannot be reset to draft"):
            note.button_draft()
        with self.assertRaisesRegex(UserError, "cannot be reset to draft"):
            move.button_cancel()
        self.assertEqual(move.state, "posted")
        # nor are the markers writable by an accountant
        accountant = new_test_user(
            self.env,
            login="msp_credit_accountant",
            groups="base.group_user,account.group_account_manager",
        )
        with self.assertRaisesRegex(AccessError, "set by the system"):
            move.invoice_line_ids[:1].with_user(accountant).write(
                {"msp_project_released": False}
            )
        with self.assertRaisesRegex(AccessError, "set by the system"):
            note.with_user(accountant).write({"msp_project_credit_state": False})

    def test_partial_credit_note_releases_nothing(self):
        d1 = self.task_entry(self.t_discovery, 2.0)
        b1 = self.task_entry(self.t_build, 4.0)
        move = self.invoice_move()
        move.action_post()
        note = self.reverse(move)
        build_line = note.invoice_line_ids.filtered(lambda line: line.quantity == 4.0)
        note.write(
            {
                "invoice_line_ids": [
                    Command.update(build_line.id, {"quantity": 1.0}),
                    *[
                        Command.delete(line.id)
                        for line in note.invoice_line_ids - build_line
                    ],
                ]
            }
        )
        note.action_post()
        self.assertEqual(move.payment_state, "partial")
        self.assertEqual(note.msp_project_credit_state, "partial")
        self.assertEqual(d1.msp_invoice_line_id.move_id, move)
        self.assertEqual(b1.msp_invoice_line_id.move_id, move)
        self.assertFalse(any(move.invoice_line_ids.mapped("msp_project_released")))
        message = self.notes()
        self.assertEqual(len(message), 1)
        self.assertIn("credits part of", message.body)
        self.assertIn("no time, milestone or fixed fee was released", message.body)
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()
        note._msp_project_credit_posted()
        self.assertEqual(len(self.notes()), 1, "said once")
        # the rest credited too: the invoice is fully reversed, released
        rest = self.reverse(move)
        rest.write(
            {
                "invoice_line_ids": [
                    Command.update(
                        rest.invoice_line_ids.filtered(
                            lambda line: line.quantity == 4.0
                        ).id,
                        {"quantity": 3.0},
                    )
                ]
            }
        )
        rest.action_post()
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(rest.msp_project_credit_state, "released")
        self.assertFalse(d1.msp_invoice_line_id)
        self.assertFalse(b1.msp_invoice_line_id)

    def test_full_reversal_makes_milestone_billable_again(self):
        project = self.client_project
        project.msp_billing_type = "milestone"
        d1 = self.task_entry(self.t_discovery, 2.0)
        self.discovery.is_reached = True
        move = self.invoice_move()
        move.action_post()
        self.assertEqual(d1.msp_invoice_line_id.move_id, move)
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()
        note = self.reverse(move)
        note.action_post()
        self.assertEqual(note.msp_project_credit_state, "released")
        self.assertFalse(d1.msp_invoice_line_id)
        self.assertIn("milestone Discovery billable again", self.notes().body)
        again = self.invoice_move()
        line = again.invoice_line_ids
        self.assertEqual(line.msp_milestone_id, self.discovery)
        self.assertEqual(line.price_unit, 1000.0)
        self.assertEqual(d1.msp_invoice_line_id, line)
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()

    def test_full_reversal_makes_fixed_fee_billable_again(self):
        project = self.client_project
        project.write({"msp_billing_type": "fixed", "msp_fixed_price": 5000.0})
        entry = self.task_entry(self.t_build, 3.0)
        move = self.invoice_move()
        move.action_post()
        # Odoo's reversal posting and reconciling at once (full refund)
        note = move._reverse_moves(cancel=True)
        self.assertEqual(note.state, "posted")
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(note.msp_project_credit_state, "released")
        self.assertFalse(entry.msp_invoice_line_id)
        self.assertIn("fixed fee billable again", self.notes().body)
        again = self.invoice_move()
        self.assertEqual(again.invoice_line_ids.price_unit, 5000.0)
        self.assertEqual(again.invoice_line_ids.msp_project_bill_kind, "fixed")
        self.assertEqual(entry.msp_invoice_line_id.move_id, again)
        # the credit note is netted in the project's revenue
        self.assertEqual(note.invoice_line_ids.msp_project_id, project)

    def test_unposted_invoice_credit_notes_are_ignored(self):
        """A credit note not linked to a project invoice changes nothing."""
        entry = self.task_entry(self.t_build, 2.0)
        move = self.invoice_move()
        move.action_post()
        free = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goodwill", "price_unit": 200.0})
                ],
            }
        )
        free.action_post()
        self.assertFalse(free.msp_project_credit_state)
        self.assertEqual(entry.msp_invoice_line_id.move_id, move)
        self.assertFalse(self.notes())
