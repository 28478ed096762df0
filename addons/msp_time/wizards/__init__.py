from . import hr_timesheet_switch
from . import msp_time_adjust
