"""Hypothesis strategies for DNS data as it arrives: untrusted, odd, and sometimes hostile."""

from __future__ import annotations

from hypothesis import strategies as st

from pecdns import Domain
from pecdns._models import Answer, HostLookup, Observation, Outcome, Query, RRType, ServerProbe

_LABEL = st.one_of(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["pec", "mx", "aruba", "it", "example", "*", "_srv", "xn--citt-3na"]),
    st.binary(min_size=1, max_size=6).map(lambda b: "".join(f"\\{o:03d}" for o in b)),
)
NAMES = st.lists(_LABEL, min_size=1, max_size=5).map(lambda ls: ".".join(ls) + ".")
HOSTS = st.one_of(
    NAMES,
    st.sampled_from(
        [
            "mx.pec.aruba.it.",
            "mx.pec.aruba.it.pec.example.it.",
            "mx.pec.aruba.it.example.it.",
            "mx.aruba.it.",
            "192.0.2.1.",
            "dns.technorail.com.",
        ]
    ),
)
OWNERS = st.one_of(NAMES, st.sampled_from(["example.it.", "it.", "pec.example.it.", "."]))
"""DNAME owners: any name, and the PEC name's own ancestors (whose DNAME makes it an alias)."""
ADDRESSES = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str))


@st.composite
def answers(draw: st.DrawFn, name: str, rdtype: RRType, *, server: str | None = None) -> Answer:
    """Any answer a resolver might give to (name, rdtype)."""
    query = Query(name, rdtype, server=server)
    outcome = draw(st.sampled_from(list(Outcome)))
    records: list[str] = []
    if outcome is Outcome.ANSWER:
        if rdtype is RRType.MX:
            pref = st.integers(0, 65535).map(str)
            records = draw(
                st.lists(
                    st.tuples(pref, st.one_of(HOSTS, st.just("."))).map(" ".join),
                    min_size=1,
                    max_size=4,
                )
            )
        elif rdtype is RRType.A:
            records = draw(st.lists(st.ip_addresses(v=4).map(str), min_size=1, max_size=3))
        elif rdtype is RRType.AAAA:
            records = draw(st.lists(st.ip_addresses(v=6).map(str), min_size=1, max_size=3))
        else:
            records = draw(st.lists(HOSTS, min_size=1, max_size=4))
    referral: list[str] = []
    glue: list[tuple[str, str]] = []
    if outcome is Outcome.REFERRAL:
        referral = draw(st.lists(HOSTS, min_size=1, max_size=3))
        glue = draw(st.lists(st.tuples(st.sampled_from(referral), ADDRESSES), max_size=3))
    return Answer(
        query,
        outcome,
        records,
        aliases=draw(st.lists(HOSTS, max_size=2)),
        server=server,
        authoritative=draw(st.sampled_from([True, False, None])),
        detail=draw(st.text(max_size=20)),
        zone=name if referral else None,
        referral=referral,
        glue=glue,
        dnames=draw(st.lists(st.tuples(OWNERS, HOSTS), max_size=2)),
    )


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    """Any observation of example.it, however inconsistent its answers."""
    pec, apex = "pec.example.it.", "example.it."
    hosts = draw(st.lists(HOSTS, max_size=3, unique=True))
    lookups = tuple(
        HostLookup(
            h,
            draw(answers(h, RRType.A)),
            draw(st.one_of(st.none(), answers(h, RRType.AAAA))),
        )
        for h in ["mx.pec.aruba.it.", *hosts]
    )

    def probes() -> tuple[ServerProbe, ...]:
        found = []
        for ns in draw(st.lists(HOSTS, max_size=3)):
            address = draw(st.one_of(st.none(), ADDRESSES))
            mx = draw(answers(pec, RRType.MX, server=address)) if address else None
            found.append(ServerProbe(ns, address, mx))
        return tuple(found)

    return Observation(
        domain=Domain("example.it"),
        pec_name=pec,
        pec_mx=draw(answers(pec, RRType.MX)),
        domain_mx=draw(answers(apex, RRType.MX)),
        domain_ns=draw(answers(apex, RRType.NS)),
        pec_ns=draw(answers(pec, RRType.NS)),
        hosts=tuple({h.host: h for h in lookups}.values()),
        parent_probes=probes(),
        child_probes=probes(),
        child_ns=draw(st.one_of(st.none(), answers(pec, RRType.NS))),
    )
