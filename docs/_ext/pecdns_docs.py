"""A local Sphinx extension: the finding catalogue and rule names, read from pecdns itself.

Nothing here is copied from the code by hand, so the pages cannot drift from it:

- ``{pecdns-catalogue}`` renders ``pecdns._codes.CATALOGUE`` as a table (code,
  default severity, clause, the verdict it belongs to, message, fix) followed by a legend of the
  template placeholders. A placeholder the legend does not know is a build
  warning, so a new one cannot go unexplained.
- ``{pecdns-clause} P6.2`` names the rule functions that enforce one clause
  (those whose docstring summary cites it) and lists its finding codes (with
  its sub-clauses'), linked into that table; ``{pecdns-clause} none`` does the
  same for the general DNS rules. A clause with neither is a build warning.
- ``{finding}`MX_OK``` links to a code's row in the table; an unknown code is
  a build warning (``nitpicky``).
- ``{pecdns-reexported} pecdns.exceptions pecdns`` says that every name in
  the first module's ``__all__`` is exported, and documented, by the second,
  linking each; a name the second does not export is a build warning.
- ``.. pecdns-autodata:: MODULE`` (inside ``{eval-rst}``, after
  ``automodule``) documents the constants in MODULE's ``__all__``, which
  autodoc skips when they are defined in another (private) module.
- every name in the ``__all__`` of the modules listed in the
  ``pecdns_public_modules`` setting must be documented (under that module or
  as one of its re-exports); a missing one is a build warning.
- ``{rule}`mx_record``` names a rule function of ``pecdns._rules``; a name
  that is not in ``RULES`` is a build warning.
- a fenced block in the ``pycon`` language (an interactive session) is a
  doctest block, like ``{doctest}``: the doctest builder runs it. A session
  that must not run belongs in a ``python`` or ``text`` block.

Documents using these directives are re-read on every build, so an
incremental build never shows a stale table.
"""

# ruff: noqa: INP001 -- a Sphinx extension loaded from docs/_ext by path, not a package

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import ModuleType

    from docutils.parsers.rst.states import Inliner
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: What each template placeholder stands for. ``{example}`` entries are filled
#: from the default policy and the domain ``example.it`` at build time (see
#: ``_examples``).
PLACEHOLDERS: dict[str, str] = {
    "pec": "the PEC name, e.g. {pec}",
    "domain": "the registrable domain, e.g. {domain}",
    "host": (
        "the policy's MX host, e.g. {host}; in the MX_TARGET_* codes,"
        " the MX target the finding is about"
    ),
    "host_text": "the policy's MX host as written without its trailing dot, e.g. {host}",
    "mx": "the required MX record, e.g. {mx}",
    "mx_line": "the zone-file line that publishes it, e.g. {mx_line}",
    "preference": "the required MX preference, e.g. {preference}",
    "found": "the MX records (or hosts) found that the finding is about",
    "outcome": "how the DNS question ended: NODATA, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT or ERROR",
    "detail": "the resolver's explanation of a failure, after a colon, when it gave one",
    "zone": "the zone concerned: the registrable domain, or the PEC name itself when it is"
    " delegated",
    "server": "one name server, with the address asked where known, e.g. {server}",
    "reason": "why a server's answer is not authoritative: it answers REFUSED or SERVFAIL, it"
    " refers the name elsewhere, or its answer lacks the AA flag",
    "with_mx": "the name servers that answer with the MX record",
    "without_mx": "the name servers that answer without it",
    "other": "what those servers answer instead, e.g. NODATA",
    "answers": "each name server with the MX records it answers",
    "delegation": "the name servers that the delegation in the parent zone names",
    "child": "the name servers that the delegated zone itself lists",
    "target": "the name a CNAME points to (for PEC_NAME_DNAME, the name the alias ends at)",
    "owner": "the name that holds the DNAME record, above the PEC name (or above the MX target)",
    "alias": "what makes the MX target an alias: CNAME, or the DNAME of a name above it"
    " (DNAME of example.it.)",
    "dname_target": "the name that DNAME record redirects its subtree to",
    "servers": "the name servers found",
    "provider": "the provider's mail servers found in the MX set",
    "others": "the other mail servers found in the MX set",
    "name": "the input as given, quoted",
    "unasked": "how many of the check's DNS questions its time budget left unasked",
    "cap": "the limit that stopped the check, as its field of Policy.limits (Limits.mx_hosts...)",
    "value": "the value of that limit",
    "rcode": "the response code a server gave to a query with EDNS (FORMERR, NOTIMP, BADVERS)",
    "cause": "why the DNSSEC state is what it is, in words (an expired signature, a DS that"
    " matches no key...)",
    "subject": "the record set or key the DNSSEC cause is about, e.g. 'DS example.it.'",
    "chain": "the zones walked from the trust anchor down to the PEC name",
    "p10": "a note citing P10 when a server of the provider's dedicated or cloud offers is"
    " counted as another mail server; otherwise nothing",
}


def _english(text: str | Mapping[str, str] | None) -> str | None:
    """The English template of a catalogue text (one str, or one per language)."""
    if text is None or isinstance(text, str):
        return text
    return text["en"]


def _examples() -> dict[str, str]:
    """Placeholder values under the default policy, for the domain example.it."""
    from pecdns import ARUBA, Domain  # noqa: PLC0415 -- imported when the build needs it

    domain = Domain("example.it")
    pec = ARUBA.pec_name(domain)
    return {
        "pec": pec.removesuffix("."),
        "domain": domain.name,
        "host": ARUBA.mx_host.removesuffix("."),
        "mx": f"{pec} MX {ARUBA.mx}",
        "mx_line": ARUBA.mx_line(domain),
        "preference": str(ARUBA.mx_preference),
        "server": "ns1.example.net (192.0.2.53)",  # the form of ServerProbe.label
    }


def _clause_target(clause: str) -> str:
    """The label of a clause's section on the policy page: ``P6.2`` -> ``policy-p6``."""
    return "policy-" + clause.split(".", 1)[0].lower()


def _clause_matches(clause: str | None, wanted: str) -> bool:
    return clause is not None and (clause == wanted or clause.startswith(wanted + "."))


def _readers(env: BuildEnvironment) -> set[str]:
    """The documents that render data read from pecdns: re-read on every build."""
    if not hasattr(env, "pecdns_readers"):
        env.pecdns_readers = set()  # type: ignore[attr-defined]
    return env.pecdns_readers  # type: ignore[attr-defined, no-any-return]


def _always_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    del app, added, changed
    return sorted(_readers(env) - removed)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    del app
    _readers(env).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    del app
    _readers(env).update(_readers(other) & docnames)


class _Reader(SphinxDirective):
    """A directive that reads pecdns modules and re-reads its page when they change."""

    def depend_on(self, module: ModuleType) -> None:
        self.env.note_dependency(module.__file__)
        _readers(self.env).add(self.env.docname)

    def xref(self, domain: str, reftype: str, target: str, content: nodes.Node) -> nodes.Node:
        return addnodes.pending_xref(
            "",
            content,
            refdomain=domain,
            reftype=reftype,
            reftarget=target,
            refexplicit=True,
            refwarn=True,
            refdoc=self.env.docname,
        )

    def clause_ref(self, clause: str | None) -> nodes.Node:
        if clause is None:
            return self.xref("std", "ref", "policy-dns-rules", nodes.inline(text="DNS rule"))
        return self.xref("std", "ref", _clause_target(clause), nodes.inline(text=clause))

    def code_ref(self, code: str) -> nodes.Node:
        return self.xref("std", "finding", code, nodes.literal(text=code))

    def template(self, text: str, code: str) -> nodes.paragraph:
        """A message or fix template: text, with each placeholder as an emphasised name."""
        para = nodes.paragraph()
        for literal, field, _spec, _conv in string.Formatter().parse(text):
            if literal:
                para += nodes.Text(literal)
            if field is None:
                continue
            if field not in PLACEHOLDERS:
                logger.warning(
                    "finding %s uses the placeholder {%s}, which the catalogue legend in"
                    " docs/_ext/pecdns_docs.py does not explain",
                    code,
                    field,
                    location=self.get_location(),
                )
            para += nodes.emphasis(text=f"<{field}>")
        return para


def _row(cells: Sequence[nodes.Node | str]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=cell)
        row += entry
    return row


def _table(headers: Sequence[str], widths: Sequence[int], rows: list[nodes.row]) -> nodes.table:
    table = nodes.table(classes=["pecdns-catalogue"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(headers)
    group += head
    body = nodes.tbody()
    body.extend(rows)
    group += body
    return table


class CatalogueDirective(_Reader):
    """``{pecdns-catalogue}``: the whole catalogue as a table, and the placeholder legend."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the table and the legend."""
        from pecdns import _codes  # noqa: PLC0415

        self.depend_on(_codes)
        std = self.env.get_domain("std")
        rows = []
        used: set[str] = set()
        for code, info in _codes.CATALOGUE.items():
            node_id = f"finding-{code.lower().replace('_', '-')}"
            std.note_object("finding", code, node_id, location=self.get_location())
            message = _english(info.message) or ""
            fix = _english(info.fix)
            for text in (message, fix or ""):
                used.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
            code_cell = nodes.paragraph()
            code_cell += nodes.literal(text=code)
            clause_cell = nodes.paragraph()
            clause_cell += self.clause_ref(info.clause)
            row = _row(
                [
                    code_cell,
                    info.severity.name,
                    clause_cell,
                    "daily check" if info.daily else "every rule",
                    self.template(message, code),
                    self.template(fix, code) if fix else "(nothing to do)",
                ]
            )
            row["ids"].append(node_id)
            rows.append(row)
        table = _table(
            ["Code", "Severity", "Clause", "Verdict", "What it means", "Fix"],
            [22, 9, 8, 9, 32, 22],
            rows,
        )
        return [table, self.legend(sorted(used))]

    def legend(self, fields: list[str]) -> nodes.Node:
        """Explain each placeholder the templates use, with an example where one is fixed."""
        examples = _examples()
        legend = nodes.definition_list()
        for field in fields:
            if field not in PLACEHOLDERS:
                continue  # already reported
            item = nodes.definition_list_item()
            term = nodes.term()
            term += nodes.emphasis(text=f"<{field}>")
            item += term
            definition = nodes.definition()
            text = nodes.paragraph()
            for literal, name, _spec, _conv in string.Formatter().parse(PLACEHOLDERS[field]):
                text += nodes.Text(literal)
                if name is not None:
                    text += nodes.literal(text=examples[name])
            definition += text
            item += definition
            legend += item
        section = nodes.container(classes=["pecdns-placeholders"])
        section += nodes.paragraph(
            text="In the messages and fixes above, a name in angle brackets is filled in"
            " from the domain checked and the records found:"
        )
        section += legend
        return section


def _cited(text: str | None) -> list[str]:
    """The clauses a rule's docstring summary cites: ``"P9 and P10: ..."`` -> P9, P10."""
    summary = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    return re.findall(r"\bP\d+(?:\.\d+)*\b", summary)


def _related(cited: str, wanted: str) -> bool:
    """Whether a clause a rule cites concerns the wanted clause (itself, a part, or a whole)."""
    return _clause_matches(cited, wanted) or _clause_matches(wanted, cited)


class ClauseDirective(_Reader):
    """``{pecdns-clause} P6.1``: the rules and the finding codes of one clause.

    A rule enforces the clauses its docstring summary cites (``"P6.1: ..."``);
    the argument ``none`` lists the rules that cite no clause and the codes
    whose clause is ``None``.
    """

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        """Render the rules line and the codes line."""
        from pecdns import _codes, _rules  # noqa: PLC0415

        self.depend_on(_codes)
        self.depend_on(_rules)
        wanted = self.arguments[0].strip()
        if wanted == "none":
            rules = [r for r in _rules.RULES if not _cited(r.__doc__)]
            infos = [i for i in _codes.CATALOGUE.values() if i.clause is None]
        else:
            rules = [r for r in _rules.RULES if any(_related(c, wanted) for c in _cited(r.__doc__))]
            infos = [i for i in _codes.CATALOGUE.values() if _clause_matches(i.clause, wanted)]
        if not rules and not infos:
            logger.warning(
                "no rule and no finding code cites the clause %s",
                wanted,
                location=self.get_location(),
            )
            return []
        result: list[nodes.Node] = []
        if rules:
            para = nodes.paragraph()
            para += nodes.strong(text="Rules: " if len(rules) > 1 else "Rule: ")
            for index, rule in enumerate(rules):
                if index:
                    para += nodes.Text(", ")
                para += nodes.literal(text=f"pecdns._rules.{rule.__name__}()")
            para += nodes.Text(".")
            result.append(para)
        if infos:
            para = nodes.paragraph()
            para += nodes.strong(text="Finding codes: ")
            for index, info in enumerate(infos):
                if index:
                    para += nodes.Text("; ")
                para += self.code_ref(info.code)
                clause = f", {info.clause}" if info.clause else ""
                para += nodes.Text(f" ({info.severity.name}{clause})")
            para += nodes.Text(".")
            result.append(para)
        return result


class ReexportedDirective(_Reader):
    """``{pecdns-reexported} MODULE DOCUMENTED_IN``: MODULE's names, documented under another."""

    required_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the sentence that links every re-exported name."""
        import importlib  # noqa: PLC0415

        source, target = self.arguments
        module, home = importlib.import_module(source), importlib.import_module(target)
        self.depend_on(module)
        missing = sorted(set(module.__all__) - set(home.__all__))
        if missing:
            logger.warning(
                "%s exports %s, which %s does not",
                source,
                ", ".join(missing),
                target,
                location=self.get_location(),
            )
        para = nodes.paragraph()
        para += nodes.Text("Every name it exports is exported by ")
        para += nodes.literal(text=target)
        para += nodes.Text(" too, and documented there: ")
        for index, name in enumerate(sorted(module.__all__)):
            if index:
                para += nodes.Text(", ")
            para += self.xref("py", "obj", f"{target}.{name}", nodes.literal(text=name))
        para += nodes.Text(". Import them from either module.")
        return [para]


class AutodataDirective(SphinxDirective):
    """``.. pecdns-autodata:: MODULE``: an ``autodata`` for each re-exported constant.

    ``automodule`` documents a constant only when the module itself assigns it
    with a docstring; this covers those in ``__all__`` that come from elsewhere.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Parse one ``autodata`` directive per constant."""
        import importlib  # noqa: PLC0415
        import inspect  # noqa: PLC0415

        from docutils.statemachine import StringList  # noqa: PLC0415
        from sphinx.pycode import ModuleAnalyzer  # noqa: PLC0415

        modname = self.arguments[0]
        module = importlib.import_module(modname)
        _readers(self.env).add(self.env.docname)
        own_docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        lines = StringList()
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
                continue
            if ("", name) in own_docs:
                continue  # defined and documented in the module itself: automodule shows it
            for line in (f".. autodata:: {modname}.{name}", "   :no-value:", ""):
                lines.append(line, self.get_source_info()[0], self.lineno)
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(lines, self.content_offset, container)
        return container.children


def rule_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: Mapping[str, Any] | None = None,
    content: Sequence[str] = (),
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``{rule}`mx_record```: the dotted name of a rule function, checked against ``RULES``."""
    del name, options, content
    from pecdns import _rules  # noqa: PLC0415

    env = inliner.document.settings.env
    _readers(env).add(env.docname)
    known = {rule.__name__ for rule in _rules.RULES}
    if text not in known:
        logger.warning(
            "%r is not a rule in pecdns._rules.RULES (known: %s)",
            text,
            ", ".join(sorted(known)),
            location=(env.docname, lineno),
        )
    return [nodes.literal(rawtext, f"pecdns._rules.{text}()")], []


def sessions_are_doctests(app: Sphinx, doctree: nodes.document) -> None:
    """Turn ``pycon`` literal blocks into doctest blocks, which sphinx.ext.doctest runs."""
    del app
    for block in list(doctree.findall(nodes.literal_block)):
        if block.get("language") == "pycon":
            session = nodes.doctest_block(block.rawsource, block.astext())
            session.source, session.line = block.source, block.line
            block.replace_self(session)


def check_public_api(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn about a public name (in a listed module's ``__all__``) that no page documents."""
    import importlib  # noqa: PLC0415

    documented = set(env.get_domain("py").objects)
    for modname in app.config.pecdns_public_modules:
        module = importlib.import_module(modname)
        for name in module.__all__:
            if f"{modname}.{name}" in documented:
                continue
            owner = next(
                (m for m in app.config.pecdns_public_modules if f"{m}.{name}" in documented),
                None,
            )
            if owner is None or getattr(importlib.import_module(owner), name, None) is not getattr(
                module, name
            ):
                logger.warning(
                    "the public name %s.%s (in its __all__) is not documented", modname, name
                )


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the directives, the role, the ``finding`` object type and the checks."""
    app.add_config_value("pecdns_public_modules", [], "env", list)
    app.connect("doctree-read", sessions_are_doctests)
    app.connect("env-get-outdated", _always_reread)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", check_public_api)
    app.add_object_type("finding", "finding", objname="finding code")
    app.add_directive("pecdns-catalogue", CatalogueDirective)
    app.add_directive("pecdns-clause", ClauseDirective)
    app.add_directive("pecdns-reexported", ReexportedDirective)
    app.add_directive("pecdns-autodata", AutodataDirective)
    app.add_role("rule", rule_role)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
