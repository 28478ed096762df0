from . import test_home, test_msp_base, test_portal, test_roles, test_tour
from . import test_ticket_queue
from . import test_portal_new_ticket
from . import test_demo_clean
