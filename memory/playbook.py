"""A playbook: the best insights as Markdown, for any LLM agent to take as a system prompt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from memory.knowledge import Insight, Scope

PER_GROUP = 12


def playbook(insights: Iterable[Insight], title: str = "What cairn learned") -> str:
    """Group by environment and task, widest knowledge first, most confident first."""
    groups: dict[tuple[str, str], list[Insight]] = defaultdict(list)
    for insight in insights:
        where = insight.where
        env_name = where.env or "all environments"
        heading = {
            Scope.GLOBAL: "Any task",
            Scope.ENVIRONMENT: "Any task here",
            Scope.TASK: f"Task: {where.task}",
            Scope.VARIATION: f"Task: {where.task} (variation {where.variation})",
        }[where.scope]
        groups[(env_name, heading)].append(insight)
    lines = [
        f"# {title}",
        "",
        "Each line is a causal insight: ACTION RELATION to GOAL, with the confidence earned "
        "over past attempts. Prefer confident ones; treat SHOULD BE AVOIDED as a warning.",
    ]
    order = {"Any task": 0, "Any task here": 1}
    for env_name in sorted({env_name for env_name, _ in groups}):
        lines += ["", f"## {env_name}"]
        headings = sorted(
            (h for e, h in groups if e == env_name), key=lambda h: (order.get(h, 2), h)
        )
        for heading in headings:
            ranked = sorted(groups[(env_name, heading)], key=lambda i: (-i.confidence, -i.support))
            lines += ["", f"### {heading}", ""]
            lines += [
                f"- {i.text} (confidence {i.confidence:.2f}, "
                f"{i.support:g} for / {i.refute:g} against)"
                for i in ranked[:PER_GROUP]
            ]
    return "\n".join(lines) + "\n"
