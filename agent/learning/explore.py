"""Exploring: look for what no trial has found yet (Go-Explore, with memory as the archive).

What the agent knows of a game is what its actions did in which cells (place, holdings,
score): this episode's steps and — with memory on — every earlier trial's, from the archive
(``memory.archive``). A trial sets out with a ``Plan`` chosen from the archive: play a won
game's shortest form, or return to the most promising cell and explore from it. At every
step the ``Explorer`` votes:

    follow   the plan's next action, while the episode is on its way
    untried  new places first (exits no trial took, and ways that led nowhere before, once
             something changed), then actions never taken at this place, each by its
             novelty (``Knowledge.novelty``: how often its command did anything, shared
             with that command's actions taken here before, and less for a command never
             tried once the game has surprised); what was taken in this very state down,
             more if it changed nothing, and what the game refused, or what never did
             anything, more than once in any states; what would undo the action just
             taken, or leave behind a thing the score rose for or the instructions list
             (unless the task names it), down; all of it muted while the task's next
             instruction names what to do here, or while "it" is to be moved elsewhere and
             is not held yet (then taking it, whole in what holds it, is what to do), or
             while a thing the task names is offered here, out of sight, and refused (then
             opening what the view says is closed is what to do: the ice cream is in the
             freezer; both from ``agent.learning.reaching``); a command that lost this
             game carries out no instruction, here or elsewhere, unless on what the task
             names
    route    the first step towards where the task's next instructions can be carried out
             (a place one names, or where an action that carries it out was seen, or where
             "it" was left while it is to be moved; not past a thing a list asks for that
             no place seen has); else, from a place with no way on that no trial took,
             towards the nearest place with one (new places first, Go-Explore's exits to
             unvisited places); or, with nothing worth trying here, towards the nearest
             place that has something
    gamble   one irreversible action per trial that no trial has taken (that the game
             heeded: a refused "focus on ice cream" is still to take), the closest in
             meaning to the task, from the second trial on whenever the last one did not
             raise the best score and no trial took one and went on, taken as soon as the
             way to where it can be taken is done (an elimination search: each loss is
             remembered for the variation); and off a way that took an irreversible action
             which paid, that action wherever it is offered (the way broke; the right
             "focus on" is still right); and a thing of the kind the goal names, as soon as
             it is seen ("focus on adult pea plant" for "find a(n) plant"), in any trial

This one voice replaces novelty, the loop guard, replayed experience and the single frontier
gamble of earlier versions.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.acting.grounding import MATCH_THRESHOLD, closest, similarity
from agent.acting.instructions import carries_out
from agent.acting.policy import Vote
from agent.acting.reading import Pending, instructed, pending
from agent.acting.state import Turn
from agent.acting.text import content_words, goal_words, object_words, template_of
from agent.learning.experience import PROMISING, Experience, Knowledge
from agent.learning.kinds import named_by_goal
from agent.learning.plans import Plan
from agent.learning.reaching import holds, left_at, to_open, to_take
from memory.knowledge import Scope, Where
from reflection.trajectory import goal_for

# In the units of the other scorers: relevance ~1, the model's log-probability 1-3.
UNTRIED = 1.0  # never taken at this place, times its novelty: what exploring is
EXIT = 1.5  # ...and it leads somewhere no trial has been: new places before new actions
NEW_COMMAND = 0.25  # ...shared by the tries of its command: every command gets a go early
NEW_IN_CELL = 0.3  # taken at this place, but not in this state (other things held or seen)
TRIED = 0.6  # per earlier try in this very state: the next untried action comes first
IDLE = 1.5  # ...more if it changed nothing there (the loop guard)
UNDO = 1.0  # it would undo the action just taken ("drop egg" right after "take egg")
KEEP = 1.5  # it would leave behind a thing taken when the score rose or that the task's
# instructions list ("Ingredients: ..."); the instructions, which may say where it goes,
# outweigh it ("move it to the red box"), and so does the task naming it: a thing the goal
# is about is there to be used ("enjoy your meal": "eat meal" once it is made)
RISKY = 2.0  # its command lost this game once ("eat X"), and the task does not name it
FATAL = 6.0  # it lost this game before
ROUTE = 1.5  # the first step towards where the instructions go on, or, with nothing worth a
# try here, towards the nearest place that has something
YIELD = 0.25  # while the task's next instruction says what to do, curiosity counts this much
FOLLOW = 6.0  # the plan's next action: outweighs everything but a known loss
GAMBLE = 8.0  # the elimination search's candidate: outweighs the dead-end guard (3) and priors


def episode_experience(turn: Turn) -> Experience:
    """This episode's steps as experience, with the actions that undid the one before them
    (a detour back to the state before: "close oven" right after "open oven")."""
    now = Experience()
    before = turn.start
    states = [s.state_key for s in turn.history[1:]] + [turn.state_key] if turn.history else []
    for index, (step, next_state) in enumerate(zip(turn.history, states, strict=True)):
        after = step.situation
        changed = after != before or next_state != step.state_key
        now.add(before, step.state_key, step.action, after, changed, fatal=step.lost)
        now.offered(after.location, step.choices)
        if index and next_state == turn.history[index - 1].state_key:
            undone = turn.history[index - 1].action
            now.undoes.add((template_of(step.action), template_of(undone)))
        before = after
    return now


class Explorer:
    """The exploration voice of the policy (see the module docstring)."""

    name = "explore"

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        """What the trial's plan and everything known of the game say (with memory off, the
        turn recalls nothing: only this episode's own steps count)."""
        plan = turn.recollection.plan
        follow = self._follow(turn, plan)
        if follow is not None:
            return {follow: Vote(FOLLOW, plan.memories)}
        now = episode_experience(turn)
        now.offered(turn.situation.location, _reversible(turn))
        now.warned.update(template_of(action) for action in turn.irreversible_actions)
        votes = self._explore(turn, Knowledge(turn.recollection.experience, now))
        gamble = self._gamble(turn, plan)
        if gamble is not None:  # the rest keep their votes: the loop guard, if it is refused
            votes[gamble] = Vote(GAMBLE, plan.memories)
        return votes

    @staticmethod
    def _follow(turn: Turn, plan: Plan) -> str | None:
        """The plan's next action, while the episode has kept to the plan's way (and, for a
        shortcut, reached the states it should)."""
        done, path, states = len(turn.history), plan.path, plan.states
        if done >= len(path) or any(
            _taken(step.action, target) is None
            for step, target in zip(turn.history, path, strict=False)
        ):
            return None
        reached = [step.state_key for step in turn.history[1:]] + [turn.state_key]
        if states and done and reached[:done] != list(states[:done]):
            return None
        return grounded(path[done], turn.valid_actions)

    @staticmethod
    def _gamble(turn: Turn, plan: Plan) -> str | None:
        """Off the plan's way (or at its end), an irreversible action of the way that paid,
        where it is offered; once the way is done, the plan's candidate. Each only if this
        episode has not taken it, and at once: coming back to a candidate at the end of a
        trial (after exploring) was measured worse on ScienceWorld — the way back is often
        not known."""
        for action in plan.commitments:
            if not _took(turn, action) and (found := grounded(action, turn.valid_actions)):
                return found
        candidate = plan.gamble
        if candidate is None or len(turn.history) < len(plan.path) or _took(turn, candidate):
            return None
        if template_of(candidate) in {template_of(step.action) for step in turn.heeded}:
            return None  # this episode focused already: a second focus counts for nothing
        return grounded(candidate, turn.valid_actions)

    @staticmethod
    def _explore(turn: Turn, known: Knowledge) -> dict[str, Vote]:
        here, goal = turn.situation, goal_words(turn.task)
        asked = goal_for(Where(Scope.VARIATION), turn.task)  # "find a(n) plant"
        committed = {template_of(step.action) for step in turn.heeded}
        tried_here = known.tried_at(here.location)
        last = turn.history[-1].action if turn.history else ""
        undoers = known.undoers(last) if last else set()
        kept = _gained(turn) + list(turn.reading.listed)  # what scored, and what to gather
        told = frozenset(
            a for a in instructed(turn) - turn.irreversible_actions if _may_do(a, known, goal)
        )  # what the task says to do now
        taking = to_take(turn)  # "move it to the red box": first take it (or its pot)
        opening = to_open(turn)  # "focus on ice cream" refused: it is shut in something
        told = opening or told or taking
        votes: dict[str, Vote] = {}
        best_untried = 0.0
        for action in turn.valid_actions:
            named = bool(object_words(action)) and object_words(action) <= goal
            if action in known.fatal:
                votes[action] = Vote(-FATAL)
                continue
            if action in turn.irreversible_actions and not named:
                if named_by_goal(action, asked) and template_of(action) not in committed:
                    votes[action] = Vote(GAMBLE)  # the kind the goal asks for: a sure bet
                continue  # a gamble: left to the elimination search
            new_way = known.leads_somewhere_new(here.location, action)
            # A way that led nowhere before (a closed door) may lead on now, in another state.
            reopened = new_way and not known.tries_in_state(turn.state_key, action)
            if action not in tried_here and known.leads_back(here.location, action):
                value = 0.0  # a known way to a known place: no news
            elif action not in tried_here or reopened:
                value = UNTRIED * known.novelty(here.location, action)
                if not known.surprised:  # once surprised, a new command is a risk, not a bonus
                    value += NEW_COMMAND / (1 + known.tries(action))
                value += EXIT if new_way else 0.0
                if template_of(action) in known.deadly and not named:
                    value -= RISKY
                best_untried = max(best_untried, value)
            elif action in turn.refused or action in known.futile:
                # refused, or never did anything, more than once in any states: the loop
                # guard's reach ("look around" in every new state ate half of a trial)
                value = -IDLE
            elif not known.tries_in_state(turn.state_key, action):
                value = NEW_IN_CELL  # taken here, but with other things held, or seen
            else:
                value = -TRIED * known.tries_in_state(turn.state_key, action)
                value -= IDLE if known.idle_in_state(turn.state_key, action) else 0.0
            if template_of(action) in undoers and object_words(action) & object_words(last):
                value -= UNDO
            # Leaving behind what scored or is to be gathered loses it, unless the task says
            # so ("move it to the red box" is what it was for)
            leaves = template_of(action) in known.releases and action not in told
            keeps = any(thing <= object_words(action) for thing in kept)
            if leaves and keeps and not named and not _asked(turn, action):
                value -= KEEP
            votes[action] = Vote(value)
        # Where the task's next instruction can be carried out ("prepare meal": the kitchen),
        # else new places, else, if nothing here is worth a try, the nearest place that has
        # something.
        route = [] if told else _towards_instruction(turn, known)
        if route and route[0] in votes:
            told = frozenset(route[:1])  # the way there is what the task says to do now
        elif not known.has_new_way(here.location):
            # new places first: towards the nearest way on no trial took
            route = known.route_to(here.location, known.has_new_way, turn.irreversible_actions)
        if not route and best_untried < UNTRIED * PROMISING:
            route = known.route(here.location, turn.irreversible_actions)
        if route and route[0] in votes:
            votes[route[0]] = Vote(votes[route[0]].value + ROUTE)
        for action in told if told in (taking, opening) else ():
            votes[action] = Vote(votes[action].value + ROUTE)  # as the way on would be
        if told:  # the task says what to do next ("recover the passkey"): no fiddling first
            votes = {
                a: Vote(v.value * YIELD) if v.value > 0 and a not in told else v
                for a, v in votes.items()
            }
        return votes


def _towards_instruction(turn: Turn, known: Knowledge) -> list[str]:
    """The way to the nearest place that one of the task's open instructions names ("move it
    to the red box in the kitchen") or where an action seen there carries it out, when
    nothing here fully carries out any of them: a thing a list names first (the egg left in the
    bathroom, before the kitchen where the meal is prepared), then the next instruction
    ("prepare meal" once the onion is held, from the garden). The way back to where "it"
    was left, while it is to be moved and not held; none while a thing a list names is seen
    nowhere (new places come first then)."""
    todo, goal = pending(turn), goal_words(turn.task)
    ready = [
        a for a in turn.valid_actions if a not in turn.reading.deferred and _may_do(a, known, goal)
    ]
    for step in todo:
        if any(carries_out(a, step.clause, step.game, step.it) >= 1 for a in ready):
            return []
    here = turn.situation.location
    for step in sorted(todo, key=lambda step: not step.listed):
        if step.clause.refers_to is not None and not step.it:
            continue  # "move it to the red box": not before there is an "it"
        if step.it and not holds(turn, step.it):  # back to where "it" was left, to fetch it
            left = left_at(turn, step.it)
            route = known.route_to(here, left.__eq__, turn.irreversible_actions)
            if left != here and route:
                return route

        def doable(place: str, step: Pending = step) -> bool:
            named = content_words(place)  # "move it to the red box in the kitchen"
            return (bool(named) and named <= step.clause.words) or any(
                carries_out(a, step.clause, step.game, step.it) >= 1
                for a in known.offered_lately(place)
                if _may_do(a, known, goal)
            )

        route = known.route_to(here, doable, turn.irreversible_actions)
        if route:
            return route
        if step.listed and _seen_nowhere(step, known):
            return []  # the rest needs it: look for it first, in places not seen yet
    return []


def _may_do(action: str, known: Knowledge, goal: frozenset[str]) -> bool:
    """May ``action`` carry out an instruction: not by a command that lost this game,
    unless on what the task names ("eat red bell pepper" is not "dice the red bell pepper",
    for which no knife was found yet; "eat meal" is "enjoy your meal")?"""
    return template_of(action) not in known.deadly or object_words(action) <= goal


def _seen_nowhere(step: Pending, known: Knowledge) -> bool:
    """Does no action seen at any place known carry out ``step``?"""
    return not any(
        carries_out(a, step.clause, step.game, step.it) >= 1
        for place in known.visited
        for a in known.offered_lately(place)
    )


def _asked(turn: Turn, action: str) -> bool:
    """Does an open instruction (not failed) fully carry out ``action``?"""
    return any(carries_out(action, step.clause, step.game, step.it) >= 1 for step in pending(turn))


def _gained(turn: Turn) -> list[frozenset[str]]:
    """The things (as words) taken by a step that raised the score and still held: progress
    the episode keeps ("take red onion from fridge" scored; dropping it undoes the gain)."""
    before, score, gained = turn.start.inventory, turn.start.score, []
    for step in turn.history:
        if step.score > score:
            gained += [content_words(thing) for thing in set(step.inventory) - set(before)]
        before, score = step.inventory, step.score
    held = set(turn.situation.inventory)
    return [words for words in gained if any(content_words(h) == words for h in held)]


def grounded(action: str, valid_actions: tuple[str, ...]) -> str | None:
    """``action`` as it can be taken now: itself, or the valid action that names the same
    things another way (ScienceWorld names a thing differently from step to step: "focus
    on brown bear", "focus on adult brown bear")."""
    found, match = closest(action, valid_actions)
    return found if match >= MATCH_THRESHOLD else None


def _took(turn: Turn, action: str) -> bool:
    """Has this episode taken ``action`` (named either way), and the game taken notice, or
    nothing changed since (tried again only where it may be heeded now: once the freezer
    is open)?"""
    here = [step for step in turn.history if step.state_key == turn.state_key]
    return any(_taken(step.action, action) is not None for step in turn.heeded + tuple(here))


def _taken(taken: str, planned: str) -> str | None:
    """``taken`` if it is ``planned``, named either way."""
    return taken if similarity(taken, planned) >= MATCH_THRESHOLD else None


def _reversible(turn: Turn) -> list[str]:
    return [a for a in turn.valid_actions if a not in turn.irreversible_actions]
