"""exactscape: exact loss-landscape decisions for one-hidden-layer ReLU networks.

This package module imports nothing on purpose: the independent certificate
checker (:mod:`exactscape.checker`) must be importable with every other
exactscape module blocked. The public API lives in :mod:`exactscape.api`.
"""

__version__ = "0.2.0"
