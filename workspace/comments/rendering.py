"""The one place a comment's body becomes HTML (moderation will slot "hidden by a moderator" in here)."""
from functools import lru_cache

from markupsafe import Markup

from workspace.comments.mentions import link_mentions
from workspace.glossary.annotate import annotate as annotate_terms
from workspace.sanitize import render_markdown


def body_html(comment, annotate=None) -> Markup:
    """Render a comment's body for reading: a tombstone says so, otherwise sanitised Markdown with mentions."""
    if comment.is_deleted or comment.is_hidden:  # hidden (issue 10): the partial shows the moderator's reason
        return Markup("")
    html = _linked(comment.body, _mention_key(comment.mentions), comment.space_id)  # cached (comments-perf)
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


# --- comments-perf (issue 9 follow-ups): cached rendering for pages with hundreds of comments ---------------
# Mentions are linked with the current names of people and communities, so the cache key holds them: a
# rename or a new mention is a new key. The reader's glossary marks depend on the compiled glossary (a new
# object whenever a glossary changes or for another reading community), so they are cached per compiled
# glossary object, with the terms they used (the popover entries below the comments need them).

def _mention_key(mentions) -> tuple:
    return tuple((m.label,
                  (m.user.id, m.user.display_name) if m.user is not None else None,
                  (m.community.id, m.community.slug, m.community.name) if m.community is not None else None)
                 for m in mentions)


@lru_cache(maxsize=4096)
def _linked(body: str, mention_key: tuple, space_id: int) -> Markup:
    from workspace.comments.views import CommunityRef, MentionView, PersonRef
    mentions = [MentionView(label, person and person[0], community and community[0],
                            person and PersonRef(*person), community and CommunityRef(*community))
                for label, person, community in mention_key]
    return link_mentions(_markdown(body), mentions, space_id)


_ANNOTATED_MAX = 4096
_annotated: dict = {}


def reader_body_html(comment, glossary=None, mode: str = "annotated") -> Markup:
    """`body_html` as this reader reads it (`glossary`: a glossary.reading.ReadingContext).

    `mode` is the page's "Read in my words" choice: "mine" swaps terms for the reader's community's
    equivalents exactly as the space's purpose and a card's description are (ReadingContext.in_my_words).
    """
    if glossary is None or (mode != "mine" and not glossary.enabled):
        return _reader_html(comment, glossary, mode)
    # h9perf: one entry per comment, reading mode and compiled glossary, good while the comment's state is.
    state = _state(comment)
    per_reading = _bodies.get(comment.id)
    hit = per_reading.get((mode, id(glossary.compiled))) if per_reading else None
    if hit is not None and hit[1] is glossary.compiled and hit[0] == state:
        glossary.used.update(hit[3])
        return hit[2]
    used_before = set(glossary.used)
    glossary.used.clear()
    html = _reader_html(comment, glossary, mode)
    used = frozenset(glossary.used)
    glossary.used.update(used_before)
    if len(_bodies) >= _BODIES_MAX:
        _bodies.clear()
    _bodies.setdefault(comment.id, {})[(mode, id(glossary.compiled))] = (state, glossary.compiled, html, used)
    return html


# Each comment's body as read, per (reading mode, compiled glossary): a page of 500 comments looks each up by
# id instead of hashing every body and its HTML. The entry holds the comment's state (body, edit, deletion,
# hiding, mentions with their current names), so a change made by another process is a miss here too, and
# `forget` drops a comment's entries in this process as soon as it is edited, deleted, hidden, restored or
# redacted. A compiled glossary is a new object whenever a glossary changes or for another reading community.
_BODIES_MAX = 4096
_bodies: dict[int, dict] = {}


def _state(comment) -> tuple:
    return (comment.body, comment.edited_at, comment.deleted_at, comment.hidden_at, _mention_key(comment.mentions))


def forget(comment_id: int, *, redacted: bool = False) -> None:
    """Drop what this process rendered of a comment; after a redaction, every rendering keyed by old text too."""
    _bodies.pop(comment_id, None)
    if redacted:  # the original words must not linger in any cache of this process
        _markdown.cache_clear()
        _linked.cache_clear()
        _annotated.clear()


def _reader_html(comment, glossary, mode: str) -> Markup:
    html = body_html(comment)
    if glossary is None or not html:
        return html
    if mode == "mine":
        return _cached(("mine", id(glossary.compiled), str(html)), glossary, lambda: (glossary.in_my_words(html), ()))
    if not glossary.enabled:
        return glossary.annotate(html)

    def marked():
        used: set = set()
        return annotate_terms(html, glossary.compiled.terms, used=used), frozenset(used)
    return _cached((id(glossary.compiled), str(html)), glossary, marked)


def _cached(key, glossary, render) -> Markup:
    """Marks are a pure function of the compiled glossary and the body: keep them per compiled object."""
    hit = _annotated.get(key)
    if hit is not None and hit[0] is glossary.compiled:
        glossary.used.update(hit[2])
        return hit[1]
    html, used = render()
    glossary.used.update(used)
    if len(_annotated) >= _ANNOTATED_MAX:
        _annotated.clear()
    _annotated[key] = (glossary.compiled, html, frozenset(used))
    return html
