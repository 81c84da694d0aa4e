"""Possible jargon: words and phrases one community uses much more than the others in a space.

The statistic is the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi
and Quinn, "Fightin' Words", Political Analysis 16(4), 2008). For a word w, community i and the
rest of the space j, with counts y, totals n, and a prior a_w taken from the pooled corpus
(a_0 = a tenth of its size by default):

    d_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    var(d_w) ≈ 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w = d_w / sqrt(var(d_w))

The prior shrinks rare words towards "no difference", so a word said twice is not jargon by chance;
z above 1.96 means "used notably more by this community than by the others".
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either every few for from further had
has have having he her here hers him his how i if in into is it its itself just let may me might more most
must my no nor not now of off on once one only or other our ours out over own per same shall she should so
some such than that the their theirs them then there these they this those through to too under until up
upon us very was we were what when where which while who whom why will with within without would yet you
your yours first second next new way ways make made take each week weeks day days get got thing things
""".split())
Z_THRESHOLD = 1.96


@dataclass(frozen=True)
class Candidate:
    community_id: int
    phrase: str
    z: float
    count: int          # times this community used it
    others: int         # times the other communities used it

    def explanation(self, community_name: str, other_names: str) -> str:
        # Plain words for the page; the statistic (z) stays in the API and the method in docs/glossary.md.
        return f"{community_name} used “{self.phrase}” {self.count} times, {other_names} {self.others} times."


def phrases(text: str) -> list[str]:
    """Lower-cased words and two-word phrases, leaving out common function words."""
    words = [w.lower() for w in WORD.findall(text or "")]
    found = [w for w in words if w not in STOPWORDS and len(w) > 2]
    found += [f"{a} {b}" for a, b in zip(words, words[1:]) if a not in STOPWORDS and b not in STOPWORDS]
    return found


def candidate_terms(corpus: Iterable[tuple[int, str]], *, known: Iterable[str] = (), min_count: int = 2,
                    z_threshold: float = Z_THRESHOLD, limit: int = 10,
                    prior_strength: float = 0.1) -> dict[int, list[Candidate]]:
    """Per community, the phrases it over-uses compared with the rest: (community_id, text) in, best first."""
    counts: dict[int, Counter] = {}
    for community_id, text in corpus:
        counts.setdefault(community_id, Counter()).update(phrases(text))
    if len(counts) < 2:
        return {cid: [] for cid in counts}
    pooled = Counter()
    for counter in counts.values():
        pooled.update(counter)
    total = sum(pooled.values())
    a0 = prior_strength * total
    skip = {k.lower() for k in known}
    result = {}
    for cid, mine in counts.items():
        n_i = sum(mine.values())
        n_j = total - n_i
        found = []
        for phrase, y_i in mine.items():
            if y_i < min_count or phrase in skip:
                continue
            y_j = pooled[phrase] - y_i
            a_w = a0 * pooled[phrase] / total
            delta = (math.log((y_i + a_w) / (n_i + a0 - y_i - a_w))
                     - math.log((y_j + a_w) / (n_j + a0 - y_j - a_w)))
            z = delta / math.sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))
            if z >= z_threshold:
                found.append(Candidate(cid, phrase, z, y_i, y_j))
        found.sort(key=lambda c: (-c.z, c.phrase))
        result[cid] = found[:limit]
    return result
