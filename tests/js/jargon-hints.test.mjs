// The jargon hints list counts what it lists: one hint per word and kind, however often it occurs.
// Run by tests/unit/test_jargon.py (so `make test` runs it): node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { distinctHints, hintSummary } from "../../static/src/lib/jargon-hints.js";

const acronym = (text, start) => ({ kind: "unknown_acronym", text, start, end: start + text.length,
  utf16_start: start, utf16_end: start + text.length, term_id: null, message: `“${text}” is in no glossary here.` });
const falseFriend = (text, start) => ({ ...acronym(text, start), kind: "false_friend", term_id: 7,
  message: `“${text}” is a false friend.` });

test("a word hinted twice is listed once, with how often it occurs", () => {
  const hints = [acronym("CPN", 4), falseFriend("case", 10), acronym("CPN", 30)];
  const listed = distinctHints(hints);
  assert.deepEqual(listed.map((h) => [h.text, h.occurrences]), [["CPN", 2], ["case", 1]]);
  assert.equal(listed[0].first, hints[0], "showing it goes to its first occurrence");
});

test("the summary counts the hints listed, not the occurrences", () => {
  const hints = [acronym("CPN", 4), acronym("CPN", 30), falseFriend("case", 10), falseFriend("Case", 40)];
  assert.equal(hintSummary(hints), "2 hints about words other communities may read differently: “CPN”, “case”.");
  assert.equal(hintSummary([acronym("CPN", 1), acronym("CPN", 9)]),
    "1 hint about words other communities may read differently: “CPN”.");
  assert.equal(hintSummary([]), "No hints right now.");
});

test("the same word as two kinds of hint is two hints", () => {
  const hints = [acronym("CASE", 0), falseFriend("case", 10)];
  assert.equal(distinctHints(hints).length, 2);
  assert.match(hintSummary(hints), /^2 hints/);
});
