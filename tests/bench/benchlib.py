# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the bench scripts share: run a function with an Odoo environment.

Arguments before ``--`` are the script's own; those after go to Odoo's
option parser (``--db_host``, ``--db_user``, ``--addons-path`` ...).
"""

import sys


def split_argv(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []


def run_with_env(database, odoo_args, func, *args):
    """Call ``func(env, *args)`` as superuser on ``database``."""
    import odoo  # noqa: PLC0415  (only where Odoo is the runtime)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    odoo.tools.config.parse_config(["-d", database, *odoo_args])
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        return func(api.Environment(cr, SUPERUSER_ID, {}), *args)
