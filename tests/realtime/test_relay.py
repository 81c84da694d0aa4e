"""The relay's own rules, without a server: a reader whose connection is backed up is skipped (bounded
buffering; the seq jump it then sees makes it resync), and a tick merges a room's updates into one message
that names the seq range it holds."""
import queue
from types import SimpleNamespace

from pycrdt import Doc, Text

from realtime.relay import DocumentRelay
from workspace.documents import protocol
from workspace.documents.rooms import DocumentRoom


class FakeServer:
    def __init__(self, backlog: dict[str, int]):
        self.emitted = []
        self.eio = SimpleNamespace(sockets={})
        participants = []
        for sid, waiting in backlog.items():
            q = queue.Queue()
            for _ in range(waiting):
                q.put(object())
            self.eio.sockets["eio-" + sid] = SimpleNamespace(queue=q)
            participants.append((sid, "eio-" + sid))
        self.manager = SimpleNamespace(get_participants=lambda namespace, room: list(participants))

    def emit(self, event, data, to=None, skip_sid=None, ignore_queue=False):
        self.emitted.append(SimpleNamespace(event=event, data=data, to=to, skip_sid=skip_sid, ignore_queue=ignore_queue))


def relay_with(server, max_queued=400):
    app = SimpleNamespace(config={"DOCUMENT_RELAY_MAX_QUEUED": max_queued})
    return DocumentRelay(app, SimpleNamespace(server=server))


def room_at(seq: int) -> DocumentRoom:
    room = DocumentRoom.__new__(DocumentRoom)  # no database: only what the relay touches
    room.document_id, room.relayed_seq = 7, seq
    import threading
    room.lock = threading.RLock()
    room.doc, room.text = Doc(), None
    room.watermark, room._above = seq, set()
    room.clients = {"fast": set(), "slow": set()}
    return room


def updates(n: int) -> tuple[list[bytes], str]:
    doc = Doc()
    text = doc.get("body", type=Text)
    out = []
    for i in range(n):
        before = doc.get_state()
        text.insert(len(str(text)), f"k{i} ")
        out.append(doc.get_update(before))
    return out, str(text)


def test_a_backed_up_reader_is_skipped_and_the_others_get_one_merged_message():
    server = FakeServer({"fast": 0, "slow": 401, "typist": 3})
    relay = relay_with(server)
    room = room_at(10)
    made, final = updates(3)
    relay._relay_updates(room, [(11, made[0], "typist"), (12, made[1], "typist"), (13, made[2], "typist")], 0, False)

    (sent,) = server.emitted
    assert sent.skip_sid == ["slow"] and sent.ignore_queue and sent.to == "document:7"
    document_id, message, meta = sent.data
    assert document_id == 7 and meta == {"seq": 13, "prev": 10} and room.relayed_seq == 13
    parsed = protocol.parse(message)
    assert parsed.kind == "sync_update"
    doc = Doc()
    doc.apply_update(parsed.payload)
    assert str(doc.get("body", type=Text)) == final       # one message holds all three keystrokes
    assert relay.skipped == 1


def test_already_relayed_updates_are_not_sent_again():
    server = FakeServer({"fast": 0})
    relay = relay_with(server)
    room = room_at(13)
    made, _ = updates(1)
    relay._relay_updates(room, [(12, made[0], "x")], 0, False)
    assert server.emitted == []
