"""Text environments behind one Gymnasium-shaped interface (``TextEnv``)."""

from agent.environments.base import EnvInfo, TextEnv, normalise_score
from agent.environments.registry import Environments, parse, validate, validate_names
from agent.environments.spec import EnvSpec, Variation

__all__ = [
    "EnvInfo",
    "EnvSpec",
    "Environments",
    "TextEnv",
    "Variation",
    "normalise_score",
    "parse",
    "validate",
    "validate_names",
]
