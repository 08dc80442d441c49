"""``python -m exactscape.checker CERT`` (FORMAT.md section 6)."""

import sys

from .protocol import main

if __name__ == "__main__":
    sys.exit(main())
