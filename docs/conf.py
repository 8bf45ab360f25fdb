"""Sphinx configuration of the pecdns documentation.

Built by ``nox -s docs`` twice, warnings as errors: ``-b html`` for the site
and ``-b doctest`` to run every example. Nothing is fetched from the network.
"""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

# -- Project ------------------------------------------------------------------
project = "pecdns"
author = "The pecdns developers"
copyright = "The pecdns developers; MIT licence"
release = _version("pecdns")
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------
# intersphinx is deliberately absent: it downloads inventories, and the build
# must work offline. References to the standard library are ignored below.
extensions = [
    "myst_nb",  # MyST Markdown (it sets up myst_parser) and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "pecdns_docs",  # docs/_ext: the catalogue, rules and API checks, read from pecdns
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}  # myst-nb reads both
root_doc = "index"
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]
nitpicky = True
# The modules whose __all__ is the public API: docs/_ext warns about any name
# in it that api.md does not document.
pecdns_public_modules = [
    "pecdns",
    "pecdns.resolvers",
    "pecdns.testing",
    "pecdns.portfolio",
    "pecdns.exceptions",
    "pecdns.pytest_plugin",
]
# Standard-library and attrs objects named in signatures and docstrings have
# no target without intersphinx; that is not a fault of the docs. The bare
# names are those that pecdns imports only under TYPE_CHECKING, which autodoc
# shows as written.
nitpick_ignore_regex = [
    ("py:.*", r"(collections\.abc|concurrent\.futures|datetime|enum|ipaddress|os|pathlib)\.\w+"),
    ("py:.*", r"(gc|asyncio|asyncio\.events)\.\w+"),
    ("py:class", r"pecdns\._serial\.T"),  # the TypeVar of from_dict: the class asked for
    ("py:class", r"dns(\.\w+)+"),  # dnspython's types (raw DNS): no intersphinx here
    # Internal types named in public signatures (the DNSSEC walk, the check's tally): private
    # modules, not in the API reference.
    ("py:class", r"Question|Probe|DnssecState|Tally|pecdns\._dnssec\.\w+"),
    ("py:.*", r"attrs\.\w+"),
    ("py:class", r"tqdm(\.\w+)*"),  # from the optional progress extra
    ("py:class", r"(pd|pandas)\.DataFrame"),  # from the optional dataframe extra
    ("py:class", r"date|datetime|timedelta"),
]

# -- MyST ---------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]

# -- myst-nb: notebooks are executed on every build, offline, and fail it on error --
# The notebook checks its portfolio with ZoneResolver and fakes, so the kernel
# needs no network; "force" runs it even when its stored outputs look current.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True
# A first run of matplotlib says on stderr that it builds its font cache; errors still fail
# the build (nb_execution_raise_on_error), so stderr is left out of the page.
nb_output_stderr = "remove"

# -- autodoc and napoleon -------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
python_use_unqualified_type_names = True  # "Domain", not "pecdns._domain.Domain"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -- doctest: every {doctest} block and ```pycon session of every page runs ----
# Pages load the example zones shipped in the repository as ZONES.
doctest_global_setup = f"""
import pathlib
ZONES = pathlib.Path({str(ROOT / "examples" / "zones")!r})
"""

# -- HTML -----------------------------------------------------------------------
html_theme = "furo"
html_title = f"pecdns {release}"
html_static_path: list[str] = []


# -- Hooks: autodoc habits that do not fit pecdns --------------------------------
def _attribute_doc(name: str, obj: object) -> list[str] | None:
    """The docstring written under ``name = ...`` in the pecdns module that defines it.

    autodoc looks for it only in the module being documented, so a constant
    defined in ``pecdns._policy`` and exported by ``pecdns`` (ARUBA) would show
    the docstring of its class instead.
    """
    from sphinx.pycode import ModuleAnalyzer  # noqa: PLC0415

    for modname, module in sorted(sys.modules.items()):
        if modname.split(".")[0] == "pecdns" and getattr(module, name, None) is obj:
            doc = ModuleAnalyzer.for_module(modname).find_attr_docs().get(("", name))
            if doc:
                return list(doc)
    return None


def _fix_docstring(app, what, name, obj, options, lines):  # noqa: ANN001, ANN202, ARG001
    if what == "data" and name.startswith("pecdns."):
        doc = _attribute_doc(name.rpartition(".")[2], obj)
        if doc:
            lines[:] = doc
    if what in {"property", "attribute", "data"} and lines and ":" in lines[0]:
        # napoleon reads "text: more" on the first line of a property or
        # attribute docstring as "type: description"; pecdns never writes
        # types there (they come from annotations), so mark the type empty.
        lines[0] = ": " + lines[0]


def _public_bases(app, name, obj, options, bases):  # noqa: ANN001, ANN202, ARG001
    """Show the public bases of a class instead of a private one (``_Named``)."""
    index = 0
    while index < len(bases):
        base = bases[index]
        if getattr(base, "__module__", "").startswith("pecdns") and base.__name__.startswith("_"):
            bases[index : index + 1] = list(base.__bases__)
        else:
            index += 1


def setup(app):  # noqa: ANN001, ANN201
    """Connect the hooks above."""
    app.connect("autodoc-process-docstring", _fix_docstring, priority=400)  # before napoleon
    app.connect("autodoc-process-bases", _public_bases)
