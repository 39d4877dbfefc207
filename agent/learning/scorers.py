"""Memory acting on the choice: scorers that read the trial's recollection, which every
``Turn`` carries (``turn.recollection``; empty when memory is off, so they are silent).

    insight     actions named by insights: necessary ones not yet done up, fruitless and
                fatal ones down; narrower scopes and higher confidence weigh more; of what
                other games showed, only what raised their score
    exemplar    the next step of the best similar trajectories (their useful steps, in
                order; of another variation's, the steps that raised its score, rebound to
                this variation's objects)
    procedure   the next step of the task's procedure (its won ways merged, in role form)
                bound to this variation
    chain       the next undone action of the task's precondition chain (knowledge graph)
    place       the way to where the task's other variations had a thing it names that
                this episode has not seen yet (``agent.learning.places``)
    kind        what the task's other variations say of its kind (``agent.learning.kinds``):
                the irreversible action on the thing most likely of the kind, on a new
                variation's first trial too; things of a kind that lost held back; the way
                to where the right things were found while none is offered here

Every vote names the memories behind it, so each decision records what influenced it.
What the archive of the game says (what each action did in each cell, the plan of the
trial) acts through the explorer (``agent.learning.explore``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from agent.acting.grounding import MATCH_THRESHOLD, closest, similarity
from agent.acting.policy import Scorer, Vote, default_scorers
from agent.acting.state import Turn
from agent.acting.text import content_words, object_words, template_of
from agent.learning.explore import Explorer, grounded
from agent.learning.recall import SCOPE_WEIGHT, Recollection, relation_weight
from agent.learning.roles import bindings, rebind
from knowledge_graph.entities import objects_of
from memory.knowledge import Exemplar, Insight, Relation, Scope, normalise


class InsightScorer:
    name = "insight"

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        by_subject = turn.recollection.by_subject  # indexed once per trial, not per step
        if not by_subject:
            return {}
        done = {step.action for step in turn.history}
        votes = {}
        for action in turn.valid_actions:
            insights = by_subject.get(normalise(action))
            if not insights:
                continue
            value, memories = 0.0, []
            risky = action in turn.irreversible_actions and not named_by(action, turn.task)
            for insight in insights:
                weight = relation_weight(insight.relation) * SCOPE_WEIGHT[insight.where.scope]
                if weight > 0:
                    if action in done:
                        continue  # necessary once is usually enough
                    if insight.where.scope is not Scope.VARIATION and (
                        risky or insight.relation is Relation.MAY_BE_NECESSARY
                    ):
                        # True of other variations' objects, maybe not of this one; or on
                        # the way to a gain in other games, not what raised the score.
                        continue
                    value += weight * (2 * insight.confidence - 1)
                else:
                    value += weight * insight.confidence
                memories.append(_insight_memory(insight))
            if value:
                votes[action] = Vote(value, tuple(memories))
        return votes


def _insight_memory(insight: Insight) -> str:
    """How a vote names an insight: by id; one carried from other variations (not stored,
    ``agent.learning.carried``) by what it says."""
    return f"insight:{insight.id}" if insight.id is not None else f"carried:{insight.subject}"


LOOKAHEAD = 4  # useful steps an episode may skip: another layout needs other moves


def _matched(useful: list[str], history: list[str]) -> list[tuple[str, str]]:
    """How far along an exemplar's useful steps this episode is: the steps matched in order
    (by the same action, or a close one), each with the action that matched it, allowing a
    few skipped steps ("" for one) — another variation may not need, or not offer, every
    move the exemplar made."""
    pairs: list[tuple[str, str]] = []
    for action in history:
        position = len(pairs)
        for offset, step in enumerate(useful[position : position + LOOKAHEAD]):
            if similarity(action, step) >= MATCH_THRESHOLD:
                pairs += [(skipped, "") for skipped in useful[position : position + offset]]
                pairs.append((step, action))
                break
    return pairs


def as_taken(useful: list[str], history: list[str]) -> tuple[list[str], int]:
    """``useful`` with the things the episode's matching steps named in place of the
    exemplar's, and how far along it the episode is: where the exemplar focused on "living
    thing in flower pot 5" and this episode on "... flower pot 1", its next step "pick up
    flower pot 5" is "pick up flower pot 1" here (the description does not name the pot)."""
    pairs = _matched(useful, history)
    found: dict[str, str] = {}
    for step, action in pairs:
        if action and action != step:
            for old, new in bindings(step, action):
                found.setdefault(old, new)
    taken = tuple(sorted(found.items(), key=lambda pair: -len(pair[0])))
    return [rebind(step, taken) for step in useful], len(pairs)


def named_by(action: str, task: str) -> bool:
    """Is what ``action`` acts on named in the task's description ("focus on paper clip" in
    "determine if paper clip is conductive")? Then it is this variation's object."""
    objects = object_words(action)
    return bool(objects) and objects <= content_words(task)


class ExemplarScorer:
    """Follow the best recalled trajectories of this task, Synapse-style.

    A trajectory of another variation is first rebound to this one (``agent.learning.roles``: its
    "aluminum foil" becomes this task's "paper clip"), and only the steps that raised its
    score are followed: the rest was the way there in another layout, with the habits of the
    trials that found it ("eat orange" first), measured to cost new variations their first
    trial (``bench/transfer.py``). The vote goes to the first of its next steps that can be
    taken here, so a step this layout does not offer is skipped.
    The best few trajectories are tried in turn: where one has nothing to say, the next may.
    """

    name = "exemplar"
    CONSULTED = 3

    def __init__(self, weight: float = 1.5) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        history = [step.action for step in turn.history]
        recollection = turn.recollection
        for exemplar in self._ranked(recollection)[: self.CONSULTED]:
            pairs = bindings(exemplar.task_description, turn.task)
            elsewhere = (exemplar.task, exemplar.variation) != (
                recollection.task,
                recollection.variation,
            )
            steps = exemplar.scoring_actions() if elsewhere else exemplar.useful_actions()
            useful, position = as_taken([rebind(action, pairs) for action in steps], history)
            for offset, target in enumerate(useful[position : position + LOOKAHEAD]):
                action, match = closest(target, turn.valid_actions)
                if (
                    elsewhere
                    and action in turn.irreversible_actions
                    and not named_by(action, turn.task)
                ):
                    continue  # "focus on substance in fountain" was right there, not here
                if action is not None and match >= MATCH_THRESHOLD:
                    strength = self.weight * match * (0.5 + exemplar.score / 100)
                    return {action: Vote(strength * 0.8**offset, (f"exemplar:{exemplar.id}",))}
        return {}

    @staticmethod
    def _ranked(recollection: Recollection) -> list[Exemplar]:
        """Trajectories that scored, this task's before other tasks', best first."""
        scored = [e for e in recollection.exemplars if e.score > 0 and e.useful_actions()]
        return sorted(
            scored,
            key=lambda e: (e.task == recollection.task, e.score, -len(e.steps)),
            reverse=True,
        )


class ProcedureScorer:
    """Follow the task's procedure, bound to this variation (``agent.learning.procedures``):
    the next of the steps to follow that is offered here, as the exemplar voice follows a
    trajectory. Silent once this game's own way to a win is known (the plan knows better)."""

    name = "procedure"

    def __init__(self, weight: float = 1.5) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        recollection = turn.recollection
        if recollection.plan.won or not recollection.procedure:
            return {}
        history = [step.action for step in turn.history]
        steps, position = as_taken(recollection.procedure.to_follow(), history)
        for offset, target in enumerate(steps[position : position + LOOKAHEAD]):
            action, match = closest(target, turn.valid_actions)
            if action is None or match < MATCH_THRESHOLD:
                continue
            if action in turn.irreversible_actions and not named_by(action, turn.task):
                continue  # another variation's thing: the kind voice knows better
            return {action: Vote(self.weight * match * 0.8**offset, (f"procedure:{target}",))}
        return {}


class ChainScorer:
    name = "chain"

    def __init__(self, weight: float = 0.8) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        chain = turn.recollection.chain
        if not chain:
            return {}
        done = {step.action for step in turn.history}
        for target in chain:
            if target in done:
                continue
            if target in turn.valid_actions:
                return {target: Vote(self.weight, (f"graph:{target}",))}
        return {}


class KindScorer:
    """The task's kind, as its other variations showed it (see the module docstring). Silent
    once this episode has taken an action of the irreversible command ("focus on": one per
    task), or when this game's own way to a win is known (the plan knows better)."""

    name = "kind"

    def __init__(self, take: float = 12.0, hold: float = 2.0, route: float = 3.0) -> None:
        # Outweighs the dead-end guard (3) and what other variations' trajectories say
        # together (up to about 6): other games showed the thing is right.
        self.take = take
        self.hold = hold
        self.route_weight = route  # outweighs exploring's untried actions (about 2)

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        recollection = turn.recollection
        kinds = recollection.kinds
        commands = {template_of(a) for a in turn.irreversible_actions}
        if (
            not kinds
            or recollection.plan.won
            or any(template_of(step.action) in commands for step in turn.history)
        ):
            return {}
        here = turn.situation.location
        lost = recollection.experience.fatal
        votes, verdicts = {}, {}
        for action in sorted(turn.irreversible_actions - lost):
            verdict = kinds.verdict(action, here, turn.situation.inventory, turn.view)
            if verdict < 0:
                votes[action] = Vote(-self.hold, _kind_memory(kinds.head(action, turn.view)))
            elif verdict > 0:
                verdicts[action] = verdict
        if verdicts:  # among equals the first: likeness in meaning was measured to mislead
            best = max(verdicts, key=verdicts.__getitem__)
            memory = _kind_memory(kinds.head(best, turn.view))
            votes[best] = Vote(self.take + verdicts[best], memory)
            return votes
        visited = {turn.start.location, here} | {step.location for step in turn.history}
        found = kinds.route(here, visited)
        if found and (first := grounded(found[1][0], turn.valid_actions)) is not None:
            votes[first] = Vote(self.route_weight, (f"kind-place:{found[0]}",))
        return votes


class PlaceScorer:
    """Where the task's other variations had the things it names (``agent.learning.places``):
    the first step towards the trusted place of the first such thing this episode has not
    seen, and has not been to. Silent once this game's own way to a win is known."""

    name = "place"

    def __init__(self, weight: float = 2.0) -> None:
        self.weight = weight  # about what exploring's best untried action weighs

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        recollection = turn.recollection
        if not recollection.places or recollection.plan.won:
            return {}
        here = turn.situation.location
        visited = {turn.start.location, here} | {step.location for step in turn.history}
        seen = {thing for action in turn.valid_actions for thing in objects_of(action)}
        seen.update(thing for step in turn.history for thing in step.seen)
        found = recollection.places.route(here, visited, seen)
        if found and (first := grounded(found[2][0], turn.valid_actions)) is not None:
            return {first: Vote(self.weight, (f"place:{found[0]}@{found[1]}",))}
        return {}


def _kind_memory(head: str) -> tuple[str, ...]:
    return (f"kind:{head}",)


def memory_scorers() -> list[Scorer]:
    """The scorers through which memory's insights, exemplars and graph act (the archive
    acts through the explorer, ``agent.learning.explore``, with memory on or off)."""
    return [
        InsightScorer(),
        ExemplarScorer(),
        ProcedureScorer(),
        ChainScorer(),
        KindScorer(),
        PlaceScorer(),
    ]


def policy_scorers(memory: bool, without: Collection[str] = ()) -> list[Scorer]:
    """Every voice of the policy: the priors of acting, the explorer (with memory off it
    explores from what the episode saw), and memory's own scorers if memory is on — but
    those named in ``without`` (an ablation: ``check_voices`` first)."""
    voices = [*default_scorers(), Explorer(), *(memory_scorers() if memory else [])]
    return [voice for voice in voices if voice.name not in without]


def voice_names() -> list[str]:
    """The names ``--without`` takes: every voice of the policy with memory on."""
    return [voice.name for voice in policy_scorers(True)]


def check_voices(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` if each is a voice of the policy; else ``ValueError`` naming the choices."""
    names, known = list(names), voice_names()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"no voice of the policy is called {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(known)}"
        )
    return tuple(names)
