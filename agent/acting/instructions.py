"""Following the task's own instructions, in order.

Task descriptions often list their steps ("First, open the drawer. Then take the key. After
that, unlock the door..."). ``InstructionScorer`` splits the description into clauses, finds
the first clause no action of this episode has carried out yet, and favours the valid actions
that carry it out — what a person reading the task would try next. Clauses that nothing in
reach carries out are passed over, so a goal sentence ("boil water") does not block the steps
listed after it. A clause that says "it" is about the thing of the instruction before ("focus
on the paper clip ... place it in the red box": only moving the paper clip there does it); if
that instruction named no thing of the game ("focus on the thing"), "it" is what the action
that carried it out acted on ("focus on baby beaver": move the baby beaver). A text the task
sends the player to read ("check the cookbook") is read as more instructions once it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from agent.acting.text import content_words, object_words, template_of, words
from knowledge_graph.entities import objects_of
from memory.knowledge import Exemplar

if TYPE_CHECKING:  # a turn carries the trial's plan, which reads the instructions
    from agent.acting.state import Turn

_SPLIT = re.compile(
    r"[.!?;\n]|\b(?:then|after that|after|once|and then|finally|first|next|with that done)\b",
    re.IGNORECASE,
)
# Words that carry no instruction: filler of TextWorld's and ScienceWorld's task texts.
_FILLER = frozenset(
    """your task objective try attempt make ensure sure that within inside done
    accomplished thanks alright okay ok good hey something need me today welcome
    coming over textworld hello win once all handled stop you've""".split()
)


_PRONOUNS = frozenset({"it", "them"})
PARTIAL = 0.5  # an action on "it" that does not reach the clause's own things ("pick up X")


@dataclass(frozen=True)
class Clause:
    """One instruction: its own content words, and the instruction its "it" stands for."""

    words: frozenset[str]
    refers_to: int | None = None  # index of an earlier clause (None: says no "it")


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

    @classmethod
    def of(
        cls,
        valid_actions: tuple[str, ...],
        held: tuple[str, ...] = (),
        releasing: frozenset[str] = frozenset(),
    ) -> Game:
        """From the actions the game offers (or offered), the things held, and the commands
        seen to leave a held thing behind ("drop X")."""
        reach = frozenset(
            (verb, word)
            for action in valid_actions
            if (verb := _verb(action))
            for word in object_words(action)
        )
        commands = frozenset(v.split()[0] for v in map(template_of, valid_actions) if v)
        names = {content_words(name) for action in valid_actions for name in objects_of(action)}
        names |= {content_words(name) for name in held}
        things = frozenset(word for _, word in reach)
        return cls(commands, things, reach, frozenset(names), releasing)

    def acts_on(self, command: str, things: frozenset[str]) -> bool:
        """Can ``command`` act on any of ``things`` here (on anything, if none is named)?"""
        return not things or any((command, thing) in self.reach for thing in things)


@lru_cache(maxsize=1024)
def clauses(task: str) -> tuple[Clause, ...]:
    """The task's instructions in order; "it" refers to the last one that did not say it."""
    found: list[Clause] = []
    last: int | None = None
    for part in _SPLIT.split(task):
        own = content_words(part) - _FILLER
        if not own:
            continue
        if _PRONOUNS & set(words(part)):
            found.append(Clause(own, last))
        else:
            found.append(Clause(own))
            last = len(found) - 1
    return tuple(found)


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


def _verb(action: str) -> str:
    return template_of(action).split()[0] if template_of(action) else ""


def _asks_another_command(action: str, clause: Clause, game: Game) -> bool:
    """The clause names one of the game's commands, not the action's, and that command can
    act on what the clause names ("focus on the paper clip" is not done by "pick up paper
    clip"; "take a trip east" is done by "go east": nothing takes "east")."""
    own = clause.words & game.things
    return not _names(clause.words, _verb(action)) and any(
        _names(clause.words, command) and game.acts_on(command, own) for command in game.commands
    )


def _patient(action: str) -> frozenset[str]:
    """What the action acts on, without the instrument it uses ("unlock chest with key": the
    chest), so naming the tool is not asked of an instruction ("unlock the chest")."""
    head, _, _ = action.partition(" with ")
    return object_words(head) or object_words(action)


def _fit(action: str, clause: Clause, game: Game, subject: frozenset[str]) -> tuple[float, float]:
    """How well ``action`` fits ``clause``: the share of its objects the clause names (0 if
    it names none; a little more if the clause names its verb), and the share of the things
    the clause names that it acts on. ``subject`` is what the clause's "it" stands for: an
    action that does not act on it does nothing for the clause ("place it in the red box"
    is not done by "look in red box"); one that acts on it alone only prepares it
    (``PARTIAL``: "pick up paper clip")."""
    objects = object_words(action)
    if listed(clause, game):
        on_it = any(content_words(name) == clause.words for name in objects_of(action))
        return (1.0, 1.0) if on_it else (0.0, 0.0)
    if not objects or (subject and not subject & objects):
        return 0.0, 0.0
    own = clause.words & game.things
    coverage = len(own & objects) / len(own) if own else 1.0
    if subject and not coverage:
        return PARTIAL, 0.0  # whatever its command: "pick up baby beaver" before moving it
    if _asks_another_command(action, clause, game):
        return 0.0, coverage
    acted = _patient(action)
    # Leaving a thing behind carries out an instruction that says so or says where it goes
    # ("move it to the red box"), not one that says to do something to it ("fry the egg").
    says_where = own - acted or _names(clause.words, _verb(action))
    if template_of(action) in game.releasing and not says_where:
        return 0.0, coverage
    share = len(acted & (clause.words | subject)) / len(acted)
    if share < 0.5:
        return 0.0, coverage
    return share * (1.2 if _names(clause.words, _verb(action)) else 1.0), coverage


def carries_out(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> float:
    """The instruction's say on ``action`` (``_fit``): more for covering more of what it
    names ("move it to the red box in the kitchen": the red box before the kitchen)."""
    value, coverage = _fit(action, clause, game, subject)
    return value * (1 + coverage) / 2


def fulfils(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> bool:
    """Does ``action`` carry the instruction out: all it acts on is named there, and at least
    half of what is named there is acted on? A clause that names the action's command and no
    thing of the game ("focus on the thing") is carried out by that command on anything."""
    value, coverage = _fit(action, clause, game, subject)
    generic = _names(clause.words, _verb(action)) and not clause.words & game.things
    return (value >= 1 and coverage >= 0.5) or (generic and bool(object_words(action)))


def carried_out(
    steps: tuple[Clause, ...],
    actions: list[str],
    game: Game = Game(),
    settled: frozenset[int] = frozenset(),
    idle: frozenset[int] = frozenset(),
) -> dict[int, str]:
    """Which instructions the actions carried out, and by which action: each action the next
    one not yet carried out that it fulfils, in the order ``_open`` gives ("go east" twice
    carries out "venture east" and then "move east", not both at once, nor a later "go
    east"), unless it covers more of what a later one names ("focus on paper clip" carries
    out "focus on the paper clip", not "the paper clip is in the workshop"). One passed over
    stays open for a later action: a task's goal sentence ("determine if the paper clip is
    conductive") is met after the place it names. Those ``settled`` by what is held and
    seen are done already; an item of a list is done only while held (``settled``), and an
    action that did nothing (its index in ``idle``: "prepare meal" answered "You still miss
    something") carries nothing out."""
    return _follow(steps, actions, game, settled, idle)[0]


def _follow(
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
        fits: list[tuple[int, float]] = []  # (instruction, how much of it the action covers)
        for index in _open(steps, done, settled):
            clause, subject = steps[index], subject_of(steps[index], steps, done, game)
            if not listed(clause, game) and fulfils(action, clause, game, subject):
                fits.append((index, _fit(action, clause, game, subject)[1]))
        if position in idle:  # "prepare meal" failed each instruction it stands for
            held = holdings[position] if position < len(holdings) else frozenset()
            for index, _ in fits:
                failed.setdefault(index, []).append((action, held))
        elif fits:  # the one it covers best, the next in order among equals
            done[_tightest(action, max(fits, key=lambda fit: fit[1])[0], fits, steps)] = action
            failed.clear()
    now = holdings[-1] if holdings else frozenset()
    tried = {i: frozenset(a for a, held in tries if now <= held) for i, tries in failed.items()}
    return done, {i: actions for i, actions in tried.items() if actions and i not in done}


def _tightest(
    action: str, chosen: int, fits: list[tuple[int, float]], steps: tuple[Clause, ...]
) -> int:
    """If the chosen instruction names the action's command, the one naming it that the
    action says most of: "prepare meal" carries out the recipe's "prepare meal", not the
    "...follow the directions to prepare this tasty meal" that heads it."""
    verb = _verb(action)
    if not _names(steps[chosen].words, verb):
        return chosen
    said = words(action)
    naming = [i for i, _ in fits if _names(steps[i].words, verb)]
    return max(naming, key=lambda i: sum(w in said for w in steps[i].words) / len(steps[i].words))


def listed(clause: Clause, game: Game) -> bool:
    """Is it an item of a list, a thing's name and nothing else ("red onion" under
    "Ingredients:")? Done while held (``settled``), and only an action on that very thing
    does anything for it ("drop olive oil" does nothing for "peanut oil")."""
    return clause.words in game.names


def settled(
    steps: tuple[Clause, ...], held: tuple[str, ...], seen: str, game: Game
) -> frozenset[int]:
    """Instructions the world already satisfies, as a person reading it would see: an item
    of a list (a clause that names only things: "red onion" under "Ingredients:") while
    the player holds it, and a direction whose thing was seen described as done ("chop the
    red onion": "the fridge contains a chopped roasted red onion")."""
    holding = content_words(" ".join(held))
    described = _descriptions(seen)

    def satisfied(clause: Clause) -> bool:
        if listed(clause, game) and clause.words <= holding:
            return True
        return any(
            things <= after
            for verb in clause.words
            if (things := clause.words - {verb})
            for form in _participles(verb)
            for after in described.get(form, ())
        )

    return frozenset(index for index, clause in enumerate(steps) if satisfied(clause))


DESCRIBED_WITHIN = 4  # words from "chopped" to the thing it describes ("chopped roasted red onion")


@lru_cache(maxsize=256)
def _descriptions(seen: str) -> dict[str, list[frozenset[str]]]:
    """Each word of ``seen`` that may be a participle ("chopped"), with the words after it."""
    tokens = words(seen)
    found: dict[str, list[frozenset[str]]] = {}
    for i, word in enumerate(tokens):
        if word.endswith("ed"):
            found.setdefault(word, []).append(frozenset(tokens[i + 1 : i + 1 + DESCRIBED_WITHIN]))
    return found


def _participles(verb: str) -> tuple[str, ...]:
    """ "chop" -> "chopped", "dice" -> "diced", "fry" -> "fried", "roast" -> "roasted"."""
    return (verb + "ed", verb + "d", verb + verb[-1] + "ed", verb[:-1] + "ied")


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


def _open(
    steps: tuple[Clause, ...], done: dict[int, str], settled: frozenset[int] = frozenset()
) -> list[int]:
    """The instructions not carried out, next first: those after the last one carried out,
    in order, then those passed over (a goal sentence nothing has met yet)."""
    last = max(done, default=-1)
    waiting = [index for index in range(len(steps)) if index not in done and index not in settled]
    return [i for i in waiting if i > last] + [i for i in waiting if i < last]


READ_LINES = 3  # an answer of this many lines or more is a text to read, not an echo


def _with_what_was_read(turn: Turn, game: Game) -> str:
    """The task, and the text the task sent the player to read, if it was read: an action
    that carried out one of the task's instructions ("check the cookbook": "examine
    cookbook") and changed nothing but answered with a text of several lines (its recipe's
    ingredients and directions), which are instructions too, in the place of the sentence
    that sent the player to read it (before "Once done, enjoy your meal!"). Read in this
    episode, or remembered from an earlier trial of this game (the same game, the same
    text): a player who read the recipe yesterday knows what to gather today."""
    return with_text_read(turn.task, _texts_read(turn), game)


def with_text_read(task: str, texts: Iterable[tuple[str, str]], game: Game) -> str:
    """``task`` with the first of ``texts`` ((action, text) pairs) that an action carrying
    out one of its instructions got, in the place of that instruction's sentence."""
    sentences = re.split(r"(?<=[.!?\n])", task)
    for action, text in texts:
        for end, sentence in enumerate(sentences, 1):
            if any(fulfils(action, c, game) for c in clauses(sentence)):
                before, after = "".join(sentences[:end]), "".join(sentences[end:])
                return f"{before}\n{text}\n{after}"
    return task


def _texts_read(turn: Turn) -> Iterator[tuple[str, str]]:
    """(action, text) for each step answered with a text of several lines that changed
    nothing else: this episode's, latest first, then those of this game's remembered trials."""
    episode = zip(turn.history, _moved(turn), strict=True)
    for step, moved in reversed(list(episode)):
        if not moved and _is_text(step.observation):
            yield step.action, step.observation
    recalled = turn.recollection
    yield from texts_remembered(recalled.exemplars, recalled.task, recalled.variation)


def texts_remembered(
    exemplars: Iterable[Exemplar], task: str, variation: str | None
) -> Iterator[tuple[str, str]]:
    """(action, text) for each step of this game's remembered trials that was answered with
    a text to read and changed nothing else; another game's text is about another game."""
    for exemplar in exemplars:
        if (exemplar.task, exemplar.variation) == (task, variation):
            for done, after in zip(exemplar.steps, exemplar.steps[1:], strict=False):
                if done.state_key == after.state_key and _is_text(done.observation):
                    yield done.action, done.observation


def _is_text(observation: str) -> bool:
    """An answer of several lines: a text to read, not an echo ("You take the knife.")."""
    return sum(1 for line in observation.splitlines() if line.strip()) >= READ_LINES


def _moved(turn: Turn) -> list[bool]:
    """For each step of the episode: was the state after it known to differ from before?"""
    after = [step.state_key for step in turn.history[1:]] + [turn.state_key]
    return [
        bool(step.state_key and state) and state != step.state_key
        for step, state in zip(turn.history, after, strict=False)
    ]


def _idle(turn: Turn) -> frozenset[int]:
    """The episode's steps that did nothing: the state (known) and score were the same
    after them, and the answer was not a text to read ("You still miss something.")."""
    found, score = set(), turn.start.score
    for index, (step, moved) in enumerate(zip(turn.history, _moved(turn), strict=True)):
        if step.state_key and not moved and step.score == score and not _is_text(step.observation):
            found.add(index)
        score = step.score
    return frozenset(found)


def _seen(turn: Turn) -> str:
    """Everything the episode has shown the player."""
    shown = (turn.initial_observation, *(step.observation for step in turn.history))
    return "\n".join((*shown, turn.observation))


@dataclass(frozen=True)
class Pending:
    """An open instruction, with what its "it" stands for, the actions that tried it and did
    nothing ("prepare meal": "You still miss something"; "examine coin" for "retrieve the
    coin"), whether it is to wait (``failed``: nothing else here carries it out, or it
    follows a list not yet gathered), and whether it is an item of a list (a thing to have:
    "red onion" under "Ingredients:")."""

    clause: Clause
    game: Game
    it: frozenset[str]
    tried: frozenset[str]
    failed: bool
    listed: bool


@dataclass(frozen=True)
class Reading:
    """How far an episode is through its task's instructions (``Turn.reading``)."""

    open: tuple[Pending, ...]  # in the order a reader takes them
    listed: tuple[frozenset[str], ...]  # the things the instructions list, as their words
    deferred: frozenset[str] = frozenset()  # actions waiting for a list to be gathered


def read(turn: Turn) -> Reading:
    """The task's instructions (with the text it sent the player to read) against what the
    episode did, held and saw. The open ones come after the last one carried out, then
    those passed over, then the failed ones, which may need the others."""
    actions = [step.action for step in turn.history]
    held = (*turn.start.inventory, *(name for step in turn.history for name in step.inventory))
    holdings = tuple(
        frozenset(held) for held in (turn.start.inventory, *(s.inventory for s in turn.history))
    )
    steps_held = zip(actions, pairwise(holdings), strict=True)
    left = {template_of(action) for action, (was, now) in steps_held if was - now}
    releasing = frozenset(left | turn.recollection.experience.releases)
    game = Game.of((*turn.valid_actions, *actions), held, releasing)  # each offered when taken
    steps = clauses(_with_what_was_read(turn, game))
    already = settled(steps, turn.situation.inventory, _seen(turn), game)
    done, tried = _follow(steps, actions, game, already, _idle(turn), holdings)
    # A list the steps after it have used ("prepare meal" took the ingredients) is done.
    used = max(done, default=-1)
    items = [i for i, clause in enumerate(steps) if listed(clause, game)]
    already |= {i for i in items if i < used}
    # What follows a list waits for it to be gathered: a recipe's directions need its
    # ingredients ("prepare meal" before the milk is held would only fail), and so does an
    # action that carries one of them out, whatever else it also carries out.
    gathering = min((i for i in items if i not in already), default=len(steps))
    found, deferred = [], set()
    for i in _open(steps, done, already):
        it = subject_of(steps[i], steps, done, game)
        waits = i > gathering and i not in items
        if waits:
            deferred |= {a for a in turn.valid_actions if carries_out(a, steps[i], game, it) >= 1}
        failed = waits or (
            i in tried
            and not any(
                carries_out(a, steps[i], game, it) for a in turn.valid_actions if a not in tried[i]
            )
        )
        found.append(Pending(steps[i], game, it, tried.get(i, frozenset()), failed, i in items))
    return Reading(
        tuple(sorted(found, key=lambda step: step.failed)),
        tuple(steps[i].words for i in items),
        frozenset(deferred),
    )


def pending(turn: Turn) -> list[Pending]:
    """The open instructions not tried and failed, in order."""
    return [step for step in turn.reading.open if not step.failed]


def instructed(turn: Turn) -> frozenset[str]:
    """The valid actions that fully carry out the next instruction something here carries
    out at all, but not those that tried it and did nothing: what a person following the
    task would do now (none: the task is silent, or what it says did not work)."""
    for step in turn.reading.open:
        fits = {a: carries_out(a, step.clause, step.game, step.it) for a in turn.valid_actions}
        if any(fits.values()):
            if step.failed:
                return frozenset()
            waiting = step.tried | turn.reading.deferred
            return frozenset(a for a, v in fits.items() if v >= 1 and a not in waiting)
    return frozenset()


class InstructionScorer:
    """The task's next instruction in reach (``_current``) gets ``weight``, the one after it
    ``lookahead`` of that; an action that tried it and did nothing, or any action of one that
    is to wait, gets no more than the lookahead."""

    name = "instruction"

    def __init__(self, weight: float = 1.5, lookahead: float = 0.4) -> None:
        self.weight = weight
        self.lookahead = lookahead

    def score(self, turn: Turn) -> dict[str, float]:
        scores: dict[str, float] = {}
        weights = iter((self.weight, self.weight * self.lookahead))
        for step in turn.reading.open:
            matches = {
                a: v
                for a in turn.valid_actions
                if (v := carries_out(a, step.clause, step.game, step.it))
            }
            if not matches:
                continue  # nothing here carries it out (yet): look further down the list
            weight = next(weights, None)
            if weight is None:
                break
            for action, value in matches.items():
                waits = step.failed or action in step.tried or action in turn.reading.deferred
                own = min(weight, self.weight * self.lookahead) if waits else weight
                scores[action] = max(scores.get(action, 0.0), own * value)
        return scores
