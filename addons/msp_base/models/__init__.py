from . import helpdesk_ticket, msp_demo, res_partner, res_users
