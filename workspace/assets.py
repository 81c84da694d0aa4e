"""Front-end bundles (static/dist): content-hashed names, precompressed, cached for a year.

The Makefile builds them with esbuild (`entryNames: [name]-[hash]`, minified, with a metafile) and
gzips each one beside itself (`document-HASH.js.gz`): compressing once at build costs nothing per
request, where compressing the 700 KB editor bundle on each request would cost CPU on every page
load (and Flask-Compress would add a dependency to do it). Templates link bundles with
`asset_url("document.js")`, which reads esbuild's metafile; a hashed file never changes, so it is
served with `Cache-Control: public, max-age=31536000, immutable`. The old unhashed paths
(`/static/dist/document.js`) still answer, with the current bundle and a short lifetime.
"""
from __future__ import annotations

import json
import mimetypes
import os
import threading

from flask import Flask, abort, current_app, request, send_from_directory, url_for

DIST = "dist"
META = "meta.json"  # esbuild's metafile: which output each entry point became
IMMUTABLE_SECONDS = 365 * 24 * 3600


class Manifest:
    """esbuild's metafile, read again when the build rewrites it."""

    def __init__(self, static_folder: str):
        self.path = os.path.join(static_folder, DIST, META)
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self.entries: dict[str, str] = {}  # "document.js" → "dist/document-ABCD1234.js"
        self.outputs: set[str] = set()  # every file the build wrote, by its path under static/

    def load(self) -> "Manifest":
        try:
            mtime = os.stat(self.path).st_mtime
        except OSError:
            mtime = None
        if mtime == self._mtime:
            return self
        with self._lock:
            entries, outputs = {}, set()
            if mtime is not None:
                try:
                    with open(self.path, encoding="utf-8") as f:
                        meta = json.load(f)
                except (OSError, ValueError):
                    meta = {"outputs": {}}  # being rewritten: the next call reads it again
                    mtime = None
                for out_path, out in meta.get("outputs", {}).items():
                    relative = out_path.replace("\\", "/").split("static/", 1)[-1]
                    outputs.add(relative)
                    entry = out.get("entryPoint")
                    if entry:
                        entries[os.path.basename(entry)] = relative
            self.entries, self.outputs, self._mtime = entries, outputs, mtime
        return self


def _manifest() -> Manifest:
    return current_app.extensions["convene_assets"].load()


def asset_url(name: str) -> str:
    """The URL of a bundle by its source name ("document.js"): its content-hashed file once built."""
    return url_for("static", filename=_manifest().entries.get(name, f"{DIST}/{name}"))


def serve_static(filename: str):
    """Flask's static view, plus: bundles precompressed when the browser accepts gzip, hashed ones cached."""
    if not filename.startswith(f"{DIST}/"):
        return current_app.send_static_file(filename)
    if filename == f"{DIST}/{META}":
        abort(404)
    manifest = _manifest()
    static_folder = current_app.static_folder
    hashed = filename in manifest.outputs  # every output is named by its content's hash
    if not hashed and not os.path.isfile(os.path.join(static_folder, filename)):
        current = manifest.entries.get(filename[len(DIST) + 1:])  # an old unhashed path: today's bundle
        if current:
            filename = current
    max_age = IMMUTABLE_SECONDS if hashed else None
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if filename.endswith(".js"):
        mimetype = "text/javascript"
    compressed = filename + ".gz"
    if request.accept_encodings["gzip"] and os.path.isfile(os.path.join(static_folder, compressed)):
        response = send_from_directory(static_folder, compressed, mimetype=mimetype, max_age=max_age,
                                       download_name=os.path.basename(filename))
        response.content_encoding = "gzip"
    else:
        response = send_from_directory(static_folder, filename, mimetype=mimetype, max_age=max_age)
    response.vary.add("Accept-Encoding")
    if hashed:
        response.cache_control.public = True
        response.cache_control.immutable = True
    return response


def register(app: Flask) -> None:
    app.extensions["convene_assets"] = Manifest(app.static_folder)
    app.add_template_global(asset_url)
    app.view_functions["static"] = serve_static
