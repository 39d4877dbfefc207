"""What a task's instructions ask, and which actions carry them out.

Task descriptions often list their steps ("First, open the drawer. Then take the key. After
that, unlock the door..."). ``clauses`` splits a description into instructions; ``carries_out``
says how well an action fits one, ``carried_out`` which ones a sequence of actions carried out,
in order. A clause that says "it" is about the thing of the instruction before ("focus on the
paper clip ... place it in the red box": only moving the paper clip there does it); if that
instruction named no thing of the game ("focus on the thing"), "it" is what the action that
carried it out acted on ("focus on baby beaver": move the baby beaver). An item of a list (a
thing's name alone, "red onion" under "Ingredients:") is done by holding it. How far an
episode is through them, and the scorer that follows them, are ``agent.acting.reading``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from agent.acting.game import Game, name_words, verb
from agent.acting.parts import INSTRUMENT
from agent.acting.text import content_words, object_words, template_of, words
from knowledge_graph.entities import objects_of

_SPLIT = re.compile(
    r"[.!?;,\n]|\b(?:then|after that|after|following that|once|and then|finally|first|next"
    r"|with that done)\b",
    re.IGNORECASE,
)
# Words that carry no instruction: filler of TextWorld's and ScienceWorld's task texts,
# and "thing", which stands for what the task names ("focus on the thing": any focus).
_FILLER = frozenset(
    """your task objective try attempt make ensure sure that within inside done
    accomplished thanks alright okay ok good hey something need me today welcome
    coming over textworld hello win once all handled stop you've thing""".split()
)


_PRONOUNS = frozenset({"it", "them"})
PARTIAL = 0.5  # an action on "it" that does not reach the clause's own things ("pick up X")


@dataclass(frozen=True)
class Clause:
    """One instruction: its own content words, and the instruction its "it" stands for."""

    words: frozenset[str]
    refers_to: int | None = None  # index of an earlier clause (None: says no "it")
    recalls: bool = False  # starts with a gerund ("after stealing the lettuce")
    item: bool = False  # a line of a list of things ("Ingredients:", a line each)


@lru_cache(maxsize=1024)
def clauses(task: str) -> tuple[Clause, ...]:
    """The task's instructions in order; "it" refers to the last one that did not say it. A
    condition ("if it is electrically conductive, ...", "if you can manage that, ...") is
    not one."""
    found: list[Clause] = []
    last: int | None = None
    for part, item in _parts(task):
        own = content_words(part) - _FILLER
        if not own or words(part)[:1] == ("if",):
            continue
        recalls = _recalls(words(part))
        if _refers(words(part)):
            found.append(Clause(own, last, recalls, item))
        else:
            found.append(Clause(own, recalls=recalls, item=item))
            last = len(found) - 1
    # A line about another line's thing is a step, not a thing ("chop the yellow onion")
    names = [c.words for c in found if c.item]
    return tuple(
        replace(c, item=False) if c.item and any(n < c.words for n in names) else c for c in found
    )


def _parts(task: str) -> Iterator[tuple[str, bool]]:
    """The task's parts, each with whether it is a line of a list: the lines after one that
    ends with a colon ("Ingredients:"), up to a blank line."""
    in_list = False
    for line in task.split("\n"):
        header = line.rstrip().endswith(":")
        for part in _SPLIT.split(line):
            yield part, in_list and not header
        in_list = header or (in_list and bool(line.strip()))


def _recalls(said: tuple[str, ...]) -> bool:
    """Does the clause start with a gerund ("after stealing the lettuce", "after opening
    the hatch")? It may recall what was done rather than ask for it (``reminds``)."""
    return bool(said) and len(said[0]) > 5 and said[0].endswith("ing")


# "it" before these stands for nothing ("it would be great if you could go north")
_DUMMY_BEFORE = frozenset("is would will was seems might may should can".split())


def _refers(said: tuple[str, ...]) -> bool:
    """Does the clause say "it" or "them" of a thing ("place it in the red box"), not as in
    "it would be great if..."?"""
    return any(
        word in _PRONOUNS and (said[i + 1 : i + 2] or ("",))[0] not in _DUMMY_BEFORE
        for i, word in enumerate(said)
    )


_INFLECTION = re.compile(r"(?:s|es|ed|d|ing|en)$")


def _names(words: frozenset[str], verb: str) -> bool:
    """Do the words name the verb, inflected or not ("unlocked", "unlocking", "chopped"; not
    "cookbook" for "cook")?"""
    if not verb:
        return False
    for word in words:
        rest = word[len(verb) :] if word.startswith(verb) else None
        if rest is not None and (not rest or _INFLECTION.fullmatch(rest.removeprefix(verb[-1]))):
            return True
    return False


def _asks_another_command(action: str, clause: Clause, game: Game) -> bool:
    """The clause names one of the game's commands, not the action's, and that command can
    act on what the clause names ("focus on the paper clip" is not done by "pick up paper
    clip"; "take a trip east" is done by "go east": nothing takes "east")."""
    own = clause.words & game.things
    return not _names(clause.words, verb(action)) and any(
        _names(clause.words, command) and game.acts_on(command, own) for command in game.commands
    )


def _patient(action: str) -> frozenset[str]:
    """What the action acts on, without the instrument it uses ("unlock chest with key": the
    chest; "craft 1 book using 3 paper": the book), so naming the tool is not asked of an
    instruction ("unlock the chest")."""
    head = INSTRUMENT.split(action, maxsplit=1)[0]
    return object_words(head) or object_words(action)


def _fit(action: str, clause: Clause, game: Game, subject: frozenset[str]) -> tuple[float, float]:
    """How well ``action`` fits ``clause``: the share of its objects the clause names (0 if
    it names none; a little more if the clause names its verb), and the share of the things
    the clause names that it acts on. ``subject`` is what the clause's "it" stands for: an
    action that does not act on it does nothing for the clause ("place it in the red box"
    is not done by "look in red box"); one that acts on it alone only prepares it
    (``PARTIAL``: "pick up paper clip")."""
    objects, it = object_words(action), subject
    if subject and not subject & objects:  # acting on what holds it acts on it
        subject |= next(
            (
                content_words(name)
                for name in objects_of(action)
                if game.holds(name_words(name), subject)
            ),
            frozenset(),
        )
    if listed(clause, game):
        on_it = any(content_words(name) == clause.words for name in objects_of(action))
        return (1.0, 1.0) if on_it else (0.0, 0.0)
    if clause.refers_to is not None and not subject:
        return 0.0, 0.0  # "move it to the red box" before anything is "it"
    if not objects or (subject and not subject & objects):
        return 0.0, 0.0
    own = clause.words & game.things
    coverage = len(own & objects) / len(own) if own else 1.0
    if subject and not coverage:  # "pick up baby beaver" before moving it
        taken = not game.taking or template_of(action) in game.taking
        return (PARTIAL if taken else 0.0), 0.0  # any command, until one is seen to take
    if _asks_another_command(action, clause, game):
        return 0.0, coverage
    acted = _patient(action)
    if acted in game.names and any(acted < name <= clause.words for name in game.names):
        return 0.0, coverage  # "craft 1 book" is not "craft writable book": another thing
    # Leaving a thing behind carries out an instruction that says so or says where it goes
    # ("move it to the red box"), not one that says to do something to it ("fry the egg").
    says_where = own - acted or _names(clause.words, verb(action))
    if template_of(action) in game.releasing and (
        not says_where
        or _missed(action, clause, game)
        or (subject and not _about(objects_of(action)[0], it, game))
    ):
        return 0.0, coverage  # it must leave "it" where it is to go, not the box in "it"
    if _puts(action) and _missed(action, clause, game):
        return 0.0, coverage  # "move flower to kitchen", though moving was never seen to leave
    share = len(acted & (clause.words | subject)) / len(acted)
    if share < 0.5:
        return 0.0, coverage
    return share * (1.2 if _names(clause.words, verb(action)) else 1.0), coverage


def _about(name: str, thing: frozenset[str], game: Game) -> bool:
    """Is ``name`` the thing ("pea plant") or what holds it ("flower pot")?"""
    return bool(content_words(name) & thing) or game.holder(name, thing)


def _puts(action: str) -> bool:
    """Does ``action`` say where it puts what it acts on ("move flower to kitchen"; not
    "unlock chest with key")?"""
    return len(objects_of(action)) > 1 and " with " not in action


def _missed(action: str, clause: Clause, game: Game) -> bool:
    """Does leaving a thing by ``action`` miss most of where the clause says it goes, here
    or not ("move flower pot to kitchen" for "move it to the red box in the kitchen")?"""
    where = {w for w in clause.words if not any(_names(frozenset({w}), c) for c in game.commands)}
    return 2 * len(where & object_words(action)) < len(where)


def carries_out(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> float:
    """The instruction's say on ``action`` (``_fit``): more for covering more of what it
    names ("move it to the red box in the kitchen": the red box before the kitchen)."""
    value, coverage = _fit(action, clause, game, subject)
    return round(value * (1 + coverage) / 2, 9)  # 1.2 * (1 + 2/3) / 2 is 1, not 0.999...


def fulfils(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> bool:
    """Does ``action`` carry the instruction out: all it acts on is named there, and at least
    half of what is named there is acted on? A clause that names the action's command and no
    thing of the game ("focus on the thing") is carried out by that command on anything."""
    value, coverage = _fit(action, clause, game, subject)
    # "take it" after "find the silver coin" is about the coin even before the coin is seen
    says = _names(clause.words, verb(action)) and not clause.words & game.things
    generic = says and clause.refers_to is None
    return (value >= 1 and coverage >= 0.5) or (generic and bool(object_words(action)))


def carried_out(
    steps: tuple[Clause, ...],
    actions: list[str],
    game: Game = Game(),
    settled: frozenset[int] = frozenset(),
    idle: frozenset[int] = frozenset(),
) -> dict[int, str]:
    """Which instructions the actions carried out, and by which action: each action the next
    one not yet carried out that it fulfils, in the order ``open_in_order`` gives ("go east" twice
    carries out "venture east" and then "move east", not both at once, nor a later "go
    east"), unless it covers more of what a later one names ("focus on paper clip" carries
    out "focus on the paper clip", not "the paper clip is in the workshop"). One passed over
    stays open for a later action: a task's goal sentence ("determine if the paper clip is
    conductive") is met after the place it names. Those ``settled`` by what is held and
    seen are done already; an item of a list is done only while held (``settled``), and an
    action that did nothing (its index in ``idle``: "prepare meal" answered "You still miss
    something") carries nothing out."""
    return follow(steps, actions, game, settled, idle)[0]


def follow(
    steps: tuple[Clause, ...],
    actions: list[str],
    game: Game,
    settled: frozenset[int],
    idle: frozenset[int],
    holdings: tuple[frozenset[str], ...] = (),
) -> tuple[dict[int, str], dict[int, frozenset[str]]]:
    """``carried_out``, and for each instruction the actions that tried it and did nothing
    since the last one carried out, unless the player now holds something it did not hold
    then (``holdings``: what was held before each action, and now, last): "prepare meal"
    may work with the onion, not with the cookbook picked up and dropped again."""
    done: dict[int, str] = {}
    # instruction -> (action, what was held) for each try that did nothing
    failed: dict[int, list[tuple[str, frozenset[str]]]] = {}
    for position, action in enumerate(actions):
        # (instruction, (whether it names what the action acts on, how much of it it covers))
        fits: list[tuple[int, tuple[bool, float]]] = []
        for index in open_in_order(steps, done, settled):
            clause, subject = steps[index], subject_of(steps[index], steps, done, game)
            if not listed(clause, game) and fulfils(action, clause, game, subject):
                value, coverage = _fit(action, clause, game, subject)
                fits.append((index, (value >= 1, coverage)))
        if position in idle:  # "prepare meal" failed each instruction it stands for
            held = holdings[position] if position < len(holdings) else frozenset()
            for index, _ in fits:
                failed.setdefault(index, []).append((action, held))
        elif fits:  # one that names its thing before one that names none ("the thing"),
            # then the one it covers best, the next in order among equals
            chosen = max(fits, key=lambda fit: fit[1])[0]
            done[chosen] = action
            failed.clear()
            for index in open_in_order(steps, done, settled):
                if index < chosen and _reached(steps[index], action, game):
                    done[index] = action
    now = holdings[-1] if holdings else frozenset()
    tried = {i: frozenset(a for a, held in tries if now <= held) for i, tries in failed.items()}
    return done, {i: actions for i, actions in tried.items() if actions and i not in done}


def _reached(clause: Clause, action: str, game: Game) -> bool:
    """Was an instruction passed over that says what to reach, not what to do ("find a(n)
    living thing": it names no command of the game), met by ``action``, which carried out a
    later one on all that it names ("focus on living thing in flower pot 3")?"""
    own = clause.words & game.things
    return (
        bool(own)
        and own <= object_words(action)
        and clause.refers_to is None
        and not listed(clause, game)
        and not names_a_command(clause, game)
    )


def reminds(clause: Clause, game: Game) -> bool:
    """Does the clause recall what was done, not ask for it: a gerund that names nothing the
    game can do ("after stealing the lettuce": there is no "steal"; "after opening the
    hatch" asks to open it)?"""
    return clause.recalls and not names_a_command(clause, game)


def names_a_command(clause: Clause, game: Game) -> bool:
    """Does the clause say what to do in the game's own words ("chop the red onion")?"""
    return any(_names(clause.words, command) for command in game.commands)


def listed(clause: Clause, game: Game) -> bool:
    """Is it an item of a list, a thing's name and nothing else ("red onion" under
    "Ingredients:")? Done while held (``settled``), and only an action on that very thing
    does anything for it ("drop olive oil" does nothing for "peanut oil"). A line of a list
    that names no command is one too, though the thing is not seen yet ("yellow onion")."""
    return clause.words in game.names or (clause.item and not names_a_command(clause, game))


def subject_of(
    clause: Clause, steps: tuple[Clause, ...], done: dict[int, str], game: Game
) -> frozenset[str]:
    """What the clause's "it" stands for: the things its instruction named, or else what the
    action that carried that instruction out acted on."""
    if clause.refers_to is None:
        return frozenset()
    named = steps[clause.refers_to].words & game.things
    action = done.get(clause.refers_to)
    return named or (object_words(action) if action else frozenset())


def open_in_order(
    steps: tuple[Clause, ...], done: dict[int, str], settled: frozenset[int] = frozenset()
) -> list[int]:
    """The instructions not carried out, next first: those after the last one carried out,
    in order, then those passed over (a goal sentence nothing has met yet)."""
    last = max(done, default=-1)
    waiting = [index for index in range(len(steps)) if index not in done and index not in settled]
    return [i for i in waiting if i > last] + [i for i in waiting if i < last]
