from . import contract_contract
from . import msp_prepaid_block
from . import msp_billing_run
from . import msp_billing_run_job
from . import account_move
from . import account_analytic_line
from . import msp_home
from . import msp_demo
