from . import msp_demo
