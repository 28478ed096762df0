from . import msp_sla_percentile
from . import msp_sla_suggest
from . import msp_sla_correct
