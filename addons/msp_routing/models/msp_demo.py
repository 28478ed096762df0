# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo phone calls of this morning: each opens its ticket through the
routing rules (the routing log shows which rule did what) and books its
minutes as time."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

# (caller number, subject, priority, category, taken by, minutes ago, minutes)
# The dispatcher answers the phones; technicians log the calls that stay in
# their own team (routing may send a ticket to a team they cannot create in).
DEMO_CALLS = [
    (
        "+1 312 555 0111",
        "Outage: nobody can reach the document server",
        "2",
        "network",
        "dana",
        300,
        12,
    ),
    (
        "+1 937 555 0102",
        "Microsoft 365 licence for a new hire in accounting",
        "1",
        "m365",
        "priya",
        240,
        6,
    ),
    (
        "+1 513 555 0132",
        "Wi-Fi drops in the exam rooms",
        "2",
        "network",
        "dana",
        170,
        14,
    ),
    (
        "+1 317 555 0161",
        "Laptop will not boot after an update",
        "1",
        "endpoint",
        "luis",
        95,
        18,
    ),
    (
        "+1 740 555 0199",
        "Caller asking about managed services pricing",
        "0",
        "endpoint",
        "dana",
        40,
        5,
    ),
]


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_phone_calls(self):
        """Log the demo calls and create their tickets (routed by the demo
        rules; the unknown number is flagged for triage)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        Call = self.env["msp.phone.call"]
        if Call.search_count([("subject", "in", [c[1] for c in DEMO_CALLS])]):
            return Call  # idempotent
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        team = self.env.ref("msp_base.team_service_desk")
        users = {
            user.login: user
            for user in self.env["res.users"].search(
                [("login", "in", list({c[4] for c in DEMO_CALLS}))]
            )
        }
        calls = Call
        for number, subject, priority, category, login, ago, minutes in DEMO_CALLS:
            calls |= Call.create(
                {
                    "caller_number": number,
                    "subject": subject,
                    "priority": priority,
                    "category_id": self.env.ref(f"msp_base.category_{category}").id,
                    "team_id": team.id,
                    "user_id": users[login].id,
                    "started_at": now - timedelta(minutes=ago),
                    "duration_minutes": minutes,
                }
            )
        for call in calls:
            call.with_user(call.user_id).action_create_ticket()
        return calls
