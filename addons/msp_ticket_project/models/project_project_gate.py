# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The kickoff gate: a client project goes from Proposed to In Flight only
once its scope is signed, its assumptions listed, its resources confirmed,
its change-order terms agreed, its kickoff meeting scheduled and every phase
has acceptance criteria. The rule is in ``write`` (and ``create``), so no
client, RPC call or import skips it; a Service Manager may override it with
a reason (wizard ``msp.gate.override``), which is stored and logged.

Projects without a delivery state (internal ones) and templates are not
gated. System writes (superuser, module data, ``system_write()``) are not
either: they are how the override and the demo data move projects."""

from datetime import datetime, time

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_datetime, html_escape, is_html_empty

from odoo.addons.msp_base.models.msp_system_fields import system_write

# states a project may enter In Flight from without the gate: it already
# passed it (reopened from hypercare or done)
PAST_GATE_STATES = ("in_flight", "hypercare", "done")

GATE_ITEMS = [
    ("scope", "Scope document signed"),
    ("assumptions", "Assumptions listed"),
    ("resources", "Resources assigned, capacity confirmed"),
    ("terms", "Change-order terms agreed"),
    ("kickoff", "Kickoff meeting scheduled"),
    ("acceptance", "Acceptance criteria on every phase"),
]


class ProjectProject(models.Model):
    _name = "project.project"
    _inherit = ["project.project", "msp.system.fields.mixin"]

    # 1. scope
    msp_scope_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Signed Scope Document",
        copy=False,
        ondelete="set null",
        domain="[('res_model', '=', 'project.project'), ('res_id', '=', id)]",
        help="The signed scope document, attached to this project (attach "
        "it in the chatter, then pick it here).",
    )
    msp_scope_signed_by_id = fields.Many2one(
        "res.partner",
        string="Signed By",
        copy=False,
        tracking=True,
        help="The client's contact who signed the scope.",
    )
    msp_scope_signed_date = fields.Date(string="Signed On", copy=False, tracking=True)
    # 2. assumptions
    msp_assumption_ids = fields.One2many(
        "msp.project.assumption",
        "project_id",
        string="Assumptions",
        copy=True,
    )
    # 3. resources
    msp_resource_ids = fields.One2many(
        "msp.project.resource",
        "project_id",
        string="Resources",
        copy=False,
    )
    msp_resources_confirmed_by = fields.Many2one(
        "res.users",
        string="Capacity Confirmed By",
        copy=False,
        readonly=True,
        tracking=True,
        help="Who confirmed the capacity of the last resource, making every "
        "resource confirmed (cleared when a confirmation is withdrawn).",
    )
    msp_resources_confirmed_date = fields.Datetime(
        string="Capacity Confirmed On",
        copy=False,
        readonly=True,
        help="When every resource's capacity was confirmed.",
    )
    # 4. change-order terms (the rate is msp_hourly_rate)
    msp_change_order_terms = fields.Text(
        string="Change-Order Terms",
        tracking=True,
        help="How changes are requested, priced and approved, as agreed "
        "with the client. Change orders are priced at the hourly rate.",
    )
    # 5. kickoff
    msp_kickoff_event_id = fields.Many2one(
        "calendar.event",
        string="Kickoff Meeting",
        copy=False,
        ondelete="set null",
        tracking=True,
        help="With at least one of the client's contacts attending.",
    )
    # gate state
    msp_gate_scope_ok = fields.Boolean(
        string="Scope document signed", compute="_compute_msp_gate"
    )
    msp_gate_assumptions_ok = fields.Boolean(
        string="Assumptions listed", compute="_compute_msp_gate"
    )
    msp_gate_resources_ok = fields.Boolean(
        string="Resources assigned, capacity confirmed",
        compute="_compute_msp_gate",
    )
    msp_gate_terms_ok = fields.Boolean(
        string="Change-order terms agreed", compute="_compute_msp_gate"
    )
    msp_gate_kickoff_ok = fields.Boolean(
        string="Kickoff meeting scheduled", compute="_compute_msp_gate"
    )
    msp_gate_acceptance_ok = fields.Boolean(
        string="Acceptance criteria on every phase", compute="_compute_msp_gate"
    )
    msp_gate_complete = fields.Boolean(
        string="Kickoff Gate Complete", compute="_compute_msp_gate"
    )
    msp_gate_missing = fields.Text(
        string="Missing for Kickoff", compute="_compute_msp_gate"
    )
    # override (written by the override wizard only)
    msp_gate_override_reason = fields.Text(
        string="Gate Override Reason", copy=False, readonly=True
    )
    msp_gate_override_by_id = fields.Many2one(
        "res.users", string="Gate Overridden By", copy=False, readonly=True
    )
    msp_gate_override_date = fields.Datetime(
        string="Gate Overridden On", copy=False, readonly=True
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {
            "msp_gate_override_reason",
            "msp_gate_override_by_id",
            "msp_gate_override_date",
            "msp_resources_confirmed_by",
            "msp_resources_confirmed_date",
        }

    def _msp_sync_resources_confirmed(self, confirmed_now=None):
        """Record who confirmed the resources and when, once all of a
        project's resources are confirmed (by the confirmation that made
        them so, or the latest one); clear it when one is not (a
        confirmation withdrawn, hours changed, an unconfirmed resource
        added). Only the resources' confirm action calls it."""
        confirmed_now = confirmed_now or self.browse()
        for project in self:
            resources = project.sudo().msp_resource_ids
            all_confirmed = bool(resources) and all(resources.mapped("confirmed"))
            if not all_confirmed:
                vals = (
                    {
                        "msp_resources_confirmed_by": False,
                        "msp_resources_confirmed_date": False,
                    }
                    if project.msp_resources_confirmed_by
                    or project.msp_resources_confirmed_date
                    else None
                )
            elif project in confirmed_now or not project.msp_resources_confirmed_by:
                vals = {
                    "msp_resources_confirmed_by": self.env.uid,
                    "msp_resources_confirmed_date": fields.Datetime.now(),
                }
            else:
                vals = None
            if vals:
                with system_write():
                    project.sudo().write(vals)

    @api.constrains("msp_scope_attachment_id")
    def _check_msp_scope_attachment(self):
        for project in self:
            attachment = project.msp_scope_attachment_id.sudo()
            if attachment and (
                attachment.res_model != "project.project"
                or attachment.res_id != project.id
            ):
                raise ValidationError(
                    self.env._(
                        "The signed scope document of %(project)s must be "
                        "attached to that project.",
                        project=project.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # gate
    # ------------------------------------------------------------------
    @api.depends(
        "partner_id",
        "date_start",
        "date",
        "msp_hourly_rate",
        "msp_change_order_terms",
        "msp_scope_attachment_id",
        "msp_scope_signed_by_id",
        "msp_scope_signed_date",
        "msp_assumption_ids.kind",
        "msp_resource_ids.confirmed",
        "msp_resource_ids.planned_hours",
        "msp_resource_ids.user_id",
        "msp_kickoff_event_id.partner_ids",
        "milestone_ids.msp_acceptance_criteria",
    )
    def _compute_msp_gate(self):
        missing = self._msp_gate_missing_items()
        for project in self:
            items = missing.get(project.id, {})
            for key, _label in GATE_ITEMS:
                project[f"msp_gate_{key}_ok"] = not items.get(key)
            project.msp_gate_complete = not items
            project.msp_gate_missing = "\n".join(
                f"- {text}" for texts in items.values() for text in texts
            )

    def _msp_gate_missing_items(self):
        """{project id: {gate item: [what is missing, ...]}} for the
        projects in ``self`` (items that are complete are left out).

        Assumptions, resources, events and phases are read once for all
        projects (prefetch), the capacity of all resources at once.
        """
        self.sudo().msp_resource_ids.mapped("capacity_hours")
        result = {}
        for project in self:
            sproject = project.sudo()
            client = project.partner_id.commercial_partner_id
            items = {}
            if not client:
                items["client"] = [self.env._("Client: set the project's client.")]
            for key, check in (
                ("scope", sproject._msp_gate_scope),
                ("assumptions", sproject._msp_gate_assumptions),
                ("resources", sproject._msp_gate_resources),
                ("terms", sproject._msp_gate_terms),
                ("kickoff", sproject._msp_gate_kickoff),
                ("acceptance", sproject._msp_gate_acceptance),
            ):
                text = check(client)
                if text:
                    items[key] = [text]
            if items:
                result[project.id] = items
        return result

    def _msp_gate_scope(self, client):
        scope = []
        if not self.msp_scope_attachment_id:
            scope.append(self.env._("attach the signed scope document"))
        signer = self.msp_scope_signed_by_id
        if not signer:
            scope.append(self.env._("record who signed it"))
        elif not client or signer.commercial_partner_id != client:
            scope.append(
                self.env._(
                    "the signer (%(signer)s) is not a contact of the client",
                    signer=signer.display_name,
                )
            )
        if not self.msp_scope_signed_date:
            scope.append(self.env._("record the signing date"))
        if scope:
            return self.env._("Signed scope document: %(what)s.", what="; ".join(scope))
        return None

    def _msp_gate_assumptions(self, client):
        present = set(self.msp_assumption_ids.mapped("kind"))
        missing = []
        if "in_scope" not in present:
            missing.append(self.env._("list at least one in-scope assumption"))
        if "out_of_scope" not in present:
            missing.append(self.env._("list at least one out-of-scope assumption"))
        if missing:
            return self.env._("Assumptions: %(what)s.", what="; ".join(missing))
        return None

    def _msp_gate_resources(self, client):
        staff = self.msp_resource_ids
        has_window = bool(self.date_start and self.date)
        missing = []
        if not staff:
            missing.append(self.env._("assign at least one resource"))
        elif not has_window:
            missing.append(
                self.env._("set the project's start and end dates to compute capacity")
            )
        unconfirmed = staff.filtered(lambda r: not r.confirmed)
        if unconfirmed:
            missing.append(
                self.env._(
                    "confirm the capacity of %(users)s",
                    users=", ".join(unconfirmed.user_id.mapped("name")),
                )
            )
        if has_window:
            missing += [
                self.env._(
                    "%(user)s is planned for %(planned).1f h but has "
                    "%(capacity).1f h available in the project window",
                    user=res.user_id.name,
                    planned=res.planned_hours,
                    capacity=res.capacity_hours,
                )
                for res in staff.filtered("over_capacity")
            ]
        if missing:
            return self.env._("Resources: %(what)s.", what="; ".join(missing))
        return None

    def _msp_gate_terms(self, client):
        missing = []
        if not (self.msp_change_order_terms or "").strip():
            missing.append(self.env._("write the change-order terms"))
        if self.msp_hourly_rate <= 0:
            missing.append(
                self.env._("set the hourly rate change orders are priced at")
            )
        if missing:
            return self.env._("Change-order terms: %(what)s.", what="; ".join(missing))
        return None

    def _msp_gate_kickoff(self, client):
        event = self.msp_kickoff_event_id
        if not event:
            return self.env._("Kickoff meeting: schedule the kickoff meeting.")
        if not client or not event.partner_ids.filtered(
            lambda p: p.commercial_partner_id == client
        ):
            return self.env._(
                "Kickoff meeting: invite at least one of the client's contacts "
                "to %(event)s.",
                event=event.display_name,
            )
        return None

    def _msp_gate_acceptance(self, client):
        phases = self.milestone_ids
        if not phases:
            return self.env._("Acceptance criteria: add the project's phases.")
        bare = phases.filtered(lambda m: is_html_empty(m.msp_acceptance_criteria))
        if bare:
            return self.env._(
                "Acceptance criteria: write them on %(phases)s.",
                phases=", ".join(bare.mapped("name")),
            )
        return None

    def _msp_is_gated(self):
        """Client projects that are not templates."""
        return self.filtered(lambda p: not p.is_template)

    def _msp_check_gate(self):
        """Raise a ValidationError naming every missing gate item of every
        project in ``self``."""
        missing = self._msp_gate_missing_items()
        if not missing:
            return
        blocks = []
        for project in self.filtered(lambda p: p.id in missing):
            lines = "\n".join(
                f"- {text}" for texts in missing[project.id].values() for text in texts
            )
            blocks.append(
                self.env._(
                    "%(project)s cannot go In Flight until its kickoff gate is "
                    "complete. Missing:\n%(lines)s",
                    project=project.display_name,
                    lines=lines,
                )
            )
        raise ValidationError("\n\n".join(blocks))

    @api.model_create_multi
    def create(self, vals_list):
        projects = super().create(vals_list)
        if not self._msp_is_system_write():
            projects.filtered(
                lambda p: p.msp_state == "in_flight"
            )._msp_is_gated()._msp_check_gate()
        return projects

    def write(self, vals):
        to_check = self.browse()
        if vals.get("msp_state") == "in_flight" and not self._msp_is_system_write():
            to_check = self.filtered(lambda p: p.msp_state not in PAST_GATE_STATES)
        res = super().write(vals)
        # checked after the write: the same write may complete the gate
        to_check._msp_is_gated()._msp_check_gate()
        return res

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def _msp_set_state(self, state):
        self.write({"msp_state": state})
        return True

    def action_msp_make_client_project(self):
        return self.filtered(lambda p: not p.msp_state)._msp_set_state("proposed")

    def action_msp_start(self):
        """Proposed -> In Flight, through the gate."""
        return self._msp_set_state("in_flight")

    def action_msp_hypercare(self):
        return self._msp_set_state("hypercare")

    def action_msp_done(self):
        return self._msp_set_state("done")

    def action_msp_cancel(self):
        return self._msp_set_state("cancelled")

    def action_msp_reset_proposed(self):
        return self._msp_set_state("proposed")

    def action_msp_override_gate(self):
        self.ensure_one()
        if not self.env.user.has_group("msp_base.group_msp_service_manager"):
            raise AccessError(
                self.env._("Only a Service Manager may override the kickoff gate.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Kickoff Gate"),
            "res_model": "msp.gate.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_project_id": self.id},
        }

    def _msp_log_gate_override(self):
        for project in self:
            project.message_post(
                body=Markup("<p>%s</p><p>%s</p><p>%s</p><p><em>%s</em></p>")
                % (
                    self.env._("Kickoff gate overridden: the project went In Flight."),
                    self.env._(
                        "By %(user)s on %(date)s.",
                        user=project.msp_gate_override_by_id.name,
                        date=format_datetime(self.env, project.msp_gate_override_date),
                    ),
                    self.env._(
                        "Missing at the time: %(missing)s",
                        missing=project.msp_gate_missing or "-",
                    ),
                    html_escape(project.msp_gate_override_reason),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_msp_schedule_kickoff(self):
        """Open the kickoff meeting (a new one prefilled with the client's
        contacts, the project manager and the resources)."""
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "view_mode": "form",
            "target": "current",
        }
        if self.msp_kickoff_event_id:
            return dict(action, res_id=self.msp_kickoff_event_id.id)
        client = self.partner_id.commercial_partner_id
        contacts = client.child_ids.filtered(lambda p: p.type == "contact" and p.email)
        if self.partner_id != client:
            contacts |= self.partner_id
        attendees = (
            contacts
            | self.user_id.partner_id
            | self.msp_resource_ids.user_id.partner_id
            | self.env.user.partner_id
        )
        context = {
            "default_name": self.env._("Kickoff: %(project)s", project=self.name),
            "default_partner_ids": attendees.ids,
            "default_res_model": self._name,
            "default_res_id": self.id,
            "msp_kickoff_project_id": self.id,
        }
        if self.date_start:
            context["default_start"] = fields.Datetime.to_string(
                datetime.combine(self.date_start, time(9))
            )
        return dict(action, context=context)
