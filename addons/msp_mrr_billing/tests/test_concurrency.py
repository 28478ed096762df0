# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command, api
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_base.tests.common import commit_in_new_cursor


@tagged("post_install", "-at_install")
class TestConcurrentRuns(TransactionCase):
    """Two billing runs of the same date, each in its own real transaction:
    the second waits on the period key and does not bill the period."""

    def _commit(self, func):
        return commit_in_new_cursor(self.registry, func)

    def test_two_runs_at_once_bill_the_period_once(self):
        def setup(env):
            env.company.msp_time_lock_date = False
            client = env["res.partner"].create(
                {"name": "Race Client", "is_company": True}
            )
            product = env["product.product"].create(
                {"name": "Race fee", "type": "service"}
            )
            contract = env["contract.contract"].create(
                {
                    "name": "Race contract",
                    "partner_id": client.id,
                    "date_start": date(2026, 1, 15),
                    "recurring_rule_type": "monthly",
                    "recurring_invoicing_type": "post-paid",
                    "msp_billing": True,
                    "contract_line_fixed_ids": [
                        Command.create(
                            {"product_id": product.id, "name": "Fee", "quantity": 1,
                             "price_unit": 100.0}
                        )
                    ],
                }
            )  # fmt: skip
            return client.id, product.id, contract.id

        client_id, product_id, contract_id = self._commit(setup)
        registry = self.registry
        day = date(2026, 2, 15)
        try:
            with registry.cursor() as cr_a, registry.cursor() as cr_b:
                env_a = api.Environment(cr_a, api.SUPERUSER_ID, {})
                env_b = api.Environment(cr_b, api.SUPERUSER_ID, {})
                run_a = env_a["msp.billing.run"].create({"billing_date": day})
                run_a._bill(env_a["contract.contract"].browse(contract_id))
                self.assertEqual(run_a.line_ids.state, "invoiced")
                # B runs the same date while A holds the period key
                # uncommitted: the key makes B wait (here: 2 s, then give up
                # on this contract without billing it)
                cr_b.execute("SET LOCAL lock_timeout = '2s'")
                run_b = env_b["msp.billing.run"].create({"billing_date": day})
                with mute_logger("odoo.sql_db"):
                    run_b._bill(env_b["contract.contract"].browse(contract_id))
                self.assertNotEqual(run_b.line_ids.state, "invoiced")
                self.assertFalse(run_b.line_ids.move_id)
                cr_a.commit()  # pylint: disable=invalid-commit
                cr_b.commit()  # pylint: disable=invalid-commit
            # B again (a re-run, or the next cron): A's invoice is seen
            with registry.cursor() as cr_c:
                env_c = api.Environment(cr_c, api.SUPERUSER_ID, {})
                run_c = env_c["msp.billing.run"].create({"billing_date": day})
                run_c._bill(env_c["contract.contract"].browse(contract_id))
                self.assertFalse(run_c.line_ids, "nothing left to bill")
                cr_c.commit()  # pylint: disable=invalid-commit

            def invoices(env):
                return env["account.move"].search_count(
                    [
                        (
                            "invoice_line_ids.contract_line_id.contract_id",
                            "=",
                            contract_id,
                        )
                    ]
                )

            self.assertEqual(self._commit(invoices), 1)
        finally:

            def cleanup(env):
                runs = env["msp.billing.run"].search(
                    [("line_ids.contract_id", "=", contract_id)]
                )
                moves = runs.line_ids.move_id
                runs.unlink()
                moves.unlink()
                env["contract.contract"].browse(contract_id).unlink()
                env["product.product"].browse(product_id).unlink()
                env["res.partner"].browse(client_id).unlink()

            self._commit(cleanup)


@tagged("post_install", "-at_install")
class TestPortalBlocks(HttpCase):
    def test_the_client_sees_its_block_balance_and_movements(self):
        client = self.env["res.partner"].create(
            {"name": "Portal Client", "is_company": True}
        )
        person = self.env["res.partner"].create(
            {"name": "Portal Person", "parent_id": client.id, "email": "pp@example.com"}
        )
        portal = self.env.ref("base.group_portal")
        self.env["res.users"].create(
            {
                "name": "Portal Person",
                "login": "msp_portal_pp",
                "password": "msp_portal_pp",
                "partner_id": person.id,
                "groups_id": [Command.set([portal.id])],
            }
        )
        contract = self.env["contract.contract"].create(
            {"name": "Portal contract", "partner_id": client.id,
             "date_start": date(2026, 1, 15), "msp_billing": True,
             "recurring_invoicing_type": "post-paid"}
        )  # fmt: skip
        block = self.env["msp.prepaid.block"].create(
            {"name": "Ten-hour block", "contract_id": contract.id, "hours": 10,
             "date": date(2026, 1, 15), "expiry_date": date(2026, 12, 31)}
        )  # fmt: skip
        self.env["msp.prepaid.block.usage"].create(
            {"block_id": block.id, "hours": 3.5, "date": date(2026, 2, 14)}
        )
        contract.message_subscribe(partner_ids=person.ids)  # OCA's portal rule
        self.authenticate("msp_portal_pp", "msp_portal_pp")
        page = self.url_open(f"/my/contracts/{contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Prepaid hours", page.text)
        self.assertIn("Ten-hour block", page.text)
        self.assertIn("6.5", page.text)  # left
        self.assertIn("-3.5", page.text)  # the movement
