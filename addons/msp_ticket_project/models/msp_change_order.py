# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Change orders: a priced change of a project's scope that the client
approves or rejects (from the portal, or staff record their answer).

Approval is final and happens once: the decision locks the change order's
row, so a double click or a retried request finds it already approved and
adds nothing. Once approved, the hours go to the phase's budget and, on
fixed-fee and milestone projects, the price becomes one billable line (a
draft customer invoice line tagged with the project, or a line on the
project's sales order when sale_project links one)."""

from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.msp_base.models.msp_system_fields import system_write

STATES = [
    ("draft", "Draft"),
    ("sent", "Sent to Client"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]

PRICE_GROUPS = (
    "msp_ticket_project.group_msp_project_manager,msp_base.group_msp_billing,"
    "base.group_portal"
)

# What the client decides on: frozen once the change order leaves draft
# (send it back to draft to change it, which voids the link sent).
SCOPE_FIELDS = frozenset(
    {
        "project_id",
        "milestone_id",
        "description",
        "hours_delta",
        "price_delta",
        "requested_by_id",
    }
)

# Projects whose change orders bill their price as a line of its own (time
# and materials projects bill the hours themselves).
PRICED_BILLING_TYPES = ("fixed", "milestone")


class MspChangeOrder(models.Model):
    _name = "msp.change.order"
    _description = "Change Order"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "msp.system.fields.mixin",
    ]
    _order = "id desc"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    title = fields.Char(
        required=True,
        tracking=True,
        help="What changes, in a line (the client reads it).",
    )
    project_id = fields.Many2one(
        "project.project",
        required=True,
        index=True,
        tracking=True,
        ondelete="cascade",
        domain="[('is_template', '=', False)]",
    )
    milestone_id = fields.Many2one(
        "project.milestone",
        string="Phase",
        tracking=True,
        index="btree_not_null",
        domain="[('project_id', '=', project_id)]",
        help="The phase whose budget the change adds to. Empty: the last "
        "phase before Hypercare (or, on a project without phases, the "
        "project's allocated hours).",
    )
    description = fields.Html(help="The change as the client reads it.")
    hours_delta = fields.Float(
        string="Hours",
        tracking=True,
        help="Hours added to the budget (negative to remove scope).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    price_delta = fields.Monetary(
        string="Price",
        currency_field="currency_id",
        compute="_compute_price_delta",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        groups=PRICE_GROUPS,
        help="What the change costs the client; defaults to the hours at "
        "the project's hourly rate. Billed as a line of its own on fixed-fee "
        "and milestone projects once approved.",
    )
    requested_by_id = fields.Many2one(
        "res.partner",
        tracking=True,
        help="Who asked for the change (the client's contact or one of us).",
    )
    contact_ids = fields.Many2many(
        "res.partner",
        "msp_change_order_contact_rel",
        "change_order_id",
        "partner_id",
        string="Client Approvers",
        help="The client's contacts the change order is sent to; they get "
        "portal access to approve or reject it.",
    )
    approved_by_id = fields.Many2one(
        "res.partner",
        string="Decided By",
        readonly=True,
        copy=False,
        tracking=True,
        help="The client contact who approved (or rejected) the change order.",
    )
    decision_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    decision_channel = fields.Selection(
        [("portal", "Portal"), ("staff", "Recorded by staff")],
        readonly=True,
        copy=False,
    )
    state = fields.Selection(
        STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        related="project_id.partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        required=True,
        index=True,
        precompute=True,
    )
    billing_type = fields.Selection(related="project_id.msp_billing_type")
    budget_milestone_id = fields.Many2one(
        "project.milestone",
        string="Budget Added To",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The phase whose budget the approval increased.",
    )
    invoice_line_id = fields.Many2one(
        "account.move.line",
        string="Billable Line",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="msp_ticket_project.group_msp_project_manager,"
        "msp_base.group_msp_billing",
        help="The draft invoice line the approval added (fixed-fee and "
        "milestone projects).",
    )
    billable_line_ref = fields.Char(
        string="Billable Line (other)",
        readonly=True,
        copy=False,
        groups="msp_ticket_project.group_msp_project_manager,"
        "msp_base.group_msp_billing",
        help="model,id of the sales order line the approval added when the "
        "project bills through a sales order (sale_project).",
    )
    task_ids = fields.One2many("project.task", "msp_change_order_id", string="Tasks")
    task_count = fields.Integer(compute="_compute_task_count")

    # ------------------------------------------------------------ computes

    @api.depends("project_id.company_id")
    # the client discusses a change order on the portal: for portal users
    # (share), reading it (their company's, once sent; or its e-mailed
    # token) is enough to post on it. Staff keep Odoo's rule (write access),
    # so read-only staff (technicians, billing) neither post to the client
    # nor schedule activities on it.
    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        if mode == "write" and self.env.user.share:
            mode = "read"
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        if operation == "create" and self.env.user.share:
            return "read"
        return super()._get_mail_message_access(res_ids, operation, model_name)

    def _compute_company_id(self):
        for order in self:
            order.company_id = order.project_id.company_id or self.env.company

    @api.depends("hours_delta", "project_id")
    def _compute_price_delta(self):
        """Hours at the project's rate, while in draft (both are frozen
        after; a later rate change does not reprice sent change orders)."""
        for order in self:
            order.price_delta = order.hours_delta * (
                order.project_id.msp_hourly_rate or 0.0
            )

    def _compute_task_count(self):
        counts = dict(
            self.env["project.task"]._read_group(
                [("msp_change_order_id", "in", self.ids)],
                ["msp_change_order_id"],
                ["__count"],
            )
        )
        for order in self:
            order.task_count = counts.get(order, 0)

    def _compute_access_url(self):
        for order in self:
            order.access_url = f"/my/change_orders/{order.id}"

    # ------------------------------------------------------------ constraints

    @api.constrains("milestone_id", "project_id")
    def _check_milestone_project(self):
        for order in self:
            if order.milestone_id and order.milestone_id.project_id != order.project_id:
                raise ValidationError(
                    self.env._(
                        "Phase %(phase)s is not a phase of project %(project)s.",
                        phase=order.milestone_id.name,
                        project=order.project_id.name,
                    )
                )

    @api.constrains("contact_ids", "project_id")
    def _check_contacts(self):
        for order in self:
            strangers = order.contact_ids.filtered(
                lambda p, o=order: p.commercial_partner_id != o.partner_id
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "%(contacts)s do not belong to the project's client "
                        "%(client)s.",
                        contacts=", ".join(strangers.mapped("display_name")),
                        client=order.partner_id.display_name
                        or self.env._("(no client)"),
                    )
                )

    # ------------------------------------------------------------ CRUD

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {
            "state",
            "approved_by_id",
            "decision_date",
            "decision_channel",
            "budget_milestone_id",
            "invoice_line_id",
            "billable_line_ref",
        }

    @api.model_create_multi
    def create(self, vals_list):
        Sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = Sequence.next_by_code("msp.change.order") or "/"
        orders = super().create(vals_list)
        orders._msp_default_contacts()
        return orders

    def write(self, vals):
        scope = SCOPE_FIELDS & set(vals)
        if scope and not self._msp_is_system_write():
            frozen = self.filtered(lambda o: o.state != "draft")
            if frozen:
                raise UserError(
                    self.env._(
                        "Change order %(name)s is %(state)s: its scope and "
                        "price can no longer change (%(fields)s). Send it back "
                        "to draft first if the client has not decided yet.",
                        name=frozen[0].name,
                        state=dict(STATES)[frozen[0].state],
                        fields=", ".join(
                            self._fields[name].string for name in sorted(scope)
                        ),
                    )
                )
        if "contact_ids" in vals and not self._msp_is_system_write():
            decided = self.filtered(lambda o: o.state in ("approved", "rejected"))
            if decided:
                raise UserError(
                    self.env._(
                        "Change order %(name)s is decided: its approvers can "
                        "no longer change.",
                        name=decided[0].name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        for order in self:
            if order.state != "draft":
                raise UserError(
                    self.env._(
                        "Change order %(name)s was sent to the client: it "
                        "stays on record.",
                        name=order.name,
                    )
                )

    def _msp_default_contacts(self):
        """The project's contact when none is chosen: the person on the
        project, else the client's people with a portal login."""
        for order in self.filtered(lambda o: not o.contact_ids and o.partner_id):
            contact = order.project_id.partner_id
            if contact and not contact.is_company:
                contacts = contact
            else:
                contacts = order.partner_id.child_ids.filtered(
                    lambda p: p.type == "contact" and p.user_ids and p.email
                )
            if contacts:
                with system_write():
                    order.contact_ids = contacts

    # ------------------------------------------------------------ actions

    def action_send(self):
        """Draft → sent: the approvers get portal access and an e-mail with
        the link to the change order."""
        for order in self:
            if order.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft change order can be sent (%(name)s is "
                        "%(state)s).",
                        name=order.name,
                        state=dict(STATES)[order.state],
                    )
                )
            if not order.partner_id:
                raise UserError(
                    self.env._(
                        "Project %(project)s has no client to send change "
                        "order %(name)s to.",
                        project=order.project_id.name,
                        name=order.name,
                    )
                )
            order._msp_default_contacts()
            if not order.contact_ids:
                raise UserError(
                    self.env._(
                        "Choose the client approvers of change order %(name)s "
                        "before sending it.",
                        name=order.name,
                    )
                )
            no_email = order.contact_ids.filtered(lambda p: not p.email)
            if no_email:
                raise UserError(
                    self.env._(
                        "%(contacts)s have no e-mail address: the change order "
                        "cannot reach them.",
                        contacts=", ".join(no_email.mapped("display_name")),
                    )
                )
            order._msp_grant_portal_access()
            order._portal_ensure_token()
            order.message_subscribe(partner_ids=order.contact_ids.ids)
            with system_write():
                order.state = "sent"
            url = order.get_base_url() + order._get_share_url()
            order.message_post(
                body=Markup("<p>%s</p><p><a href='%s'>%s</a></p>")
                % (
                    self.env._(
                        "Change order %(name)s for project %(project)s needs "
                        "your decision: %(title)s.",
                        name=order.name,
                        project=order.project_id.name,
                        title=order.title,
                    ),
                    url,
                    self.env._("Review and approve or reject it"),
                ),
                subject=self.env._(
                    "Change order %(name)s: %(title)s",
                    name=order.name,
                    title=order.title,
                ),
                partner_ids=order.contact_ids.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def _msp_grant_portal_access(self):
        """Approvers without a login become portal users (Odoo's own portal
        wizard: invitation e-mail, e-mail uniqueness checks)."""
        self.ensure_one()
        missing = self.contact_ids.filtered(lambda p: not p.user_ids)
        if not missing:
            return
        wizard = (
            self.env["portal.wizard"]
            .sudo()
            .create({"partner_ids": [Command.set(missing.ids)]})
        )
        for wizard_user in wizard.user_ids:
            if wizard_user.email_state != "ok":
                raise UserError(
                    self.env._(
                        "%(contact)s cannot get portal access: their e-mail "
                        "address is invalid or already used by another login.",
                        contact=wizard_user.partner_id.display_name,
                    )
                )
            wizard_user.action_grant_access()

    def action_back_to_draft(self):
        """Sent → draft, to change the scope before the client decides; the
        link sent to the client stops working."""
        for order in self:
            if order.state != "sent":
                raise UserError(
                    self.env._(
                        "Change order %(name)s is %(state)s: only a sent "
                        "change order goes back to draft.",
                        name=order.name,
                        state=dict(STATES)[order.state],
                    )
                )
        with system_write():
            self.sudo().write({"state": "draft", "access_token": False})
        return True

    def action_record_decision(self):
        """Open the dialog where staff record the client's answer."""
        self.ensure_one()
        decision = self.env.context.get("msp_decision", "approve")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record the client's decision"),
            "res_model": "msp.change.order.decision",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_change_order_id": self.id,
                "default_decision": decision,
            },
        }

    def _msp_default_decider(self):
        """The client contact most likely to have answered: the only
        approver, else the requester if a contact of the client."""
        self.ensure_one()
        client = self.partner_id
        contacts = self.contact_ids.filtered(
            lambda p: p.commercial_partner_id == client and not p.is_company
        )
        if len(contacts) == 1:
            return contacts
        requester = self.requested_by_id
        if (
            requester
            and not requester.is_company
            and requester.commercial_partner_id == client
            and (not contacts or requester in contacts)
        ):
            return requester
        return self.env["res.partner"]

    def action_preview(self):
        """The change order as the client sees it on the portal."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self._get_share_url(),
        }

    def action_view_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "project.action_view_task"
        )
        action.update(
            domain=[("msp_change_order_id", "=", self.id)],
            context={
                "default_project_id": self.project_id.id,
                "default_msp_change_order_id": self.id,
            },
        )
        return action

    # ------------------------------------------------------------ decision

    def _msp_decide(self, decision, contact, channel="staff", date=None):
        """Record the client's ``decision`` ('approve' or 'reject') made by
        ``contact`` and, on approval, apply it. Runs once per change order:
        the row lock makes a concurrent second call wait, then find it
        decided (a repeat of the same decision is a no-op returning False;
        the opposite one is refused)."""
        self.ensure_one()
        if decision not in ("approve", "reject"):
            raise UserError(self.env._("Unknown decision %s.", decision))
        target = "approved" if decision == "approve" else "rejected"
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT state FROM msp_change_order WHERE id = %s FOR NO KEY UPDATE",
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            raise UserError(self.env._("This change order no longer exists."))
        self.invalidate_recordset()
        state = row[0]
        if state == target:
            return False
        if state != "sent":
            raise UserError(
                self.env._(
                    "Change order %(name)s is %(state)s: only a change order "
                    "sent to the client can be approved or rejected, and a "
                    "decision is final.",
                    name=self.name,
                    state=dict(STATES)[state],
                )
            )
        if not contact or contact.commercial_partner_id != self.partner_id:
            raise UserError(
                self.env._(
                    "The decision on change order %(name)s must come from a "
                    "contact of %(client)s.",
                    name=self.name,
                    client=self.partner_id.display_name,
                )
            )
        with system_write():
            self.write(
                {
                    "state": target,
                    "approved_by_id": contact.id,
                    "decision_date": date or fields.Datetime.now(),
                    "decision_channel": channel,
                }
            )
        if target == "approved":
            self._msp_apply()
            self.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref("msp_ticket_project.activity_change_order_time")
                )
            ).action_feedback(feedback=self.env._("Change order approved."))
        self.message_post(
            body=self.env._(
                "%(decision)s by %(contact)s (%(channel)s).",
                decision=dict(STATES)[target],
                contact=contact.display_name,
                channel=dict(self._fields["decision_channel"].selection)[channel],
            ),
            author_id=contact.id if channel == "portal" else None,
        )
        return True

    def _msp_apply(self):
        """Approved: the hours go to the phase budget, the price to a
        billable line (fixed-fee and milestone projects). Runs as the
        system: project managers approve without accounting rights."""
        self.ensure_one()
        order = self.sudo()
        project = order.project_id
        phase = order.milestone_id or order._msp_default_phase()
        with system_write():
            if phase:
                phase.msp_budget_hours += order.hours_delta
                order.budget_milestone_id = phase
            else:
                project.allocated_hours += order.hours_delta
            project.message_post(
                body=self.env._(
                    "Change order %(name)s approved: %(hours)s h added to %(where)s.",
                    name=order.name,
                    hours=f"{order.hours_delta:g}",
                    where=phase.name
                    if phase
                    else self.env._("the project's allocated hours"),
                )
            )
            if (
                project.msp_billing_type in PRICED_BILLING_TYPES
                and not order.currency_id.is_zero(order.price_delta)
            ):
                order._msp_add_billable_line()

    def _msp_default_phase(self):
        """A change order without a phase adds to the last phase before
        Hypercare (the delivery work it extends); none on a project without
        phases."""
        return self.env["project.milestone"].search(
            [
                ("project_id", "=", self.project_id.id),
                ("msp_is_hypercare", "=", False),
            ],
            order="msp_sequence desc, deadline desc, id desc",
            limit=1,
        )

    def _msp_billable_label(self):
        return self.env._(
            "Change order %(name)s (%(project)s): %(title)s",
            name=self.name,
            project=self.project_id.name,
            title=self.title,
        )

    def _msp_add_billable_line(self):
        """One billable line for the price: on the project's sales order
        when sale_project links one that is confirmed, else on a draft
        customer invoice of the client for this project (the existing one,
        or a new one)."""
        self.ensure_one()
        if self.invoice_line_id or self.billable_line_ref:
            return
        project = self.project_id
        sale_line = project.sale_line_id if "sale_line_id" in project._fields else False
        if sale_line and sale_line.order_id.state == "sale":
            line = self.env["sale.order.line"].create(
                {
                    "order_id": sale_line.order_id.id,
                    "product_id": sale_line.product_id.id,
                    "name": self._msp_billable_label(),
                    "product_uom_qty": 1,
                    "price_unit": self.price_delta,
                }
            )
            self.billable_line_ref = f"sale.order.line,{line.id}"
            return
        company = self.company_id
        Move = self.env["account.move"].with_company(company)
        move = Move.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "draft"),
                ("company_id", "=", company.id),
                ("partner_id", "=", self.partner_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("invoice_line_ids.msp_project_id", "=", project.id),
            ],
            order="id desc",
            limit=1,
        )
        line_vals = {
            "name": self._msp_billable_label(),
            "quantity": 1,
            "price_unit": self.price_delta,
            "msp_project_id": project.id,
            "msp_change_order_id": self.id,
        }
        if move:
            move.write({"invoice_line_ids": [Command.create(line_vals)]})
        else:
            move = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "invoice_origin": project.name,
                    "invoice_line_ids": [Command.create(line_vals)],
                }
            )
        self.invoice_line_id = move.invoice_line_ids.filtered(
            lambda line: line.msp_change_order_id == self
        )

    # ------------------------------------------------------------ time flag

    def _msp_flag_unapproved_time(self):
        """Time was logged on a task of these change orders before their
        approval: one activity per change order for the project manager
        (not one per time entry). The row lock keeps two entries logged at
        once from adding two."""
        orders = self.filtered(lambda o: o.state != "approved").sudo()
        if not orders:
            return
        orders.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM msp_change_order WHERE id IN %s FOR NO KEY UPDATE",
                tuple(orders.ids),
            )
        )
        activity_type = self.env.ref("msp_ticket_project.activity_change_order_time")
        for order in orders:
            user = order.project_id.user_id or order.create_uid
            if order.activity_ids.filtered(
                lambda a, u=user: a.activity_type_id == activity_type and a.user_id == u
            ):
                continue
            order.activity_schedule(
                act_type_xmlid="msp_ticket_project.activity_change_order_time",
                user_id=user.id,
                summary=self.env._(
                    "Time logged on %(name)s before the client approved it",
                    name=order.name,
                ),
                note=self.env._(
                    "Time was logged on tasks of change order %(name)s "
                    "(%(state)s). Get the client's approval or move the "
                    "time.",
                    name=order.name,
                    state=dict(STATES)[order.state],
                ),
            )

    # ------------------------------------------------------------ portal

    def _compute_access_warning(self):
        for order in self:
            order.access_warning = (
                self.env._(
                    "A draft change order is not visible to the client: send it."
                )
                if order.state == "draft"
                else ""
            )
