from . import test_install
from . import test_change_order
from . import test_portal
from . import test_change_order_tour
