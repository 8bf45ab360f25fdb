from __future__ import annotations

import importlib
import inspect

import pecdns
import pecdns.pytest_plugin
import pecdns.resolvers
import pecdns.testing

PUBLIC = {
    "pecdns": [
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
    ],
    "pecdns.resolvers": [
        "ROOT_HINTS",
        "Answer",
        "AsyncDnsResolver",
        "AsyncResolver",
        "DnsResolver",
        "IterativeResolver",
        "Outcome",
        "Query",
        "RRType",
        "RecordingResolver",
        "ReplayResolver",
        "Resolver",
        "ThreadedResolver",
        "ZoneResolver",
        "as_async",
    ],
    "pecdns.testing": [
        "AsyncFakeResolver",
        "Data",
        "FakeDNS",
        "FakeResolver",
        "Handler",
        "Zone",
        "assert_findings",
    ],
    "pecdns.pytest_plugin": ["pec_check", "pec_resolver"],
}


def _isort_style(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: ruff's order for __all__ (RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_as_ruff_sorts_it() -> None:
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        assert list(module.__all__) == sorted(module.__all__, key=_isort_style), module_name


def test_all_lists_exactly_the_public_names() -> None:
    for module_name, names in PUBLIC.items():
        assert set(importlib.import_module(module_name).__all__) == set(names), module_name


def test_every_public_name_is_documented() -> None:
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert inspect.getdoc(obj), f"{module_name}.{name}"


def test_private_modules_start_with_an_underscore() -> None:
    public_modules = {"exceptions", "portfolio", "pytest_plugin", "resolvers", "testing"}
    for info in __import__("pkgutil").iter_modules(pecdns.__path__):
        assert info.name.startswith("_") or info.name in public_modules, info.name
