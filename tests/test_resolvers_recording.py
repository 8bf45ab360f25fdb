"""Record once against real DNS (a server on loopback), replay offline."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import dns.rcode
import pytest

from dnsserver import rcode, records, serve
from helpers import PROVIDER
from pecdns import InvalidRecordError, RecordingMissError, check
from pecdns.resolvers import (
    Answer,
    DnsResolver,
    Outcome,
    Query,
    RecordingResolver,
    ReplayResolver,
    Resolver,
)
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from pathlib import Path

SCRIPT = {
    ("pec.example.it", "MX"): records("10 mx.pec.aruba.it."),
    ("mx.pec.aruba.it", "A"): records("192.0.2.25"),
    ("example.it", "NS"): records("ns1.example.it."),
    ("ns1.example.it", "A"): records("127.0.0.1"),
    ("example.it", "MX"): rcode(dns.rcode.NOERROR),
    ("pec.example.it", "NS"): rcode(dns.rcode.NOERROR),
}


def test_recording_and_replaying_are_resolvers() -> None:
    assert isinstance(RecordingResolver(FakeResolver({})), Resolver)
    assert isinstance(ReplayResolver([]), Resolver)


def test_a_check_recorded_over_udp_replays_offline_to_the_same_report(tmp_path: Path) -> None:
    with serve(SCRIPT) as (server, port):
        recorder = RecordingResolver(DnsResolver(["127.0.0.1"], port=port, timeout=0.5))
        live = check("example.it", resolver=recorder)
        asked = len(server.asked)
    path = tmp_path / "example.it.jsonl"
    recorder.save(path)
    replay = ReplayResolver.load(path)
    assert len(replay) == asked == len(recorder.answers)
    assert check("example.it", resolver=replay) == live


def test_a_question_missing_from_the_recording_is_an_error_not_a_lookup() -> None:
    replay = ReplayResolver([], source="empty.jsonl")
    with pytest.raises(RecordingMissError, match=r"mx\.pec\.aruba\.it\. A is not in empty\.jsonl"):
        check("example.it", resolver=replay)


def test_the_first_answer_to_a_repeated_question_is_replayed() -> None:
    query = Query("pec.example.it", "MX")
    first = Answer(query, Outcome.TIMEOUT)
    replay = ReplayResolver([first, Answer(query, Outcome.NXDOMAIN)])
    assert replay.resolve(query) == first


def test_the_recording_file_is_a_header_and_json_lines(tmp_path: Path) -> None:
    recorder = RecordingResolver(FakeResolver({**PROVIDER, "pec.example.it": {"MX": "0 ."}}))
    check("example.it", resolver=recorder)
    path = tmp_path / "r.jsonl"
    recorder.save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "pecdns.recording.v1"}
    assert json.loads(lines[1])["query"]["name"] == "mx.pec.aruba.it."  # asked first


def test_a_file_that_is_not_a_recording_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"format": "something else"}\n', encoding="utf-8")
    with pytest.raises(InvalidRecordError, match="not a pecdns recording"):
        ReplayResolver.load(path)


def test_a_damaged_recording_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"format": "pecdns.recording.v1"}\n{"query": \n', encoding="utf-8")
    with pytest.raises(InvalidRecordError, match="line 1"):
        ReplayResolver.load(path)


def test_a_recorded_answer_with_missing_fields_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="not a recorded answer"):
        Answer.from_dict({"outcome": "ANSWER"})


def test_a_recorded_answer_with_bad_data_says_why() -> None:
    with pytest.raises(InvalidRecordError, match="unsupported record type"):
        Answer.from_dict({"query": {"name": "x.example", "type": "TXT"}, "outcome": "NODATA"})
