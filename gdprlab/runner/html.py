"""The HTML report of an executed notebook: the page nbconvert's HTMLExporter makes, without any code.

Code inputs and prompts are excluded and papermill's parameters cells removed (HIDDEN_TAGS), so the
report shows the auditor's text, tables and figures only. The exporter compiles its templates on first
use, so each process keeps one (`_exporter`, made on first use) and converts one notebook at a time with
it (it registers per-notebook filters on itself). Its BeautifulSoup pass is replaced by
`accessible_page`, which adds the same attributes on the text: the same page, faster.

The page is self-contained and runs nothing: its template (templates/report: nbconvert's lab page) drops
the page's scripts (require.js, MathJax and mermaid from a CDN, the widget manager), and a
Content-Security-Policy meta tag (gdprlab.crm.shown.CONTENT_SECURITY_POLICY) forbids every script and every
load from the network, so that a column header or value that slipped into the report as HTML cannot run.
The report and the folder it is written to are owner-only (it holds masked evidence of personal data).
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config

from gdprlab.crm.files import write_atomic
from gdprlab.crm.shown import CONTENT_SECURITY_POLICY

#: the report's own template (nbconvert's lab page without scripts) and the folder it lives in
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "report"
#: Cell tags whose cells the HTML report leaves out entirely: papermill's parameters cells and the
#: notebook's own instructions and parameter dump (`notebook-only`).
HIDDEN_TAGS = ("parameters", "injected-parameters", "notebook-only")
_LOCK = threading.Lock()
_TAG = re.compile(r"<(img|div)\b[^>]*>", re.IGNORECASE)
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
_MISSING_ALT = "No description has been provided for this image"
_ATTR = re.compile(r"""\s([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def accessible_page(page: str) -> tuple[str, int]:
    """What nbconvert's HTMLExporter does to its page with BeautifulSoup, on the text instead of a parse.

    nbconvert (7.x) re-parses the whole page with html.parser to give images without `alt` a default
    one and make cell input wrappers and outputs focusable (`tabindex="0"`), then serialises the tree
    again: about half the time of the export. Here the same attributes are added to the same tags
    (every tag of the page is inside `.jp-Notebook`; the page's style and script blocks hold no `<img`
    or `<div` tags). Returns the page and the number of images that had no alt text.
    """
    missing = 0

    def fix(m: re.Match) -> str:
        nonlocal missing
        tag = m.group(0)
        attrs = [(name, dq or sq or bare) for name, dq, sq, bare in _ATTR.findall(tag)]
        names = {name.lower() for name, _ in attrs}
        if m.group(1).lower() == "img":
            if "alt" in names:
                return tag
            missing += 1
            return f'{tag[:4]} alt="{_MISSING_ALT}"{tag[4:]}'
        classes = {c for name, value in attrs if name.lower() == "class" for c in value.split()}
        if classes & _FOCUSABLE and "tabindex" not in names:
            end = -2 if tag.endswith("/>") else -1
            return f'{tag[:end]} tabindex="0"{tag[end:]}'
        return tag

    return _TAG.sub(fix, page), missing


class _Exporter(HTMLExporter):
    """HTMLExporter without its BeautifulSoup pass (see accessible_page): the same page, faster."""

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                 resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        page, missing = accessible_page(page)
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return page, resources


@functools.cache
def _exporter() -> _Exporter:
    """This process's exporter, configured for reports without code."""
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.template_name = TEMPLATE
    return _Exporter(config=config)


def render_html(notebook: Path, target: Path) -> Path:
    """Write the executed notebook as HTML without code (inputs excluded, parameters cells removed) and
    without scripts, owner-only."""
    nb = nbformat.read(str(notebook), as_version=4)
    with _LOCK:  # the exporter registers per-notebook filters on itself: one conversion at a time
        body, _ = _exporter().from_notebook_node(
            nb, resources={"content_security_policy": CONTENT_SECURITY_POLICY})
    return write_atomic(target, body, mode=0o600)
