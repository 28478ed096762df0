# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo sync history: last night's run of every asset source, complete."""

from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_reconciliation(self):
        """This quarter's asset reconciliation, computed (jobs inline), so
        that billing sees what one looks like before running its own."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        Reconciliation = self.env["msp.asset.reconciliation"]
        if Reconciliation.search_count([]):
            return Reconciliation.browse()
        # as Ben (billing) would have run it, when the demo has him
        ben = self.env.ref("msp_base.user_ben", raise_if_not_found=False)
        if ben:
            Reconciliation = Reconciliation.with_user(ben)
        reconciliation = Reconciliation.create({})
        reconciliation.with_context(queue_job__no_delay=True).action_compute()
        return reconciliation

    @api.model
    def generate_sync_history(self):
        """One complete run per asset source last night (02:00, a few
        minutes apart), counting its assets as unchanged."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        Run = self.env["msp.asset.sync.run"]
        sources = self.env["msp.asset.source"].search(
            [("company_id", "in", self.env.companies.ids)], order="id"
        )
        night = datetime.combine(
            fields.Date.context_today(self) - timedelta(days=1), time(2)
        )
        runs = Run
        for index, source in enumerate(
            sources - Run.search([("source_id", "in", sources.ids)]).source_id
        ):
            assets = self.env["msp.asset"].search_count([("source_id", "=", source.id)])
            started = night + timedelta(minutes=5 * index)
            runs |= Run.create(
                {
                    "source_id": source.id,
                    "started": started,
                    "finished": started + timedelta(seconds=20 + 7 * assets),
                    "state": "done",
                    "complete": True,
                    "pages": 1,
                    "requests": 2,
                    "unchanged": assets,
                }
            )
        return runs
