from . import test_msp_base, test_portal, test_roles, test_tour
