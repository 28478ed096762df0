from . import res_users
from . import helpdesk_ticket_team
from . import msp_oncall
from . import msp_routing_rule
from . import msp_routing_log
from . import helpdesk_ticket
from . import msp_escalation_rule
from . import msp_intake_source
