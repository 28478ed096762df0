from . import msp_system_fields, helpdesk_ticket, msp_demo, res_partner
