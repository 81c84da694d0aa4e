"""The browser provider (static/src/lib/yprovider.js) does the client's duties of docs/realtime.md: a relayed
update past its last seq, or one Yjs cannot integrate yet, makes it send sync step 1 at once; it also
resyncs periodically. Run in Node against a fake socket (the same module the page bundles)."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "yjs").exists(),
                    reason="needs node and node_modules (make setup)")
def test_the_browser_provider_resyncs_on_a_gap_on_pending_updates_and_periodically():
    result = subprocess.run(["node", str(ROOT / "tests" / "realtime" / "js" / "provider_gaps.mjs")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["afterJoin"] == 1                      # join → step 1
    assert report["inSequence"] == 1                     # prev == lastSeq: nothing missed
    assert report["afterSeqGap"] == 2                    # prev 8 > lastSeq 6: ask at once
    assert report["afterPending"] == 3                   # an update whose predecessor is missing
    assert report["afterPeriodic"] >= 4                  # and every resyncMs anyway
    assert report["lastSeq"] == 10
