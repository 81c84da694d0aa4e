"""The registry of content that can be flagged: how to load it, its space, its author, how to show and hide it.

A new kind of content slots in by registering a `ContentKind`; the queue, flags, the API and the log
only ever speak of `(kind, id)`. Comments are hidden in place (their partial shows the reason);
cards, glossary terms and bridge notes are reviewed and their hides recorded on the queue item.
"""
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup

from workspace.sanitize import render_markdown


@dataclass(frozen=True)
class ContentKind:
    name: str
    label: str
    model: Callable
    space_of: Callable          # (obj, hint_space) -> Space | None: which space the content belongs to
    author_of: Callable         # obj -> user id | None
    text_of: Callable           # obj -> str: the words reviewed (Markdown)
    url_of: Callable            # obj -> str: where it is read
    hide: Callable | None = None      # (obj, note) -> None
    restore: Callable | None = None   # obj -> None
    redact: Callable | None = None    # (obj, passage, replacement) -> bool

    def load(self, content_id):
        from workspace.loading import find_by_id
        return find_by_id(self.model, content_id)

    def render(self, obj) -> Markup:
        return render_markdown(self.text_of(obj))


KINDS: dict[str, ContentKind] = {}


def register(kind: ContentKind) -> None:
    KINDS[kind.name] = kind


# --- comments -------------------------------------------------------------------------------

def _comment_hide(comment, note):
    from workspace.database import utcnow
    comment.hidden_at = utcnow()
    comment.hidden_note = note
    _forget_rendered(comment)


def _comment_restore(comment):
    comment.hidden_at = None
    comment.hidden_note = None
    _forget_rendered(comment)


def _comment_redact(comment, passage, replacement) -> bool:
    """Erase `passage` from the comment and from every earlier body in its history (storage, not display)."""
    found = passage in comment.body or any(passage in r.body for r in comment.revisions)
    comment.body = comment.body.replace(passage, replacement)
    for revision in comment.revisions:
        revision.body = revision.body.replace(passage, replacement)
    if comment.quote:
        comment.quote = comment.quote.replace(passage, replacement)
    for mention in comment.mentions:
        mention.label = mention.label.replace(passage, replacement)[:200]
    _forget_rendered(comment, redacted=True)  # the rendered original must not linger in this process either
    return found


def _forget_rendered(comment, *, redacted: bool = False) -> None:
    from workspace.comments import rendering
    rendering.forget(comment.id, redacted=redacted)


def _comment_url(comment):
    from workspace.comments.services import comment_url
    return comment_url(comment)


def _register_defaults():
    from workspace.boards.models import Card
    from workspace.comments.models import Comment
    from workspace.glossary.models import Bridge, Term

    register(ContentKind(
        name="comment", label="comment", model=Comment,
        space_of=lambda c, hint: c.space, author_of=lambda c: c.author_id,
        text_of=lambda c: c.body, url_of=_comment_url,
        hide=_comment_hide, restore=_comment_restore, redact=_comment_redact))
    register(ContentKind(
        name="card", label="card", model=Card,
        space_of=lambda c, hint: c.board.space, author_of=lambda c: c.created_by_id,
        text_of=lambda c: f"**{c.title}**\n\n{c.description}", url_of=lambda c: f"/cards/{c.id}"))
    # Glossary terms and bridges belong to communities, not spaces: they are flagged where they were
    # read, in a space that convenes their communities (the hint).
    register(ContentKind(
        name="term", label="glossary term", model=Term,
        space_of=lambda t, hint: hint if hint is not None and t.community_id in
        {l.community_id for l in hint.convened} else None,
        author_of=lambda t: t.created_by_id,
        text_of=lambda t: f"**{t.term}**: {t.definition}", url_of=lambda t: f"/terms/{t.id}"))
    register(ContentKind(
        name="bridge", label="bridge note", model=Bridge,
        space_of=lambda b, hint: hint if hint is not None and set(b.community_ids) <=
        {l.community_id for l in hint.convened} else None,
        author_of=lambda b: b.proposed_by_id,
        text_of=lambda b: f"{b.from_term.term} ({b.relation}) {b.to_term.term}: {b.note}",
        url_of=lambda b: f"/terms/{b.from_term_id}"))


_register_defaults()
