"""The annotator: whole words, longest first, aliases, Unicode, never inside links, code or attributes."""
import re

from workspace.glossary.annotate import (TermInfo, annotate, compile_terms, read_in_my_words, text_content)
from workspace.sanitize import render_markdown


def terms(*entries):
    """entries: (id, forms) or (id, forms, kind) or (id, forms, kind, replacement)."""
    built = []
    for entry in entries:
        term_id, forms, *rest = entry
        kind = rest[0] if rest else "term"
        replacement = rest[1] if len(rest) > 1 else None
        built.append((TermInfo(term_id, kind, replacement), forms))
    return compile_terms(built)


def marked(html):
    return re.findall(r'<button type="button" class="term[^"]*" data-term-ids="([\d ]+)"[^>]*>(.*?)</button>', html)


def test_whole_words_only_case_insensitive():
    html = annotate(render_markdown("A Case, a caseload, a showcase; CASE."), terms((1, ["case"])), first_only=False)
    assert marked(html) == [("1", "Case"), ("1", "CASE")]


def test_longest_match_wins_and_aliases_match():
    compiled = terms((1, ["mental health"]), (2, ["Mental Health Act", "MHA"]))
    html = annotate(render_markdown("Under the mental health act. The MHA again."), compiled)
    assert marked(html) == [("2", "mental health act")]


def test_first_occurrence_per_block_by_default():
    compiled = terms((1, ["patient", "patients"]))
    html = annotate(render_markdown("patient and patients\n\nthen patient again"), compiled)
    assert marked(html) == [("1", "patient"), ("1", "patient")]
    assert len(marked(annotate(render_markdown("patient and patients"), compiled, first_only=False))) == 2


def test_never_inside_links_code_or_attributes():
    compiled = terms((1, ["case"]), (2, ["nofollow"]), (3, ["http"]))
    source = "[case](https://example.org/case) `case` and\n\n```\ncase\n```\n\n<b title=case>"
    html = annotate(render_markdown(source), compiled, first_only=False)
    assert 'href="https://example.org/case"' in html
    assert marked(html) == [("1", "case")]  # only in the escaped raw-HTML text of the last paragraph
    assert "<code>case</code>" in html and "<pre><code>case\n</code></pre>" in html


def test_unicode_word_boundaries():
    compiled = terms((1, ["garçon"]), (2, ["Straße"]), (3, ["кейс"]), (4, ["ケース"]))
    html = annotate(render_markdown("garçons, garçon! STRASSE Straße кейсы кейс ケース"), compiled, first_only=False)
    assert [t for _, t in marked(html)] == ["garçon", "Straße", "кейс", "ケース"]


def test_combining_marks_are_part_of_the_word():
    compiled = terms((1, ["cafe"]))
    assert marked(annotate(render_markdown("cafe\u0301 and cafe"), compiled)) == [("1", "cafe")]
    assert "cafe\u0301 and <button" in annotate(render_markdown("cafe\u0301 and cafe"), compiled)


def test_metacharacters_xss_and_rtl_terms_are_just_text():
    compiled = terms((1, ["a.*b"]), (2, ["<script>alert(1)</script>"]), (3, ["שלום"]), (4, ["(?i)x|y"]))
    html = annotate(render_markdown("aXXb a.*b <script>alert(1)</script> שלום (?i)x|y"), compiled)
    assert [t for _, t in marked(html)] == ["a.*b", "&lt;script&gt;alert(1)&lt;/script&gt;", "שלום", "(?i)x|y"]
    assert "<script>" not in html


def test_one_word_of_several_communities_marks_both_and_warns():
    compiled = terms((1, ["case"], "term"), (2, ["case"], "false_friend"))
    html = annotate(render_markdown("the case"), compiled)
    assert 'data-term-ids="1 2"' in html and 'class="term term--false-friend"' in html
    assert 'aria-describedby="glossary-hint-false-friend"' in html


def test_text_content_is_unchanged_and_used_ids_are_collected():
    compiled = terms((1, ["patient"]), (5, ["section"], "loaded"))
    source = "The **patient** was put on a section.\n\n- patient\n- *section*"
    used = set()
    html = annotate(render_markdown(source), compiled, used=used)
    assert text_content(html) == text_content(render_markdown(source))
    assert used == {1, 5}


def test_empty_term_set_returns_the_html_untouched():
    html = render_markdown("Nothing to see")
    assert annotate(html, compile_terms([])) == html


def test_read_in_my_words_replaces_equivalents_keeping_case_and_the_original():
    compiled = terms((1, ["patient", "patients"], "term", "client"), (2, ["ward"]))
    html = read_in_my_words(render_markdown("Patient on the ward; PATIENT; [patient](https://x.org)"), compiled)
    assert html.count('class="in-my-words"') == 2
    assert '<span class="in-my-words__mine">Client</span><span class="in-my-words__original"> (written: Patient)</span>' in html
    assert ">CLIENT<" in html and ">patient</a>" in html and "ward" in html
