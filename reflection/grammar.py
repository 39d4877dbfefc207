"""The one grammar of insights as text: "SUBJECT RELATION to GOAL", one per line.

``format_insight`` writes it (prompts, exports); ``parse_insight`` reads what a model wrote,
repairing what can be repaired (bullets, case, quotes, common paraphrases of a relation, a
missing goal) and rejecting the rest with a reason. Both take the relation words from
``memory.knowledge.Relation``, so writer and reader cannot drift apart (CLIN's did).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from memory.knowledge import Relation, claim

MAX_PART = 120  # characters of a subject or goal; longer is a paragraph, not an insight

# Paraphrases small and large models use, mapped onto the enum.
SYNONYMS = {
    "IS NECESSARY": Relation.NECESSARY,
    "MUST BE DONE": Relation.NECESSARY,
    "IS REQUIRED": Relation.NECESSARY,
    "MIGHT BE NECESSARY": Relation.MAY_BE_NECESSARY,
    "COULD BE NECESSARY": Relation.MAY_BE_NECESSARY,
    "MIGHT CONTRIBUTE": Relation.MAY_CONTRIBUTE,
    "CONTRIBUTES": Relation.MAY_CONTRIBUTE,
    "DOES NOT HELP": Relation.DOES_NOT_CONTRIBUTE,
    "DID NOT CONTRIBUTE": Relation.DOES_NOT_CONTRIBUTE,
    "IS NOT NECESSARY": Relation.DOES_NOT_CONTRIBUTE,
    "SHOULD NOT BE DONE": Relation.AVOID,
    "MUST BE AVOIDED": Relation.AVOID,
}
_PHRASES = {r.value: r for r in Relation} | SYNONYMS
_RELATION = "|".join(sorted((re.escape(p) for p in _PHRASES), key=len, reverse=True))
_LINE = re.compile(
    rf"^(?P<subject>.+?)\s+(?P<relation>{_RELATION})(?:\s+(?:to|for|in order to)\s+(?P<goal>.+))?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)]|\[\w+\])\s*")


@dataclass(frozen=True)
class Parsed:
    subject: str
    relation: Relation
    goal: str
    repaired: tuple[str, ...] = ()  # what had to be fixed, for the log


@dataclass(frozen=True)
class Rejected:
    line: str
    reason: str


def format_insight(subject: str, relation: Relation, goal: str) -> str:
    return claim(subject, relation, goal)


def parse_insight(line: str, default_goal: str = "") -> Parsed | Rejected:
    text = _BULLET.sub("", line).strip().strip("\"'`").rstrip(".;").strip()
    if not text:
        return Rejected(line, "empty line")
    found = _LINE.match(text)
    if found is None:
        return Rejected(line, "no relation from the list (e.g. SHOULD BE NECESSARY)")
    repaired = []
    phrase = found["relation"].upper()
    relation = _PHRASES[phrase]
    if phrase != relation.value:
        repaired.append(f"relation {phrase!r} read as {relation.value!r}")
    if found["relation"] != phrase:
        repaired.append("relation upper-cased")
    subject = found["subject"].strip().strip("\"'`")
    goal = (found["goal"] or "").strip().strip("\"'`")
    if not goal:
        if not default_goal:
            return Rejected(line, "no goal after the relation")
        goal = default_goal
        repaired.append("goal missing: the trial's goal used")
    for part, name in ((subject, "subject"), (goal, "goal")):
        if len(part) > MAX_PART:
            return Rejected(line, f"{name} longer than {MAX_PART} characters")
        if not re.search(r"[a-z]", part, re.IGNORECASE):
            return Rejected(line, f"{name} has no words")
    return Parsed(subject, relation, goal, tuple(repaired))
