from . import msp_billing_report_mixin
from . import msp_mrr_report
from . import msp_wip_report
from . import msp_realization_report
from . import msp_contract_profitability_report
