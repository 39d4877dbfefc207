"""Errors the agent layer raises on purpose; each message is one line that says how to fix it.
Its subtree of the one tree under ``memory.errors.CairnError`` (drawn whole there):

    AgentError
    ├── SpecError            an environment or model spec is malformed or names something unknown
    ├── EnvError             an environment cannot start or died (Java missing, JVM crashed, ...)
    ├── LLMError             a model backend failed
    │   └── LLMUnavailable   the endpoint cannot be reached / keeps failing after bounded retries
    └── DistributedError     Ray could not start, or a worker failed for good (agent.running)

A model's *mistakes* (unparseable output, an invalid action) are not errors: they become data
on the step and are shown to the model on the next turn.
"""

from __future__ import annotations

from memory.errors import CairnError
from memory.records import LLMCall


class AgentError(CairnError):
    """Base of every error the agent layer raises on purpose."""


class SpecError(AgentError, ValueError):
    """A spec given by the user is malformed or names something unknown."""


class EnvError(AgentError):
    """An environment could not be started or stopped working."""


class LLMError(AgentError):
    """A language-model backend failed. ``call`` records the failed request for the log."""

    call: LLMCall | None = None


class LLMUnavailable(LLMError):
    """The model endpoint cannot be reached or keeps failing after bounded retries."""


class DistributedError(AgentError):
    """Ray could not start, or the cluster cannot be reached."""
