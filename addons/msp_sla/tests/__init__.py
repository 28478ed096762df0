from . import test_worktime
from . import test_sla_clocks
from . import test_sla_cron_reports
from . import test_sla_access
from . import test_sla_tour
from . import test_sla_portal
from . import test_sla_contract_dates
from . import test_sla_consistency
