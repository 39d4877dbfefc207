"""What ``cairn mcp``'s tools answer, as plain data, and which requests they refuse.

Kept apart from ``cli.mcp_server`` (the only module importing ``mcp``): a refused request
raises ``BadRequest``, which the server turns into the MCP library's tool error.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from agent.environments import validate_names
from agent.errors import SpecError
from agent.learning.recall import Recollection
from cli.memory import insight_json
from knowledge_graph.graph import KnowledgeGraph
from memory.errors import CairnError
from memory.knowledge import Exemplar, Insight, Scope, Where
from memory.store import Store
from reflection.trajectory import goal_for

MAX_RESULTS = 100
RECALLED_INSIGHTS = 30
RECALLED_EXEMPLARS = 3


class BadRequest(CairnError):
    """A request the tools refuse; the message says what to send instead."""


def check_search(query: str, limit: int) -> None:
    if not query.strip():
        raise BadRequest("query is empty: give words to look for, e.g. 'heat the water'")
    if not 1 <= limit <= MAX_RESULTS:
        raise BadRequest(f"limit must be from 1 to {MAX_RESULTS}, not {limit}")


def search_answer(
    by_meaning: list[tuple[Insight, float]],
    by_words: list[tuple[Insight, float]],
    limit: int,
    note: str | None,
) -> dict[str, Any]:
    """Hits by meaning (best first), then by words; each with the score that found it:
    ``similarity`` (cosine, 1 is the same meaning) and ``fts_rank`` (SQLite FTS5 bm25, the
    lower the better), null where that search did not find it."""
    found: dict[int | None, dict[str, Any]] = {}
    for insight, similarity in by_meaning:
        found[insight.id] = {**insight_json(insight), "similarity": round(similarity, 4)}
    for insight, rank in by_words:
        entry = found.setdefault(insight.id, {**insight_json(insight), "similarity": None})
        entry["fts_rank"] = round(rank, 4)
    results = [{**entry, "fts_rank": entry.get("fts_rank")} for entry in found.values()][:limit]
    if note is None:
        return {"insights": results, "searched_by": ["meaning", "words"], "note": None}
    return {
        "insights": results,
        "searched_by": ["words"],
        "note": f"searched by words only (SQLite full text): {note}",
    }


def check_task(store: Store, env_name: str, task: str) -> None:
    """Refuse an environment or task neither cairn nor this home knows, naming the known."""
    try:
        validate_names(env_name, task)
    except SpecError as error:
        held = store.tasks(env_name)
        if task in held:
            return  # learned from somewhere (an imported bundle), though no adapter plays it
        learned = f"; this home has learned about {', '.join(held)}" if held else ""
        raise BadRequest(f"{error}{learned}") from None


def recall_answer(recollection: Recollection, graph: KnowledgeGraph) -> dict[str, Any]:
    """What the agent would recall for a trial of this task, in a client's terms: the most
    confident insights, this task's distinct best trajectories, the precondition chains
    of the goals its insights hold for, and what the task's other variations asking for the
    same thing showed of its kind."""
    ranked = sorted(recollection.insights, key=lambda i: -i.confidence)[:RECALLED_INSIGHTS]
    chains = goal_chains(recollection, graph)
    return {
        "insights": [insight_json(i) for i in ranked],
        "exemplars": [
            {
                "spec": e.spec,
                "task": e.task,
                "variation": e.variation,
                "score": e.score,
                "origin": e.origin,
                "copies": copies,
                "useful_steps": e.useful_actions(),
            }
            for e, copies in distinct(recollection.exemplars)[:RECALLED_EXEMPLARS]
        ],
        "precondition_chain": chains[0]["chain"] if chains else [],
        "chains": chains,
        "kinds": recollection.kinds.facts(),
        "procedure": recollection.procedure.facts(),
        "places": recollection.places.facts(),
    }


def distinct(exemplars: tuple[Exemplar, ...]) -> list[tuple[Exemplar, int]]:
    """Each trajectory once (the first, i.e. best, of those that took the same actions in
    the same variation), with how many times it is stored."""
    first: dict[tuple[Any, ...], Exemplar] = {}
    copies: Counter[tuple[Any, ...]] = Counter()
    for exemplar in exemplars:
        key = (exemplar.env, exemplar.task, exemplar.variation, _actions(exemplar))
        first.setdefault(key, exemplar)
        copies[key] += 1
    return [(exemplar, copies[key]) for key, exemplar in first.items()]


def _actions(exemplar: Exemplar) -> tuple[str, ...]:
    return tuple(step.action for step in exemplar.steps)


def goal_chains(recollection: Recollection, graph: KnowledgeGraph) -> list[dict[str, Any]]:
    """The necessary actions in order for each goal recalled insights serve: the
    variation's own goals (from its task description, as `cairn graph show` lists them)
    first, then the task's (promoted) goal, which is the chain the agent follows."""
    variation_goals = Counter(
        i.goal for i in recollection.insights if i.where.scope is Scope.VARIATION
    )
    chains = [
        {"goal": goal, "scope": Scope.VARIATION.value, "chain": graph.preconditions(goal)}
        for goal, _ in variation_goals.most_common()
    ]
    task_goal = goal_for(Where(Scope.TASK, recollection.env, recollection.task))
    chains.append({"goal": task_goal, "scope": Scope.TASK.value, "chain": list(recollection.chain)})
    return [chain for chain in chains if chain["chain"]]
