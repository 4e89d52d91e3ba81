"""``python -m realtime_bus.cli``."""

import sys

from . import main

sys.exit(main())
