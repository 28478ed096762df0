from . import res_partner
from . import msp_demo
