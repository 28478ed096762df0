# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""queue_job's test helpers (18.0.4.x) register their patcher in
``odoo.tests.common.SETATTR_SOURCES``, which Odoo 18 builds before mid-2025
(this one: 18.0.post20250506) do not have: without it, they only warn
about patched model methods, so an empty registry is all that is missing.
Import this before ``odoo.addons.queue_job.tests.common``."""

from odoo.tests import common

if not hasattr(common, "SETATTR_SOURCES"):
    common.SETATTR_SOURCES = {}
