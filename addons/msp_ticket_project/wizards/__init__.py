# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import msp_gate_override
from . import msp_ticket_convert
from . import msp_ticket_link_project
from . import msp_change_order_decision
