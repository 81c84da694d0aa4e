"""Keep a word's number when "Read in my words" puts another community's term in its place.

"clients" read by a psychiatrist must become "patients", not "patient". A matched form is plural
only when the glossary itself says so: another form of the same term is its singular. Anything else
is left in the number it was defined in.

English plurals by rule, with the irregular nouns a care or policing glossary meets. Not the
`inflect` package: it was tried, and importing it took 2-4 s (typeguard instruments it at import),
on every process start, for what a page of rules does.
"""
import re
from functools import lru_cache

# In a phrase with a clause or a preposition the head noun comes first: "person we support" →
# "people we support", "head of service" → "heads of service". Otherwise it comes last: "care coordinators".
FUNCTION_WORDS = frozenset("of in on for with at to from under by who whom whose that which we they you "
                           "he she it i our their".split())
# Words that do not take a plural (or already are one): not "polices", "staffs".
UNCHANGING = frozenset("""police staff personnel people children men women folk news information advice data
evidence equipment housing welfare care support aftercare healthcare safeguarding research guidance
feedback knowledge legislation accommodation supervision treatment medication""".split())
IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women", "foot": "feet",
             "tooth": "teeth", "mouse": "mice", "goose": "geese", "ox": "oxen", "criterion": "criteria",
             "phenomenon": "phenomena", "index": "indices", "appendix": "appendices", "matrix": "matrices",
             "thesis": "theses", "crisis": "crises", "diagnosis": "diagnoses", "prognosis": "prognoses",
             "analysis": "analyses", "hypothesis": "hypotheses", "basis": "bases", "psychosis": "psychoses",
             "neurosis": "neuroses", "synopsis": "synopses", "life": "lives", "wife": "wives", "knife": "knives",
             "half": "halves", "self": "selves", "shelf": "shelves", "leaf": "leaves", "thief": "thieves",
             "calf": "calves", "wolf": "wolves", "loaf": "loaves", "echo": "echoes", "hero": "heroes",
             "potato": "potatoes", "tomato": "tomatoes", "veto": "vetoes"}


def _plural_word(word: str) -> str:
    """The plural of one noun as a glossary writes it (capitals are matched to the text later)."""
    if word.isupper() and len(word) > 1:
        return word + "s"  # an acronym: CPNs
    lower = word.casefold()
    if lower in IRREGULAR:
        return word[:1] + IRREGULAR[lower][1:]
    if re.search(r"(s|sh|ch|x|z)$", lower):
        return word + "es"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    return word + "s"


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


@lru_cache(maxsize=4096)
def plural_of(phrase: str) -> str:
    """The plural of a noun phrase, inflecting its head noun only."""
    words = phrase.split(" ")
    head = next((i - 1 for i, w in enumerate(words) if i > 0 and w.casefold() in FUNCTION_WORDS), len(words) - 1)
    if not re.fullmatch(r"[^\W\d_][\w'’-]*", words[head]) or words[head].casefold() in UNCHANGING:
        return phrase
    words[head] = _plural_word(words[head])
    return " ".join(words)


def is_plural_form(form: str, forms) -> bool:
    """`form` is the plural of another of the term's own forms."""
    return any(not _same(other, form) and _same(plural_of(other), form) for other in forms)


def is_singular_form(form: str, forms) -> bool:
    """`form` has its plural among the term's own forms."""
    return any(not _same(other, form) and _same(plural_of(form), other) for other in forms)


def replacements_for(forms, headword: str, other_forms) -> tuple:
    """(form, replacement) for each of a term's forms whose number differs from `headword`'s.

    `forms` are the written term's forms; `headword` and `other_forms` the reader's equivalent term.
    """
    other_forms = [f.strip() for f in other_forms if isinstance(f, str) and f.strip()]
    headword_plural = is_plural_form(headword, other_forms)
    result = []
    for form in forms:
        if not isinstance(form, str) or not form.strip():
            continue
        form = form.strip()
        if is_plural_form(form, forms) and not headword_plural:
            plural = next((f for f in other_forms if _same(f, plural_of(headword))), None) or plural_of(headword)
            result.append((form, plural))
        elif headword_plural and is_singular_form(form, forms):
            singular = next((f for f in other_forms if _same(plural_of(f), headword)), headword)
            result.append((form, singular))
    return tuple(result)
