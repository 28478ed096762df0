from . import test_demo_clean, test_msp_base, test_portal, test_roles, test_tour
