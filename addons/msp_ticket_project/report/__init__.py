# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import msp_project_analysis
from . import msp_wip_report
