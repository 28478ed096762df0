from . import msp_sla_report
