"""``cairn mcp``: what cairn learned, served to any MCP client over stdio.

Tools (read-only): ``search_insights`` (by meaning and by words), ``recall`` (what the agent
would recall for a task: insights, the best exemplars' useful steps, the precondition chain),
``graph_facts`` (an entity's relations) and ``playbook`` (Markdown). Results are data: an
agent reading them decides what to do with them. This is the only module importing ``mcp``.

The server holds nothing of the home between requests (``cli.reading``): ``cairn run`` and
``cairn memory`` work while a client is connected, and every answer is from the home as it
is now — the graph is reloaded whenever the store moved on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.learning.learner import GRAPH_FILE, load_graph
from agent.learning.recall import Recaller
from cli.build import home_embedder
from cli.common import DEFAULT_HOME, HomeOption, existing_store
from cli.mcp_answers import BadRequest, check_search, check_task, recall_answer, search_answer
from cli.reading import reading
from knowledge_graph.graph import KnowledgeGraph
from memory.memory import Memory
from memory.playbook import playbook


class CurrentGraph:
    """The knowledge graph as the store is now: loaded again when the store's stamp moved
    (a run learned, a person edited), never saved — the server writes nothing."""

    def __init__(self, memory: Memory, path: Path) -> None:
        self.memory = memory
        self.path = path
        self._graph: KnowledgeGraph | None = None

    def get(self) -> KnowledgeGraph:
        if self._graph is None or self._graph.graph.graph.get("source") != self.memory.stamp():
            self._graph = load_graph(self.memory, self.path, save=False)
        return self._graph


@contextlib.contextmanager
def refusing() -> Iterator[None]:
    """A refused request is the MCP library's tool error: the client reads its one line,
    and the server logs no traceback."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except BadRequest as refused:
        raise ToolError(str(refused)) from None


class Tools:
    """The server's tools, over one home. Handlers run in worker threads, one at a time:
    a SQLite connection is not used by two threads at once."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.store = existing_store(home, any_thread=True)
        self.lock = threading.Lock()
        self.embedder = home_embedder(self.store)
        self.graph = CurrentGraph(Memory(self.store), home / GRAPH_FILE)

    def search_insights(self, query: str, limit: int = 10) -> dict[str, Any]:
        """Insights about QUERY (LIMIT from 1 to 100), by meaning first, then by words. Each
        carries its `similarity` (cosine, by meaning) and `fts_rank` (SQLite FTS5 bm25, by
        words: the lower the better). When the vector index is busy (a `cairn run` holds
        it), the search is by words only and `note` says so."""
        with refusing():
            check_search(query, limit)
        with self.lock:
            self.embedder.embed([query])  # before the index is held, so it is held briefly
            with reading(self.home, self.store, self.embedder) as now:
                by_meaning = now.memory.similar_insights_scored(query, limit)
            by_words = self.store.insights.search_text_ranked(query, limit)
        return search_answer(by_meaning, by_words, limit, now.note)

    def recall(
        self, env: str, task: str, variation: str | int | None = None, description: str = ""
    ) -> dict[str, Any]:
        """What the agent recalls before a trial of ENV/TASK[/VARIATION] (the variation as
        `cairn logs trials` shows it: "3", or "3,level=2" with the options that make it
        another game; a bare number is taken too): the most confident
        insights, this task's distinct best trajectories (`copies`: how many are stored),
        `precondition_chain`, the necessary actions in order (`chains`: per goal), and
        `kinds`: for the goal DESCRIPTION asks for, the things that turned out right and
        wrong in the task's other variations, and where the right ones were found, and
        `procedure`: the steps the task's won variations took, written for DESCRIPTION (the
        roles its variations change bound to its words; insights the variations agree on
        are bound too and listed with no id), and `places`: where most of the task's
        other variations (two or more) had each thing DESCRIPTION names. An
        environment or task cairn does not know is refused with the known ones."""
        with self.lock:
            with refusing():
                check_task(self.store, env, task)
            graph = self.graph.get()
            # Without a vector index, recall brings this task's trajectories only: other
            # tasks' similar ones (which the agent falls back on) would read as this one's.
            key = None if variation is None else str(variation)
            recollection = Recaller(Memory(self.store), graph).recall(
                env, task, key, description or task
            )
            return recall_answer(recollection, graph)

    def graph_facts(self, entity: str) -> list[dict[str, str]]:
        """Relations of the graph nodes named ENTITY (an action, object, location or goal)."""
        with self.lock:
            graph = self.graph.get()
        facts = []
        for node, data in graph.graph.nodes(data=True):
            if data.get("name") == entity or node == entity:
                kind, name = node.split(":", 1)
                facts += [
                    {"node": node, "relation": r, "direction": d, "other": o}
                    for r, d, o in graph.neighbours(kind, name)
                ]
        return facts

    def playbook(self, env: str | None = None, task: str | None = None) -> str:
        """The best insights as a Markdown playbook (optionally for one env or task)."""
        with self.lock:
            chosen = list(self.store.insights.active(env_name=env, task=task))
        return playbook(chosen)


def build_server(home: Path) -> Any:
    from mcp.server.mcpserver import MCPServer

    tools = Tools(home)
    server = MCPServer(
        "cairn",
        instructions="Insights, exemplars and graph facts learned by a cairn agent on text "
        "environments. Every insight reads ACTION RELATION to GOAL with a confidence.",
    )
    for tool in (tools.search_insights, tools.recall, tools.graph_facts, tools.playbook):
        server.tool()(tool)
    return server


def mcp(home: HomeOption = DEFAULT_HOME) -> None:
    """Serve what cairn learned to other agents over MCP (stdio, read-only).

    Configure an MCP client with the command `cairn mcp --home DIR`. Tools: search_insights,
    recall, graph_facts, playbook. The server does not keep the home busy: `cairn run` and
    `cairn memory` work on it meanwhile.
    """
    build_server(home.expanduser()).run("stdio")
