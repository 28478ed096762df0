# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """A zero-hour line was a "running timer" by computation until the flag
    became explicit: the blank rows typed on a ticket's Timesheets tab (no
    description, "/") were never started by anyone; they stop being timers
    (stopping them would have billed the time since they were typed)."""
    cr.execute(
        """
        UPDATE account_analytic_line
           SET msp_timer_running = false
         WHERE msp_timer_running
           AND coalesce(trim(name), '') IN ('', '/')
        """
    )
