# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hypercare: the project's Hypercare phase (a milestone with
``msp_is_hypercare``) has a window (``msp_date_start`` .. ``deadline``) and an
hours budget (``msp_budget_hours``).

A follow-up ticket of the project's client linked inside the window, while
the budget lasts, is a hypercare ticket: its time goes to the Hypercare phase
and the client's MSP contract does not count included work up to the window
end (``msp_hypercare_end``, which the billing run honours). Once the window
ended or the budget is used, a follow-up is a normal ticket (its team's
service project and contract), with a note on the project.

A daily job moves in-flight projects into hypercare when their window starts
and hypercare projects to done when it ended.
"""

from odoo import api, fields, models
from odoo.tools import SQL


class ProjectProject(models.Model):
    _inherit = "project.project"  # pylint: disable=consider-merging-classes-inherited

    def _msp_hypercare_phase(self):
        """The project's Hypercare phase (the latest if several)."""
        self.ensure_one()
        return self.milestone_ids.filtered("msp_is_hypercare").sorted(
            lambda m: (m.deadline or fields.Date.to_date("9999-12-31"), m.id),
            reverse=True,
        )[:1]

    @api.model
    def _msp_phase_hours(self, phases):
        """{phase id: hours logged on it} (time of its tasks and tickets), one
        query."""
        if not phases:
            return {}
        self.env["account.analytic.line"].flush_model(
            ["project_id", "task_id", "ticket_id", "unit_amount"]
        )
        self.env["project.task"].flush_model(["milestone_id"])
        self.env["helpdesk.ticket"].flush_model(["milestone_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT coalesce(tk.milestone_id, t.milestone_id), sum(l.unit_amount)
                  FROM account_analytic_line l
             LEFT JOIN project_task tk ON tk.id = l.task_id
             LEFT JOIN helpdesk_ticket t ON t.id = l.ticket_id
                 WHERE l.project_id = ANY(%s)
                   AND coalesce(tk.milestone_id, t.milestone_id) = ANY(%s)
              GROUP BY 1
                """,
                phases.project_id.ids,
                phases.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _msp_hypercare_status(self, day=None):
        """(status, phase): 'none' (no Hypercare phase or no window),
        'before' (the window has not started), 'open', 'ended' (the window
        is over) or 'budget' (inside the window, budget used)."""
        self.ensure_one()
        phase = self._msp_hypercare_phase()
        if not phase or not phase.msp_date_start or not phase.deadline:
            return "none", phase
        day = day or fields.Date.context_today(self)
        if day < phase.msp_date_start:
            return "before", phase
        if day > phase.deadline:
            return "ended", phase
        budget = phase.msp_budget_hours
        if budget > 0 and self._msp_phase_hours(phase).get(phase.id, 0.0) >= budget:
            return "budget", phase
        return "open", phase

    def _msp_set_contract_hypercare_end(self):
        """The clients' running MSP contracts do not count included work up
        to their project's hypercare window end (a later date kept)."""
        ends = {}
        for project in self:
            phase = project._msp_hypercare_phase()
            client = project.partner_id.commercial_partner_id
            if phase.deadline and client:
                key = (client.id, project.company_id.id)
                ends[key] = max(filter(None, [ends.get(key), phase.deadline]))
        if not ends:
            return
        today = fields.Date.context_today(self)
        contracts = (
            self.env["contract.contract"]
            .sudo()
            .search(
                [
                    ("msp_billing", "=", True),
                    ("commercial_partner_id", "in", [c for c, _co in ends]),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", today),
                ]
            )
        )
        for contract in contracts:
            end = ends.get(
                (contract.commercial_partner_id.id, contract.company_id.id)
            ) or ends.get((contract.commercial_partner_id.id, False))
            if end and (
                not contract.msp_hypercare_end or contract.msp_hypercare_end < end
            ):
                contract.msp_hypercare_end = end

    @api.model
    def _cron_msp_hypercare(self):
        """In-flight projects whose hypercare window started enter hypercare;
        hypercare projects whose window ended are done. Two searches and two
        writes, whatever the number of projects."""
        today = fields.Date.context_today(self)
        starting = self.search(
            [
                ("msp_state", "=", "in_flight"),
                (
                    "milestone_ids",
                    "any",
                    [
                        ("msp_is_hypercare", "=", True),
                        ("msp_date_start", "<=", today),
                        ("deadline", ">=", today),
                    ],
                ),
            ]
        )
        if starting:
            starting.write({"msp_state": "hypercare"})
            starting._msp_set_contract_hypercare_end()
            starting._message_log_batch(
                bodies={
                    project.id: self.env._(
                        "Hypercare window started: the client's follow-up "
                        "tickets count against the Hypercare phase."
                    )
                    for project in starting
                }
            )
        ended = self.search(
            [
                ("msp_state", "=", "hypercare"),
                (
                    "milestone_ids",
                    "any",
                    [("msp_is_hypercare", "=", True), ("deadline", "<", today)],
                ),
                (
                    "milestone_ids",
                    "not any",
                    [
                        ("msp_is_hypercare", "=", True),
                        "|",
                        ("deadline", "=", False),
                        ("deadline", ">=", today),
                    ],
                ),
            ]
        )
        if ended:
            ended.write({"msp_state": "done"})
            ended._message_log_batch(
                bodies={
                    project.id: self.env._(
                        "Hypercare window ended: project done. New tickets of "
                        "the client are normal tickets."
                    )
                    for project in ended
                }
            )
        return True


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _msp_link_to_project(self, project, kind="follow_up"):
        """A follow-up of the project's client inside the hypercare window,
        budget left: a hypercare ticket on the Hypercare phase. After the
        window or with the budget used: a normal ticket, noted on the
        project."""
        if kind not in ("follow_up", "hypercare") or not project:
            return super()._msp_link_to_project(project, kind=kind)
        status, phase = project._msp_hypercare_status()
        client = project.partner_id.commercial_partner_id
        ours = self.filtered(
            lambda t: client and t.partner_id.commercial_partner_id == client
        )
        others = self - ours
        if others:
            super(HelpdeskTicket, others)._msp_link_to_project(
                project, kind="follow_up"
            )
        if not ours:
            return self
        if status in ("none", "before"):
            super(HelpdeskTicket, ours)._msp_link_to_project(project, kind="follow_up")
        elif status == "open":
            super(HelpdeskTicket, ours)._msp_link_to_project(project, kind="hypercare")
            ours.write({"milestone_id": phase.id})
            if project.msp_state == "in_flight":
                project.sudo().msp_state = "hypercare"
            project._msp_set_contract_hypercare_end()
        else:
            ours._msp_hypercare_refused(project, status)
        return self

    def _msp_hypercare_refused(self, project, status):
        """Leave the tickets as normal tickets; say so on the project and on
        each ticket."""
        author = self.env.user.partner_id.id
        for ticket in self:
            label = ticket.number or ticket.name
            if status == "ended":
                body = self.env._(
                    "Ticket %(ticket)s arrived after hypercare ended: handled "
                    "as a normal ticket.",
                    ticket=label,
                )
            else:
                body = self.env._(
                    "Ticket %(ticket)s arrived with the hypercare budget "
                    "used: handled as a normal ticket.",
                    ticket=label,
                )
            project.sudo().message_post(
                body=body, author_id=author, subtype_xmlid="mail.mt_note"
            )
            ticket.sudo().message_post(
                body=self.env._(
                    "Not linked to project %(project)s: %(reason)s",
                    project=project.name,
                    reason=body,
                ),
                author_id=author,
                subtype_xmlid="mail.mt_note",
            )
