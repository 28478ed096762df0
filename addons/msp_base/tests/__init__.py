from . import test_msp_base
from . import test_tour
