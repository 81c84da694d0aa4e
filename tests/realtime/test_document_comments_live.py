"""A comment's passage follows its words through live co-editing (issue 9), against the real server.

Two pycrdt clients (tests/realtime/yclient.py) edit one document through gunicorn while a comment is
anchored in it: concurrent inserts before the passage from both, then one client offline, typing, and
back. The server (GET /api/v1/documents/{id}/comments) and each client's own copy must still find the
passage on the same words.
"""
import random
import threading

import pytest
import requests

from tests.realtime.restartable import drop, make_restartable
from tests.realtime.test_documents_live import auth, converged, create_document
from tests.realtime.yclient import YClient
from workspace.comments.anchors import DocumentPositions, decode_anchor

pytestmark = pytest.mark.live

LEE, SAM = "lee@policing.test", "sam@socialwork.test"
OPENING = "Préambule 😀 — the duty officer opens a case and calls the crisis team. Fin.\n"
WORDS = "opens a case"
INSERTS = ["é", "😀", " word ", "数据", "\n", "ab", "—"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = make_restartable(tmp_path_factory.mktemp("doc-comments"), emails=[LEE, SAM], threads=20)
    try:
        yield server
    finally:
        drop(server)


def comment_on(server, client: YClient, words: str) -> dict:
    """Comment on `words` as the browser does: anchors made on this client's own copy."""
    with client.lock:
        positions = DocumentPositions(client.doc, client.text)
        at = positions.string.index(words)
        start, end = positions.anchors_for(at, at + len(words))
    response = requests.post(f"{server.url}/api/v1/documents/{client.document_id}/comments",
                             json={"body": "Which case?", "anchor": {"start": start.b64(), "end": end.b64()}},
                             headers=auth(server.tokens[LEE]), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def passage_on_server(server, document_id: int, thread_id: int) -> dict:
    response = requests.get(f"{server.url}/api/v1/documents/{document_id}/comments",
                            headers=auth(server.tokens[SAM]), timeout=30)
    assert response.status_code == 200, response.text
    return next(t for t in response.json()["items"] if t["id"] == thread_id)["passage"]


def passage_in(client: YClient, thread: dict) -> str:
    with client.lock:
        resolved = DocumentPositions(client.doc, client.text).resolve(
            decode_anchor(thread["anchor"]["start"]), decode_anchor(thread["anchor"]["end"]))
    return resolved.text


def type_before(client: YClient, words: str, rnd: random.Random, count: int) -> None:
    """Insert `count` bits of text at random places before `words` (never inside it)."""
    for _ in range(count):
        limit = client.snapshot().index(words)
        client.insert(rnd.randint(0, limit), rnd.choice(INSERTS))


def test_the_passage_keeps_its_words_through_concurrent_inserts_and_an_offline_edit(server):
    document_id = create_document(server, server.tokens[LEE], "Anchored while co-editing", OPENING)
    lee = YClient(server.url, token=server.tokens[LEE], name="lee").connect()
    sam = YClient(server.url, token=server.tokens[SAM], name="sam").connect()
    try:
        for client in (lee, sam):
            assert client.join(document_id)["ok"]
        thread = comment_on(server, lee, WORDS)
        assert thread["passage"]["removed"] is False

        # 1. Both type before the passage at the same time.
        rnd = random.Random(9)
        workers = [threading.Thread(target=type_before, args=(c, WORDS, random.Random(rnd.random()), 40))
                   for c in (lee, sam)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        for client in (lee, sam):
            client.wait_acked()
        text = converged([lee, sam])
        assert text.count(WORDS) == 1
        passage = passage_on_server(server, document_id, thread["id"])
        assert text[passage["start"]:passage["end"]] == WORDS
        assert passage["start_utf16"] == len(text[:passage["start"]].encode("utf-16-le")) // 2
        assert passage_in(lee, thread) == passage_in(sam, thread) == WORDS

        # 2. Sam goes offline and keeps typing before the passage (and inside the sentence after it);
        #    Lee types meanwhile; Sam comes back and the copies merge.
        sam.close()
        type_before(sam, WORDS, random.Random(11), 15)
        with sam.lock:
            current = str(sam.text)
        sam.insert(current.index(WORDS) + len(WORDS), " (offline note)")
        type_before(lee, WORDS, random.Random(12), 10)
        lee.wait_acked()
        sam.connect()
        assert sam.join(document_id)["ok"]
        sam.wait_acked()
        text = converged([lee, sam])
        assert "(offline note)" in text
        passage = passage_on_server(server, document_id, thread["id"])
        assert text[passage["start"]:passage["end"]] == WORDS, "typing just after the passage stays outside it"
        assert passage_in(lee, thread) == passage_in(sam, thread) == WORDS

        # 3. The words are deleted by one client: removed, with its quote.
        at = text.index(WORDS)
        lee.delete(at, len(WORDS))
        lee.wait_acked()
        converged([lee, sam])
        listed = requests.get(f"{server.url}/api/v1/documents/{document_id}/comments",
                              headers=auth(server.tokens[SAM]), timeout=30).json()["items"]
        mine = next(t for t in listed if t["id"] == thread["id"])
        assert mine["passage"]["removed"] is True
        assert mine["anchor"]["quote"] == WORDS
    finally:
        lee.close()
        sam.close()
