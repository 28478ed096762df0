# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import account_move_line
from . import helpdesk_ticket
from . import project_milestone
from . import project_project
from . import res_users
from . import account_analytic_line
from . import project_project_billing
from . import project_hypercare
from . import calendar_event
from . import msp_project_assumption
from . import msp_project_resource
from . import project_project_gate
from . import account_analytic_line_convert
from . import helpdesk_ticket_team
from . import msp_routing_rule
from . import res_company
from . import res_config_settings
