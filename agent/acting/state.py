"""What the agent sees when it decides: the task, the observation, the valid actions, history,
and what memory recalled for the trial."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from agent.acting.reading import Reading, read
from agent.acting.text import template_of
from agent.learning.recall import Recollection
from memory.records import Situation, Step


def state_key(
    valid_actions: tuple[str, ...], situation: Situation | None = None, view: str = ""
) -> str:
    """A name for the state: where the player is, what it holds and what it sees there (the
    engine's view; without one, what can be done there). Two rooms of a maze that offer the
    same exits are two states; the same room with the same things in it, seen twice, is one."""
    where = f"{situation.location}|{','.join(sorted(situation.inventory))}\n" if situation else ""
    text = where + (_in_any_order(view) or "\n".join(sorted(valid_actions)))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _in_any_order(view: str) -> str:
    """The view with its lines, and the things each line lists, in one order: ScienceWorld
    lists a room's things in another order after a reset ("a wood cup (containing red
    paint)" before or after the yellow one), and the room is the same. A thing keeps what it
    contains (a part keeps its brackets), so a banana moved out of the bowl is another view."""
    lines = (", ".join(sorted(line.strip().split(", "))) for line in view.splitlines())
    return "\n".join(sorted(line for line in lines if line))


@dataclass(frozen=True)
class Turn:
    """The situation at one decision. ``history`` holds the episode's steps so far;
    ``recollection`` what memory recalled before the trial (the same for every turn of it)."""

    task: str
    observation: str
    valid_actions: tuple[str, ...]
    history: tuple[Step, ...] = ()
    irreversible_actions: frozenset[str] = frozenset()
    initial_observation: str = ""
    situation: Situation = field(default_factory=Situation)
    start: Situation = field(default_factory=Situation)  # where the episode began
    view: str = ""  # what the player sees (``EnvInfo.view``)
    max_steps: int = 0  # the episode's budget (0: not known)
    recollection: Recollection = field(default_factory=Recollection)

    @cached_property
    def state_key(self) -> str:
        return state_key(self.valid_actions, self.situation, self.view)

    @cached_property
    def reading(self) -> Reading:
        """How far the episode is through the task's instructions (read once per turn)."""
        return read(self)

    @cached_property
    def heeded(self) -> tuple[Step, ...]:
        """The episode's steps the game took notice of: the score, the place or what is held
        changed, the game was lost, or it answered as it answers no other command. "focus on
        ice cream" while the ice cream is shut in the freezer is answered "No known action
        matches that input.", as "eat ice cream" was: it is still to be taken."""
        before, found = self.start, []
        for step in self.history:
            if step.lost or step.situation != before or step.observation not in self.refusals:
                found.append(step)
            before = step.situation
        return tuple(found)

    @cached_property
    def refused(self) -> frozenset[str]:
        """Actions answered with a refusal more than once, in this episode or a remembered
        trial of this game ("look at ice cream" while it is shut in the freezer)."""
        return frozenset(action for action, count in self._refusals.items() if count > 1)

    @cached_property
    def refused_once(self) -> frozenset[str]:
        """Actions answered with a refusal at least once, here or in a remembered trial."""
        return frozenset(self._refusals)

    @cached_property
    def _refusals(self) -> Counter[str]:
        return Counter(a for a, answer in self._answers if answer in self.refusals)

    @cached_property
    def _answers(self) -> tuple[tuple[str, str], ...]:
        """(action, answer) for this episode's steps and a remembered trial's of this game."""
        recalled = self.recollection
        remembered = (
            (step.action, step.observation)
            for exemplar in recalled.exemplars
            if (exemplar.task, exemplar.variation) == (recalled.task, recalled.variation)
            for step in exemplar.steps
        )
        return (*((s.action, s.observation) for s in self.history), *remembered)

    @cached_property
    def refusals(self) -> frozenset[str]:
        """Answers the game gave to actions of different commands alike, in this episode or
        a remembered trial of this game ("No known action matches that input."; TextWorld's
        "You can't see any such thing."): they say that nothing was done."""
        commands: dict[str, set[str]] = {}
        for action, answer in self._answers:
            commands.setdefault(answer, set()).add(template_of(action))
        return frozenset(answer for answer, seen in commands.items() if len(seen) > 1)

    @property
    def index(self) -> int:
        """The 1-based number of the step about to be taken."""
        return len(self.history) + 1

    @property
    def last_note(self) -> str | None:
        """Feedback about the model's previous output, shown to it this turn."""
        return self.history[-1].note if self.history else None
