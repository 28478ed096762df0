from . import msp_system_fields, msp_valid_values
from . import helpdesk_ticket, ir_http, ir_ui_menu, msp_demo, res_partner, res_users
from . import msp_priority
