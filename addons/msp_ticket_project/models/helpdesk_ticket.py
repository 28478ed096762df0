# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.msp_base.models.msp_system_fields import system_write

PROJECT_LINKS = [
    ("origin", "Converted to project"),
    ("follow_up", "Project follow-up"),
    ("hypercare", "Hypercare"),
]

# The tells a dispatcher ticks, besides the estimate.
PROJECT_TELLS = ("msp_needs_phases", "msp_needs_signoff", "msp_several_engineers")

# Only the system writes these (the flag is computed; the link is set by
# the convert wizard, the link wizard and routing rules).
SYSTEM_FIELDS = frozenset({"msp_should_be_project", "msp_project_link"})

# Context key: the caller places the ticket's time itself (convert wizard,
# follow-up link), helpdesk_mgmt_timesheet must not move it with the ticket.
CTX_TIME_PLACED = "msp_ticket_time_placed"

# Who may convert a ticket or link it to a project.
PROJECT_DECIDERS = (
    "msp_base.group_msp_dispatcher",
    "msp_ticket_project.group_msp_project_manager",
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_estimate_hours = fields.Float(
        string="Estimate (h)",
        tracking=True,
        help="How long the work will take. Above the team's (else the "
        "company's) project threshold the ticket is flagged 'Should be a "
        "project'.",
    )
    msp_project_link = fields.Selection(
        PROJECT_LINKS,
        string="Project Link",
        readonly=True,
        copy=False,
        tracking=True,
        help="How this ticket relates to its project: the ticket it was "
        "converted from, a follow-up, or a follow-up inside the project's "
        "hypercare window (its time counts against the hypercare budget).",
    )
    msp_needs_phases = fields.Boolean(
        string="Needs Phases",
        tracking=True,
        copy=False,
        help="The work runs in stages (design, build, cutover...).",
    )
    msp_needs_signoff = fields.Boolean(
        string="Deliverable Needs Sign-off",
        tracking=True,
        copy=False,
        help="The client has to accept a deliverable.",
    )
    msp_several_engineers = fields.Boolean(
        string="Several Engineers",
        tracking=True,
        copy=False,
        help="More than one engineer will work on it.",
    )
    msp_should_be_project = fields.Boolean(
        string="Should Be a Project",
        compute="_compute_msp_should_be_project",
        store=True,
        index=True,
        copy=False,
        help="The estimate is above the team's (else the company's) project "
        "threshold, or a tell is ticked (phases, sign-off, several "
        "engineers), and the ticket is not tied to a project yet. The "
        "team's dispatcher gets one activity to decide.",
    )
    msp_project_badge = fields.Char(
        string="Project?",
        compute="_compute_msp_project_badge",
        help="'Should be a project' while the ticket is flagged.",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | SYSTEM_FIELDS

    # ------------------------------------------------------------ threshold

    def _msp_project_threshold(self):
        """Hours above which this ticket should be a project: its team's
        threshold, else its company's."""
        self.ensure_one()
        return (
            self.team_id.msp_project_threshold_hours
            or (self.company_id or self.env.company).msp_project_threshold_hours
        )

    @api.depends(
        "msp_estimate_hours",
        *PROJECT_TELLS,
        "msp_project_link",
        "team_id.msp_project_threshold_hours",
        "company_id.msp_project_threshold_hours",
    )
    def _compute_msp_should_be_project(self):
        for ticket in self:
            if ticket.msp_project_link:
                # decided: converted, or tied to a project as a follow-up
                ticket.msp_should_be_project = False
                continue
            threshold = ticket._msp_project_threshold()
            ticket.msp_should_be_project = bool(
                (threshold and ticket.msp_estimate_hours > threshold)
                or any(ticket[name] for name in PROJECT_TELLS)
            )

    @api.depends("msp_should_be_project")
    def _compute_msp_project_badge(self):
        label = self.env._("Should be a project")
        for ticket in self:
            ticket.msp_project_badge = label if ticket.msp_should_be_project else False

    # ------------------------------------------------------------ activity

    def _msp_project_dispatcher(self):
        """Who decides whether this ticket becomes a project: the team
        leader, else a dispatcher of the team, else a service manager of the
        ticket's company."""
        self.ensure_one()
        team = self.team_id
        if team.user_id:
            return team.user_id
        dispatchers = team.user_ids.filtered(
            lambda user: user.has_group("msp_base.group_msp_dispatcher")
        )
        if dispatchers:
            return dispatchers.sorted("id")[:1]
        company = self.company_id or self.env.company
        managers = (
            self.env.ref("msp_base.group_msp_service_manager")
            .users.filtered(lambda user: company in user.company_ids and user.active)
            .filtered(lambda user: not user.share)
        )
        return managers.sorted("id")[:1]

    def _msp_sync_project_activity(self, feedback=None):
        """One open 'Should be a project' activity per flagged ticket, none
        on the others: reuse the open one (never one per edit); mark it done
        once the flag is off (converted, linked, estimate lowered)."""
        if not self:
            return
        activity_type = self.env.ref(
            "msp_ticket_project.mail_activity_should_be_project", False
        )
        if not activity_type:
            return
        open_activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        by_ticket = {}
        for activity in open_activities:
            by_ticket.setdefault(activity.res_id, activity)
        done = self.env["mail.activity"]
        for ticket in self:
            activity = by_ticket.get(ticket.id)
            if ticket.msp_should_be_project and not ticket.closed:
                if activity:
                    continue
                user = ticket._msp_project_dispatcher()
                if not user:
                    continue
                ticket.activity_schedule(
                    "msp_ticket_project.mail_activity_should_be_project",
                    user_id=user.id,
                    summary=self.env._("Should be a project"),
                    note=ticket._msp_project_reasons_html(),
                )
            elif activity:
                done |= open_activities.filtered(
                    lambda act, ticket=ticket: act.res_id == ticket.id
                )
        if done:
            done.action_feedback(
                feedback=feedback or self.env._("No longer flagged as a project.")
            )

    @api.model
    def _msp_resync_project_flags(self, domain):
        """After a threshold changed (team, company): open tickets of
        ``domain`` that are flagged or still carry the activity."""
        activity_type = self.env.ref(
            "msp_ticket_project.mail_activity_should_be_project", False
        )
        flagged = [("msp_should_be_project", "=", True)]
        if activity_type:
            flagged = [
                "|",
                *flagged,
                ("activity_ids.activity_type_id", "=", activity_type.id),
            ]
        tickets = self.search([*domain, ("closed", "=", False), *flagged])
        tickets._msp_sync_project_activity()

    def _msp_project_reasons(self):
        """Why this ticket is flagged (list of sentences)."""
        self.ensure_one()
        reasons = []
        threshold = self._msp_project_threshold()
        if threshold and self.msp_estimate_hours > threshold:
            reasons.append(
                self.env._(
                    "Estimate %(estimate)s h is above the %(threshold)s h threshold.",
                    estimate=round(self.msp_estimate_hours, 2),
                    threshold=round(threshold, 2),
                )
            )
        for name in PROJECT_TELLS:
            if self[name]:
                reasons.append(self._fields[name]._description_string(self.env))
        return reasons

    def _msp_project_reasons_html(self):
        items = Markup("").join(
            Markup("<li>%s</li>") % reason for reason in self._msp_project_reasons()
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "This ticket looks like a project: convert it (Convert to "
                "Project) or lower the estimate."
            ),
            items,
        )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._msp_link_routed_projects()
        tickets.filtered("msp_should_be_project")._msp_sync_project_activity()
        return tickets

    def write(self, vals):
        watched = {
            "msp_estimate_hours",
            *PROJECT_TELLS,
            "msp_project_link",
            "team_id",
            "company_id",
            "stage_id",
        }
        result = super().write(vals)
        if watched & set(vals) and not self.env.context.get("msp_activity_synced"):
            self._msp_sync_project_activity()
        return result

    # ------------------------------------------------------------ projects

    @api.constrains("project_id")
    def _constrains_project_timesheets(self):
        """helpdesk_mgmt_timesheet moves every time entry of a ticket to the
        ticket's new project. The convert wizard and follow-up links place
        the time themselves (moved or kept by the user's choice; invoiced
        and locked entries never move): they set ``CTX_TIME_PLACED`` inside
        ``system_write()`` (a context key alone, which any RPC caller can
        send, is not enough)."""
        if self.env.context.get(CTX_TIME_PLACED) and self._msp_is_system_write():
            return None
        return super()._constrains_project_timesheets()

    def _msp_check_project_decider(self):
        """Converting a ticket or linking it to a project is for
        dispatchers, project managers and service managers."""
        user = self.env.user
        if self.env.su:
            return
        if not any(user.has_group(group) for group in PROJECT_DECIDERS):
            raise AccessError(
                self.env._(
                    "Only dispatchers, project managers and service managers "
                    "may convert a ticket to a project or link it to one."
                )
            )

    def _msp_link_to_project(self, project, kind="follow_up"):
        """Link these tickets to ``project`` as ``kind``; the one place every
        path (convert wizard, link wizard, routing rule) goes through, so
        hypercare and notes can hook here. Time already logged stays where
        it is (the convert wizard moves it by the user's choice). Returns
        the tickets."""
        with system_write():
            self.with_context(
                **{CTX_TIME_PLACED: True, "msp_activity_synced": True}
            ).write({"project_id": project.id, "msp_project_link": kind})
        self._msp_sync_project_activity(
            feedback=self.env._(
                "Linked to project %(project)s.", project=project.display_name
            )
        )
        if kind != "origin":
            # the conversion writes its own, fuller notes
            self._msp_post_link_notes(project, kind)
        return self

    def _msp_post_link_notes(self, project, kind):
        """A note on each ticket and one on the project: the history stays
        readable from both sides."""
        label = dict(self._fields["msp_project_link"]._description_selection(self.env))
        for ticket in self:
            ticket.message_post(
                body=Markup("%s %s")
                % (label.get(kind, kind), project._get_html_link()),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        links = Markup(", ").join(ticket._get_html_link() for ticket in self)
        # the caller linked the tickets (a dispatcher's wizard, a routing
        # rule): the note goes on the project even if they cannot post there
        project.sudo().message_post(
            body=Markup("%s: %s")
            % (self.env._("%(link)s ticket(s)", link=label.get(kind, kind)), links),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )

    def _msp_link_routed_projects(self):
        """Tickets a routing rule gave a project to ("link to project as
        follow-up"): link them through ``_msp_link_to_project``."""
        routed = self.filtered(lambda ticket: ticket.project_id)
        if not routed or "msp.routing.log" not in self.env:
            return
        logs = (
            self.env["msp.routing.log"]
            .sudo()
            .search(
                [
                    ("ticket_id", "in", routed.ids),
                    ("event", "=", "intake"),
                    ("rule_id.msp_project_id", "!=", False),
                ]
            )
        )
        for log in logs:
            ticket = log.ticket_id.with_env(self.env)
            if (
                log.rule_id.msp_project_id == ticket.project_id
                and not ticket.msp_project_link
            ):
                ticket._msp_link_to_project(ticket.project_id, "follow_up")

    def _msp_apply_rule(self, rule, vals, now):
        """Routing rule action "link to project as follow-up": the project
        goes in the new ticket's values; ``create`` then links the ticket
        through ``_msp_link_to_project``."""
        changes = super()._msp_apply_rule(rule, vals, now)
        project = rule.msp_project_id
        if not project:
            return changes
        vals["project_id"] = project.id
        change = f"project follow-up={project.name}"
        return change if changes == "matched" else f"{changes}; {change}"

    # ------------------------------------------------------------ actions

    def action_msp_convert_to_project(self):
        """Open the conversion wizard (dispatchers and project managers)."""
        self.ensure_one()
        self._msp_check_project_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Convert to Project"),
            "res_model": "msp.ticket.convert",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_msp_link_to_project(self):
        """Open the follow-up link wizard."""
        self._msp_check_project_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Link to Project"),
            "res_model": "msp.ticket.link.project",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }

    def action_msp_open_project(self):
        self.ensure_one()
        if self.task_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "project.task",
                "res_id": self.task_id.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "project.project",
            "res_id": self.project_id.id,
            "view_mode": "form",
        }
