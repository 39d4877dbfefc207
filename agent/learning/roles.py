"""Role bindings: what one variation of a task calls a thing, another calls differently.

Two variations of a task share their description's template and differ in its slots:
"determine if aluminum foil is electrically conductive ... place it in the blue box" against
"determine if paper clip is electrically conductive ... place it in the green box". Aligning
the two descriptions word by word gives the bindings {aluminum foil → paper clip, blue → green},
and ``rebind`` carries an action learned on one variation ("focus on aluminum foil") over to
the other ("focus on paper clip"). This is what lets a trajectory recalled from one variation
guide the first trial of a new one.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from agent.acting.text import words

MAX_SLOT_WORDS = 4  # a slot is a short name; longer differences are different sentences


@lru_cache(maxsize=4096)
def bindings(source: str, target: str) -> tuple[tuple[str, str], ...]:
    """The phrases of ``source`` that ``target`` replaces, as consistent (old, new) pairs.

    Only replacements of a short phrase by a short phrase count, and a phrase bound to two
    different replacements is dropped: when the alignment is unsure, nothing is rebound.
    """
    old, new = words(source), words(target)
    found: dict[str, set[str]] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or max(i2 - i1, j2 - j1) > MAX_SLOT_WORDS:
            continue
        found.setdefault(" ".join(old[i1:i2]), set()).add(" ".join(new[j1:j2]))
    pairs = [(phrase, next(iter(names))) for phrase, names in found.items() if len(names) == 1]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))  # longest phrase first


def rebind(action: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``action`` with every bound phrase replaced at once (so blue → green and orange → blue
    swap correctly rather than chaining), on word boundaries only."""
    if not pairs:
        return action
    table = dict(pairs)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(old) for old, _ in pairs) + r")\b")
    return pattern.sub(lambda match: table[match.group(0)], action)
