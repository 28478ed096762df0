# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import account_move_line
from . import helpdesk_ticket
from . import project_milestone
from . import project_project
from . import msp_change_order
from . import project_task_change_order
