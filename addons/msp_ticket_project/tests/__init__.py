from . import test_install
from . import test_threshold
from . import test_convert
from . import test_convert_tour
