"""Property: whatever the terms and the text (naughty strings, XSS payloads), annotated HTML stays safe
and reads the same."""
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace.glossary.annotate import TermInfo, annotate, compile_terms, read_in_my_words, text_content
from workspace.sanitize import ALLOWED_PROTOCOLS, ALLOWED_TAGS, render_markdown

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.exists():  # worktrees live beside /work/shared
    DATA = Path("/work/shared/data")


def _lines(path: Path) -> list[str]:
    # blns.txt must be split on "\n" only: entries contain U+2028, U+0085 and \x0b.
    return [line for line in path.read_text(encoding="utf-8", errors="replace").split("\n")
            if line and not line.startswith("#")]


NAUGHTY = _lines(DATA / "naughty-strings" / "blns.txt") if (DATA / "naughty-strings").exists() else []
XSS = []
for name in ("xss-payloads-combined.txt", "markdown_xss.txt", "XSS_Polyglots.txt"):
    if (DATA / "xss" / name).exists():
        XSS += _lines(DATA / "xss" / name)
CORPUS = NAUGHTY + XSS
pytestmark = pytest.mark.skipif(not CORPUS, reason="shared test data not found")

OUR_MARKUP = {"button": {"type", "class", "data-term-ids", "data-kind", "aria-expanded", "aria-describedby"},
              "span": {"class", "tabindex"}}


class Shape(HTMLParser):
    """Every tag with its attributes (ours left out), and whether anything unsafe appears."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name}")
            if name in ("href", "src") and value and ":" in value.split("/")[0]:
                scheme = value.split(":", 1)[0].strip().lower()
                if scheme not in ALLOWED_PROTOCOLS:
                    self.problems.append(f"unsafe URL {value!r}")
        if tag in OUR_MARKUP:
            unexpected = {n for n, _ in attrs} - OUR_MARKUP[tag]
            if unexpected:
                self.problems.append(f"{tag} with {unexpected}")
            return
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        self.tags.append((tag, sorted(attrs, key=lambda a: a[0])))


def shape(html):
    parser = Shape()
    parser.feed(str(html))
    parser.close()
    return parser


phrases = st.sampled_from(CORPUS) if CORPUS else st.just("")
words = phrases.flatmap(lambda s: st.one_of(st.just(s), st.just(s[:12]), st.just(s.split(" ")[0]),
                                            st.text(alphabet=s or "x", min_size=1, max_size=6)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms=st.lists(words, min_size=1, max_size=8),
       texts=st.lists(st.one_of(phrases, words), min_size=1, max_size=6),
       joiner=st.sampled_from([" ", "\n\n", " [link](https://x.org/", " `", "\n- ", " *"]))
def test_annotated_html_stays_safe_and_reads_the_same(forms, texts, joiner):
    source = joiner.join(texts + forms[:2])
    safe = render_markdown(source)
    compiled = compile_terms([(TermInfo(i, ("term", "false_friend", "loaded")[i % 3], f"mine{i}"), [f])
                              for i, f in enumerate(forms, start=1)])
    before = shape(safe)
    for html in (annotate(safe, compiled), annotate(safe, compiled, first_only=False)):
        after = shape(html)
        assert after.problems == []
        assert "<script" not in html.lower()
        assert after.tags == before.tags
        assert text_content(html) == text_content(safe)
    mine = shape(read_in_my_words(safe, compiled))
    assert mine.problems == [] and mine.tags == before.tags


@pytest.mark.parametrize("payload", XSS[:400])
def test_xss_payload_as_term_and_text_is_just_text(payload):
    safe = render_markdown(f"before {payload} after")
    html = annotate(safe, compile_terms([(TermInfo(1, "false_friend"), [payload, payload[:8]])]))
    result = shape(html)
    assert result.problems == [] and result.tags == shape(safe).tags
    assert text_content(html) == text_content(safe)
