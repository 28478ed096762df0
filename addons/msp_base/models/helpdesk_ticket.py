# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Closing a ticket from the portal: only a contact of the ticket's client,
only into a closing stage of the ticket's team, under the same rules as the
back office (the addons add theirs through ``_msp_check_client_close``).

Tickets also carry facts only the system establishes (SLA status, alert
counts, routing and claim dates): each msp addon lists its own in
``_msp_system_fields`` (see ``msp.system.fields.mixin``)."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CLIENT_CLOSE_KEY = "msp_client_close"

# What a client tells on the portal, in their words; the priority follows.
URGENCIES = [
    ("stopped", "Work is stopped"),
    ("degraded", "Work is slowed down"),
    ("question", "A question or a request"),
]
IMPACTS = [
    ("company", "The whole company"),
    ("team", "A team or a site"),
    ("me", "Just me"),
]
# (urgency, impact) -> helpdesk_mgmt priority ("3" = P1 ... "0" = P4).
# Work stopped for everyone is an outage (P1); for a team it is P2, for one
# person P3 (a workaround, a loan laptop, usually exists). Slowed-down work is
# P2 when it hits the whole company, else P3. A question never outranks a
# fault: P3 for the whole company, else P4.
PRIORITY_MATRIX = {
    ("stopped", "company"): "3",
    ("stopped", "team"): "2",
    ("stopped", "me"): "1",
    ("degraded", "company"): "2",
    ("degraded", "team"): "1",
    ("degraded", "me"): "1",
    ("question", "company"): "1",
    ("question", "team"): "0",
    ("question", "me"): "0",
}


class ClientCloseRefused(UserError):
    """A rule of the addons refused the client's close (the ticket stays
    open and the team is told)."""


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "msp.system.fields.mixin"]

    msp_urgency = fields.Selection(
        URGENCIES,
        string="Urgency (client)",
        copy=False,
        help="How urgent the client said it is when opening the ticket on the "
        "portal; with the impact it set the priority.",
    )
    msp_impact = fields.Selection(
        IMPACTS,
        string="Impact (client)",
        copy=False,
        help="Who the client said is affected when opening the ticket on the "
        "portal; with the urgency it set the priority.",
    )

    @api.model
    def _msp_portal_priority(self, urgency, impact):
        """The priority of a portal ticket from the client's urgency and
        impact (``PRIORITY_MATRIX``)."""
        return PRIORITY_MATRIX[(urgency, impact)]

    def _msp_is_client_contact(self, user=None):
        """``user`` (default: the current user) is a portal contact of this
        ticket's client: a portal user whose commercial partner is the
        ticket's commercial partner."""
        self.ensure_one()
        user = user or self.env.user
        client = self.sudo().commercial_partner_id
        return bool(
            client and user._is_portal() and user.sudo().commercial_partner_id == client
        )

    def _msp_client_close_stages(self):
        """The stage the client may close this ticket into: the first (by
        sequence) closing stage offered to the portal, of the ticket's team
        or of every team. One stage at most: a client says "solved"; the
        other ways to close (cancelled, rejected...) are the MSP's call."""
        self.ensure_one()
        ticket = self.sudo()
        return (
            ticket.team_id._get_applicable_stages()
            .filtered(
                lambda s: (
                    s.closed
                    and s.close_from_portal
                    and (not s.company_id or s.company_id == ticket.company_id)
                )
            )
            .sorted(lambda s: (s.sequence, s.id))[:1]
        )

    def _msp_is_client_close(self):
        """True while the ticket is being closed by its client from the
        portal (``_msp_client_close``): the addons' write hooks use it to
        apply the client's rules (no SLA met, resolution note). A context
        key alone is not enough: the current user must be a portal user,
        so an internal RPC caller cannot claim it."""
        return (
            bool(self.env.context.get(CLIENT_CLOSE_KEY)) and self.env.user._is_portal()
        )

    def _msp_client_close(self, stage):
        """Close this ticket into ``stage`` for the current (portal) user.

        :raise AccessError: the user is not a contact of the ticket's client
        :raise UserError: the stage is not offered or the ticket is closed
        :raise ClientCloseRefused: a rule of the addons refuses
            (``_msp_check_client_close``)
        """
        self.ensure_one()
        if not self._msp_is_client_contact():
            raise AccessError(
                self.env._("Only a contact of the ticket's client can close it.")
            )
        ticket = self.sudo().with_context(**{CLIENT_CLOSE_KEY: True})
        if ticket.stage_id.closed:
            raise UserError(self.env._("This ticket is already closed."))
        if stage not in ticket._msp_client_close_stages():
            raise UserError(self.env._("This ticket cannot be closed into that stage."))
        try:
            ticket._msp_check_client_close(stage)
        except UserError as error:
            raise ClientCloseRefused(str(error)) from error
        ticket.write({"stage_id": stage.id})
        return True

    def _msp_check_client_close(self, stage):
        """Hook: raise ``UserError`` (with a message for the client) when the
        client may not close this ticket into ``stage`` yet. Runs as
        superuser, with the portal user as ``env.user``."""

    def _msp_client_close_refused(self, stage, reason):
        """The client asked to close the ticket and was refused: leave an
        internal note, and a to-do for the ticket's owner (else the team
        lead), so the team can follow up."""
        self.ensure_one()
        ticket = self.sudo()
        body = self.env._(
            "%(client)s asked to close this ticket (%(stage)s) from the portal; "
            "refused: %(reason)s",
            client=self.env.user.name,
            stage=stage.sudo().name or "?",
            reason=reason,
        )
        ticket.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        owner = ticket.user_id or ticket.team_id.user_id
        if owner:
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Client asked to close the ticket"),
                note=body,
                user_id=owner.id,
            )
