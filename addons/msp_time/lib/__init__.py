from . import rounding
