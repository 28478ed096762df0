from . import test_install
from . import test_phases
from . import test_rollup
from . import test_margin
