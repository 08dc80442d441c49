"""The checker's two failure kinds (FORMAT.md section 6).

A :class:`CertificateError` is a failed check of a readable certificate: the
verdict is ``s REJECTED: <path>: <message>`` and the exit code 1. An
:class:`UnreadableError` means the input is not a certificate this checker
reads at all (not JSON, not an object, wrong ``format``, another major
version): one ``s REJECTED`` line and exit code 2.

Neither is part of the public API: :func:`exactscape.checker.check_certificate`
converts both into a :class:`~exactscape.checker.protocol.CheckResult`.
"""

ROOT = "certificate"
"""How a failure at the top level of the certificate is located."""


class CertificateError(Exception):
    """A check failed; ``path`` names the field, ``message`` what failed.

    The path is written as in FORMAT.md: object keys joined by dots, list
    indices in brackets, for example ``instance.X[2][1]`` or
    ``genuineness.tree.+.0.leaf``; the empty path is the certificate itself.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """The text of the ``s REJECTED:`` line."""
        return f"{self.path or ROOT}: {self.message}"


class UnreadableError(Exception):
    """The input is not a certificate this checker reads (exit code 2)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
