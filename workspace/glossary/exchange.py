"""Glossary exchange: CSV for spreadsheets, SKOS (Turtle) for thesaurus tools, both ways.

SKOS mapping of bridges (seen from this community's term A to the other community's term B):
equivalent → skos:exactMatch, broader → skos:broadMatch (B is broader), narrower → skos:narrowMatch,
related → skos:relatedMatch, false friend → convene:falseFriend (Convene's own namespace).
"""
from __future__ import annotations

import csv
import io
import re

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from workspace.errors import DomainError, ValidationError
from workspace.glossary import services
from workspace.glossary.models import TERM_STATUSES

CONVENE = Namespace("https://convene.example/ns/glossary#")
CSV_FIELDS = ["term", "aliases", "definition", "example", "status", "loaded_note"]
ALIAS_SEPARATOR = " | "
MAX_ROWS = 5_000
TO_SKOS = {"equivalent": SKOS.exactMatch, "broader": SKOS.broadMatch, "narrower": SKOS.narrowMatch,
           "related": SKOS.relatedMatch, "false_friend": CONVENE.falseFriend}
INVERSE = {"broader": "narrower", "narrower": "broader", "equivalent": "equivalent", "related": "related",
           "false_friend": "false_friend"}
# Spreadsheets run cells starting with these as formulas: such cells get one leading apostrophe.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def _cell_out(value: str) -> str:
    return "'" + value if _FORMULA.match(value) else value


def _cell_in(value: str) -> str:
    return value[1:] if value.startswith("'") and _FORMULA.match(value) else value


def export_csv(terms) -> str:
    """One row per term; aliases joined with " | "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for term in terms:
        row = [term.term, ALIAS_SEPARATOR.join(term.aliases or []), term.definition, term.example, term.status,
               term.loaded_note]
        writer.writerow([_cell_out(v or "") for v in row])
    return out.getvalue()


def parse_csv(text: str) -> list[dict]:
    """Rows as term data; the header must name at least `term` and `definition`."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"term", "definition"} <= {f.strip() for f in reader.fieldnames if f}:
        raise ValidationError({"file": "The CSV needs a header row with at least the columns term and definition "
                                       f"(all columns: {', '.join(CSV_FIELDS)})."})
    rows = []
    for row in reader:
        row = {(k or "").strip(): _cell_in(v or "") for k, v in row.items() if isinstance(v, str)}
        aliases = [a for a in (row.get("aliases") or "").split("|") if a.strip()]
        rows.append({"term": row.get("term", ""), "aliases": [a.strip() for a in aliases],
                     "definition": row.get("definition", ""), "example": row.get("example", ""),
                     "status": (row.get("status") or "active").strip() or "active",
                     "loaded_note": row.get("loaded_note", "")})
        if len(rows) > MAX_ROWS:
            raise ValidationError({"file": f"Import at most {MAX_ROWS:,} terms at a time."})
    return rows


def term_uri(base: str, term) -> URIRef:
    return URIRef(f"{base.rstrip('/')}/terms/{term.id}")


def export_skos(community, terms, bridges, *, base: str) -> str:
    """The community's glossary as a skos:ConceptScheme, bridges as SKOS mapping properties."""
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("convene", CONVENE)
    scheme = URIRef(f"{base.rstrip('/')}/communities/{community.slug}/glossary")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal(f"{community.name} glossary")))
    ours = {t.id for t in terms}
    for term in terms:
        uri = term_uri(base, term)
        graph.add((uri, RDF.type, SKOS.Concept))
        graph.add((uri, SKOS.inScheme, scheme))
        graph.add((uri, SKOS.prefLabel, Literal(term.term)))
        for alias in term.aliases or []:
            graph.add((uri, SKOS.altLabel, Literal(alias)))
        graph.add((uri, SKOS.definition, Literal(term.definition)))
        if term.example:
            graph.add((uri, SKOS.example, Literal(term.example)))
        graph.add((uri, CONVENE.status, Literal(term.status)))
        if term.loaded_note:
            graph.add((uri, CONVENE.loadedNote, Literal(term.loaded_note)))
    for bridge in bridges:
        for mine, other, relation in ((bridge.from_term, bridge.to_term, bridge.relation),
                                      (bridge.to_term, bridge.from_term, INVERSE[bridge.relation])):
            if mine.id in ours and other.id not in ours:
                graph.add((term_uri(base, mine), TO_SKOS[relation], term_uri(base, other)))
                graph.add((term_uri(base, other), SKOS.prefLabel, Literal(other.term)))
    return graph.serialize(format="turtle")


def parse_skos(text: str) -> list[dict]:
    """Concepts of the file's concept scheme as term data (foreign concepts named by mappings are skipped)."""
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as exc:  # noqa: BLE001  rdflib's parsers raise many unrelated exception types
        raise ValidationError({"file": f"This is not readable Turtle: {str(exc)[:200]}"}) from None
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = [c for c in graph.subjects(RDF.type, SKOS.Concept)
                if not schemes or any((c, SKOS.inScheme, s) in graph for s in schemes)]
    if len(concepts) > MAX_ROWS:
        raise ValidationError({"file": f"Import at most {MAX_ROWS:,} terms at a time."})
    rows = []
    for concept in sorted(concepts, key=str):
        def one(prop, default=""):
            value = graph.value(concept, prop)
            return str(value) if value is not None else default
        status = one(CONVENE.status, "active")
        rows.append({"term": one(SKOS.prefLabel), "aliases": sorted(str(a) for a in graph.objects(concept, SKOS.altLabel)),
                     "definition": one(SKOS.definition), "example": one(SKOS.example),
                     "status": status if status in TERM_STATUSES else "active",
                     "loaded_note": one(CONVENE.loadedNote)})
    return rows


def import_terms(community, rows: list[dict], *, actor) -> dict:
    """Create new terms and update changed ones, all or nothing; every bad row is reported by number."""
    errors, created, updated, seen = [], 0, 0, set()
    for number, row in enumerate(rows, start=2 if rows else 1):
        key = services.term_key(row.get("term") or "")
        if key and key in seen:
            errors.append(f"row {number}: “{row['term']}” appears twice in the file")
            continue
        seen.add(key)
        try:
            existing = services.find_term(community, row.get("term") or "") if key else None
            if existing is None:
                services.create_term(community, data=row, actor=actor)
                created += 1
            elif services.term_fields_of(existing) != services.normalised_fields(community, row, current=existing):
                services.update_term(existing, data=row, version=existing.version, actor=actor)
                updated += 1
        except DomainError as error:
            detail = "; ".join(f"{f}: {m}" for f, m in getattr(error, "errors", {}).items()) or error.detail
            errors.append(f"row {number}: {detail}")
        if len(errors) >= 20:
            break
    if errors:
        raise ValidationError({"file": "Nothing was imported. " + " · ".join(errors)})
    return {"created": created, "updated": updated, "unchanged": len(rows) - created - updated}
