"""Reports as HTML for notebooks: badge, findings table, every value escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from attrs import evolve

from helpers import PROVIDER, run
from pecdns import InvalidInput, Report, Reports, check, check_many, to_html
from pecdns.resolvers import Query, ZoneResolver
from pecdns.testing import FakeResolver

ZONES = Path(__file__).resolve().parents[1] / "examples" / "zones"
HOSTILE_NAME = r"\060script\062alert(\034x\034)\038\060/script\062.example."
HOSTILE_TEXT = '<script>alert("x")&</script>'
ESCAPED_TEXT = "&lt;script&gt;alert(&quot;x&quot;)&amp;&lt;/script&gt;"
SAFE_TAGS = {
    "div", "p", "span", "strong", "small", "em", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "ul", "li",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def _parsed(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _crashed() -> Report | InvalidInput:
    def handler(query: Query) -> list[str]:
        raise RuntimeError(HOSTILE_TEXT)

    (result,) = check_many(["example.it"], resolver=FakeResolver(handler))
    return result


def test_a_report_shows_a_verdict_badge_and_a_findings_table() -> None:
    markup = run({"pec.example.it": {"MX": "10 mail.example.it."}})._repr_html_()
    assert 'class="pecdns-verdict"' in markup
    assert ">NON_COMPLIANT</span>" in markup
    assert "<th" in markup
    assert ">Clause</th>" in markup
    assert "<code>MX_WRONG_HOST</code>" in markup
    assert "P6.2" in markup
    assert "Publish exactly this MX record for pec.example.it" in markup
    assert "pec.example.it. 3600 IN MX 10 mx.pec.aruba.it." in markup


def test_a_compliant_report_needs_no_zone_lines() -> None:
    markup = run({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}})._repr_html_()
    assert ">COMPLIANT</span>" in markup
    assert "Zone lines to paste" not in markup


def test_hostile_dns_names_come_out_as_inert_text() -> None:
    report = run({"pec.example.it": {"MX": f"10 {HOSTILE_NAME}"}, HOSTILE_NAME: {"A": "192.0.2.9"}})
    markup = report._repr_html_()
    assert "<script" not in markup
    assert r"\060script\062alert" in markup
    assert _parsed(markup).tags <= SAFE_TAGS


def test_hostile_text_in_evidence_and_messages_is_escaped() -> None:
    result = _crashed()
    assert HOSTILE_TEXT in result.findings[0].message
    assert any(HOSTILE_TEXT in a.detail for f in result.findings for a in f.evidence)
    markup = to_html(result)
    assert "<script" not in markup
    assert ESCAPED_TEXT in markup
    parsed = _parsed(markup)
    assert parsed.tags <= SAFE_TAGS
    assert not any(name.startswith("on") for name in parsed.attributes)


def test_hostile_input_of_a_batch_is_escaped() -> None:
    (result,) = check_many([HOSTILE_TEXT], resolver=FakeResolver(PROVIDER))
    assert isinstance(result, InvalidInput)
    markup = result._repr_html_()
    assert "<script" not in markup
    assert "INVALID INPUT" in markup
    assert _parsed(markup).tags <= SAFE_TAGS


def test_a_batch_shows_counts_and_one_row_per_domain() -> None:
    zones = ZoneResolver.from_directory(ZONES)
    reports = Reports(check_many(["conforme.it", "sbagliato.it", "www.x.it"], resolver=zones))
    markup = reports._repr_html_()
    assert "<strong>3 results</strong>" in markup
    assert ">1 COMPLIANT<" in markup
    assert ">1 NON_COMPLIANT<" in markup
    assert markup.count("<tr>") >= 4
    assert "<code>&#x27;www.x.it&#x27;</code>" in markup


def test_html_in_italian_translates_labels_messages_and_zone_comments() -> None:
    report = run({"pec.example.it": {"MX": "10 mail.example.it."}})
    markup = to_html(report, lang="it")
    assert ">NON CONFORME</span>" in markup
    assert ">Clausola</th>" in markup
    assert "ha il record MX 10 mail.example.it." in markup
    assert "deve avere esattamente questo record MX" in markup
    assert "Righe da incollare nella zona" in markup


def test_a_report_checked_in_italian_shows_in_italian() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    markup = check("example.it", resolver=fake, lang="it")._repr_html_()
    assert ">CONFORME</span>" in markup
    assert "Gravità" in markup


def test_an_empty_batch_says_so() -> None:
    assert "nothing to check" in to_html([])


def test_a_report_without_findings_says_so() -> None:
    report = run({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    assert "<em>no findings</em>" in to_html(evolve(report, findings=()))


def test_html_shows_the_breaches_and_italian_counts_agree() -> None:
    breach = run({"pec.example.it": PEC_BREACH, "example.it": PEC_BREACH})
    page = to_html(breach, lang="it")
    assert 'class="pecdns-breaches"' in page
    assert "tutte le regole: NON CONFORME" in page
    many = to_html([breach, breach], lang="it")
    assert ">2 CONFORMI<" in many
    assert "Violazioni fuori dal controllo giornaliero: 2" in many
    assert "<code>MX_AT_REGISTRABLE</code>" in many


PEC_BREACH = {"MX": "10 mx.pec.aruba.it."}
