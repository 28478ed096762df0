# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Staff record the client's answer to a change order given outside the
portal (a call, an e-mail, a meeting): which client contact decided, and
when."""

from odoo import api, fields, models


class MspChangeOrderDecision(models.TransientModel):
    _name = "msp.change.order.decision"
    _description = "Record a Change Order Decision"

    change_order_id = fields.Many2one(
        "msp.change.order", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="change_order_id.partner_id")
    decision = fields.Selection(
        [("approve", "Approved"), ("reject", "Rejected")],
        required=True,
        default="approve",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Client Contact",
        required=True,
        domain="[('commercial_partner_id', '=', partner_id), "
        "('is_company', '=', False)]",
        help="Who at the client gave the answer.",
    )
    decision_date = fields.Datetime(
        string="Decided On", required=True, default=fields.Datetime.now
    )
    note = fields.Text(help="How the answer came (call, e-mail...).")

    @api.model
    def default_get(self, fields_list):
        """The client contact defaults to the change order's only approver,
        else to its requester when a contact of the client."""
        values = super().default_get(fields_list)
        if "contact_id" in fields_list and not values.get("contact_id"):
            order = self.env["msp.change.order"].browse(values.get("change_order_id"))
            if order.exists():
                values["contact_id"] = order._msp_default_decider().id
        return values

    def action_confirm(self):
        self.ensure_one()
        order = self.change_order_id
        order.check_access("write")
        order._msp_decide(
            self.decision, self.contact_id, channel="staff", date=self.decision_date
        )
        if self.note:
            order.message_post(body=self.note)
        return {"type": "ir.actions.act_window_close"}
