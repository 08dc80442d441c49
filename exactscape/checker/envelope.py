"""The common envelope of a certificate (FORMAT.md section 3).

``format`` must be ``"exactscape-certificate"`` and ``version`` a string
``"major.minor"`` of major version 1; anything else makes the input
unreadable (exit code 2, FORMAT.md 6). The embedded instance ``{X, y, bias}``
is read with canonical numbers and each sample augmented by a trailing 1 when
``bias`` is true (docs/theory.md §1).
"""

from dataclasses import dataclass
from fractions import Fraction

from .errors import CertificateError, UnreadableError
from .fields import array, at, item, record, vector
from .numbers import boolean, clip, describe

FORMAT_NAME = "exactscape-certificate"
MAJOR_VERSION = 1
# "region" .. "spurious" are new in 1.2, "branches" and "faces" in 1.3
KINDS = (
    "cell",
    "point",
    "saddle",
    "boundary",
    "region",
    "census",
    "infimum",
    "path",
    "spurious",
    "branches",
    "faces",
)


def check_envelope(obj: object) -> dict[str, object]:
    """FORMAT 3 (format, version): check ``format`` and the major ``version``;
    raise :class:`UnreadableError` otherwise."""
    if not isinstance(obj, dict):
        raise UnreadableError(f"not a certificate: expected a JSON object, found {describe(obj)}")
    fmt = obj.get("format")
    if fmt != FORMAT_NAME:
        found = "no format field" if "format" not in obj else describe(fmt)
        raise UnreadableError(f"not a certificate: format must be {FORMAT_NAME!r}, found {found}")
    version = obj.get("version")
    if not isinstance(version, str):
        found = "no version field" if "version" not in obj else describe(version)
        raise UnreadableError(f"version must be a string 'major.minor', found {found}")
    major, dot, minor = version.partition(".")
    if not (dot and major.isascii() and major.isdigit() and minor.isascii() and minor.isdigit()):
        raise UnreadableError(f"version must be a string 'major.minor', found {clip(ascii(version))}")
    if int(major) != MAJOR_VERSION:
        raise UnreadableError(
            f"version {clip(ascii(version))} refused: this checker reads major version {MAJOR_VERSION}"
        )
    return {str(key): value for key, value in obj.items()}


def minor_version(cert: dict[str, object]) -> int:
    """The minor version (:func:`check_envelope` has already checked the form 'major.minor')."""
    return int(str(cert["version"]).partition(".")[2])


def require_1_1(cert: dict[str, object], what: str, path: str) -> None:
    """FORMAT 3: kinds and verdicts new in 1.1 are refused in a 1.0 certificate (``path``: the field refused)."""
    if minor_version(cert) < 1:
        raise CertificateError(path, f"{what} is new in version 1.1; this certificate says version {cert['version']}")


def require_1_3(cert: dict[str, object], what: str, path: str) -> None:
    """FORMAT 3: kinds and fields new in 1.3 are refused in an older certificate (``path``: the field refused)."""
    if minor_version(cert) < 3:
        raise CertificateError(path, f"{what} is new in version 1.3; this certificate says version {cert['version']}")


def require_1_2(cert: dict[str, object], what: str, path: str) -> None:
    """FORMAT 3: kinds new in 1.2 are refused in a 1.0 or 1.1 certificate (``path``: the field refused)."""
    if minor_version(cert) < 2:
        raise CertificateError(path, f"{what} is new in version 1.2; this certificate says version {cert['version']}")


@dataclass(frozen=True)
class Instance:
    """The embedded instance: samples x_i already augmented (length d), labels y_i."""

    xs: list[list[Fraction]]
    y: list[Fraction]
    bias: bool

    @property
    def n(self) -> int:
        """Number of samples N."""
        return len(self.xs)

    @property
    def d(self) -> int:
        """Length d of an augmented sample."""
        return len(self.xs[0])

    def summary(self) -> str:
        """The ``c`` line describing the instance."""
        return f"c instance: N = {self.n}, d = {self.d}, bias {'true' if self.bias else 'false'}"


def parse_instance(value: object, path: str) -> Instance:
    """Read ``{X, y, bias}`` (FORMAT.md 2.1 and 3): N >= 1 rows of d0 >= 1 numbers."""
    fields = record(value, path, ("X", "y", "bias"))
    x_path = at(path, "X")
    rows = array(fields["X"], x_path, min_length=1)
    first = array(rows[0], item(x_path, 0), min_length=1)
    d0 = len(first)
    xs = [vector(row, item(x_path, i), d0) for i, row in enumerate(rows)]
    y = vector(fields["y"], at(path, "y"), len(xs))
    bias = boolean(fields["bias"], at(path, "bias"))
    if bias:
        xs = [x + [Fraction(1)] for x in xs]
    return Instance(xs=xs, y=y, bias=bias)
