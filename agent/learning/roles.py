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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
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


ROLE = re.compile(r"\{(\d+)\}")
_SLOT = "\x00"  # a place in the template that some description fills differently


@dataclass(frozen=True)
class Template:
    """A task's description with what its variations change as numbered roles:
    "determine if {1} is electrically conductive ... place it in the {2} box ...".

    Built from the descriptions of the task's variations a home knows (``Template.of``): a
    role is a short phrase (up to ``MAX_SLOT_WORDS``) where two descriptions differ, and the
    places that always hold the same phrase ("aluminum foil" three times) are one role.
    ``lift`` writes a text of one variation in role form ("focus on {1}"), ``bind`` writes a
    role form for another variation ("focus on paper clip"). It is derived, never stored:
    a role found in a later variation would renumber what was written before it.
    """

    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, descriptions: Iterable[str]) -> Template:
        known = tuple(dict.fromkeys(words(d) for d in descriptions if d.strip()))
        return cls(_template(known))

    def __bool__(self) -> bool:
        return any(ROLE.fullmatch(token) for token in self.words)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def render(self, description: str) -> str:
        """``description`` as written, each role's phrase in it replaced by the role: the
        template as a person reads it."""
        values = {value: role for role, value in self.values(description).items()}
        if not values:
            return description
        phrases = sorted(values, key=len, reverse=True)
        pattern = (
            r"\b(?:" + "|".join(r"\W+".join(map(re.escape, p.split())) for p in phrases) + r")\b"
        )
        return re.sub(
            pattern,
            lambda match: values.get(" ".join(words(match.group(0))), match.group(0)),
            description,
            flags=re.IGNORECASE,
        )

    def values(self, description: str) -> dict[str, str]:
        """What each role is in ``description`` ({"{1}": "paper clip"}); a role whose places
        the description fills differently, or not at all, is left out."""
        return dict(_values(self.words, description))

    def lift(self, text: str, description: str) -> str:
        """``text`` (of the variation ``description`` describes) in role form; a phrase two
        roles share there is left as it is."""
        pairs = _lifting(self.words, description)
        lowered = text.lower()
        if not any(value in lowered for value, _ in pairs):
            return lowered  # names no role (most texts): no need to look closer
        return rebind(lowered, pairs)

    def bind(self, form: str, description: str) -> str | None:
        """A role form written for the variation ``description`` describes; None if the
        description does not say what one of its roles is."""
        values = self.values(description)
        if any(match.group(0) not in values for match in ROLE.finditer(form)):
            return None
        return ROLE.sub(lambda match: values[match.group(0)], form)


def has_roles(form: str) -> bool:
    return ROLE.search(form) is not None


@lru_cache(maxsize=256)  # a run recalls the same task's template before every trial
def _template(known: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The template of the descriptions' words (see ``Template``); () for fewer than two."""
    if len(known) < 2:
        return ()
    current = list(known[0])
    for other in known[1:]:
        current = _merged(current, other)
    slots = [i for i, token in enumerate(current) if token == _SLOT]
    fills = {i: tuple(_fills(current, text).get(i) for text in known) for i in slots}
    roles: dict[tuple[str | None, ...], int] = {}
    for i in slots:  # numbered by first place; places filled alike are one role
        current[i] = f"{{{roles.setdefault(fills[i], len(roles) + 1)}}}"
    return tuple(current)


@lru_cache(maxsize=4096)
def _values(template: tuple[str, ...], description: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, set[str]] = {}
    for i, value in _fills(list(template), words(description)).items():
        found.setdefault(template[i], set()).add(value)
    return tuple(
        (role, next(iter(v))) for role, v in found.items() if len(v) == 1 and next(iter(v))
    )


@lru_cache(maxsize=4096)
def _lifting(template: tuple[str, ...], description: str) -> tuple[tuple[str, str], ...]:
    """(phrase, role) pairs that lift a text of ``description``'s variation, longest first."""
    values = dict(_values(template, description))
    counts = Counter(values.values())
    pairs = ((value, role) for role, value in values.items() if counts[value] == 1)
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _merged(template: list[str], other: tuple[str, ...]) -> list[str]:
    """``template`` with a slot wherever ``other`` says something short and different."""
    merged: list[str] = []
    matcher = difflib.SequenceMatcher(None, template, other, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or max(i2 - i1, j2 - j1) > MAX_SLOT_WORDS:
            merged += template[i1:i2]  # the same, or another sentence: not a role
        elif not merged or merged[-1] != _SLOT:
            merged.append(_SLOT)
    return merged


def _fills(template: list[str], text: tuple[str, ...]) -> dict[int, str]:
    """For each slot of ``template`` that ``text`` fills, the phrase it fills it with."""
    found = {}
    matcher = difflib.SequenceMatcher(None, template, text, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if (
            tag != "equal"
            and i2 - i1 == 1
            and (template[i1] == _SLOT or ROLE.fullmatch(template[i1]))
        ):
            found[i1] = " ".join(text[j1:j2])
    return found
