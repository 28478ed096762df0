from . import test_lib
from . import test_msp_asset
from . import test_inventory
from . import test_sync
from . import test_portal
from . import test_portal_device
from . import test_demo_sync
from . import queue_job_compat  # before queue_job's test helpers
from . import test_sync_jobs
from . import test_reconciliation_jobs
