# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Change orders: sending, the client's decision recorded by staff, the
budgets and the billable line an approval adds (once), the guards on
decided change orders, the flag on time logged before approval, and who
reads the price."""

import psycopg2.errors
from odoo import Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_base.tests.common import commit_in_new_cursor

from .common_change_order import make_change_order, make_change_order_world


@tagged("post_install", "-at_install")
class TestChangeOrder(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_change_order_world(cls, "COT")
        cls.activity_type = cls.env.ref("msp_ticket_project.activity_change_order_time")

    def new(self, **values):
        values.setdefault("milestone_id", self.build.id)
        return make_change_order(self.env, self.project, self.pm, **values)

    def sent(self, **values):
        order = self.new(**values)
        order.action_send()
        self.assertEqual(order.state, "sent")
        return order

    def decide(self, order, decision="approve", contact=None, user=None):
        wizard = (
            self.env["msp.change.order.decision"]
            .with_user(user or self.pm)
            .create(
                {
                    "change_order_id": order.id,
                    "decision": decision,
                    "contact_id": (contact or self.contact).id,
                }
            )
        )
        wizard.action_confirm()
        return order

    def co_lines(self, order=None):
        domain = [("msp_project_id", "=", self.project.id)]
        if order:
            domain.append(("msp_change_order_id", "=", order.id))
        return self.env["account.move.line"].search(domain)

    # ------------------------------------------------------------ basics

    def test_numbering_and_price_default(self):
        order = self.new()
        self.assertRegex(order.name, r"^CO/\d{4}/\d{4}$")
        self.assertEqual(order.state, "draft")
        # hours at the project's rate, still editable in draft
        self.assertEqual(order.price_delta, 1500.0)
        order.price_delta = 1200.0
        self.assertEqual(order.price_delta, 1200.0)
        self.assertEqual(order.partner_id, self.client)
        self.assertEqual(order.company_id, self.project.company_id or self.env.company)
        # the project's contact (a portal user of the client) is the approver
        self.assertEqual(order.contact_ids, self.contact)

    def test_phase_of_another_project_refused(self):
        other = self.env["project.project"].create(
            {"name": "Other", "allow_milestones": True}
        )
        phase = self.env["project.milestone"].create(
            {"name": "Elsewhere", "project_id": other.id}
        )
        with self.assertRaises(ValidationError):
            self.new(milestone_id=phase.id)

    def test_send_mails_the_approvers_with_the_link(self):
        order = self.new()
        order.action_send()
        self.assertTrue(order.access_token)
        self.assertIn(self.contact, order.message_partner_ids)
        message = order.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.contact in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn(f"/my/change_orders/{order.id}", message.body)
        self.assertIn(order.access_token, message.body)
        # sent twice: refused
        with self.assertRaises(UserError):
            order.action_send()

    def test_send_gives_portal_access_and_needs_an_email(self):
        newcomer = self.env["res.partner"].create(
            {"name": "COT CFO", "parent_id": self.client.id,
             "email": "cfo@cot-client.example.com"}
        )  # fmt: skip
        order = self.new(contact_ids=[Command.set(newcomer.ids)])
        order.action_send()
        self.assertTrue(newcomer.user_ids)
        self.assertTrue(newcomer.user_ids._is_portal())
        no_mail = self.env["res.partner"].create(
            {"name": "COT Intern", "parent_id": self.client.id}
        )
        order = self.new(contact_ids=[Command.set(no_mail.ids)])
        with self.assertRaisesRegex(UserError, "no e-mail"):
            order.action_send()
        self.assertEqual(order.state, "draft")

    def test_approver_of_another_client_refused(self):
        stranger = self.env["res.partner"].create({"name": "Not the client"})
        with self.assertRaises(ValidationError):
            self.new(contact_ids=[Command.set(stranger.ids)])

    # ------------------------------------------------------------ approval

    def test_approve_updates_the_phase_budget(self):
        order = self.sent()
        self.decide(order)
        self.assertEqual(order.state, "approved")
        self.assertEqual(order.approved_by_id, self.contact)
        self.assertTrue(order.decision_date)
        self.assertEqual(order.decision_channel, "staff")
        self.assertEqual(self.build.msp_budget_hours, 50.0)
        self.assertEqual(order.budget_milestone_id, self.build)
        self.assertEqual(self.hypercare.msp_budget_hours, 8.0)

    def test_without_phase_the_last_phase_before_hypercare_grows(self):
        order = self.sent(milestone_id=False, hours_delta=6.0)
        self.decide(order)
        self.assertEqual(self.test_phase.msp_budget_hours, 16.0)
        self.assertEqual(self.build.msp_budget_hours, 40.0)
        self.assertEqual(self.hypercare.msp_budget_hours, 8.0)
        self.assertEqual(order.budget_milestone_id, self.test_phase)

    def test_project_without_phases_grows_its_allocated_hours(self):
        project = self.env["project.project"].create(
            {"name": "COT small job", "partner_id": self.client.id,
             "user_id": self.pm.id, "allocated_hours": 20.0,
             "msp_billing_type": "tm"}
        )  # fmt: skip
        order = make_change_order(self.env, project, self.pm, hours_delta=4.0)
        order.action_send()
        self.decide(order)
        self.assertEqual(project.allocated_hours, 24.0)
        self.assertFalse(order.budget_milestone_id)

    def test_fixed_price_adds_exactly_one_invoice_line(self):
        order = self.sent()
        self.decide(order)
        line = self.co_lines()
        self.assertEqual(len(line), 1)
        self.assertEqual(order.invoice_line_id, line)
        self.assertEqual(line.msp_project_id, self.project)
        self.assertEqual(line.msp_change_order_id, order)
        self.assertEqual(line.price_unit, 1500.0)
        self.assertEqual(line.quantity, 1)
        self.assertIn(order.name, line.name)
        move = line.move_id
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.client)
        self.assertEqual(move.amount_untaxed, 1500.0)
        # a second change order lands on the same draft project invoice
        second = self.sent(hours_delta=2.0)
        self.decide(second)
        self.assertEqual(second.sudo().invoice_line_id.move_id, move)
        self.assertEqual(len(self.co_lines()), 2)
        self.assertEqual(move.amount_untaxed, 1800.0)

    def test_time_and_materials_adds_no_line(self):
        self.project.msp_billing_type = "tm"
        order = self.sent()
        self.decide(order)
        self.assertEqual(order.state, "approved")
        self.assertEqual(self.build.msp_budget_hours, 50.0)
        self.assertFalse(self.co_lines())
        self.assertFalse(order.invoice_line_id)

    def test_reject_changes_nothing_and_is_final(self):
        order = self.sent()
        self.decide(order, "reject")
        self.assertEqual(order.state, "rejected")
        self.assertEqual(order.approved_by_id, self.contact)
        self.assertEqual(self.build.msp_budget_hours, 40.0)
        self.assertEqual(self.test_phase.msp_budget_hours, 10.0)
        self.assertFalse(self.co_lines())
        with self.assertRaisesRegex(UserError, "final"):
            self.decide(order, "approve")
        self.assertEqual(order.state, "rejected")

    def test_double_approval_is_idempotent(self):
        order = self.sent()
        self.assertTrue(order._msp_decide("approve", self.contact))
        # a double click, a retried request, the wizard again
        self.assertFalse(order._msp_decide("approve", self.contact))
        self.decide(order)
        self.assertEqual(len(self.co_lines(order)), 1)
        self.assertEqual(self.build.msp_budget_hours, 50.0)
        with self.assertRaises(UserError):
            self.decide(order, "reject")

    def test_only_sent_orders_are_decided_by_the_client(self):
        order = self.new()
        with self.assertRaisesRegex(UserError, "only a change order sent"):
            order._msp_decide("approve", self.contact)
        order.action_send()
        stranger = self.env["res.partner"].create({"name": "Other Co Person"})
        with self.assertRaisesRegex(UserError, "must come from a contact"):
            order._msp_decide("approve", stranger)
        self.assertEqual(order.state, "sent")

    # ------------------------------------------------------------ guards

    def test_guards_on_sent_and_decided_orders(self):
        order = self.sent()
        # the client is reading it: the scope is frozen
        with self.assertRaisesRegex(UserError, "can no longer change"):
            order.hours_delta = 20.0
        with self.assertRaises(UserError):
            order.with_user(self.pm).price_delta = 1.0
        # back to draft to change it: the old link dies
        token = order.access_token
        order.with_user(self.pm).action_back_to_draft()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.access_token)
        order.hours_delta = 12.0
        order.action_send()
        self.assertNotEqual(order.access_token, token)
        self.decide(order)
        for field, value in (("hours_delta", 1.0), ("price_delta", 1.0),
                             ("milestone_id", self.test_phase.id),
                             ("description", "<p>x</p>")):  # fmt: skip
            with self.assertRaises(UserError, msg=field):
                order.with_user(self.pm).write({field: value})
        with self.assertRaises(UserError):
            order.with_user(self.pm).action_back_to_draft()
        with self.assertRaises(UserError):
            order.with_user(self.pm).unlink()
        # the decision's fields belong to the system
        for field, value in (("state", "rejected"),
                             ("approved_by_id", self.pm.partner_id.id),
                             ("decision_date", "2026-01-01 00:00:00")):  # fmt: skip
            with self.assertRaises(AccessError, msg=field):
                order.with_user(self.pm).write({field: value})
        self.assertEqual(order.state, "approved")
        self.assertEqual(order.hours_delta, 12.0)
        # nor can one create a change order already approved
        with self.assertRaises(AccessError):
            self.new(state="approved")
        draft = self.new()
        draft.with_user(self.pm).unlink()
        self.assertFalse(draft.exists())

    # ------------------------------------------------------------ roles

    def test_technician_reads_no_price_and_decides_nothing(self):
        order = self.sent()
        as_tech = order.with_user(self.tech)
        as_tech.check_access("read")
        self.assertEqual(as_tech.read(["name", "hours_delta"])[0]["hours_delta"], 10.0)
        with self.assertRaises(AccessError):
            as_tech.read(["price_delta"])
        self.assertNotIn(
            "price_delta",
            self.env["msp.change.order"].with_user(self.tech).fields_get(),
        )
        with self.assertRaises(AccessError):
            as_tech.write({"title": "mine"})
        with self.assertRaises(AccessError):
            self.decide(order, user=self.tech)
        self.assertEqual(order.state, "sent")
        # billing reads the price
        self.assertEqual(
            order.with_user(self.billing).read(["price_delta"])[0]["price_delta"],
            1500.0,
        )

    # ------------------------------------------------------------ time flag

    def test_time_on_unapproved_change_order_flags_one_activity(self):
        order = self.sent()
        task = self.env["project.task"].create(
            {"name": "Shared mailboxes", "project_id": self.project.id,
             "msp_change_order_id": order.id}
        )  # fmt: skip
        self.assertTrue(task.msp_change_order_pending)
        Line = self.env["account.analytic.line"].with_user(self.tech)
        lines = Line.browse()
        for hours in (1.0, 2.0, 0.5):
            lines |= Line.create(
                {"name": "Mailbox copy", "task_id": task.id,
                 "project_id": self.project.id, "unit_amount": hours}
            )  # fmt: skip
        self.assertTrue(all(lines.mapped("msp_change_order_unapproved")))
        activities = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.pm)
        self.assertEqual(
            self.env["project.task"].search(
                [("msp_change_order_pending", "=", True),
                 ("project_id", "=", self.project.id)]
            ),
            task,
        )  # fmt: skip
        # approved: the flag clears and the activity is done
        self.decide(order)
        self.assertFalse(any(lines.mapped("msp_change_order_unapproved")))
        self.assertFalse(task.msp_change_order_pending)
        self.assertFalse(
            order.activity_ids.filtered(
                lambda a: a.activity_type_id == self.activity_type
            )
        )
        # time after approval: no new activity
        Line.create(
            {"name": "More", "task_id": task.id, "project_id": self.project.id,
             "unit_amount": 1.0}
        )  # fmt: skip
        self.assertFalse(order.activity_ids)

    def test_task_tied_after_time_was_logged_flags_too(self):
        order = self.new()
        task = self.env["project.task"].create(
            {"name": "Extra site", "project_id": self.project.id}
        )
        self.env["account.analytic.line"].with_user(self.tech).create(
            {"name": "Survey", "task_id": task.id, "project_id": self.project.id,
             "unit_amount": 3.0}
        )  # fmt: skip
        self.assertFalse(order.activity_ids)
        task.msp_change_order_id = order
        self.assertEqual(len(order.activity_ids), 1)
        self.assertTrue(task.timesheet_ids.msp_change_order_unapproved)
        # a task of another project cannot point at it
        other = self.env["project.project"].create({"name": "Elsewhere"})
        with self.assertRaises(ValidationError):
            self.env["project.task"].create(
                {"name": "x", "project_id": other.id, "msp_change_order_id": order.id}
            )


@tagged("post_install", "-at_install")
class TestChangeOrderConcurrency(TransactionCase):
    """Two approvals of the same change order at once, each in its own real
    transaction: the second waits for the first, then cannot approve again;
    retried (as Odoo retries a request), it finds the order approved and
    adds nothing."""

    def test_two_approvals_at_once_add_one_line(self):
        def setup(env):
            client = env["res.partner"].create(
                {"name": "COC Race Client", "is_company": True}
            )
            contact = env["res.partner"].create(
                {"name": "COC Race Contact", "parent_id": client.id,
                 "email": "race@coc.example.com"}
            )  # fmt: skip
            project = env["project.project"].create(
                {"name": "COC Race Project", "partner_id": client.id,
                 "allow_milestones": True, "msp_billing_type": "fixed",
                 "msp_hourly_rate": 100.0}
            )  # fmt: skip
            phase = env["project.milestone"].create(
                {"name": "Build", "project_id": project.id, "msp_budget_hours": 10}
            )
            order = env["msp.change.order"].create(
                {"title": "Race", "project_id": project.id,
                 "milestone_id": phase.id, "hours_delta": 5.0,
                 "contact_ids": [Command.set(contact.ids)]}
            )  # fmt: skip
            order.state = "sent"  # as superuser: the system
            return client.id, contact.id, project.id, phase.id, order.id

        client_id, contact_id, project_id, phase_id, order_id = commit_in_new_cursor(
            self.registry, setup
        )
        registry = self.registry

        def approve(env):
            order = env["msp.change.order"].browse(order_id)
            return order._msp_decide("approve", env["res.partner"].browse(contact_id))

        try:
            with registry.cursor() as cr_a, registry.cursor() as cr_b:
                env_a = api.Environment(cr_a, api.SUPERUSER_ID, {})
                env_b = api.Environment(cr_b, api.SUPERUSER_ID, {})
                # B's transaction starts (its snapshot) before A commits
                cr_b.execute("SELECT state FROM msp_change_order WHERE id = %s",
                             [order_id])  # fmt: skip
                self.assertEqual(cr_b.fetchone()[0], "sent")
                self.assertTrue(approve(env_a))
                # A holds the row: B waits (here 1 s, then gives up)
                cr_b.execute("SAVEPOINT wait")
                cr_b.execute("SET LOCAL lock_timeout = '1s'")
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.errors.LockNotAvailable),
                ):
                    approve(env_b)
                cr_b.execute("ROLLBACK TO SAVEPOINT wait")
                cr_a.commit()  # pylint: disable=invalid-commit
                # A committed: B's approval cannot overwrite it
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.errors.SerializationFailure),
                ):
                    approve(env_b)
                cr_b.rollback()
            # B retried in a new transaction: already approved, nothing added
            self.assertFalse(commit_in_new_cursor(registry, approve))

            def state(env):
                order = env["msp.change.order"].browse(order_id)
                lines = env["account.move.line"].search(
                    [("msp_change_order_id", "=", order_id)]
                )
                return (
                    order.state,
                    len(lines),
                    env["project.milestone"].browse(phase_id).msp_budget_hours,
                )

            self.assertEqual(commit_in_new_cursor(registry, state), ("approved", 1, 15))
        finally:

            def cleanup(env):
                moves = (
                    env["account.move.line"]
                    .search([("msp_project_id", "=", project_id)])
                    .move_id
                )
                moves.unlink()
                env["mail.message"].search(
                    [("model", "=", "msp.change.order"), ("res_id", "=", order_id)]
                ).unlink()
                env.cr.execute("DELETE FROM msp_change_order WHERE id = %s", [order_id])
                project = env["project.project"].browse(project_id)
                account = project.account_id
                project.milestone_ids.unlink()
                project.unlink()
                account.unlink()
                env["res.partner"].browse([contact_id, client_id]).unlink()

            commit_in_new_cursor(self.registry, cleanup)
