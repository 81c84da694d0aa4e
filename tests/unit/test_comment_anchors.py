"""Anchors of document comments: Yjs' bytes read as Yjs wrote them, resolved where Yjs resolves them."""
import base64
import json
from pathlib import Path

import pytest
from pycrdt import Doc, Text

from workspace.comments.anchors import (ASSOC_AFTER, ASSOC_BEFORE, Anchor, AnchorError, DocumentPositions,
                                        decode_anchor)

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "yjs_anchors.json").read_text())


def doc_from(update_b64: str) -> tuple[Doc, Text]:
    doc = Doc()
    text = doc.get("body", type=Text)
    doc.apply_update(base64.b64decode(update_b64))
    return doc, text


def utf16_slice(s: str, start: int, end: int) -> str:
    return s.encode("utf-16-le", "surrogatepass")[start * 2:end * 2].decode("utf-16-le", "surrogatepass")


def edit(doc: Doc, text: Text, index: int, insert: str = "", delete: int = 0) -> None:
    """Edit at a code-point index (pycrdt 0.14 Text wants UTF-8 byte offsets)."""
    s = str(text)
    start = len(s[:index].encode())
    with doc.transaction():
        if delete:
            del text[start:len(s[:index + delete].encode())]
        if insert:
            text.insert(start, insert)


@pytest.mark.parametrize("case", range(len(FIXTURE["cases"])))
def test_anchors_made_by_yjs_resolve_where_yjs_resolves_them(case):
    data = FIXTURE["cases"][case]
    doc, text = doc_from(data["update"])
    assert str(text) == data["text"]
    positions = DocumentPositions(doc, text)
    for made in data["anchors"]:
        start, end = decode_anchor(made["start"]), decode_anchor(made["end"])
        assert (start.client, start.clock, start.assoc) == (
            made["start_json"]["item"]["client"], made["start_json"]["item"]["clock"], made["start_json"]["assoc"])
        assert start.b64() == made["start"] and end.b64() == made["end"]  # byte-identical encoding
        assert positions.utf16(positions.position(start)[0]) == made["start_utf16"]
        expected_end = max(made["end_utf16"], made["start_utf16"])
        resolved = positions.resolve(start, end)
        if resolved.removed:
            assert resolved.end_utf16 == resolved.start_utf16 == made["start_utf16"]
            assert made["end_utf16"] <= made["start_utf16"] or made["both_ends_deleted"]
        else:
            assert resolved.end_utf16 == expected_end
            assert resolved.text == utf16_slice(data["text"], made["start_utf16"], expected_end)
            assert not made["both_ends_deleted"]


def test_the_passage_follows_its_words_through_edits_with_non_ascii_text_before_it():
    doc, text = Doc(), None
    text = doc.get("body", type=Text)
    text += "The client 😀 arrives at the café. Section 2 applies."
    positions = DocumentPositions(doc, text)
    i = str(text).index("Section 2")
    start, end = positions.anchors_for(i, i + len("Section 2"))
    edit(doc, text, 0, "Naïve 数据 👩🏽‍⚕️ preface — ")
    edit(doc, text, str(text).index("café"), "très ")
    resolved = DocumentPositions(doc, text).resolve(start, end)
    assert resolved.text == "Section 2"
    assert not resolved.removed
    assert str(text)[resolved.start:resolved.end] == "Section 2"
    assert resolved.start_utf16 == len(str(text)[:resolved.start].encode("utf-16-le")) // 2


def test_typing_just_outside_the_passage_stays_outside():
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "before word after"
    start, end = DocumentPositions(doc, text).anchors_for(7, 11)
    edit(doc, text, 11, "S")   # right after "word"
    edit(doc, text, 7, "é")    # right before it
    assert DocumentPositions(doc, text).resolve(start, end).text == "word"


def test_deleting_the_passage_marks_it_removed_and_deleting_part_shrinks_it():
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "Keep this sentence. Drop these words here."
    positions = DocumentPositions(doc, text)
    i = str(text).index("these words")
    start, end = positions.anchors_for(i, i + len("these words"))
    edit(doc, text, i, delete=len("these "))
    partly = DocumentPositions(doc, text).resolve(start, end)
    assert (partly.text, partly.removed) == ("words", False)
    edit(doc, text, str(text).index("words"), delete=len("words"))
    gone = DocumentPositions(doc, text).resolve(start, end)
    assert gone.removed and gone.text == "" and gone.start == gone.end == str(text).index(" here")


def test_an_emoji_at_either_end_of_the_passage_is_kept_whole():
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "a 😀 b 👍"
    start, end = DocumentPositions(doc, text).anchors_for(2, len(str(text)))
    edit(doc, text, 0, "ü")
    assert DocumentPositions(doc, text).resolve(start, end).text == "😀 b 👍"


@pytest.mark.parametrize("value", ["", "   ", "not base64!", "////", base64.b64encode(b"garbage data here").decode(),
                                   base64.b64encode(b"\x00").decode(), base64.b64encode(b"\xff\xff").decode(),
                                   base64.b64encode(b"\x01\x04body\x00").decode(),   # a type, not a character
                                   base64.b64encode(b"\x00\x01\x02\x00extra").decode(),
                                   base64.b64encode(b"\x00\x01\x02\x05").decode(),    # assoc 5
                                   base64.b64encode(bytes(200)).decode(), None])
def test_anchors_that_do_not_decode_are_refused_with_a_reason(value):
    with pytest.raises(AnchorError, match="could not be read"):
        decode_anchor(value)


def test_an_anchor_from_another_document_is_refused():
    other = Doc()
    other_text = other.get("body", type=Text)
    other_text += "Another document entirely, long enough."
    foreign, _ = DocumentPositions(other, other_text).anchors_for(3, 9)

    doc = Doc()
    text = doc.get("body", type=Text)
    text += "This document."
    positions = DocumentPositions(doc, text)
    with pytest.raises(AnchorError, match="not in this document"):
        positions.check(foreign)
    with pytest.raises(AnchorError, match="not in this document"):
        positions.resolve(foreign, Anchor(foreign.client, foreign.clock + 3, ASSOC_BEFORE))
    # An id of this document's own author, beyond what the document holds, is no better.
    mine, _ = positions.anchors_for(0, 4)
    with pytest.raises(AnchorError, match="not in this document"):
        positions.check(Anchor(mine.client, mine.clock + 1000, ASSOC_AFTER))


def test_an_empty_passage_cannot_be_anchored():
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "abc"
    with pytest.raises(AnchorError, match="empty"):
        DocumentPositions(doc, text).anchors_for(2, 2)
