"""``python -m exactscape.cli``: the same entry point as ``python -m exactscape``."""

import sys

from . import main

sys.exit(main())
