"""A tiny document model rendered as Markdown, reStructuredText, LaTeX or HTML.

Text (paragraphs, titles, notes, captions) may mark inline code with Markdown backticks,
```like this```; each renderer turns it into its own inline-code markup (rst literals,
LaTeX ``\texttt``, HTML ``<code>``). Text and table cells may link to a heading's anchor
with Markdown syntax, ``[label](#anchor)``: Markdown and HTML keep the link, rst and LaTeX
refer to the labelled heading, table cells outside Markdown and HTML keep the label.
Tables go through tabulate with the matching format (github, rst, latex, html).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tabulate import tabulate

from accelbench.report.sections import Table

FORMATS = {"github": "README.md", "rst": "report.rst", "latex": "report.tex",
           "html": "report.html"}


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Paragraph:
    text: str


@dataclass
class Image:
    path: str  # relative to the document
    caption: str


@dataclass
class Document:
    title: str
    blocks: list[Heading | Paragraph | Table | Image] = field(default_factory=list)

    def heading(self, level: int, text: str, anchor: str = "") -> None:
        self.blocks.append(Heading(level, text, anchor))

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.blocks.append(Paragraph(text.strip()))

    def table(self, table: Table) -> None:
        self.blocks.append(table)

    def image(self, path: str, caption: str) -> None:
        self.blocks.append(Image(path, caption))

    def render(self, fmt: str) -> str:
        if fmt not in FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
        return _RENDERERS[fmt](self)


def _cells(table: Table, links: Callable[[str], str] | None = None) -> list[list[str]]:
    """Table cells as text; ``links`` rewrites the ``[label](#anchor)`` links of a cell
    (None: keep only the label)."""
    def fmt(v: object) -> str:
        if isinstance(v, float):
            if not math.isfinite(v):
                return ""
            return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"{v:,}" if abs(v) >= 10_000 else str(v)
        text = "" if v is None else str(v)
        return links(text) if links else _LINK.sub(lambda m: m.group(1), text)

    return [[fmt(v) for v in row] for row in table.rows]


_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(#([\w-]+)\)")


def _inline(text: str, code: Callable[[str], str], plain: Callable[[str], str],
            link: Callable[[str, str], str] | None = None) -> str:
    """``text`` with each backtick span through ``code``, each ``[label](#anchor)`` through
    ``link`` (label, anchor) and the rest through ``plain``."""
    out, last = [], 0
    for m in _CODE.finditer(text):
        out += [_links(text[last:m.start()], plain, link), code(m.group(1))]
        last = m.end()
    out.append(_links(text[last:], plain, link))
    return "".join(out)


def _links(text: str, plain: Callable[[str], str],
           link: Callable[[str, str], str] | None) -> str:
    out, last = [], 0
    for m in _LINK.finditer(text):
        out += [plain(text[last:m.start()]),
                link(m.group(1), m.group(2)) if link else plain(m.group(1))]
        last = m.end()
    out.append(plain(text[last:]))
    return "".join(out)


def _rst_text(text: str) -> str:
    return _inline(text, lambda c: f"``{c}``", lambda t: t,
                   lambda label, a: f"`{label} <{a}_>`__")


def _latex_text(text: str) -> str:
    return _inline(text, lambda c: rf"\texttt{{{_latex_escape(c)}}}", _latex_escape,
                   lambda label, a: rf"\hyperref[{a}]{{{_latex_escape(label)}}}")


def _html_text(text: str) -> str:
    return _inline(text, lambda c: f"<code>{html.escape(c)}</code>", html.escape,
                   lambda label, a: f"<a href='#{html.escape(a)}'>{html.escape(label)}</a>")


def _markdown(doc: Document) -> str:
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += ([f'<a id="{b.anchor}"></a>', ""] if b.anchor else [])
            out += ["#" * (b.level + 1) + " " + b.text, ""]
        elif isinstance(b, Paragraph):
            out += [b.text, ""]
        elif isinstance(b, Table):
            out += [f"**{b.title}** (CSV: `csv/{b.name}.csv`)", "",
                    tabulate(_cells(b, lambda t: t), headers=b.headers, tablefmt="github",
                             disable_numparse=True), ""]
            out += [f"*{n}*" for n in b.notes] + ([""] if b.notes else [])
        elif isinstance(b, Image):
            out += [f"![{b.caption}]({b.path})", "", f"*{b.caption}*", ""]
    return "\n".join(out).rstrip() + "\n"


def _rst(doc: Document) -> str:
    marks = "=-~^\""
    out = [doc.title, "#" * len(doc.title), ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            text = _rst_text(b.text)
            out += [f".. _{b.anchor}:", ""] if b.anchor else []
            out += [text, marks[min(b.level - 1, len(marks) - 1)] * len(text), ""]
        elif isinstance(b, Paragraph):
            out += [_rst_text(b.text), ""]
        elif isinstance(b, Table):
            out += [f"**{_rst_text(b.title)}** (CSV: ``csv/{b.name}.csv``)", "",
                    tabulate(_cells(b), headers=b.headers, tablefmt="rst",
                             disable_numparse=True), ""]
            out += [f"*{_rst_text(n)}*" for n in b.notes] + ([""] if b.notes else [])
        elif isinstance(b, Image):
            out += [f".. figure:: {b.path}", "", f"   {_rst_text(b.caption)}", ""]
    return "\n".join(out).rstrip() + "\n"


def _latex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"),
                 ("#", r"\#"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("~", r"\~{}"),
                 ("^", r"\^{}")):
        text = text.replace(a, b)
    return text


def _latex(doc: Document) -> str:
    levels = ("section", "subsection", "subsubsection", "paragraph")
    out = [r"\documentclass{article}", r"\usepackage{graphicx}", r"\usepackage{longtable}",
           r"\usepackage{hyperref}",
           r"\begin{document}", rf"\title{{{_latex_escape(doc.title)}}}", r"\maketitle", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(rf"\{levels[min(b.level - 1, 3)]}{{{_latex_text(b.text)}}}"
                       + (rf"\label{{{b.anchor}}}" if b.anchor else ""))
        elif isinstance(b, Paragraph):
            out += [_latex_text(b.text), ""]
        elif isinstance(b, Table):
            out += [rf"\paragraph{{{_latex_text(b.title)}}}",
                    tabulate(_cells(b), headers=b.headers, tablefmt="latex",
                             disable_numparse=True), ""]
            out += [_latex_text(n) + r"\\" for n in b.notes]
        elif isinstance(b, Image):
            out += [r"\begin{figure}[h]", r"\centering",
                    rf"\includegraphics[width=0.9\linewidth]{{{b.path}}}",
                    rf"\caption{{{_latex_text(b.caption)}}}", r"\end{figure}", ""]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def _html(doc: Document) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
           f"<title>{e(doc.title)}</title></head><body>", f"<h1>{e(doc.title)}</h1>"]
    for b in doc.blocks:
        if isinstance(b, Heading):
            ident = f" id='{html.escape(b.anchor)}'" if b.anchor else ""
            out.append(f"<h{b.level + 1}{ident}>{_html_text(b.text)}</h{b.level + 1}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{_html_text(b.text)}</p>")
        elif isinstance(b, Table):
            out += [f"<h4>{_html_text(b.title)}</h4>",
                    tabulate(_cells(b, _html_cell), headers=[e(h) for h in b.headers],
                             tablefmt="unsafehtml",
                             disable_numparse=True)]
            out += [f"<p><em>{_html_text(n)}</em></p>" for n in b.notes]
        elif isinstance(b, Image):
            out.append(f"<figure><img src='{e(b.path)}' alt='{e(b.caption.replace('`', ''))}'>"
                       f"<figcaption>{_html_text(b.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_cell(text: str) -> str:
    """A cell for tabulate's unescaped HTML: escaped, links kept."""
    return _links(text, html.escape,
                  lambda label, a: f"<a href='#{html.escape(a)}'>{html.escape(label)}</a>")


_RENDERERS = {"github": _markdown, "rst": _rst, "latex": _latex, "html": _html}
