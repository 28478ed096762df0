# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.msp_base.models.msp_priority import PRIORITY_CODE

# checkbox field -> priority code
PRIORITY_FLAGS = {
    "priority_p1": "3",
    "priority_p2": "2",
    "priority_p3": "1",
    "priority_p4": "0",
}


class MspPriorityConditionMixin(models.AbstractModel):
    """Rules keep their priority condition as a list of codes (``priorities``,
    "3,2"); people tick P1..P4 instead of typing codes that run backwards."""

    _name = "msp.priority.condition.mixin"
    _description = "Priority condition as P1-P4 checkboxes"

    priority_p1 = fields.Boolean(
        string="P1",
        compute="_compute_priority_flags",
        inverse="_inverse_priority_flags",
    )
    priority_p2 = fields.Boolean(
        string="P2",
        compute="_compute_priority_flags",
        inverse="_inverse_priority_flags",
    )
    priority_p3 = fields.Boolean(
        string="P3",
        compute="_compute_priority_flags",
        inverse="_inverse_priority_flags",
    )
    priority_p4 = fields.Boolean(
        string="P4",
        compute="_compute_priority_flags",
        inverse="_inverse_priority_flags",
    )
    priorities_label = fields.Char(
        string="For Priorities", compute="_compute_priorities_label"
    )

    def _priority_codes(self):
        self.ensure_one()
        return {p.strip() for p in (self.priorities or "").split(",") if p.strip()}

    @api.depends("priorities")
    def _compute_priority_flags(self):
        for rule in self:
            codes = rule._priority_codes()
            for name, code in PRIORITY_FLAGS.items():
                rule[name] = code in codes

    @api.depends("priorities")
    def _compute_priorities_label(self):
        for rule in self:
            codes = sorted(rule._priority_codes(), reverse=True)
            rule.priorities_label = ", ".join(
                PRIORITY_CODE[c] for c in codes if c in PRIORITY_CODE
            ) or self.env._("Any")

    def _inverse_priority_flags(self):
        for rule in self:
            codes = [code for name, code in PRIORITY_FLAGS.items() if rule[name]]
            rule.priorities = ",".join(codes) or False
