# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo billing history: the two last monthly runs, billed and posted by the
real billing engine, so MRR, profitability and realization have months."""

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.msp_base.models.msp_system_fields import system_write


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_billing_history(self, months=2):
        """One billing run a month for the last ``months`` months (dated
        today's day of those months), each billing the cycles then due; the
        billing coordinator's review is simulated: every invoice accepted and
        posted. The cycles due since are left for a run of today. The runs
        are msp_mrr_billing.demo_billing_run_1 (oldest) and _2."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        Run = self.env["msp.billing.run"]
        runs = Run.browse()
        if Run.search_count([], limit=1):
            return runs  # the history is for a new database only
        today = fields.Date.context_today(self)
        for back in range(months, 0, -1):
            # history: posted, not e-mailed to the demo clients again
            run = Run.create(
                {
                    "billing_date": today - relativedelta(months=back),
                    "send_invoices": False,
                }
            )
            self.env["ir.model.data"].create(
                {
                    "module": "msp_mrr_billing",
                    "name": f"demo_billing_run_{months - back + 1}",
                    "model": run._name,
                    "res_id": run.id,
                    "noupdate": True,
                }
            )
            # billed now, in this transaction (queue_job runs the jobs
            # inline): the history is posted right after
            run.with_context(queue_job__no_delay=True).action_run()
            with system_write():
                run.line_ids.filtered(lambda line: line.state == "invoiced").write(
                    {"accepted": True}
                )
            run.action_post_accepted()
            runs |= run
        return runs
