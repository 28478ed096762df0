from . import msp_demo, res_partner
