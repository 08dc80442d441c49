"""``python -m exactscape`` is the ``exactscape`` command."""

import sys

from .cli import main

sys.exit(main())
