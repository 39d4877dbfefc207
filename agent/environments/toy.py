"""A small text world, fast enough to test the whole agent in milliseconds.

Rooms on a grid joined as a maze (a random spanning tree: one way between any two rooms),
generated from the seed, so a spec always means the same world::

    toy:maze@3,rooms=8     find the coin and take it; every room looks alike (only exits)
    toy:fetch@3            find the thing the task names (behind a closed door), take it
                           and focus on it; focusing on anything else loses the game

It is a real ``TextEnv``: valid actions, a score from 0 to 100, won and lost, an irreversible
action (``focus on X``), the player's room and inventory in ``info``, and an oracle (the
shortest solution). No engine, no JVM, no game build: a step costs microseconds.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from agent.environments.base import EnvInfo, variation_key
from agent.environments.spec import EnvSpec
from agent.errors import EnvError, SpecError

TASKS = ("maze", "fetch")
DEFAULT_ROOMS = {"maze": 6, "fetch": 5}
MAX_ROOMS = 40
DEFAULT_SEED = 1
ROOM_NAMES = (
    "attic bakery cellar chapel den gallery hall kitchen larder library lounge nursery "
    "office pantry parlour porch scullery solar study vault armoury atrium bathroom "
    "boudoir cloister dairy garret gatehouse kennel loft mudroom observatory orangery "
    "pavilion sauna stable terrace turret washroom workshop"
).split()
THINGS = "red key|blue key|old lamp|brass bell|green cup|silver coin|wooden box".split("|")
DIRECTIONS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


def validate(spec: EnvSpec) -> int:
    """Check a spec; return its number of rooms."""
    if spec.task not in TASKS:
        raise SpecError(f"unknown toy task {spec.task!r}: use one of {', '.join(TASKS)}")
    if spec.variation is not None and spec.variation.split is not None:
        raise SpecError(f"{spec}: toy worlds have no splits; give a seed, e.g. @3")
    rooms = DEFAULT_ROOMS[spec.task]
    for key, value in spec.options:
        if key != "rooms":
            raise SpecError(f"unknown option {key!r} for toy:{spec.task}: use rooms")
        if not value.isdigit() or not 2 <= int(value) <= MAX_ROOMS:
            raise SpecError(f"bad value {value!r} for rooms in {spec}: use 2..{MAX_ROOMS}")
        rooms = int(value)
    return rooms


def variation_of(spec: EnvSpec) -> str:
    """The variation's identity: the seed, and the rooms if not the default number."""
    rooms = validate(spec)
    return variation_key(
        seed_of(spec), [("rooms", str(rooms))] if rooms != DEFAULT_ROOMS[spec.task] else []
    )


def seed_of(spec: EnvSpec) -> int:
    if spec.variation is None or spec.variation.index is None:
        return DEFAULT_SEED
    return spec.variation.index


@dataclass
class World:
    """A generated layout: rooms, exits between them, where things lie, the closed door."""

    rooms: list[str]
    exits: dict[str, dict[str, str]]  # room -> direction -> room
    things: dict[str, str]  # thing -> room
    target: str  # what the task is about (the coin, or a thing)
    closed: tuple[str, str] | None = None  # (room, direction) of the closed door
    start: str = ""

    @classmethod
    def generate(cls, task: str, seed: int, count: int) -> World:
        rng = random.Random(f"toy:{task}:{seed}:{count}")
        names = rng.sample(ROOM_NAMES, count)
        cells = {(0, 0): names[0]}
        exits: dict[str, dict[str, str]] = {names[0]: {}}
        for name in names[1:]:  # grow a tree: each new room hangs off a random old one
            while True:
                (x, y), room = rng.choice(sorted(cells.items()))
                direction = rng.choice(sorted(DIRECTIONS))
                dx, dy = DIRECTIONS[direction]
                if (x + dx, y + dy) not in cells:
                    break
            cells[(x + dx, y + dy)] = name
            exits[name] = {OPPOSITE[direction]: room}
            exits[room][direction] = name
        start = names[0]
        distance = _distances(exits, start)
        farthest = max(names, key=lambda r: (distance[r], r))
        if task == "maze":
            return cls(names, exits, {"coin": farthest}, "coin", start=start)
        things = rng.sample(THINGS, 3)
        placed = {things[0]: farthest}
        for thing in things[1:]:
            placed[thing] = rng.choice(names[1:])
        room, direction = _first_door(exits, start, farthest)
        return cls(names, exits, placed, things[0], (room, direction), start)


def _distances(exits: dict[str, dict[str, str]], start: str) -> dict[str, int]:
    distance, queue = {start: 0}, deque([start])
    while queue:
        room = queue.popleft()
        for other in exits[room].values():
            if other not in distance:
                distance[other] = distance[room] + 1
                queue.append(other)
    return distance


def _path(exits: dict[str, dict[str, str]], start: str, goal: str) -> list[str]:
    """The directions from ``start`` to ``goal`` (the maze has one way)."""
    previous: dict[str, tuple[str, str]] = {}
    queue, seen = deque([start]), {start}
    while queue:
        room = queue.popleft()
        for direction, other in sorted(exits[room].items()):
            if other not in seen:
                seen.add(other)
                previous[other] = (room, direction)
                queue.append(other)
    moves: list[str] = []
    while goal != start:
        goal, direction = previous[goal]
        moves.append(direction)
    return moves[::-1]


def _first_door(exits: dict[str, dict[str, str]], start: str, goal: str) -> tuple[str, str]:
    """The last door on the way to ``goal``: closed, so reaching the goal needs opening it."""
    room = start
    steps = []
    for direction in _path(exits, start, goal):
        steps.append((room, direction))
        room = exits[room][direction]
    return steps[-1]


@dataclass
class Play:
    """The state of one episode."""

    room: str
    held: list[str] = field(default_factory=list)
    opened: bool = False
    score: float = 0.0
    won: bool = False
    lost: bool = False
    moves: int = 0


class ToyWorld:
    """One toy world, played by reset/step."""

    def __init__(self, spec: EnvSpec) -> None:
        self.spec = spec
        self.variation = variation_of(spec)
        self.world = World.generate(spec.task, seed_of(spec), validate(spec))
        self._play: Play | None = None

    @property
    def task(self) -> str:
        if self.spec.task == "maze":
            return "Your task is to find the coin and take it."
        return f"Your task is to find the {self.world.target}, take it, and then focus on it."

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]:
        del seed, options  # a toy world is fixed by its spec
        self._play = Play(self.world.start)
        return f"{self.task}\n\n{self._describe()}", self._info()

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]:
        play = self._play
        if play is None:
            raise EnvError(f"{self.spec} was stepped before reset")
        if play.won or play.lost:
            raise EnvError(f"{self.spec}: the episode is over; reset it")
        before = play.score
        observation = self._act(play, action.strip().lower())
        play.moves += 1
        terminated = play.won or play.lost
        return observation, play.score - before, terminated, False, self._info()

    def _act(self, play: Play, action: str) -> str:
        world = self.world
        verb, _, rest = action.partition(" ")
        if verb == "go" and rest in world.exits[play.room]:
            if world.closed == (play.room, rest) and not play.opened:
                return f"The door to the {rest} is closed."
            play.room = world.exits[play.room][rest]
            return self._describe()
        if (door := _door(world, play)) and action == f"open door to {door}":
            play.opened = True
            return f"You open the door to the {door}."
        if verb == "take" and rest in self._here(play):
            play.held.append(rest)
            if rest == world.target:
                play.score = 100.0 if self.spec.task == "maze" else 50.0
                play.won = self.spec.task == "maze"
            return f"You take the {rest}."
        if verb == "focus" and rest.startswith("on "):
            thing = rest.removeprefix("on ")
            if thing == world.target and thing in play.held:
                play.score, play.won = 100.0, True
                return f"You focus on the {thing}. That was it!"
            if thing in self._here(play) or thing in play.held:
                play.score, play.lost = 0.0, True
                return f"You focus on the {thing}. That was not it: the game is lost."
        if action == "look around":
            return self._describe()
        if action == "inventory":
            return "You carry: " + (", ".join(play.held) or "nothing") + "."
        return "Nothing happens."

    def _here(self, play: Play) -> list[str]:
        return sorted(
            t for t, r in self.world.things.items() if r == play.room and t not in play.held
        )

    def _describe(self) -> str:
        assert self._play is not None
        play = self._play
        exits = ", ".join(sorted(self.world.exits[play.room]))
        things = self._here(play)
        seen = f" You see: {', '.join(f'a {t}' for t in things)}." if things else ""
        door = _door(self.world, play)
        closed = f" The door to the {door} is closed." if door else ""
        return (
            f"-= {play.room.title()} =-\nYou are in the {play.room}. Exits: {exits}.{closed}{seen}"
        )

    def valid_actions(self) -> list[str]:
        play = self._play
        assert play is not None
        if play.won or play.lost:
            return []
        actions = ["look around", "inventory"]
        actions += [f"go {d}" for d in sorted(self.world.exits[play.room])]
        door = _door(self.world, play)
        if door:
            actions.append(f"open door to {door}")
        actions += [f"take {t}" for t in self._here(play)]
        if self.spec.task == "fetch":
            actions += [f"focus on {t}" for t in (*self._here(play), *play.held)]
        return sorted(set(actions))

    def _info(self) -> EnvInfo:
        play = self._play
        assert play is not None
        valid = self.valid_actions()
        return EnvInfo(
            task=self.task,
            valid_actions=valid,
            score=play.score,
            won=play.won,
            lost=play.lost,
            raw_score=play.score,
            moves=play.moves,
            irreversible_actions=[a for a in valid if a.startswith("focus on ")],
            location=play.room,
            inventory=sorted(play.held),
            view=self._describe(),
        )

    def route(self, goal: str) -> list[str]:
        """The actions that lead from the start to room ``goal`` (opening the door)."""
        world = self.world
        actions, room = [], world.start
        for direction in _path(world.exits, world.start, goal):
            if world.closed == (room, direction):
                actions.append(f"open door to {direction}")
            actions.append(f"go {direction}")
            room = world.exits[room][direction]
        return actions

    def oracle_actions(self) -> list[str] | None:
        world = self.world
        actions = self.route(world.things[world.target])
        actions.append(f"take {world.target}")
        if self.spec.task == "fetch":
            actions.append(f"focus on {world.target}")
        return actions

    def close(self) -> None:
        self._play = None


def _door(world: World, play: Play) -> str | None:
    """The direction of the closed door in this room, while it is closed."""
    if world.closed and world.closed[0] == play.room and not play.opened:
        return world.closed[1]
    return None
