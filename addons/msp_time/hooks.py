# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Companies get the 'included' default; existing timesheet lines get
    their work type (the data records did not exist when the columns were
    computed at install)."""
    included = env.ref("msp_time.work_type_included")
    env["res.company"].search([("msp_work_type_id", "=", False)]).write(
        {"msp_work_type_id": included.id}
    )
    Line = env["account.analytic.line"]
    lines = Line.search([("project_id", "!=", False)])
    for names in (
        ("msp_work_type_id", "msp_client_id"),
        ("msp_work_type_reason", "msp_work_kind", "msp_billed_hours"),
    ):
        for name in names:
            env.add_to_compute(Line._fields[name], lines)
        lines.flush_recordset()
