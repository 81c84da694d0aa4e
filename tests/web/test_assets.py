"""Issue 8 (12): the bundles are linked by content-hashed names, served gzipped when the browser
accepts it, and cached for a year; the old unhashed paths still answer."""
import gzip
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from workspace.extensions import db
from workspace.spaces.models import Space

DIST = Path(__file__).resolve().parents[2] / "static" / "dist"


@pytest.fixture
def bundle(app, client, sign_in_as):
    if not (DIST / "meta.json").exists():
        pytest.skip("static/dist is not built (make setup)")
    with app.app_context():
        space_id = db.session.scalar(select(Space.id).where(Space.title == "Referral guidelines"))
    page = sign_in_as("priya@psychiatry.test").get(f"/spaces/{space_id}").get_data(as_text=True)
    match = re.search(r'src="(/static/dist/space-[A-Z0-9]+\.js)"', page)
    assert match, "the page links its bundle by its hashed name"
    return match.group(1)


def test_hashed_bundle_is_gzipped_and_cached_for_a_year(client, bundle):
    response = client.get(bundle, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "text/javascript"
    assert "Accept-Encoding" in response.headers["Vary"]
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    plain = (DIST / bundle.rsplit("/", 1)[1]).read_bytes()
    assert gzip.decompress(response.data) == plain
    assert ".gz" not in response.headers.get("Content-Disposition", "")  # saved, it is the .js it says it is


def test_without_gzip_the_same_bundle_comes_plain(client, bundle):
    response = client.get(bundle, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.data == (DIST / bundle.rsplit("/", 1)[1]).read_bytes()


def test_the_editor_bundle_is_minified_and_compressed_to_a_fraction(client, sign_in_as, bundle):
    plain = next(DIST.glob("document-*.js"))
    response = client.get(f"/static/dist/{plain.name}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < plain.stat().st_size * 0.4  # 704 KB → 236 KB when measured
    assert plain.read_text().count("\n") < 50  # minified: not one statement a line


def test_old_unhashed_paths_still_answer_briefly_cached(client, bundle):
    response = client.get("/static/dist/document.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.data == next(DIST.glob("document-*.js")).read_bytes()
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_build_manifest_is_not_served(client, bundle):
    assert client.get("/static/dist/meta.json").status_code == 404
    tiny = [p for p in DIST.glob("*.js") if not p.with_name(p.name + ".gz").exists()]  # gzip would not shrink them
    for bundle_file in tiny:
        response = client.get(f"/static/dist/{bundle_file.name}", headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in response.headers and response.data == bundle_file.read_bytes()
    assert client.get("/static/css/app.css").status_code == 200  # other static files as before
