# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What one contract's cycle consumed: unit counts from the asset snapshots,
hours from confirmed time entries, prepaid blocks burnt first-in-first-out.
A fixed number of queries per contract, whatever the number of entries."""

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from odoo.tools import SQL, float_round

from .billing_cycle import prorate


class BillingFacts:
    def __init__(self, contract, period_start, period_end, billing_date):
        self.env = contract.env
        self.contract = contract
        self.client = contract.partner_id.commercial_partner_id
        self.company = contract.company_id
        self.period_start = period_start
        self.period_end = period_end
        self.billing_date = billing_date
        self.units = {}  # (billing class, sku or "") -> quantity
        self.class_units = defaultdict(float)  # billing class -> quantity
        self.included_ids = []
        self.included_used = 0.0
        self.tm = {}  # ticket id -> (hours, [entry ids], label)
        self.burns = []  # (block, hours)
        self.overage = 0.0
        # a partial cycle includes its share of the hours
        self.days, self.cycle_days = contract._msp_proration(period_start, period_end)
        self.included_hours = prorate(
            contract.sudo().msp_included_hours, self.days, self.cycle_days, 0.01
        )
        self._load_units()
        self._load_hours()
        self._burn_blocks()

    # -- units -----------------------------------------------------------
    def _load_units(self):
        Snapshot = self.env["msp.asset.snapshot"].sudo()
        day = min(self.period_end, self.billing_date)
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM msp_asset_snapshot WHERE client_id = %s"
                " AND company_id = %s AND date BETWEEN %s AND %s LIMIT 1",
                self.client.id,
                self.company.id,
                self.period_start,
                day,
            )
        )
        if not self.env.cr.fetchone():
            # no cycle-date snapshot yet: take it now, so the invoice line
            # traces back to a stored count
            Snapshot.with_company(self.company).take(day, self.client)
        if self.contract.sudo().msp_proration == "daily":
            query = SQL(
                """
                SELECT s.billing_class, s.sku_part_number,
                       sum(s.count)::float / %(days)s
                  FROM generate_series(%(start)s::date, %(end)s::date, '1 day') d
                  JOIN LATERAL (SELECT coalesce(
                                    (SELECT max(date) FROM msp_asset_snapshot
                                      WHERE client_id = %(client)s
                                        AND company_id = %(company)s AND date <= d),
                                    -- days before the first snapshot count
                                    -- like the first one
                                    (SELECT min(date) FROM msp_asset_snapshot
                                      WHERE client_id = %(client)s
                                        AND company_id = %(company)s)) AS date) last
                    ON true
                  JOIN msp_asset_snapshot s
                    ON s.client_id = %(client)s AND s.date = last.date
                   AND s.company_id = %(company)s
              GROUP BY 1, 2
                """,
                days=(self.period_end - self.period_start).days + 1,
                start=self.period_start,
                end=self.period_end,
                client=self.client.id,
                company=self.company.id,
            )
        else:
            query = SQL(
                """
                SELECT billing_class, sku_part_number, count::float
                  FROM msp_asset_snapshot
                 WHERE client_id = %(client)s AND company_id = %(company)s
                   AND date = (SELECT max(date) FROM msp_asset_snapshot
                                WHERE client_id = %(client)s
                                  AND company_id = %(company)s AND date <= %(day)s)
                """,
                client=self.client.id,
                company=self.company.id,
                day=day,
            )
        self.env.cr.execute(query)
        for billing_class, sku, count in self.env.cr.fetchall():
            count = float_round(count, precision_digits=2)
            self.units[(billing_class, sku or "")] = count
            self.class_units[billing_class] += count

    # -- hours -----------------------------------------------------------
    def _load_hours(self):
        """Included work of the cycle, and billable (T&M) work up to its end
        not billed yet. Project delivery, warranty and internal work is not
        billed here."""
        self.env["account.analytic.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.msp_work_kind, l.msp_billed_hours, l.ticket_id,
                       t.number, t.name
                  FROM account_analytic_line l
             LEFT JOIN helpdesk_ticket t ON t.id = l.ticket_id
                 WHERE l.msp_client_id = %(client)s
                   AND l.company_id = %(company)s
                   AND l.project_id IS NOT NULL
                   AND l.msp_state = 'confirmed'
                   AND l.msp_invoice_line_id IS NULL
                   AND l.date <= %(end)s
                   AND ((l.msp_work_kind = 'included' AND l.date >= %(start)s)
                        OR l.msp_work_kind = 'billable')
                 ORDER BY l.date, l.id
                """,
                client=self.client.id,
                company=self.company.id,
                start=self.period_start,
                end=self.period_end,
            )
        )
        for entry_id, kind, billed, ticket_id, number, name in self.env.cr.fetchall():
            if kind == "included":
                self.included_ids.append(entry_id)
                self.included_used += billed or 0.0
            else:
                hours, ids, label = self.tm.get(ticket_id, (0.0, [], None))
                label = label or (f"{number} {name}" if ticket_id else None)
                self.tm[ticket_id] = (hours + (billed or 0.0), [*ids, entry_id], label)

    def _burn_blocks(self):
        """Hours over the included ones burn prepaid blocks oldest first
        (valid on the cycle's last day; rollover adds one cycle); what is
        left is overage."""
        contract = self.contract.sudo()
        excess = max(0.0, self.included_used - self.included_hours)
        if excess <= 0:
            return
        cycle = relativedelta(months=contract.recurring_interval or 1)
        blocks = contract.msp_block_ids.filtered(
            lambda b: (
                b.date <= self.period_end
                and (b.expiry_date + (cycle if b.rollover else relativedelta()))
                >= self.period_end
                and b.remaining_hours > 0
            )
        ).sorted(lambda b: (b.date, b.id))
        for block in blocks:
            if excess <= 0:
                break
            burn = min(block.remaining_hours, excess)
            self.burns.append((block, burn))
            excess -= burn
        self.overage = float_round(excess, precision_digits=2)

    @property
    def burnt(self):
        return sum(hours for _block, hours in self.burns)

    # -- per line ----------------------------------------------------------
    def quantity(self, line):
        source = line.msp_qty_source
        if source == "assets":
            return self.class_units.get(line.msp_billing_class, 0.0)
        if source == "licences":
            return self.units.get(("user_license", line.msp_sku_part_number), 0.0)
        if source == "overage":
            return self.overage
        return line.quantity  # block top-ups: the number of blocks bought
