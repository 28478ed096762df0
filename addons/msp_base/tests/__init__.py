from . import test_msp_base, test_tour
