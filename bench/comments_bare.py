"""A bare Socket.IO server, the baseline of bench/comments.py: join a room, relay a payload to it.

No Flask, no database, no policy: what fanning one event out to 100 sockets costs on this machine
with the same server (gunicorn, one worker, threads, simple-websocket).
"""
import socketio

sio = socketio.Server(async_mode="threading")
app = socketio.WSGIApp(sio)


@sio.on("join")
def join(sid, data=None):
    sio.enter_room(sid, "room")
    return {"ok": True}


@sio.on("relay")
def relay(sid, data=None):
    sio.emit("comment_created", data, to="room")
    return {"ok": True}
