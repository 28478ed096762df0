from . import msp_ticket_escalate
