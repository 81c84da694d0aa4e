"""EXPERIMENT ONLY, never deployed: wsgi:app with each socket's authorisation cached for 2 s on document messages.

Measures what the per-message identity and policy queries in realtime/documents.py cost under load:
    BENCH_APP_MODULE=bench.experiment_cached_auth:app python -m bench.coedit --sections live --live 25x10
(docs/performance.md, "Co-editing"). It monkeypatches realtime.documents; a real fix would cache the
role per (socket, document) and drop it on the events that change it (revocation, membership, status).
"""
import time
import types
from flask import request
from workspace import create_app, policy as real_policy
from workspace.extensions import db
app = create_app()
import realtime.documents as rd
from workspace.documents.models import Document
TTL = 2.0
_actor, _load = rd.current_actor, rd._load
actors, editors = {}, {}
def current_actor():
    hit = actors.get(request.sid)
    if hit and time.monotonic() - hit[0] < TTL:
        return db.session.merge(hit[1], load=False)
    user = _actor(); actors[request.sid] = (time.monotonic(), user); return user
def load(document_id, user):
    hit = editors.get((request.sid, document_id))
    if hit and time.monotonic() - hit < TTL:
        return db.session.get(Document, document_id)
    return _load(document_id, user)
def can_edit_document(user, document):
    key = (request.sid, document.id)
    hit = editors.get(key)
    if hit and time.monotonic() - hit < TTL:
        return True
    ok = real_policy.can_edit_document(user, document)
    if ok: editors[key] = time.monotonic()
    return ok
proxy = types.SimpleNamespace(**{k: getattr(real_policy, k) for k in dir(real_policy) if not k.startswith("__")})
proxy.can_edit_document = can_edit_document
rd.current_actor, rd._load, rd.policy = current_actor, load, proxy
