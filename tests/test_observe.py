from __future__ import annotations

from helpers import EXTERNAL_NS, PROVIDER
from pecdns import ARUBA, Domain
from pecdns._observe import observe
from pecdns.resolvers import Answer, Outcome, Query, RRType
from pecdns.testing import FakeResolver

DOMAIN = Domain("example.it")


def test_gathering_asks_each_question_once_and_judges_nothing() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    obs = observe(DOMAIN, fake, ARUBA)
    asked = [(q.name, q.rdtype) for q in fake.queries]
    assert asked == [
        ("pec.example.it.", RRType.MX),
        ("example.it.", RRType.MX),
        ("example.it.", RRType.NS),
        ("pec.example.it.", RRType.NS),
        ("mx.pec.aruba.it.", RRType.A),
    ]
    assert obs.pec_name == "pec.example.it."
    assert [h.host for h in obs.hosts] == ["mx.pec.aruba.it."]


def test_aaaa_is_asked_only_when_a_gives_no_address() -> None:
    fake = FakeResolver(
        {
            **PROVIDER,
            "pec.example.it": {"MX": "10 v6.example.it."},
            "v6.example.it": {"AAAA": "2001:db8::1"},
        }
    )
    obs = observe(DOMAIN, fake, ARUBA)
    lookup = obs.host("v6.example.it.")
    assert lookup is not None
    assert lookup.addresses == ("2001:db8::1",)
    assert Query("mx.pec.aruba.it", "AAAA") not in fake.queries


def test_nxdomain_host_needs_no_aaaa_question() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 gone.example.it."}})
    observe(DOMAIN, fake, ARUBA)
    assert Query("gone.example.it", "AAAA") not in fake.queries


def test_null_mx_host_is_not_looked_up() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "0 ."}})
    obs = observe(DOMAIN, fake, ARUBA)
    assert [h.host for h in obs.hosts] == ["mx.pec.aruba.it."]


def test_a_resolver_that_raises_gives_an_error_answer() -> None:
    def broken(query: Query) -> Answer:
        raise RuntimeError("socket\nexploded")

    obs = observe(DOMAIN, FakeResolver(broken), ARUBA)
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert obs.pec_mx.detail == "RuntimeError: socket\\nexploded"


def test_an_answer_to_another_question_is_an_error() -> None:
    obs = observe(
        DOMAIN,
        FakeResolver(lambda q: Answer(Query("x.example", q.rdtype), Outcome.NXDOMAIN)),
        ARUBA,
    )
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert "another question" in obs.pec_mx.detail


def test_malformed_mx_data_from_a_resolver_is_an_error_answer() -> None:
    class Sloppy:
        def resolve(self, query: Query) -> Answer:
            if query.rdtype is RRType.MX:
                return Answer(query, Outcome.ANSWER, ["not an mx"])
            return Answer(query, Outcome.NODATA)

    obs = observe(DOMAIN, Sloppy(), ARUBA)
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert "malformed answer" in obs.pec_mx.detail


def test_a_delegation_to_servers_without_address_asks_the_child_nothing() -> None:
    # pec.example.it is delegated to a name server with no glue and no address: there is no
    # server of the PEC zone to ask its NS set of (P6.1).
    recursive = FakeResolver({**PROVIDER, "example.it": EXTERNAL_NS})

    def handler(query: Query) -> Answer | Outcome:
        if query.server is not None and query.name == "pec.example.it.":
            return Answer(
                query, Outcome.REFERRAL, zone="pec.example.it", referral=("ns.nowhere.example.",)
            )
        return recursive.resolve(query)

    fake = FakeResolver(handler)
    obs = observe(DOMAIN, fake, ARUBA)
    assert [(p.name, p.address) for p in obs.child_probes] == [("ns.nowhere.example.", None)]
    assert obs.child_ns is None
    assert not any(q.rdtype is RRType.NS and q.server for q in fake.queries)
