"""Record a resolver's answers once, replay them offline: tests, notebooks, bug reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pecdns._models import Answer
from pecdns.exceptions import InvalidRecordError, RecordingMissError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from pecdns._models import Query
    from pecdns.resolvers._protocol import Resolver

__all__ = ["RecordingResolver", "ReplayResolver"]

FORMAT = "pecdns.recording.v1"


class RecordingResolver:
    """Passes every question to ``resolver`` and keeps each answer, to save as a recording.

    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> live = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> recorder = RecordingResolver(live)
    >>> report = check("example.it", resolver=recorder)
    >>> replayed = check("example.it", resolver=ReplayResolver(recorder.answers))
    >>> replayed == report
    True
    """

    def __init__(self, resolver: Resolver) -> None:
        """Wrap ``resolver``; nothing is asked until :meth:`resolve`."""
        self.resolver = resolver
        self.answers: list[Answer] = []
        """Every answer given, in the order the questions were asked."""

    def resolve(self, query: Query) -> Answer:
        """Ask the wrapped resolver, and keep its answer."""
        answer = self.resolver.resolve(query)
        self.answers.append(answer)
        return answer

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the recording: a header line, then one JSON answer per line."""
        lines = [json.dumps({"format": FORMAT})]
        lines += [json.dumps(a.to_dict(), ensure_ascii=True) for a in self.answers]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


class ReplayResolver:
    """Answers only from a recording; a question it does not hold is an error, never a lookup.

    Raises:
        RecordingMissError: from :meth:`resolve`, for a question not in the recording.
    """

    def __init__(self, answers: Iterable[Answer], *, source: str = "the recording") -> None:
        """Replay ``answers``; for a question asked twice, the first answer recorded."""
        self.source = source
        self._answers: dict[Query, Answer] = {}
        for answer in answers:
            self._answers.setdefault(answer.query, answer)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ReplayResolver:
        """Read a recording written by :meth:`RecordingResolver.save`.

        Raises:
            InvalidRecordError: the file is not a pecdns recording.
        """
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        try:
            header = json.loads(lines[0]) if lines else None
            if header != {"format": FORMAT}:
                raise InvalidRecordError(f"{path}: not a pecdns recording ({FORMAT})")
            answers = [Answer.from_dict(json.loads(line)) for line in lines[1:] if line]
        except json.JSONDecodeError as exc:
            raise InvalidRecordError(f"{path}: line {exc.lineno}: {exc.msg}") from None
        return cls(answers, source=str(path))

    def __len__(self) -> int:
        return len(self._answers)

    def resolve(self, query: Query) -> Answer:
        """The recorded answer to ``query``."""
        try:
            return self._answers[query]
        except KeyError:
            raise RecordingMissError(
                f"{query} is not in {self.source}: record the check again to include it"
            ) from None
