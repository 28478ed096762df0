from . import test_msp_time
