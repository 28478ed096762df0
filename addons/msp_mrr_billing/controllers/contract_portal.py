# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The client's contract on the portal: its services with the quantity that
bills, its prepaid hours (blocks, balance, top-ups and the hours each
billing cycle used, with the tickets worked that cycle).

Portal users read contracts under OCA's rule (contracts they follow); the
blocks, their movements and the time entries are read here as superuser,
only for those contracts: the contract search under the user's rules is the
access check."""

from collections import defaultdict

from odoo import fields, http
from odoo.http import request

from odoo.addons.contract.controllers.main import PortalContract


class MspPortalContract(PortalContract):
    # ------------------------------------------------------------ helpers

    def _msp_portal_contracts(self):
        """The contracts the current user may read (OCA's portal rule)."""
        Contract = request.env["contract.contract"]
        if not Contract.has_access("read"):
            return Contract
        return Contract.search([])

    def _msp_portal_blocks(self, contracts):
        return (
            request.env["msp.prepaid.block"]
            .sudo()
            .search([("contract_id", "in", contracts.ids)], order="date desc, id desc")
        )

    def _msp_block_movements(self, block):
        """The block's movements, newest first: its top-up, then each
        billing cycle that used hours from it, with the tickets worked in
        that cycle (hours billed per ticket on the cycle's invoice)."""
        block = block.sudo()
        movements = []
        for usage in block.usage_ids:
            run_line = usage.run_line_id
            movements.append(
                {
                    "kind": "usage",
                    "date": usage.date,
                    "hours": -usage.hours,
                    "period_start": run_line.period_start,
                    "period_end": run_line.period_end,
                    "included": run_line.included_hours,
                    "worked": run_line.used_hours,
                    "tickets": self._msp_cycle_tickets(run_line),
                }
            )
        movements.append(
            {
                "kind": "topup",
                "date": block.date,
                "hours": block.hours,
                "invoice": block.move_line_id.move_id.name
                if block.move_line_id.move_id.state == "posted"
                else False,
            }
        )
        return sorted(movements, key=lambda m: m["date"], reverse=True)

    def _msp_cycle_tickets(self, run_line):
        """[(ticket, hours)] of the contract's work billed by the cycle's
        invoice (included hours and blocks), most hours first."""
        move = run_line.move_id
        if not move or run_line.state != "invoiced":
            return []
        entries = (
            request.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("msp_billing_line_ids.move_id", "=", move.id),
                    ("msp_billing_line_ids.contract_line_id", "!=", False),
                ]
            )
        )
        hours = defaultdict(float)
        for entry in entries:
            hours[entry.ticket_id] += entry.msp_billed_hours
        return sorted(hours.items(), key=lambda item: -item[1])

    def _msp_line_names(self, contract):
        """{line id: name} with OCA's markers (#START#, #END#...) filled in
        with the line's next period, as the next invoice will read."""
        return {
            line.id: line._insert_markers(
                line.next_period_date_start, line.next_period_date_end
            )
            for line in contract.sudo().contract_line_ids
            if line.name and "#" in line.name
        }

    def _msp_line_quantities(self, contract):
        """{line id: (quantity, as of)} for lines whose quantity comes
        from the client's inventory: the count the next invoice bills (the
        last asset snapshot), not the line's placeholder quantity."""
        contract = contract.sudo()
        lines = contract.contract_line_ids.filtered(
            lambda line: line.msp_qty_source in ("assets", "licences")
        )
        if not lines:
            return {}
        client = contract.partner_id.commercial_partner_id
        Snapshot = request.env["msp.asset.snapshot"].sudo()
        today = fields.Date.context_today(contract)
        last = Snapshot.search(
            [
                ("client_id", "=", client.id),
                ("company_id", "=", contract.company_id.id),
                ("date", "<=", today),
            ],
            order="date desc",
            limit=1,
        )
        if not last:
            return {line.id: (None, False) for line in lines}
        snapshots = Snapshot.search(
            [
                ("client_id", "=", client.id),
                ("company_id", "=", contract.company_id.id),
                ("date", "=", last.date),
            ]
        )
        result = {}
        for line in lines:
            if line.msp_qty_source == "assets":
                rows = snapshots.filtered(
                    lambda s, line=line: s.billing_class == line.msp_billing_class
                )
            else:
                rows = snapshots.filtered(
                    lambda s, line=line: (
                        s.billing_class == "user_license"
                        and s.sku_part_number == line.msp_sku_part_number
                    )
                )
            result[line.id] = (sum(rows.mapped("count")), last.date)
        return result

    # ------------------------------------------------------------ pages

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "msp_prepaid_hours" in counters:
            blocks = self._msp_portal_blocks(self._msp_portal_contracts())
            left = sum(blocks.filtered("active_block").mapped("remaining_hours"))
            # a string ("0 h") keeps the card shown once the hours are used up
            values["msp_prepaid_hours"] = f"{round(left, 2):g} h" if blocks else 0
        return values

    @http.route()
    def home(self, **kw):
        """/my: the prepaid hours card says how many are left (Odoo 18's
        cards show no counter, the counter only shows the card)."""
        response = super().home(**kw)
        if getattr(response, "qcontext", None) is not None:
            blocks = self._msp_portal_blocks(self._msp_portal_contracts())
            response.qcontext["msp_prepaid_left"] = (
                sum(blocks.filtered("active_block").mapped("remaining_hours"))
                if blocks
                else None
            )
        return response

    def _contract_get_page_view_values(self, contract, access_token, **kwargs):
        values = super()._contract_get_page_view_values(
            contract, access_token, **kwargs
        )
        blocks = self._msp_portal_blocks(contract)
        values.update(
            {
                "msp_line_names": self._msp_line_names(contract),
                "msp_line_quantities": self._msp_line_quantities(contract),
                "msp_blocks": blocks,
                "msp_movements": {b.id: self._msp_block_movements(b) for b in blocks},
            }
        )
        return values

    @http.route()
    def portal_my_contracts(
        self, page=1, date_begin=None, date_end=None, sortby=None, **kw
    ):
        """OCA's list; an unknown sort in the URL falls back to the default
        instead of a server error."""
        if sortby not in ("date", "name", "code"):
            sortby = None
        return super().portal_my_contracts(
            page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, **kw
        )

    @http.route(["/my/prepaid-hours"], type="http", auth="user", website=True)
    def portal_my_prepaid_hours(self, **kw):
        """Every prepaid block of the user's contracts, with its movements."""
        contracts = self._msp_portal_contracts()
        blocks = self._msp_portal_blocks(contracts)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "msp_prepaid_hours",
                "msp_blocks": blocks,
                "msp_balance": sum(
                    blocks.filtered("active_block").mapped("remaining_hours")
                ),
                "msp_movements": {b.id: self._msp_block_movements(b) for b in blocks},
            }
        )
        return request.render("msp_mrr_billing.portal_my_prepaid_hours", values)
