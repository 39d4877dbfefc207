"""An action as its parts: the thing it acts on or makes, and what it takes, with how many
("craft 4 oak planks using 1 oak logs": 4 oak planks, from 1 oak logs; "unlock door with
key": the door, with the key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.acting.text import content_words, template_of

INSTRUMENT = re.compile(r"\s(?:using|with)\s")  # what follows is taken or used
_PLACE = re.compile(r"\s(?:from|to|into|in|on|at|off)\s")
_NUMBER_FIRST = re.compile(r"^(?:(\d+)\s+)?(?:(?:the|a|an|some)\s+)?(.+)$")


@dataclass(frozen=True)
class Command:
    """An action as its parts: the thing it acts on or makes, and what it takes, each
    with how many ("craft 4 oak planks using 1 oak logs": (oak planks, 4), [(oak logs, 1)])."""

    thing: frozenset[str]
    takes: tuple[tuple[frozenset[str], int], ...]
    makes: int = 1  # how many of its thing it names ("craft 4 oak planks": 4)


@lru_cache(maxsize=65_536)
def command(action: str) -> Command:
    body = f" {action.lower().strip()[len(template_of(action)) :].strip()} "
    found = INSTRUMENT.search(body)
    head, tail = (body[: found.start()], body[found.end() :]) if found else (body, "")
    head = _PLACE.split(f" {head.strip()} ", maxsplit=1)[0]
    thing, makes = _amount(head)
    takes = tuple(_amount(part) for part in re.split(r",|\sand\s", tail) if part.strip())
    return Command(thing, tuple(t for t in takes if t[0]), makes)


def refusable(action: str) -> bool:
    """Does the action name what it takes (so the game may refuse it for want of them)?"""
    return bool(command(action).takes)


def _amount(phrase: str) -> tuple[frozenset[str], int]:
    found = _NUMBER_FIRST.match(phrase.strip())
    if not found:
        return frozenset(), 1
    number, name = found.groups()
    return content_words(name), int(number or 1)
