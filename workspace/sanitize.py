"""The one path from user Markdown to safe HTML: markdown-it renders, bleach keeps only what is safe.

Templates use the `markdown` filter; `|safe` appears nowhere else. Plain text fields are shown
with Jinja's autoescaping, which is the other half of the same rule.
"""
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "ol": ["start"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# html=False: raw HTML in the source is shown as text, never passed through.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def _link_attrs(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_link_attrs], skip_tags={"pre", "code"})],
)


def render_markdown(text: str | None, annotate=None) -> Markup:
    """Render user Markdown to HTML that is safe to insert into any page.

    `annotate`, when given, post-processes the *sanitised* HTML for one reader (the glossary's
    marks, `markdown(annotate=glossary.annotate)`); it must itself keep safe HTML safe.
    """
    if not text:
        return Markup("")
    html = Markup(_cleaner.clean(_markdown.render(text)))
    return annotate(html) if annotate else html


def register(app) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
