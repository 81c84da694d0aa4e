"""How gunicorn serves Convene; gunicorn reads this file from the working directory by itself.

One worker per process: Socket.IO needs sticky sessions, so scale out with more processes behind a
proxy and a message queue (docs/deploy.md). The worker is gevent's: every WebSocket is a greenlet,
not a thread, and a broadcast to a room costs a few microseconds a recipient instead of a thread
hand-off each (docs/performance.md, "The live core at meeting scale"). The app detects the patched
standard library and runs Socket.IO in gevent mode (workspace/__init__.py).
Nothing here may import the app or anything that uses threads: gevent patches after this file is read.
"""
import os

workers = 1
worker_class = os.environ.get("CONVENE_WORKER_CLASS", "gevent")  # "gthread" to compare with threads
worker_connections = int(os.environ.get("CONVENE_WORKER_CONNECTIONS", 2000))  # open sockets per process
threads = int(os.environ.get("THREADS", 600))  # only for gthread: each WebSocket holds one thread
# gunicorn 27 shares one control socket path between all its processes of a user: we never use it.
control_socket_disable = True
