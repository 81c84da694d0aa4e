"""Jargon hints and "Read in my words" (issue 8, items 10 and 11)."""
import shutil
import subprocess
from pathlib import Path

import pytest

from workspace.glossary import annotate
from workspace.glossary.annotate import TermInfo, compile_terms, read_in_my_words, text_content
from workspace.glossary.inflection import plural_of, replacements_for
from workspace.glossary.reading import CompiledGlossary, ReadingContext, jargon_hints
from workspace.sanitize import render_markdown

ROOT = Path(__file__).resolve().parents[2]


def hints_for(text, known=()):
    compiled = CompiledGlossary(compile_terms([]), frozenset(known))
    ctx = ReadingContext(space_id=1, reading_as=None, choices=[], enabled=True, compiled=compiled)
    return [(h["kind"], h["text"]) for h in jargon_hints(text, ctx)]


# --- item 10: ordinary words in capitals are not acronyms ------------------------------------------

def test_words_written_in_capitals_are_not_unknown_acronyms():
    text = "The team MUST NOT share a referral. NOTE: this is IMPORTANT and we SHALL review it."
    assert hints_for(text) == []


def test_real_acronyms_are_still_hinted_once_per_occurrence():
    # The API answers each occurrence (the editor underlines each); the list groups them (tests/js).
    assert hints_for("The CPN MUST call the AMHP. Then the CPN writes.") == [
        ("unknown_acronym", "CPN"), ("unknown_acronym", "AMHP"), ("unknown_acronym", "CPN")]


def test_a_glossary_acronym_is_not_unknown():
    assert hints_for("Ask the CPN.", known={"cpn"}) == []


def test_short_capitals_are_acronyms_unless_common_function_words():
    assert hints_for("IF in doubt ask the GP OR the IT desk.") == [("unknown_acronym", "GP"), ("unknown_acronym", "IT")]


def test_the_hint_list_counts_what_it_lists():
    """The browser-side list (static/src/lib/jargon-hints.js) has node tests; `make test` runs them here."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing (it also builds the front end: run `make setup`)")
    result = subprocess.run([node, "--experimental-detect-module", "--test", "tests/js/"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# --- item 11: "Read in my words" keeps number and capitals ---------------------------------------

def read_as_psychiatrist(markdown):
    """Social Work's "client" (aliases: clients, service user(s)) read by Psychiatry ("patient(s)")."""
    forms = ["client", "clients", "service user", "service users"]
    info = TermInfo(1, "term", "patient", tuple((annotate.fold(f), r) for f, r in
                                                 replacements_for(forms, "patient", ["patient", "patients"])))
    case = TermInfo(2, "term", None)
    html = read_in_my_words(render_markdown(markdown), compile_terms([(info, forms), (case, ["case", "cases"])]))
    return text_content(html)


def test_a_plural_is_replaced_by_a_plural():
    assert read_as_psychiatrist("patients, clients or cases").startswith("patients, patients (written: clients) or cases")


def test_a_singular_stays_singular_and_capitals_are_kept():
    text = read_as_psychiatrist("Clients and the client. CLIENTS. Service users.")
    assert text.startswith("Patients (written: Clients) and the patient (written: client). "
                           "PATIENTS (written: CLIENTS). Patients (written: Service users).")


@pytest.mark.parametrize("phrase, plural", [
    ("client", "clients"), ("care coordinator", "care coordinators"), ("person we support", "people we support"),
    ("head of service", "heads of service"), ("crisis", "crises"), ("police", "police"), ("staff", "staff"),
    ("family", "families"), ("address", "addresses"), ("Person", "People"), ("CPN", "CPNs"), ("key", "keys"),
])
def test_the_head_noun_of_a_phrase_takes_the_plural(phrase, plural):
    assert plural_of(phrase) == plural


def test_a_term_whose_number_the_glossary_does_not_show_is_left_as_defined():
    # "MHA" has no plural among its forms: nothing says it is a plural, so nothing is inflected.
    assert replacements_for(["MHA", "Mental Health Act"], "Act", ["Act"]) == ()
