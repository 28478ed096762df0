# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What one contract's cycle consumed: unit counts from the asset snapshots,
hours from confirmed time entries, prepaid blocks burnt first-in-first-out.
A fixed number of queries per batch of contracts, whatever the number of
contracts and entries."""

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from odoo.tools import SQL, float_round

from .billing_cycle import prorate


class BillingFacts:
    """Build them with ``BillingFacts.load(env, [(contract, start, end)],
    billing_date)``: the units and hours of all the contracts are read in a
    fixed number of queries (per company), whatever the number of contracts
    and entries."""

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
        # why the asset history cannot fully tell the counts (review flag)
        self.unit_notes = set()
        self.included_ids = []
        self.included_used = 0.0
        # included work that uses no included hours: categories excluded by
        # the contract (warranty claims...) and the hypercare period
        self.excluded_hours = 0.0
        terms = contract.sudo()
        self.excluded_categories = set(terms.msp_excluded_category_ids.ids)
        self.hypercare_end = terms.msp_hypercare_end
        # (ticket id, after hours) -> (hours, [entry ids], label)
        self.tm = {}
        self.burns = []  # (block, hours)
        self.overage = 0.0
        # a partial cycle includes its share of the hours
        self.days, self.cycle_days = contract._msp_proration(period_start, period_end)
        self.included_hours = prorate(
            contract.sudo().msp_included_hours, self.days, self.cycle_days, 0.01
        )

    @property
    def snapshot_day(self):
        """The count date: the cycle's last day, or the billing date when
        billing before the cycle's end (a contract ending early)."""
        return min(self.period_end, self.billing_date)

    @classmethod
    def load(cls, env, periods, billing_date):
        """Facts of each (contract, period start, period end), in order."""
        facts = [
            cls(contract, start, end, billing_date) for contract, start, end in periods
        ]
        by_company = defaultdict(list)
        for fact in facts:
            by_company[fact.company].append(fact)
        for company, group in by_company.items():
            cls._ensure_snapshots(env, company, group)
            cls._load_units(env, company, group)
            cls._load_hours(env, company, group)
        for fact in facts:
            fact._burn_blocks()
        return facts

    # -- units -----------------------------------------------------------
    @classmethod
    def _ensure_snapshots(cls, env, company, facts):
        """A client without a snapshot on its count date (the nightly job did
        not run, or not that day) gets one taken now, counted as the
        inventory was on that date (msp.asset.snapshot.take), so the invoice
        line traces back to a stored count of that very day."""
        env.cr.execute(
            SQL(
                """
                SELECT v.n FROM unnest(%s::int[], %s::int[], %s::date[], %s::date[])
                                AS v(n, client, start, day)
                 WHERE NOT EXISTS (SELECT 1 FROM msp_asset_snapshot s
                                    WHERE s.client_id = v.client
                                      AND s.company_id = %s
                                      AND s.date = v.day)
                """,
                list(range(len(facts))),
                [fact.client.id for fact in facts],
                [fact.period_start for fact in facts],
                [fact.snapshot_day for fact in facts],
                company.id,
            )
        )
        missing = defaultdict(set)
        for (n,) in env.cr.fetchall():
            missing[facts[n].snapshot_day].add(facts[n].client.id)
        Snapshot = env["msp.asset.snapshot"].sudo().with_company(company)
        for day, client_ids in missing.items():
            Snapshot.take(day, env["res.partner"].browse(sorted(client_ids)))

    @classmethod
    def _load_units(cls, env, company, facts):
        """The last snapshot up to the count date; with daily proration the
        average over the cycle's days."""
        daily, plain = [], []
        for n, fact in enumerate(facts):
            prorated = fact.contract.sudo().msp_proration == "daily"
            (daily if prorated else plain).append((n, fact))
        rows = []
        if plain:
            env.cr.execute(
                SQL(
                    """
                    SELECT v.n, s.billing_class, s.sku_part_number, s.count::float,
                           s.history_note
                      FROM unnest(%(n)s::int[], %(client)s::int[], %(day)s::date[])
                           AS v(n, client, day)
                      JOIN LATERAL (SELECT max(date) AS date FROM msp_asset_snapshot
                                     WHERE client_id = v.client
                                       AND company_id = %(company)s
                                       AND date <= v.day) last ON true
                      JOIN msp_asset_snapshot s
                        ON s.client_id = v.client AND s.company_id = %(company)s
                       AND s.date = last.date
                    """,
                    n=[n for n, _fact in plain],
                    client=[fact.client.id for _n, fact in plain],
                    day=[fact.snapshot_day for _n, fact in plain],
                    company=company.id,
                )
            )
            rows += env.cr.fetchall()
        for n, fact in daily:  # rare: one query each
            env.cr.execute(fact._daily_units_query(n))
            rows += env.cr.fetchall()
        for n, billing_class, sku, count, note in rows:
            fact = facts[n]
            if note:
                fact.unit_notes.add(note)
            count = float_round(count, precision_digits=2)
            fact.units[(billing_class, sku or "")] = count
            fact.class_units[billing_class] += count

    def _daily_units_query(self, n):
        return SQL(
            """
            SELECT %(n)s, s.billing_class, s.sku_part_number,
                   sum(s.count)::float / %(days)s, max(s.history_note)
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
          GROUP BY 1, 2, 3
            """,
            n=n,
            days=(self.period_end - self.period_start).days + 1,
            start=self.period_start,
            end=self.period_end,
            client=self.client.id,
            company=self.company.id,
        )

    # -- hours -----------------------------------------------------------
    @classmethod
    def _load_hours(cls, env, company, facts):
        """Included work of each cycle, and billable (T&M) work up to its
        end not billed yet. Project delivery, warranty and internal work is
        not billed here. A client with several MSP contracts: an entry goes
        to its ticket's contract when that one bills its kind of work, else
        to the client's first running contract that does (_hours_contracts)."""
        capable, primary = cls._hours_contracts(env, company, facts)
        env["account.analytic.line"].flush_model()
        env["helpdesk.ticket"].flush_model(
            ["msp_contract_id", "category_id", "number", "name"]
        )
        env.cr.execute(
            SQL(
                """
                SELECT v.n, l.id, l.msp_work_kind, l.msp_billed_hours, l.ticket_id,
                       t.number, t.name, coalesce(l.msp_after_hours, false),
                       l.date, t.category_id
                  FROM unnest(%(n)s::int[], %(client)s::int[], %(start)s::date[],
                              %(stop)s::date[], %(contract)s::int[],
                              %(main_included)s::int[], %(main_billable)s::int[])
                       AS v(n, client, start, stop, contract, main_included,
                            main_billable)
                  JOIN account_analytic_line l
                    ON l.msp_client_id = v.client
                   AND l.company_id = %(company)s
                   AND l.project_id IS NOT NULL
                   AND l.msp_state = 'confirmed'
                   AND l.date <= v.stop
                   AND ((l.msp_work_kind = 'included' AND l.date >= v.start)
                        OR l.msp_work_kind = 'billable')
             LEFT JOIN helpdesk_ticket t ON t.id = l.ticket_id
                  -- the ticket's contract counts when in force on the day
             LEFT JOIN contract_contract tc
                    ON tc.id = t.msp_contract_id AND tc.date_start <= l.date
                   AND (tc.date_end IS NULL OR tc.date_end >= l.date)
                 WHERE NOT EXISTS (SELECT 1 FROM msp_billed_time b
                                    WHERE b.entry_id = l.id)
                   AND CASE WHEN l.msp_work_kind = 'included'
                            THEN coalesce(
                                CASE WHEN tc.id = ANY(%(included)s)
                                     THEN tc.id END,
                                v.main_included)
                            ELSE coalesce(
                                CASE WHEN tc.id = ANY(%(billable)s)
                                     THEN tc.id END,
                                v.main_billable)
                       END = v.contract
                 ORDER BY v.n, l.date, l.id
                """,
                n=list(range(len(facts))),
                client=[fact.client.id for fact in facts],
                start=[fact.period_start for fact in facts],
                stop=[fact.period_end for fact in facts],
                contract=[fact.contract.id for fact in facts],
                main_included=[primary[f.client.id]["included"] for f in facts],
                main_billable=[primary[f.client.id]["billable"] for f in facts],
                company=company.id,
                included=capable["included"],
                billable=capable["billable"],
            )
        )
        for n, *row in env.cr.fetchall():
            facts[n]._add_entry(*row)

    @classmethod
    def _hours_contracts(cls, env, company, facts):
        """Where a client's time goes when it has several MSP contracts.

        Returns ({"included": ids, "billable": ids}: the running MSP
        contracts of the clients that can bill that kind of work (included
        work: included hours or an overage line; billable work: a T&M
        product), {client id: {kind: its first such contract (for billable
        work, one that bills included work too first), else the contract
        being billed}})."""
        first_start = min(fact.period_start for fact in facts)
        contracts = (
            env["contract.contract"]
            .sudo()
            .search(
                [
                    ("msp_billing", "=", True),
                    ("company_id", "=", company.id),
                    ("commercial_partner_id", "in", [f.client.id for f in facts]),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", first_start),
                ],
                order="id",
            )
        )
        contracts |= (
            env["contract.contract"].sudo().browse(fact.contract.id for fact in facts)
        )
        included = contracts.filtered(
            lambda c: (
                c.msp_included_hours
                or "overage" in c.contract_line_ids.mapped("msp_qty_source")
            )
        ).sorted("id")
        capable = {
            "included": included,
            # the managed-services agreement (it bills included work too)
            # first, for T&M work whose ticket names no T&M contract
            "billable": contracts.filtered("msp_tm_product_id").sorted(
                lambda c: (c not in included, c.id)
            ),
        }
        primary = {}
        for fact in facts:
            client = fact.client.id
            primary[client] = {
                kind: next(
                    (c.id for c in found if c.commercial_partner_id.id == client),
                    fact.contract.id,
                )
                for kind, found in capable.items()
            }
        return {kind: found.ids for kind, found in capable.items()}, primary

    def _add_entry(
        self, entry_id, kind, billed, ticket_id, number, name, after, day, category
    ):
        if kind == "included":
            if category in self.excluded_categories or (
                self.hypercare_end and day <= self.hypercare_end
            ):
                self.excluded_hours += billed or 0.0
                return
            self.included_ids.append(entry_id)
            self.included_used += billed or 0.0
            return
        key = (ticket_id, after)
        hours, ids, label = self.tm.get(key, (0.0, [], None))
        label = label or (f"{number} {name}" if ticket_id else None)
        ids.append(entry_id)
        self.tm[key] = (hours + (billed or 0.0), ids, label)

    def _burn_blocks(self):
        """Hours over the included ones burn prepaid blocks oldest first
        (valid on the cycle's last day; rollover adds one cycle); what is
        left is overage."""
        excess = max(0.0, self.included_used - self.included_hours)
        if excess <= 0:
            return
        blocks = (
            self._valid_blocks(self.period_end)
            .filtered(lambda b: b.remaining_hours > 0)
            .sorted(lambda b: (b.date, b.id))
        )
        for block in blocks:
            if excess <= 0:
                break
            burn = min(block.remaining_hours, excess)
            self.burns.append((block, burn))
            excess -= burn
        self.overage = float_round(excess, precision_digits=2)

    def _valid_blocks(self, first_day):
        """The contract's blocks bought by the cycle's end and not expired
        before ``first_day`` (rollover keeps a block one more cycle)."""
        contract = self.contract.sudo()
        cycle = relativedelta(months=contract.recurring_interval or 1)
        return contract.msp_block_ids.filtered(
            lambda b: (
                b.date <= self.period_end
                and b.expiry_date + (cycle if b.rollover else relativedelta())
                >= first_day
            )
        )

    @property
    def had_blocks(self):
        """Prepaid blocks were valid during the cycle: overage then means
        they ran out."""
        return bool(self._valid_blocks(self.period_start))

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
