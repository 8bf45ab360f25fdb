"""The pytest plugin, as a user's test suite sees it: run in a pytest of its own (pytester)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

pytest_plugins = ["pytester"]


def test_the_plugin_is_on_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pecdns

        def test_compliant(pec_resolver):
            pec_resolver.add("pec.example.it", "MX", "10 mx.pec.aruba.it.")
            assert pecdns.check("example.it", resolver=pec_resolver).ok
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_pec_check_is_check_with_the_fixtures_resolver(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pecdns.testing import assert_findings

        def test_wrong_host(pec_resolver, pec_check):
            pec_resolver.wrong_host("example.it")
            assert_findings(pec_check("example.it"), ["MX_WRONG_HOST"], at_least="WARNING")

        def test_italian(pec_resolver, pec_check):
            pec_resolver.null_mx("example.it")
            assert "record MX nullo" in pec_check("example.it", lang="it").findings[0].message
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_each_test_gets_a_fresh_resolver(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_first(pec_resolver):
            pec_resolver.compliant("example.it")

        def test_second(pec_resolver):
            assert list(pec_resolver.zone()) == ["mx.pec.aruba.it."]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_failed_assertion_shows_the_difference_of_findings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pecdns.testing import assert_findings

        def test_expects_compliance(pec_resolver, pec_check):
            pec_resolver.missing_dot("example.it")
            assert_findings(pec_check("example.it"), ["MX_OK", "SETUP_UNKNOWN"])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * AssertionError: the findings of example.it differ from those expected*",
            "E * + MX_TRAILING_DOT * ERROR   P6.2  pec.example.it has MX*",
            "E *   SETUP_UNKNOWN * INFO    P4 *",
            "E * - MX_OK",
        ]
    )
    result.stdout.no_fnmatch_line("*__tracebackhide__*")


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_needs_the_fixture(pec_resolver):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:pecdns")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'pec_resolver' not found*"])


def test_the_fixtures_are_listed_with_their_documentation(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--fixtures")
    result.stdout.fnmatch_lines(["pec_resolver*", "*A fresh*FakeDNS*", "pec_check*"])
