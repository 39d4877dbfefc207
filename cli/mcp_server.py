"""``cairn mcp``: what cairn learned, served to any MCP client over stdio.

Tools (read-only): ``search_insights`` (by meaning and by words), ``recall`` (what the agent
would recall for a task: insights, the best exemplars' useful steps, the precondition chain),
``graph_facts`` (an entity's relations) and ``playbook`` (Markdown). Results are data: an
agent reading them decides what to do with them. This is the only module importing ``mcp``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from agent.learning import GRAPH_FILE, load_graph
from agent.recall import Recaller
from cli.build import open_memory
from cli.common import DEFAULT_HOME, HomeOption
from cli.memory import insight_json
from memory.playbook import playbook
from memory.store import Store


def build_server(home: Path) -> Any:
    from mcp.server.mcpserver import MCPServer

    database = Store.in_home(home, any_thread=True)  # tools run in worker threads
    memory = open_memory(home, database)
    lock = threading.Lock()  # ...one at a time: SQLite connections are not shared at once
    graph = load_graph(memory, home / GRAPH_FILE)
    server = MCPServer(
        "cairn",
        instructions="Insights, exemplars and graph facts learned by a cairn agent on text "
        "environments. Every insight reads ACTION RELATION to GOAL with a confidence.",
    )

    @server.tool()
    def search_insights(query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Insights about QUERY, by meaning first, then by words; most relevant first."""
        with lock:
            found = memory.similar_insights(query, limit)
            found += database.insights.search_text(query, limit)
        unique = {i.id: i for i in found}
        return [insight_json(i) for i in unique.values()][:limit]

    @server.tool()
    def recall(
        env: str, task: str, variation: str | None = None, description: str = ""
    ) -> dict[str, Any]:
        """What the agent recalls before a trial of ENV/TASK[/VARIATION]; VARIATION is the
        variation's identity as `cairn logs trials` shows it ("3", "3,level=2")."""
        with lock:
            recollection = Recaller(memory, graph).recall(env, task, variation, description or task)
        ranked = sorted(recollection.insights, key=lambda i: -i.confidence)[:30]
        return {
            "insights": [insight_json(i) for i in ranked],
            "exemplars": [
                {
                    "spec": e.spec,
                    "score": e.score,
                    "origin": e.origin,
                    "useful_steps": e.useful_actions(),
                }
                for e in recollection.exemplars[:3]
            ],
            "precondition_chain": list(recollection.chain),
        }

    @server.tool()
    def graph_facts(entity: str) -> list[dict[str, str]]:
        """Relations of the graph nodes named ENTITY (an action, object, location or goal)."""
        facts = []
        for node, data in graph.graph.nodes(data=True):
            if data.get("name") == entity or node == entity:
                kind, name = node.split(":", 1)
                facts += [
                    {"node": node, "relation": r, "direction": d, "other": o}
                    for r, d, o in graph.neighbours(kind, name)
                ]
        return facts

    @server.tool(name="playbook")
    def playbook_tool(env: str | None = None, task: str | None = None) -> str:
        """The best insights as a Markdown playbook (optionally for one env or task)."""
        with lock:
            active = database.insights.active()
        chosen = [
            i
            for i in active
            if (env is None or i.where.env == env) and (task is None or i.where.task == task)
        ]
        return playbook(chosen)

    return server


def mcp(home: HomeOption = DEFAULT_HOME) -> None:
    """Serve what cairn learned to other agents over MCP (stdio, read-only).

    Configure an MCP client with the command `cairn mcp --home DIR`. Tools: search_insights,
    recall, graph_facts, playbook.
    """
    build_server(home.expanduser()).run("stdio")
