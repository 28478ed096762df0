# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo projects: Acme's Microsoft 365 tenant migration, converted from a
ticket and mid-flight with a change order awaiting the client, and
Oakridge's network refresh, in hypercare with a follow-up ticket."""

import base64
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.project_template.models.project import TASK_DEFAULT_COPY_CONTEXT_KEY

SCOPE_DOCUMENT = b"""Acme Manufacturing - Microsoft 365 tenant migration
Statement of work v1.2 (signed)

In scope: 140 mailboxes, 25 shared mailboxes, OneDrive and SharePoint sites,
Teams, Intune enrolment of 120 endpoints, cutover weekend support.
Out of scope: line-of-business app re-platforming, Teams Phone.
"""


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_project_demo(self):
        """The two demo projects (once per database)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        if self.env.ref("msp_ticket_project.demo_project_acme_m365", False):
            return False
        acme = self._demo_project_acme()
        oakridge = self._demo_project_oakridge()
        return acme | oakridge

    # ------------------------------------------------------------ helpers

    def _demo_xmlid(self, record, name):
        self.env["ir.model.data"].create(
            {
                "module": "msp_ticket_project",
                "name": name,
                "model": record._name,
                "res_id": record.id,
                "noupdate": True,
            }
        )

    def _demo_start(self, days_back):
        """A day ``days_back`` ago, never inside the locked time period."""
        today = fields.Date.context_today(self)
        lock = self.env.company.msp_time_lock_date
        day = today - timedelta(days=days_back)
        if lock and day <= lock:
            day = lock + timedelta(days=1)
        return day

    def _demo_log(self, user, day, hours, name, task=None, ticket=None):
        employees = self._demo_employees(user)
        start = datetime.combine(day, time(9))
        values = {
            "name": name,
            "employee_id": employees[user].id,
            "user_id": user.id,
            "date": day,
            "date_time": start,
            "date_time_end": start + timedelta(hours=hours),
            "unit_amount": hours,
        }
        if task:
            values.update(task_id=task.id, project_id=task.project_id.id)
        if ticket:
            values.update(ticket_id=ticket.id, project_id=ticket.project_id.id)
        return self.env["account.analytic.line"].with_user(user).create(values)

    def _demo_phase(self, project, name):
        return project.milestone_ids.filtered(lambda m: m.name == name)[:1]

    # ------------------------------------------------------------ Acme

    def _demo_project_acme(self):
        """A tenant migration that arrived as a ticket: estimated at 60 h,
        flagged, converted by the dispatcher from the template, gated and
        in flight; the client asked for Teams Phone on the way (a change
        order sent, awaiting Acme's answer on the portal)."""
        ref = self.env.ref
        dana, sam, mei = (ref(f"msp_base.user_{u}") for u in ("dana", "sam", "mei"))
        nora = ref("msp_ticket_project.user_nora")
        joe = ref("msp_base.contact_acme_joe")
        start = self._demo_start(12)
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Move Acme to its own Microsoft 365 tenant (spin-off)",
                "description": "<p>Acme is leaving the group's tenant by the end of "
                "next quarter: 140 mailboxes, SharePoint sites, Teams and 120 "
                "Intune devices must move to acme-mfg.com without losing "
                "mail.</p>",
                "partner_id": joe.id,
                "team_id": ref("msp_base.team_projects").id,
                "category_id": ref("msp_base.category_m365").id,
                "user_id": sam.id,
                "msp_estimate_hours": 60.0,
                "msp_needs_phases": True,
            }
        )
        self._demo_xmlid(ticket, "demo_ticket_acme_m365")
        # Joe asked by e-mail: he follows his ticket (and so the project)
        ticket.message_subscribe(partner_ids=joe.ids)
        if ticket.project_id:
            self._demo_log(sam, start, 1.5, "Scoping call with Joe", ticket=ticket)
        wizard = (
            self.env["msp.ticket.convert"]
            .with_user(dana)
            .with_context(active_model="helpdesk.ticket", active_id=ticket.id)
            .create(
                {
                    "ticket_id": ticket.id,
                    "mode": "template",
                    "template_id": ref(
                        "msp_ticket_project.project_template_managed_it"
                    ).id,
                    "project_name": "Acme: Microsoft 365 tenant migration",
                    "project_manager_id": nora.id,
                    "ticket_action": "close",
                    "time_action": "move",
                }
            )
        )
        wizard.action_convert()
        project = wizard.result_project_id.with_env(self.env)
        self._demo_xmlid(project, "demo_project_acme_m365")
        project.write(
            {
                "date_start": start,
                "date": start + timedelta(days=70),
                "msp_billing_type": "tm",
                "msp_hourly_rate": 165.0,
                "msp_change_order_terms": "Changes are quoted at 165/h from the "
                "rate card, approved by Acme in writing before work starts.",
            }
        )
        self._demo_phase_windows(project, start, [7, 14, 21, 10, 4, 14])
        self._demo_gate(project, joe, [(sam, 40.0), (mei, 30.0)], start)
        project.with_user(nora).action_msp_start()
        discovery = self._demo_phase(project, "Discovery")
        design = self._demo_phase(project, "Design")
        for task, (user, hours, note) in zip(
            discovery.task_ids,
            [
                (sam, 3.0, "Tenant inventory: mailboxes, sites, Teams"),
                (mei, 2.5, "DNS and licensing review"),
                (sam, 2.0, "Discovery workshop with Acme's office manager"),
            ],
            strict=False,
        ):
            self._demo_log(user, start + timedelta(days=2), hours, note, task=task)
        discovery.is_reached = True
        for task, (user, hours, note) in zip(
            design.task_ids,
            [
                (sam, 4.0, "Target tenant design, naming, security defaults"),
                (mei, 3.0, "Migration batches and cutover plan draft"),
            ],
            strict=False,
        ):
            self._demo_log(user, start + timedelta(days=8), hours, note, task=task)
        build = self._demo_phase(project, "Build")
        order = (
            self.env["msp.change.order"]
            .with_user(nora)
            .create(
                {
                    "project_id": project.id,
                    "milestone_id": build.id,
                    "title": "Teams Phone for the plant floor (18 handsets)",
                    "description": "<p>Acme asked to move the plant floor's 18 "
                    "desk phones to Teams Phone during the migration: number "
                    "porting, calling plans, handset provisioning.</p>",
                    "hours_delta": 12.0,
                    "price_delta": 1980.0,
                    "requested_by_id": joe.id,
                    "contact_ids": [fields.Command.set(joe.ids)],
                }
            )
        )
        order.action_send()
        self._demo_xmlid(order, "demo_change_order_acme_teams_phone")
        task = self.env["project.task"].create(
            {
                "name": "Teams Phone: number porting paperwork",
                "project_id": project.id,
                "milestone_id": build.id,
                "msp_change_order_id": order.id,
                "allocated_hours": 2.0,
                "user_ids": [fields.Command.set(mei.ids)],
            }
        )
        # logged before the client said yes: the project manager is told
        self._demo_log(
            mei, fields.Date.context_today(self), 1.0, "Porting LOA drafted", task=task
        )
        return project

    def _demo_phase_windows(self, project, start, days):
        day = start
        for phase, length in zip(
            project.milestone_ids.sorted("msp_sequence"), days, strict=False
        ):
            phase.write(
                {
                    "msp_date_start": day,
                    "deadline": day + timedelta(days=length - 1),
                }
            )
            day += timedelta(days=length)

    def _demo_gate(self, project, signer, resources, start):
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{project.name} - signed SOW.txt",
                "datas": base64.b64encode(SCOPE_DOCUMENT),
                "res_model": project._name,
                "res_id": project.id,
            }
        )
        project.write(
            {
                "msp_scope_attachment_id": attachment.id,
                "msp_scope_signed_by_id": signer.id,
                "msp_scope_signed_date": start,
                "msp_assumption_ids": [
                    fields.Command.create({"kind": "in_scope", "name": text})
                    for text in (
                        "Mailboxes, OneDrive, SharePoint and Teams move",
                        "Endpoints re-enrolled in Intune by our technicians",
                    )
                ]
                + [
                    fields.Command.create({"kind": "out_of_scope", "name": text})
                    for text in (
                        "Line-of-business apps are not re-platformed",
                        "Acme's staff training beyond one session",
                    )
                ],
            }
        )
        self.env["msp.project.resource"].create(
            [
                {"project_id": project.id, "user_id": user.id, "planned_hours": hours}
                for user, hours in resources
            ]
        ).write({"confirmed": True})
        event = self.env["calendar.event"].create(
            {
                "name": f"Kickoff: {project.name}",
                "start": datetime.combine(start + timedelta(days=1), time(15)),
                "stop": datetime.combine(start + timedelta(days=1), time(16)),
                "partner_ids": [
                    fields.Command.set((signer | project.user_id.partner_id).ids)
                ],
            }
        )
        project.msp_kickoff_event_id = event
        return project

    # ------------------------------------------------------------ Oakridge

    def _demo_project_oakridge(self):
        """A fixed-fee network refresh, delivered and invoiced, now in its
        hypercare window: a classroom's Wi-Fi ticket arrived as a follow-up
        and counts against the hypercare budget."""
        ref = self.env.ref
        grace, sam, tom, aisha, ben = (
            ref(f"msp_base.user_{u}") for u in ("grace", "sam", "tom", "aisha", "ben")
        )
        nora = ref("msp_ticket_project.user_nora")
        maria = ref("msp_base.contact_oakridge_maria")
        start = self._demo_start(34)
        today = fields.Date.context_today(self)
        template = ref("msp_ticket_project.project_template_managed_it")
        project = template.with_context(**{TASK_DEFAULT_COPY_CONTEXT_KEY: True}).copy(
            {
                "name": "Oakridge: Wi-Fi 6 and core switch refresh",
                "active": True,
                "alias_name": False,
                "partner_id": maria.commercial_partner_id.id,
                "user_id": nora.id,
                "privacy_visibility": "portal",
                "msp_state": "proposed",
                "msp_billing_type": "fixed",
                "msp_fixed_price": 14500.0,
                "msp_hourly_rate": 150.0,
                "msp_change_order_terms": "Changes at 150/h, agreed by the "
                "school's business manager.",
                "date_start": start,
                "date": today + timedelta(days=24),
            }
        )
        self._demo_xmlid(project, "demo_project_oakridge_network")
        project.message_subscribe(partner_ids=maria.ids)
        cutover = max(1, (today - timedelta(days=6) - start).days - 22)
        days = [4, 5, 9, 4, cutover, 30]
        self._demo_phase_windows(project, start, days)
        # signed on paper at the school board meeting: the service manager
        # started it without the scanned scope document
        self.env["msp.gate.override"].with_user(grace).create(
            {
                "project_id": project.id,
                "reason": "Scope signed on paper at the school board meeting; "
                "the scan follows. Summer break is the only cutover window.",
            }
        ).action_confirm()
        notes = {
            "Discovery": (sam, 5.0, "Site survey: AP placement, cabling"),
            "Design": (tom, 6.0, "VLAN plan, core switch config"),
            "Build": (aisha, 14.0, "APs mounted, switch staged"),
            "Test": (tom, 5.0, "Roaming tests in every classroom"),
            "Cutover": (aisha, 6.0, "Weekend cutover, old gear removed"),
        }
        for phase in project.milestone_ids.sorted("msp_sequence"):
            if phase.name not in notes:
                continue
            user, hours, note = notes[phase.name]
            task = phase.task_ids[:1]
            if task:
                self._demo_log(user, phase.msp_date_start, hours, note, task=task)
            phase.is_reached = True
        invoice_action = project.with_user(ben).action_msp_invoice_project()
        invoices = (
            project.with_user(ben)
            .sudo()
            .env["account.move"]
            .browse((invoice_action or {}).get("res_id") or [])
        )
        invoices.filtered(lambda move: move.state == "draft").action_post()
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Classroom 4 Chromebooks drop off the new Wi-Fi",
                "description": "<p>Since the refresh, the Chromebooks in "
                "Classroom 4 lose the network every few minutes.</p>",
                "partner_id": maria.id,
                "team_id": ref("msp_base.team_network").id,
                "category_id": ref("msp_base.category_network").id,
                "user_id": aisha.id,
            }
        )
        self._demo_xmlid(ticket, "demo_ticket_oakridge_wifi")
        ticket._msp_link_to_project(project, "follow_up")
        if ticket.project_id:
            self._demo_log(
                aisha,
                today,
                1.5,
                "Band steering tuned on the Classroom 4 AP",
                ticket=ticket,
            )
        return project
