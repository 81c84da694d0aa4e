"""User Markdown becomes HTML that can never run a script, whatever a hostile author writes."""
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from markupsafe import Markup

from workspace import sanitize
from workspace.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS, render_markdown
from tests.shared_data import shared_data

XSS_DIR = shared_data("xss")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def payloads(name: str) -> list[str]:
    """One payload per line (LF only, as the files are written); blank lines are not payloads."""
    text = (XSS_DIR / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


COMBINED = payloads("xss-payloads-combined.txt")
MARKDOWN = payloads("markdown_xss.txt")


def markdown_variants(payload: str) -> list[str]:
    """The payload as typed, URL-decoded, and dropped into each Markdown construct that makes a URL."""
    variants = [payload, f"[click]({payload})", f"![pic]({payload})", f"<{payload}>",
                f"[ref]\n\n[ref]: {payload}", f"> quoted {payload}\n\n- item {payload}"]
    decoded = unquote(payload)
    if decoded != payload:
        variants += [decoded, f"[click]({decoded})"]
    return variants


class _Elements(HTMLParser):
    """Collect every element, attribute and comment the browser would build from the markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)

    def handle_pi(self, data):
        self.declarations.append(data)

    def unknown_decl(self, data):
        self.declarations.append(data)


def _url_as_browser_reads_it(value: str) -> str:
    """Drop whitespace and control/format characters anywhere (browsers ignore them in schemes)."""
    kept = "".join(ch for ch in value if not (ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf"}))
    return kept.casefold()


def executable_content(html: str) -> list[str]:
    """Every way this HTML could run a script or load active content; empty when it is safe."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}> is not an allowed tag")
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, ())) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> is an event handler")
            if name not in allowed:
                problems.append(f"<{tag} {name}=…> is not an allowed attribute")
            if name in URL_ATTRIBUTES and value is not None:
                url = _url_as_browser_reads_it(value)
                if url.startswith(DANGEROUS_SCHEMES):
                    problems.append(f"<{tag} {name}={value!r}> has a script-capable scheme")
                scheme = SCHEME_RE.match(url)
                if scheme and scheme.group(1) not in ALLOWED_PROTOCOLS:
                    problems.append(f"<{tag} {name}={value!r}> has the unexpected scheme {scheme.group(1)}")
        if tag == "a" and any(name == "href" for name, _ in attrs):
            rel = dict(attrs).get("rel") or ""
            if not {"nofollow", "noopener"} <= set(rel.split()):
                problems.append(f"<a {attrs}> lacks rel=nofollow noopener")
    problems += [f"comment <!--{c}--> survived" for c in parser.comments]
    problems += [f"declaration {d!r} survived" for d in parser.declarations]
    return problems


def test_payload_files_are_all_there():
    assert len(COMBINED) == 941
    assert len(MARKDOWN) == 4


def test_the_checker_catches_what_it_is_meant_to_catch():
    """A guard that cannot fail guards nothing: feed it the very things it must refuse."""
    assert executable_content("<p><em>fine</em> <a href=\"https://x.org\" rel=\"nofollow noopener\">x</a></p>") == []
    for unsafe in ["<script>alert(1)</script>", "<img src=x>", "<svg></svg>", "<iframe></iframe>",
                   "<p onclick=\"alert(1)\">x</p>", "<a href=\"java&#x09;script:alert(1)\" rel=\"nofollow noopener\">x</a>",
                   "<a href=\" JaVaScRiPt:alert(1)\" rel=\"nofollow noopener\">x</a>",
                   "<a href=\"data:text/html,x\" rel=\"nofollow noopener\">x</a>", "<p style=\"x\">y</p>",
                   "<!--[if IE]><script>alert(1)</script><![endif]-->", "<a href=\"https://x.org\">x</a>"]:
        assert executable_content(unsafe), unsafe


@pytest.mark.parametrize("payload", COMBINED + MARKDOWN, ids=lambda p: p[:40])
def test_xss_payload_renders_without_executable_content(payload):
    for source in markdown_variants(payload):
        html = str(render_markdown(source))
        assert executable_content(html) == [], (source, html)


def test_every_payload_at_once_renders_without_executable_content():
    """Payloads can combine across lines (an unclosed tag, a reference definition), so try them together."""
    document = "\n".join(COMBINED + MARKDOWN)
    html = str(render_markdown(document))
    assert executable_content(html) == []
    assert "alert" in html  # the text is still there to read, only disarmed


def test_markdown_emphasis_renders():
    html = str(render_markdown("*careful* and **firm**, ~~struck~~"))
    assert "<em>careful</em>" in html
    assert "<strong>firm</strong>" in html
    assert "<s>struck</s>" in html


def test_links_get_nofollow_noopener():
    html = str(render_markdown("[the guideline](https://example.org/guide)"))
    assert '<a href="https://example.org/guide" rel="nofollow noopener noreferrer">the guideline</a>' in html


def test_bare_addresses_become_safe_links():
    html = str(render_markdown("See https://example.org/referrals for the form."))
    assert ('<a href="https://example.org/referrals" rel="nofollow noopener noreferrer">'
            "https://example.org/referrals</a>") in html


def test_addresses_in_code_stay_code():
    html = str(render_markdown("`https://example.org`"))
    assert html.strip() == "<p><code>https://example.org</code></p>"


def test_raw_html_is_shown_as_text():
    html = str(render_markdown('<b>bold?</b> <script>alert("x")</script>'))
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html and "<script" not in html


def test_javascript_link_is_not_a_link():
    html = str(render_markdown("[press me](javascript:alert(document.cookie))"))
    assert "<a" not in html
    assert "press me" in html


def test_tables_and_lists_render():
    html = str(render_markdown("| who | what |\n|---|---|\n| social work | client |\n\n1. one\n2. two"))
    assert "<table>" in html and "<td>social work</td>" in html
    assert "<ol>" in html and "<li>one</li>" in html


def test_empty_text_renders_nothing_and_output_is_markup():
    assert render_markdown("") == Markup("")
    assert render_markdown(None) == Markup("")
    assert isinstance(render_markdown("hello"), Markup)


def test_templates_use_the_same_sanitiser(app):
    assert app.jinja_env.filters["markdown"] is sanitize.render_markdown
    with app.app_context():
        html = app.jinja_env.from_string("{{ text|markdown }}").render(text="<img src=x onerror=alert(1)>")
    assert executable_content(html) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
