"""The one place a comment's body becomes HTML (moderation will slot "hidden by a moderator" in here)."""
from functools import lru_cache

from markupsafe import Markup

from workspace.comments.mentions import link_mentions
from workspace.sanitize import render_markdown


def body_html(comment, annotate=None) -> Markup:
    """Render a comment's body for reading: a tombstone says so, otherwise sanitised Markdown with mentions."""
    if comment.is_deleted or comment.is_hidden:  # hidden (issue 10): the partial shows the moderator's reason
        return Markup("")
    html = _markdown(comment.body)
    html = link_mentions(html, comment.mentions, comment.space_id)
    return annotate(html) if annotate else html


def revision_html(revision) -> Markup:
    """An earlier body from the edit history, through the same sanitiser."""
    return render_markdown(revision.body)


# Opening a document with 500 comments must not sanitise 500 bodies each time (bench/doc_comments.py):
# Markdown → safe HTML is a pure function of the text, so keep recent results (mentions, names and the
# reader's glossary marks are applied after, fresh each time). (doc-comments, issue 9)
@lru_cache(maxsize=4096)
def _markdown(body: str) -> Markup:
    return render_markdown(body)
