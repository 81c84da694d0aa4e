"""Participation (issue 10): words written in documents and glossary contributions are counted like comments
and cards, and the counters equal a recount from the raw rows, whoever wrote what on whichever day."""
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text
from sqlalchemy import func, select, update

from workspace.accounts.services import find_user_by_email
from workspace.database import utcnow
from workspace.documents import store
from workspace.documents.live import live_documents
from workspace.documents.models import Document, DocumentUpdate
from workspace.extensions import db
from workspace.glossary.models import Bridge, Term
from workspace.participation import services as participation
from workspace.participation.models import WORDS, WordsWritten
from workspace.participation.words import count_all_words, count_words, first_client, words_added
from workspace.spaces.models import Space

CRISIS = "Crisis response policy 2027"


class Writer:
    """One person's editor: a pycrdt client whose changes are stored the way the socket handler stores them."""

    def __init__(self, document_id, user):
        self.document_id, self.user = document_id, user
        self.doc = Doc()
        self.text = self.doc.get(store.TEXT_NAME, type=Text)
        updates, _ = store.load(document_id)
        for data in updates:
            self.doc.apply_update(data)

    def sync(self):
        for data in store.load(self.document_id)[0]:
            self.doc.apply_update(data)

    def type(self, at_end: bool, words: str, *, keystrokes=False):
        """Add `words` at the end (after a space) or the start (before one), one keystroke per character or at once."""
        self.sync()
        chunk = " " + words if at_end else words + " "
        live = live_documents()
        pieces = list(chunk) if keystrokes else [chunk]
        typed = 0
        for piece in pieces:
            before = self.doc.get_state()
            position = len(str(self.text).encode()) if at_end else typed
            self.text.insert(position, piece)
            typed += len(piece.encode())
            data = self.doc.get_update(before)
            live.record_author(self.document_id, self.doc.client_id, self.user.id)
            live.receive_update(self.document_id, data, user_id=self.user.id)


def crisis():
    return db.session.scalar(select(Space).where(Space.title == CRISIS))


def a_document(space):
    from workspace.documents.services import create_document
    return create_document(space, title="Words test", actor=space.members[0].user)


def test_typing_counts_the_words_a_person_added_not_their_keystrokes(ctx):
    space = crisis()
    document = a_document(space)
    omar = find_user_by_email("omar@psychiatry.test")
    before = participation.figures(space)["windows"]["7d"]
    Writer(document.id, omar).type(True, "clients first, always", keystrokes=True)
    assert count_words(document.id) == 3
    after = participation.figures(space)["windows"]["7d"]
    psychiatry = next(r for r in after["communities"] if r["community"] == "Psychiatry")
    was = next(r for r in before["communities"] if r["community"] == "Psychiatry")
    assert psychiatry["by_kind"][WORDS] == was["by_kind"][WORDS] + 3
    assert count_words(document.id) == 0  # counted once


def test_words_are_counted_before_the_log_is_folded_away(ctx):
    space = crisis()
    document = a_document(space)
    sam = find_user_by_email("sam@socialwork.test")
    Writer(document.id, sam).type(True, "a referral needs consent")
    store.compact(document.id)
    assert db.session.scalar(select(DocumentUpdate.id).where(DocumentUpdate.document_id == document.id)) is None
    assert participation.figures(space) == participation.recount(space)
    sam_words = sum(n for u, kind, _d, n in participation.raw_contributions(space) if u == sam.id and kind == WORDS)
    assert sam_words == 4


def test_the_periodic_pass_counts_documents_with_uncounted_updates_only(ctx):
    space = crisis()
    document = a_document(space)
    Writer(document.id, find_user_by_email("omar@psychiatry.test")).type(True, "one two")
    assert count_all_words() >= 1
    assert count_all_words() == 0


def test_words_added_reads_byte_offsets_and_word_starts():
    text = "héllo wörld ünd".encode()
    assert words_added(text, [{"insert": "héllo wörld"}]) == 2
    assert words_added(text, [{"retain": len("héllo wörld".encode())}, {"insert": " ünd"}]) == 1
    assert words_added(text, [{"retain": 2}, {"insert": "é"}]) == 0  # inside a word
    assert words_added(b"ab", [{"delete": 3}]) == 0
    assert words_added(b"xworld", [{"insert": "x"}]) == 0  # in front of a word: it moved, none was added
    assert words_added(b"new world", [{"insert": "new "}]) == 1
    assert words_added(b"new world", [{"retain": 3}, {"insert": " "}]) == 1  # "newworld" split in two


def test_first_client_names_the_yjs_client_of_an_update():
    doc = Doc()
    doc.get("body", type=Text).insert(0, "hi")
    assert first_client(doc.get_update()) == doc.client_id
    assert first_client(b"\x00\x00") is None


def test_a_new_glossary_term_and_bridge_count_in_spaces_that_convene_their_communities(ctx):
    from workspace.communities.services import find_community
    space = crisis()
    sam = find_user_by_email("sam@socialwork.test")
    before = participation.figures(space)["windows"]["all"]["total"]
    social = find_community("social-work")
    psychiatry = find_community("psychiatry")
    mine = Term(community_id=social.id, term="keyworker", term_key="keyworker", created_by_id=sam.id)
    theirs = db.session.scalar(select(Term).where(Term.community_id == psychiatry.id))
    db.session.add(mine)
    db.session.flush()
    db.session.add(Bridge(from_term_id=mine.id, to_term_id=theirs.id, relation="related", note="close enough",
                          proposed_by_id=sam.id))
    db.session.flush()
    after = participation.figures(space)["windows"]["all"]
    assert after["total"] == before + 2
    assert participation.figures(space) == participation.recount(space)


writing = st.tuples(st.integers(0, 10), st.booleans(), st.lists(st.sampled_from(["plan", "care", "ward", "visit"]),
                                                                 min_size=1, max_size=4), st.integers(0, 45))
glossing = st.tuples(st.integers(0, 10), st.integers(0, 45))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(writing, max_size=10), st.lists(glossing, max_size=5))
def test_words_and_glossary_figures_equal_a_recount_and_what_each_person_typed(ctx, writings, glosses):
    space = crisis()
    document = a_document(space)  # a fresh one per example: what was typed in it is exactly what it counts
    members = [m.user for m in space.members]
    typed = {}
    for who, at_end, words, days_ago in writings:
        person = members[who % len(members)]
        Writer(document.id, person).type(at_end, " ".join(words), keystrokes=who % 4 == 0)
        last = db.session.scalar(select(Document.last_seq).where(Document.id == document.id))
        db.session.execute(update(DocumentUpdate).where(DocumentUpdate.document_id == document.id,
                                                        DocumentUpdate.seq == last)
                           .values(created_at=utcnow() - timedelta(days=days_ago, minutes=1)))
        typed[person.id] = typed.get(person.id, 0) + len(words)
    communities = [link.community_id for link in space.convened]
    for n, (who, days_ago) in enumerate(glosses):
        person = members[who % len(members)]
        db.session.add(Term(community_id=communities[who % len(communities)], term=f"t{n}",
                            term_key=f"t{document.id}-{n}",
                            created_by_id=person.id, created_at=utcnow() - timedelta(days=days_ago, minutes=1)))
    db.session.flush()
    count_words(document.id)
    assert participation.figures(space) == participation.recount(space)
    counted = dict(db.session.execute(select(WordsWritten.user_id, func.sum(WordsWritten.words)).where(
        WordsWritten.document_id == document.id).group_by(WordsWritten.user_id)).all())
    assert counted == typed
