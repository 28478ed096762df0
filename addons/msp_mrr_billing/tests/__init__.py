from . import test_install
from . import test_billing
from . import test_concurrency
from . import test_reports
from . import test_after_hours
from . import test_partial_cycles
from . import test_portal
