# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import calendar

from odoo import api, fields, models
from odoo.tools import SQL

from .msp_asset_type import BILLING_CLASSES


class MspAssetSnapshot(models.Model):
    """What billing counts: per client, date and billing class (and per SKU
    for user licences), the assets that were active, not stale and in the
    'Active' status. Taken on each client's cycle date by a cron (month end
    until billing says otherwise) and on demand; retaking a date replaces it."""

    _name = "msp.asset.snapshot"
    _description = "Asset Count Snapshot"
    _order = "date desc, client_id, billing_class, sku_part_number"

    date = fields.Date(required=True, index=True)
    client_id = fields.Many2one("res.partner", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    billing_class = fields.Selection(BILLING_CLASSES, required=True)
    sku_part_number = fields.Char(
        string="SKU", required=True, default="", help="User licences: per SKU."
    )
    count = fields.Integer(help="Counted assets.")
    stale_count = fields.Integer(
        help="Assets in the 'Active' status the last complete sync did not see "
        "(not counted)."
    )
    reconstructed = fields.Boolean(
        help="Taken after its date: counted from the asset history (installs, "
        "retirements, moves) as the inventory was on that date, not from "
        "today's."
    )
    history_note = fields.Char(
        string="History Gap",
        help="Why the asset history cannot fully tell the count of that date "
        "(billing flags the contract for review).",
    )

    _sql_constraints = [
        (
            "snapshot_unique",
            "unique(company_id, client_id, date, billing_class, sku_part_number)",
            "One snapshot row per client, date, class and SKU.",
        )
    ]

    @api.model
    def take(self, date=None, clients=None):
        """Snapshot the given clients (all with assets when None) on a date:
        one DELETE and one INSERT ... SELECT, whatever the number of assets.
        A date before today is counted as the inventory was on that day
        (``_as_of``) and marked reconstructed; today or later, as it is."""
        today = fields.Date.context_today(self)
        date = fields.Date.to_date(date) or today
        company_ids = self.env.companies.ids
        self.env["msp.asset"].flush_model()
        self.env["msp.asset.history"].flush_model()
        client_filter = SQL("")
        if clients is not None:
            client_filter = SQL("AND a.client_id = ANY(%s)", clients.ids)
        self.env.cr.execute(
            SQL(
                "DELETE FROM msp_asset_snapshot s WHERE s.date = %s"
                " AND s.company_id = ANY(%s) %s",
                date,
                company_ids,
                SQL("AND s.client_id = ANY(%s)", clients.ids)
                if clients is not None
                else SQL(""),
            )
        )
        reconstructed = date < today
        note = self._history_gap(date) if reconstructed else None
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO msp_asset_snapshot (date, client_id, company_id,
                       billing_class, sku_part_number, count, stale_count,
                       reconstructed, history_note,
                       create_uid, create_date, write_uid, write_date)
                SELECT %(date)s, a.client_id, a.company_id, a.cls, a.sku,
                       count(*) FILTER (WHERE a.status = 'counted'),
                       count(*) FILTER (WHERE a.status = 'stale'),
                       %(reconstructed)s, %(note)s,
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM (%(source)s) a
                 WHERE a.status <> 'none'
                   AND a.company_id = ANY(%(companies)s) %(clients)s
              GROUP BY 2, 3, 4, 5
                """,
                date=date,
                reconstructed=reconstructed,
                note=note,
                uid=self.env.uid,
                companies=company_ids,
                clients=client_filter,
                source=self._as_of(date) if reconstructed else self._as_now(),
            )
        )
        # a class (or SKU) the client had at its previous snapshot and has no
        # more is stored as 0, so "the last snapshot" says so
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO msp_asset_snapshot (date, client_id, company_id,
                       billing_class, sku_part_number, count, stale_count,
                       reconstructed, history_note,
                       create_uid, create_date, write_uid, write_date)
                SELECT DISTINCT %(date)s::date, p.client_id, p.company_id,
                       p.billing_class, p.sku_part_number, 0, 0,
                       %(reconstructed)s, %(note)s,
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM msp_asset_snapshot p
                 WHERE p.date = (SELECT max(q.date) FROM msp_asset_snapshot q
                                  WHERE q.client_id = p.client_id
                                    AND q.date < %(date)s)
                   AND p.count > 0
                   AND p.company_id = ANY(%(companies)s) %(clients)s
                   AND NOT EXISTS (
                       SELECT 1 FROM msp_asset_snapshot c
                        WHERE c.client_id = p.client_id AND c.date = %(date)s
                          AND c.company_id = p.company_id
                          AND c.billing_class = p.billing_class
                          AND c.sku_part_number = p.sku_part_number)
                """,
                date=date,
                reconstructed=reconstructed,
                note=note,
                uid=self.env.uid,
                companies=company_ids,
                clients=SQL("AND p.client_id = ANY(%s)", clients.ids)
                if clients is not None
                else SQL(""),
            )
        )
        self.invalidate_model()
        return self.search([("date", "=", date)])

    @api.model
    def _as_now(self):
        """Each asset's billing values now: client, company, class, SKU and
        status (counted, stale or none)."""
        return SQL(
            """
            SELECT a.id, a.client_id, a.company_id,
                   coalesce(t.billing_class, 'other') AS cls,
                   CASE WHEN t.billing_class = 'user_license'
                        THEN coalesce(a.sku_part_number, '') ELSE '' END AS sku,
                   CASE WHEN NOT (a.active AND a.state = 'active') THEN 'none'
                        WHEN coalesce(a.stale, false) THEN 'stale'
                        ELSE 'counted' END AS status
              FROM msp_asset a
         LEFT JOIN msp_asset_type t ON t.id = a.type_id
            """
        )

    @api.model
    def _as_of(self, date):
        """Each asset's billing values at the end of a past day: the values
        kept before its first change after that day (msp.asset.history),
        its current ones without one; assets installed (or, without an
        install date, recorded) after that day did not exist yet."""
        return SQL(
            """
            SELECT a.id,
                   CASE WHEN h.id IS NULL THEN a.client_id
                        ELSE h.client_id END AS client_id,
                   coalesce(h.company_id, a.company_id) AS company_id,
                   CASE WHEN h.id IS NULL THEN a.cls
                        ELSE coalesce(h.billing_class, 'other') END AS cls,
                   CASE WHEN h.id IS NULL THEN a.sku
                        ELSE coalesce(h.sku_part_number, '') END AS sku,
                   coalesce(h.status, a.status) AS status
              FROM (%(now)s) a
              JOIN msp_asset x ON x.id = a.id
         LEFT JOIN LATERAL (SELECT * FROM msp_asset_history h
                             WHERE h.asset_id = a.id AND h.date > %(date)s
                          ORDER BY h.date, h.id LIMIT 1) h ON true
             WHERE coalesce(x.install_date,
                            (x.create_date AT TIME ZONE 'UTC')::date) <= %(date)s
            """,
            now=self._as_now(),
            date=date,
        )

    @api.model
    def _history_gap(self, date):
        """Why the history cannot tell the inventory of a past day, or None:
        asset changes before the history began (the upgrade that added it,
        ir.config_parameter msp_assets.history_since) were not kept."""
        since = fields.Date.to_date(
            self.env["ir.config_parameter"].sudo().get_param("msp_assets.history_since")
            or None
        )
        if since and date < since:
            return self.env._(
                "asset changes before %(since)s were not recorded: the count "
                "assumes the assets were then as they are now",
                since=since,
            )
        return None

    @api.model
    def counts(self, clients, date, company=None):
        """{(client_id, billing_class): count} from the last snapshot of each
        client on or before the date (of one company, when given)."""
        company_filter = SQL("AND company_id = %s", company.id) if company else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.client_id, s.billing_class, sum(s.count)
                  FROM msp_asset_snapshot s
                  JOIN (SELECT client_id, max(date) AS date FROM msp_asset_snapshot
                         WHERE client_id = ANY(%s) AND date <= %s %s
                      GROUP BY client_id) last
                    ON last.client_id = s.client_id AND last.date = s.date
                 WHERE TRUE %s
              GROUP BY 1, 2
                """,
                clients.ids,
                date,
                company_filter,
                company_filter,
            )
        )
        return {(c, cls): n for c, cls, n in self.env.cr.fetchall()}

    @api.model
    def _due_clients(self, date):
        """Clients whose cycle date is this date. Without billing: every
        client at month end. The billing addon adds the contracts' own days."""
        if date.day != calendar.monthrange(date.year, date.month)[1]:
            return self.env["res.partner"]
        groups = self.env["msp.asset"]._read_group([], ["client_id"])
        return self.env["res.partner"].union(*(client for (client,) in groups))

    @api.model
    def _cron_snapshot(self):
        today = fields.Date.context_today(self)
        clients = self._due_clients(today)
        if clients:
            self.take(today, clients)
