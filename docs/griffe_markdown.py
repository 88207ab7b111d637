"""Griffe extension (mkdocs.yml, mkdocstrings' `extensions`): the docstrings
as Markdown, without touching the Python files.

1. Display math becomes a Markdown block of its own.

The layer docstrings follow Spektral's style, where a `$$` line often follows
a line of text directly ("... as follows:\\n$$ ... $$"). pymdownx.arithmatex
only recognizes `$$ ... $$` as display math when it is a block of its own, so
without a blank line before the opening and after the closing `$$` the
formula is read as Markdown (underscores become emphasis). This extension
adds those blank lines.

2. Sphinx roles, which some modules use (``:func:`nmi```,
``:class:`~spektral_tv.datasets.LargeGraphs```), become code spans
(`` `nmi` ``, `` `LargeGraphs` ``: with ``~`` the last component, as Sphinx
shows it), and a reST literal-block marker (a line ending in ``::`` before an
indented block) becomes a single colon: Markdown shows neither.
"""

import re

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|obj|exc|const):`(~?)([^`]+)`")
LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.M)


def _role(match):
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def markdown_roles(text):
    """`text` with Sphinx roles as code spans and `text::` as `text:`."""
    return LITERAL_MARKER.sub(":", ROLE.sub(_role, text))


def separate_display_math(text):
    """`text` with a blank line before every opening and after every closing
    line that is only `$$`."""
    out, inside = [], False
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.strip() == "$$":
            if not inside and out and out[-1].strip():
                out.append("")
            out.append(line)
            if inside and n + 1 < len(lines) and lines[n + 1].strip():
                out.append("")
            inside = not inside
        else:
            out.append(line)
    return "\n".join(out)


def _objects(obj):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


class MarkdownDocstrings(griffe.Extension):
    """Display math as blocks, Sphinx roles as code spans (see the module)."""

    def on_package(self, *, pkg, **kwargs):
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = markdown_roles(separate_display_math(obj.docstring.value))
