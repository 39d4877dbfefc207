"""cairn's memory layer: shared records and the SQLite store that is the source of truth."""

from memory.errors import HomeError, MemoryLayerError
from memory.records import Candidate, LLMCall, Step, TrialOutcome
from memory.store import Store, open_home

__all__ = [
    "Candidate",
    "HomeError",
    "LLMCall",
    "MemoryLayerError",
    "Step",
    "Store",
    "TrialOutcome",
    "open_home",
]
