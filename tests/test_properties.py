"""Properties over untrusted input: only documented exceptions, never a crash, always inert."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pecdns import ARUBA, InvalidRecordError, Verdict, to_json
from pecdns._check import report
from pecdns.resolvers import ZoneResolver
from strategies import observations

if TYPE_CHECKING:
    from pecdns._models import Observation

ZONE_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "$ORIGIN example.it.",
                "$TTL 300",
                "@ IN SOA ns1 hostmaster 1 2 3 4 5",
                "@ IN NS ns1.example.net.",
                "pec IN MX 10 mx.pec.aruba.it.",
                "pec IN MX 10 mx.pec.aruba.it",
                "pec IN CNAME pec",
                "sub IN NS ns.sub",
                "* IN MX 0 .",
                "$INCLUDE /etc/passwd",
                "$GENERATE 1-3 host$ A 192.0.2.$",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(ZONE_LINES)
def test_zone_text_raises_nothing_but_invalid_record(lines: list[str]) -> None:
    with contextlib.suppress(InvalidRecordError):
        ZoneResolver("\n".join(lines) + "\n", origin="example.it")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(observations())
def test_any_observation_is_judged_without_error_and_rendered_inert(obs: Observation) -> None:
    result = report(obs, ARUBA)
    assert result.verdict in set(Verdict)
    assert (result.verdict is Verdict.COMPLIANT) == result.ok
    for rendering in (str(result), repr(result), to_json(result), result.remedy or ""):
        assert all(line.isprintable() for line in rendering.splitlines())
        assert "<script" not in rendering
    json.loads(to_json(result))


@settings(max_examples=200)
@given(observations())
def test_judging_is_deterministic(obs: Observation) -> None:
    assert report(obs, ARUBA) == report(obs, ARUBA)


@settings(max_examples=100)
@given(observations())
def test_italian_reports_hold_the_same_codes(obs: Observation) -> None:
    english, italian = report(obs, ARUBA), report(obs, ARUBA, lang="it")
    assert english.codes() == italian.codes()
    assert english.verdict is italian.verdict
