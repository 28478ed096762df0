# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .msp_sla_clock import KINDS
from .msp_sla_profile import PRIORITIES


class MspSlaBreach(models.Model):
    """A missed target, kept for the client review and the renewal talk."""

    _name = "msp.sla.breach"
    _description = "SLA Breach"
    _inherit = ["mail.thread", "msp.system.fields.mixin"]
    _order = "breached_at desc, id desc"
    _rec_name = "ticket_id"

    clock_id = fields.Many2one(
        "msp.sla.clock",
        string="SLA Clock",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True, readonly=True
    )
    kind = fields.Selection(KINDS, string="Clock", required=True, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", string="Assignee", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    target_hours = fields.Float(string="Target", readonly=True)
    actual_hours = fields.Float(
        string="Actual", readonly=True, help="Filled when the clock stops."
    )
    overrun_hours = fields.Float(
        string="Overrun", compute="_compute_overrun_hours", store=True
    )
    breached_at = fields.Datetime(readonly=True)
    clock_state = fields.Selection(
        related="clock_id.state", string="Clock State", readonly=True
    )
    open_clock = fields.Boolean(
        string="Still Open",
        compute="_compute_so_far",
        search="_search_open_clock",
        help="The clock still runs (or waits on the client): the ticket is "
        "not answered or resolved yet, and the overrun keeps growing.",
    )
    actual_so_far_hours = fields.Float(
        string="Actual (so far)",
        compute="_compute_so_far",
        help="Working time the clock has run, pauses excluded: to its stop, "
        "or to now while it is still open.",
    )
    overrun_so_far_hours = fields.Float(
        string="Overrun (so far)",
        compute="_compute_so_far",
        help="Working time past the target (on the SLA calendar, like the "
        "target): final once the clock stops, growing until then.",
    )
    active = fields.Boolean(
        default=True,
        readonly=True,
        help="Retired: the ticket's targets changed (priority, profile) and "
        "under the new ones the clock was not late. Retired breaches leave "
        "every report and count.",
    )
    retired_note = fields.Char(string="Retired Because", readonly=True)
    reason = fields.Text(
        string="Breach Reason",
        tracking=True,
        help="Why the target was missed: for the service review.",
    )

    def _msp_system_fields(self):
        # the service manager writes the reason; the rest is what the clocks
        # recorded (retiring and carrying over included)
        stored = {name for name, field in self._fields.items() if field.store}
        mail = {name for name in stored if name.startswith("message_")}
        return super()._msp_system_fields() | (
            stored - mail - {"reason"} - set(models.MAGIC_COLUMNS)
        )

    @api.depends("actual_hours", "target_hours")
    def _compute_overrun_hours(self):
        for breach in self:
            breach.overrun_hours = (
                max(breach.actual_hours - breach.target_hours, 0.0)
                if breach.actual_hours
                else 0.0
            )

    def _compute_so_far(self):
        clocks = self.clock_id.sudo()
        hours = clocks._hours_so_far()
        for breach in self:
            clock = breach.clock_id.sudo()
            actual = hours.get(clock.id, breach.actual_hours)
            breach.open_clock = clock.state in ("running", "paused")
            breach.actual_so_far_hours = actual
            breach.overrun_so_far_hours = max(actual - breach.target_hours, 0.0)

    def _search_open_clock(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on Still Open."))
        is_open = (operator == "=") == value
        return [
            ("clock_id.state", "in" if is_open else "not in", ["running", "paused"])
        ]

    def _carry_over(self, clock):
        """The breach now belongs to ``clock``, which replaced its clock and
        is late too: one breach for one late answer."""
        self.ensure_one()
        old = self.clock_id
        self.write(
            {
                "clock_id": clock.id,
                "priority": clock.priority,
                "target_hours": clock.target_hours,
                "breached_at": clock.deadline,
                "actual_hours": clock.actual_hours if clock.state == "stopped" else 0.0,
            }
        )
        self.message_post(
            body=self.env._(
                "Targets changed (%(old)s → %(new)s): the clock is still late; "
                "this breach carries over, due %(deadline)s (UTC).",
                old=old.display_name,
                new=clock.display_name,
                deadline=fields.Datetime.to_string(clock.deadline),
            ),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )

    def _retire(self, note):
        self.write({"active": False, "retired_note": note})
        for breach in self:
            breach.message_post(
                body=self.env._("Breach retired: %(note)s", note=note),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.ref("base.partner_root").id,
            )

    def _record_actual(self):
        for breach in self:
            breach.actual_hours = breach.clock_id.actual_hours
