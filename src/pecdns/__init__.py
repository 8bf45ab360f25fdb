"""pecdns: check the DNS side of Italian certified email (PEC) on your own domain.

Is ``pec.<domain>`` set up so that the provider's daily check passes, and if
not, exactly what is wrong and how is it fixed?

>>> import pecdns
>>> from pecdns.testing import FakeResolver
>>> fake = FakeResolver(
...     {"pec.example.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
... )
>>> pecdns.check("example.it", resolver=fake).ok
True
"""

from __future__ import annotations

from pecdns._advice import Advice, Setup, setup_advice
from pecdns._batch import InvalidInput, acheck, check_many
from pecdns._check import check
from pecdns._domain import Domain, registrable_domain
from pecdns._html import to_html
from pecdns._json import to_json
from pecdns._lifecycle import (
    Certification,
    CertificationStatus,
    DailyResult,
    DailyRun,
    Transition,
    apply_check,
    daily_check,
)
from pecdns._limits import Limits
from pecdns._models import (
    Finding,
    HostLookup,
    MXRecord,
    Observation,
    Report,
    ServerProbe,
    Severity,
    Verdict,
)
from pecdns._order import (
    HostingPackage,
    Onboarding,
    OnboardingStep,
    Order,
    OrderChannel,
    OrderStatus,
)
from pecdns._policy import ARUBA, Policy
from pecdns._progress import ProgressBar, progress_bar
from pecdns._reports import Reports, to_dataframe
from pecdns.exceptions import (
    InvalidDomainError,
    InvalidRecordError,
    LifecycleError,
    PecdnsError,
    RecordingMissError,
)


def _installed_version() -> str:
    """The version of the installed distribution; ``0+unknown`` for a source tree not installed."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 -- used once

    try:
        return version("pecdns")
    except PackageNotFoundError:
        return "0+unknown"


__version__: str = _installed_version()
"""The version of pecdns, as installed (``pip show pecdns``)."""

__all__ = [
    "ARUBA",
    "Advice",
    "Certification",
    "CertificationStatus",
    "DailyResult",
    "DailyRun",
    "Domain",
    "Finding",
    "HostLookup",
    "HostingPackage",
    "InvalidDomainError",
    "InvalidInput",
    "InvalidRecordError",
    "LifecycleError",
    "Limits",
    "MXRecord",
    "Observation",
    "Onboarding",
    "OnboardingStep",
    "Order",
    "OrderChannel",
    "OrderStatus",
    "PecdnsError",
    "Policy",
    "ProgressBar",
    "RecordingMissError",
    "Report",
    "Reports",
    "ServerProbe",
    "Setup",
    "Severity",
    "Transition",
    "Verdict",
    "acheck",
    "apply_check",
    "check",
    "check_many",
    "daily_check",
    "progress_bar",
    "registrable_domain",
    "setup_advice",
    "to_dataframe",
    "to_html",
    "to_json",
]
