# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo tickets over the last N days, for a believable service desk.

Deterministic (fixed seed) so tests and screenshots see the same story.
Backdating is done in one SQL statement: the ORM stamps create_date itself.
"""

import base64
import logging
import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, file_open

_logger = logging.getLogger(__name__)

SUBJECTS = {
    "endpoint": [
        "Laptop will not boot after Windows update",
        "Blue screen on reception PC",
        "New monitor and dock for %(contact)s",
        "Slow PC in the conference room",
        "Keyboard and mouse not detected",
    ],
    "network": [
        "Internet down at main office",
        "Wi-Fi drops in the warehouse",
        "VPN will not connect from home",
        "Firewall alert: high CPU",
        "Add VLAN for new phones",
    ],
    "server": [
        "File server disk at 92%%",
        "Nightly job failed on SQL server",
        "Patch Tuesday: reboot of DC01",
        "Hyper-V host memory warning",
    ],
    "m365": [
        "Outlook keeps asking for a password",
        "Add Microsoft 365 Business Premium licence for %(contact)s",
        "Shared mailbox for accounts payable",
        "Teams calls drop after 30 minutes",
        "Remove licence of departed employee",
    ],
    "security": [
        "Suspicious sign-in from abroad",
        "Phishing e-mail reported by %(contact)s",
        "Antivirus quarantine on a workstation",
        "MFA reset for %(contact)s",
    ],
    "printing": [
        "Front desk printer offline",
        "Scan to e-mail stopped working",
        "Toner low on the plotter",
    ],
    "backup": [
        "Backup job failed last night",
        "Restore deleted folder from Friday",
        "Quarterly restore test",
    ],
    "onboarding": [
        "New starter on Monday: %(contact)s's team",
        "Offboard leaver: disable account and forward mail",
        "Set up laptop for new hire",
    ],
    "lob": [
        "Practice management software update",
        "Accounting app will not open after update",
        "CAD licence server unreachable",
    ],
}
# helpdesk_mgmt priority: "3" very high = P1 ... "0" low = P4.
PRIORITY_WEIGHTS = [("3", 5), ("2", 15), ("1", 55), ("0", 25)]
CHANNEL_WEIGHTS = [("email", 50), ("phone", 20), ("web", 20), ("other", 10)]
# Working minutes from creation to closure, per priority (rough MSP reality).
RESOLUTION_HOURS = {"3": (1, 6), "2": (2, 16), "1": (4, 60), "0": (8, 120)}
# Odoo's and OCA's own demo records (made by a module that is not an msp
# addon) that the MSP story hides: archived, in this order.
STOCK_DEMO_ARCHIVED = (
    "helpdesk.ticket",
    "helpdesk.ticket.team",
    "helpdesk.ticket.category",
    "helpdesk.ticket.tag",
    "project.project",
    "project.task",
    "calendar.event",
    "hr.employee",
    "res.partner",
    "product.template",
    "contract.contract",
)
# set while stock demo waits to be hidden at the end of the install
HIDE_PENDING_PARAM = "msp_base.hide_stock_demo_pending"
# The demo MSP itself: the company Odoo calls "YourCompany".
DEMO_COMPANY_LOGO = "msp_base/static/img/demo_company_logo.png"
DEMO_COMPANY = {
    "name": "Lakeshore Managed IT",
    "street": "1100 Superior Avenue, Suite 400",
    "city": "Cleveland",
    "zip": "44114",
    "phone": "+1 216 555 0100",
    "email": "support@msp.example.com",
    "website": "https://msp.example.com",
}


class MspDemo(models.AbstractModel):
    _name = "msp.demo"
    _description = "MSP demo data generator"

    @api.model
    def generate_tickets(self, days=90, count=160, seed=2026):
        """Create `count` tickets spread over the last `days` days."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        rng = random.Random(seed)
        ref = self.env.ref
        clients = self.env["res.partner"].search(
            [("msp_email_domain", "!=", False), ("is_company", "=", True)],
            order="id",
        )
        contacts_by_client = {
            client: client.child_ids.sorted("id") for client in clients
        }
        teams = {
            key: ref(f"msp_base.team_{key}")
            for key in ("service_desk", "network", "projects")
        }
        categories = {key: ref(f"msp_base.category_{key}") for key in SUBJECTS}
        channels = {
            key: ref(f"helpdesk_mgmt.helpdesk_ticket_channel_{key}")
            for key, _weight in CHANNEL_WEIGHTS
        }
        stages = {
            key: ref(f"helpdesk_mgmt.helpdesk_ticket_stage_{key}")
            for key in ("new", "in_progress", "awaiting", "done", "cancelled")
        }
        now = fields.Datetime.now()
        rows, dates = [], []
        for _index in range(count):
            category = rng.choice(list(SUBJECTS))
            team = self._demo_team_for(category, teams, rng)
            client = rng.choice(clients)
            contact = rng.choice(contacts_by_client[client] or client)
            priority = self._weighted(rng, PRIORITY_WEIGHTS)
            created = now - timedelta(
                days=rng.uniform(0, days), hours=rng.uniform(0, 8)
            )
            age_hours = (now - created).total_seconds() / 3600
            low, high = RESOLUTION_HOURS[priority]
            resolved_after = rng.uniform(low, high)
            # the last ten days leave a queue to work: most are still open
            backlog = age_hours < 240 and rng.random() < 0.7
            if age_hours > resolved_after and not backlog:
                stage = stages["cancelled" if rng.random() < 0.04 else "done"]
                closed = created + timedelta(hours=resolved_after)
            else:
                stage = stages[rng.choice(["new", "in_progress", "awaiting"])]
                closed = False
            subject = rng.choice(SUBJECTS[category]) % {
                "contact": contact.name.split()[0]
            }
            assignee = (
                False if stage == stages["new"] else rng.choice(team.user_ids.ids)
            )
            rows.append(
                {
                    "name": subject,
                    "description": f"<p>{subject}. Reported by {contact.name}.</p>",
                    "partner_id": contact.id,
                    "team_id": team.id,
                    "user_id": assignee,
                    "category_id": categories[category].id,
                    "priority": priority,
                    "channel_id": channels[self._weighted(rng, CHANNEL_WEIGHTS)].id,
                    "stage_id": stage.id,
                }
            )
            dates.append((created, closed))
        tickets = (
            self.env["helpdesk.ticket"]
            .with_context(mail_create_nolog=True, mail_notrack=True)
            .create(rows)
        )
        self._backdate(tickets, dates)
        self._register_xmlids(tickets)
        return tickets

    @api.model
    def reset_demo_user_groups(self):
        """Give every demo staff user (a user an msp addon's data made)
        exactly their MSP role: called by the demo data of every msp addon,
        so the last one installed undoes what an app installed in between
        added through the default user template."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system resets demo users."))
        data = self.env["ir.model.data"].search(
            [("model", "=", "res.users"), ("module", "=like", "msp\\_%")]
        )
        users = self.env["res.users"].browse(data.mapped("res_id")).exists()
        users._msp_reset_role_groups()
        return True

    @api.model
    def setup_demo_company(self):
        """The main company becomes the demo MSP (name, address, contact)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        company = self.env.ref("base.main_company")
        values = dict(DEMO_COMPANY, country_id=self.env.ref("base.us").id)
        state = self.env["res.country.state"].search(
            [("country_id", "=", values["country_id"]), ("code", "=", "OH")], limit=1
        )
        values["state_id"] = state.id
        with file_open(DEMO_COMPANY_LOGO, "rb") as logo:
            values["logo"] = base64.b64encode(logo.read())
        company.write(values)
        return company

    @api.model
    def hide_stock_demo(self):
        """Archive or delete the demo records of Odoo's and OCA's own
        modules (furniture clients, their tickets, teams, projects,
        timesheets, employees, products, invoices), so MSP screens show only
        the MSP story. Records of an msp addon, users and their partners and
        the companies' partners stay. Idempotent; does nothing for a module
        installed without demo data.

        Called by each msp addon's demo data. While a non-msp module of the
        same install is still to load, its demo data may need the stock
        records (hr_timesheet's timesheets need hr's employees): the work is
        then left to the end of the install (``_register_hook``)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        params = self.env["ir.config_parameter"]
        if self._stock_modules_pending():
            params.set_param(HIDE_PENDING_PARAM, "1")
            return False
        env = self.env(context=dict(self.env.context, active_test=False))
        stock = {
            model: self._stock_demo_records(env, model)
            for model in STOCK_DEMO_ARCHIVED
            if model in env
        }
        if "hr.employee" in stock:
            # employees of users (admin, the demo user) stay with them
            stock["hr.employee"] = stock["hr.employee"].filtered(
                lambda e: not e.user_id
            )
            stock["res.partner"] |= stock["hr.employee"].work_contact_id
        # users' partners (OdooBot's too) and the companies' stay
        stock["res.partner"] = stock["res.partner"].filtered(
            lambda p: not (p.user_ids or p.ref_company_ids)
        )
        self._delete_stock_time(env, stock)
        self._delete_stock_accounting(env)
        for records in stock.values():
            records.filtered("active").write({"active": False})
        params.set_param(HIDE_PENDING_PARAM, False)
        return True

    @api.model
    def _stock_modules_pending(self):
        """Non-msp modules of the running install not loaded yet."""
        return self.env["ir.module.module"].search_count(
            [
                ("state", "in", ("to install", "to upgrade")),
                ("name", "not like", "msp\\_%"),
            ]
        )

    def _register_hook(self):
        """At the end of an install: the stock demo a demo file could not
        hide yet (a stock module was still to load)."""
        result = super()._register_hook()
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(HIDE_PENDING_PARAM) and not self._stock_modules_pending():
            try:
                with self.env.cr.savepoint():
                    self.sudo().hide_stock_demo()
            except Exception:  # a demo clean-up never stops the server
                _logger.exception("Hiding the stock demo records failed")
        return result

    @api.model
    def _stock_demo_records(self, env, model):
        """Records of ``model`` with an external id of a non-msp module."""
        if "active" not in env[model]._fields:
            return env[model]
        data = env["ir.model.data"].search(
            [("model", "=", model), ("module", "not like", "msp\\_%")]
        )
        return env[model].browse(data.mapped("res_id")).exists()

    @api.model
    def _delete_stock_time(self, env, stock):
        """Timesheets of stock projects, tickets or employees."""
        Line = env["account.analytic.line"] if "account.analytic.line" in env else None
        if Line is None or "project_id" not in Line or "project.project" not in stock:
            return  # timesheets are not installed yet
        domain = [("project_id", "in", stock["project.project"].ids)]
        if "hr.employee" in stock:
            domain = ["|", *domain, ("employee_id", "in", stock["hr.employee"].ids)]
        if "helpdesk.ticket" in stock and "ticket_id" in Line:
            domain = ["|", *domain, ("ticket_id", "in", stock["helpdesk.ticket"].ids)]
        lines = Line.search(domain)
        if not lines:
            return
        # the demo's time lock (msp_time) is not for Odoo's own demo lines
        company = env["res.company"]
        locks = {}
        if "msp_time_lock_date" in company._fields:
            locked = company.search([("msp_time_lock_date", "!=", False)])
            locks = {c: c.msp_time_lock_date for c in locked}
            locked.msp_time_lock_date = False
        lines.unlink()
        for locked, date in locks.items():
            locked.msp_time_lock_date = date

    @api.model
    def _delete_stock_accounting(self, env):
        """account's demo invoices, bills, payments and bank statements."""
        data = env["ir.model.data"].search(
            [
                ("model", "in", ("account.move", "account.bank.statement",
                                 "account.bank.statement.line")),
                ("module", "not like", "msp\\_%"),
            ]
        )  # fmt: skip
        if not data:
            return
        ids = {model: [] for model in data.mapped("model")}
        for row in data:
            ids[row.model].append(row.res_id)
        statements = (
            env["account.bank.statement"]
            .browse(ids.get("account.bank.statement", []))
            .exists()
        )
        lines = (
            env["account.bank.statement.line"]
            .browse(ids.get("account.bank.statement.line", []))
            .exists()
        )
        lines |= statements.line_ids
        moves = env["account.move"].browse(ids.get("account.move", [])).exists()
        moves -= lines.move_id
        lines.unlink()
        statements.exists().unlink()
        moves.filtered(lambda m: m.state == "posted").button_draft()
        moves.with_context(force_delete=True).unlink()

    @api.model
    def _weighted(self, rng, weights):
        keys, counts = zip(*weights, strict=True)
        return rng.choices(keys, weights=counts)[0]

    @api.model
    def _demo_team_for(self, category, teams, rng):
        if category in ("network", "backup"):
            return teams["network"]
        if category == "server":
            return teams["network"] if rng.random() < 0.7 else teams["projects"]
        return teams["projects"] if rng.random() < 0.08 else teams["service_desk"]

    @api.model
    def _backdate(self, tickets, dates):
        values = [
            (ticket.id, created, closed or None)
            for ticket, (created, closed) in zip(tickets, dates, strict=True)
        ]
        self.env.flush_all()
        rows = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s::timestamp)", *row) for row in values
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket t
                   SET create_date = v.created,
                       write_date = COALESCE(v.closed, v.created),
                       assigned_date = CASE WHEN t.user_id IS NULL THEN NULL
                                            ELSE v.created END,
                       last_stage_update = COALESCE(v.closed, v.created),
                       closed_date = v.closed
                  FROM (VALUES %s) AS v(id, created, closed)
                 WHERE t.id = v.id
                """,
                rows,
            )
        )
        tickets.invalidate_recordset()

    @api.model
    def _register_xmlids(self, tickets):
        self.env["ir.model.data"].create(
            [
                {
                    "module": "msp_base",
                    "name": f"demo_ticket_{index:03d}",
                    "model": "helpdesk.ticket",
                    "res_id": ticket.id,
                    "noupdate": True,
                }
                for index, ticket in enumerate(tickets, start=1)
            ]
        )
