"""Entities named in actions and observations: locations and objects.

Text games announce rooms in a few fixed ways ("This room is called the kitchen",
"-= Kitchen =-", "You move to the kitchen"); objects are what actions act on. These cheap
readings are enough to hang trajectories on a graph.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LOCATION = [
    re.compile(r"this room is called the ([a-z][a-z ]*?)[.\n]", re.IGNORECASE),
    re.compile(r"-= ([^=]+?) =-"),
    re.compile(r"you (?:move|teleport|go) to the ([a-z][a-z ]*?)[.\n]", re.IGNORECASE),
]
_PARTICLES = frozenset("at in on up down to around into off out from with using".split())
_COMMAND_PARTICLES = frozenset("at in on up down to around into off out from".split())
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=65_536)
def command_of(action: str) -> str:
    """The action's command, approximately: its verb with any particle.

    "look at red box" -> "look at", "pick up key" -> "pick up", "open door" -> "open",
    "teleport to kitchen" -> "teleport to". Engines generate one valid action per object (or
    pair) of a command, so a command's size says how much choice it hides.
    """
    parts = _WORD.findall(action.lower())
    if len(parts) > 1 and parts[1] in _COMMAND_PARTICLES:
        return f"{parts[0]} {parts[1]}"
    return parts[0] if parts else ""


_FILLER = frozenset("the a an some".split())


@lru_cache(maxsize=16_384)
def location_of(observation: str) -> str | None:
    """The room an observation places the player in, if it says so."""
    for pattern in _LOCATION:
        found = pattern.search(observation + "\n")
        if found:
            return found.group(1).strip().lower()
    return None


@lru_cache(maxsize=65_536)
def objects_of(action: str) -> tuple[str, ...]:
    """The objects an action names: "move metal pot to sink" -> ("metal pot", "sink"); a
    count before a name is not part of it ("craft 4 stick using 2 planks, 1 log" -> ("stick",
    "planks", "log"))."""
    words = action.lower().replace(",", " , ").split()
    if len(words) < 2:
        return ()
    body = words[2:] if len(words) > 2 and words[1] in _PARTICLES else words[1:]
    objects: list[str] = []
    current: list[str] = []
    for word in body:
        if word in _PARTICLES or word == ",":
            if current:
                objects.append(" ".join(current))
            current = []
        elif word not in _FILLER and not (word.isdigit() and not current):
            current.append(word)
    if current:
        objects.append(" ".join(current))
    return tuple(objects)
