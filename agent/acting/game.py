"""What the game offers, as an instruction reader needs it: its commands, its things and
their names, which command acts on what, what holds what as the player sees it, and which
commands were seen to leave or take things (``agent.acting.instructions`` reads a task
against it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.acting.text import content_words, object_words, template_of, words
from knowledge_graph.entities import objects_of


def verb(action: str) -> str:
    """The first word of the action's command ("pick" of "pick up X")."""
    return template_of(action).split()[0] if template_of(action) else ""


@dataclass(frozen=True)
class Game:
    """What the game offers now: the verbs of its commands, the words of its things, which
    command acts on which word ("take" on "latchkey", never on "east"), and the things'
    names as their words ({"red", "onion"})."""

    commands: frozenset[str] = frozenset()
    things: frozenset[str] = frozenset()
    reach: frozenset[tuple[str, str]] = frozenset()
    names: frozenset[frozenset[str]] = frozenset()
    releasing: frozenset[str] = frozenset()  # commands seen to leave a held thing behind
    # What holds what, as seen: (the holder's name, its contents), as their words
    holding: frozenset[tuple[frozenset[str], frozenset[str]]] = frozenset()
    taking: frozenset[str] = frozenset()  # commands seen to make a thing held ("pick up X")

    @classmethod
    def of(
        cls,
        valid_actions: tuple[str, ...],
        held: tuple[str, ...] = (),
        releasing: frozenset[str] = frozenset(),
        seen: str = "",
        taking: frozenset[str] = frozenset(),
        tried: frozenset[str] = frozenset(),
    ) -> Game:
        """From the actions the game offers (or offered), the things held, the commands
        seen to leave a held thing behind ("drop X"), what the player sees (``seen``:
        "a flower pot 9 (containing a pea plant in the adult stage, soil)"), and the
        commands earlier trials tried elsewhere ("prepare meal", not offered here)."""
        reach = frozenset(
            (command, word)
            for action in valid_actions
            if (command := verb(action))
            for word in object_words(action)
        )
        templates = {*map(template_of, valid_actions), *tried}
        commands = frozenset(template.split()[0] for template in templates if template)
        names = {content_words(name) for action in valid_actions for name in objects_of(action)}
        names |= {content_words(name) for name in held}
        things = frozenset(word for _, word in reach)
        holding = frozenset(
            (name_words(holder), content_words(contents))
            for holder, contents in _CONTAINING.findall("\n".join((*held, seen)).lower())
        )
        return cls(commands, things, reach, frozenset(names), releasing, holding, taking)

    def acts_on(self, command: str, things: frozenset[str]) -> bool:
        """Can ``command`` act on any of ``things`` here (on anything, if none is named)?"""
        return not things or any((command, thing) in self.reach for thing in things)

    def holder(self, name: str, thing: frozenset[str]) -> bool:
        """Is ``name`` ("flower pot 9", or "flower pot" where there is one) what holds
        ``thing``, not a part of it ("soil in flower pot 9")?"""
        return self.holds(name_words(name), thing)

    def holds(self, name: frozenset[str], thing: frozenset[str]) -> bool:
        """Is ``name`` ("flower pot", "flower pot 9") what holds ``thing`` ("adult pea plant":
        "containing a pea plant in the reproducing stage"; the stage is not kept)?"""
        return any(
            _unnumbered(holder) <= name <= holder and 2 * len(thing & contents) >= len(thing)
            for holder, contents in self.holding
        )


def contents_seen(view: str) -> dict[frozenset[str], list[str]]:
    """What holds what in the player's view, each holder by its name's words ("flower pot
    9") with what it holds as listed ("pea plant in the reproducing stage", "soil")."""
    return {
        name_words(holder): [item.strip() for item in inside.split(",") if item.strip()]
        for holder, inside in _CONTAINING.findall(view.lower())
    }


def _unnumbered(name: frozenset[str]) -> frozenset[str]:
    """A name without its number, as the game says it where there is one ("flower pot")."""
    return frozenset(word for word in name if not word.isdigit())


def name_words(text: str) -> frozenset[str]:
    """A thing's name as its words, with its number ("flower pot 9": not flower pot 8)."""
    return content_words(text) | {word for word in words(text) if word.isdigit()}


# "a flower pot 9 (containing a pea plant in the adult stage, soil)": ScienceWorld's way
_CONTAINING = re.compile(r"([a-z0-9][a-z0-9 ]*?) \(containing ([^()]*)\)")
