"""The bundle schema, checked at the import trust boundary: strict (no unknown fields), with
length and range limits on everything, so a hostile bundle is refused before anything is
written."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from memory.knowledge import Relation, Scope

MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_TEXT = 2000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


ID = Field(ge=0, le=2**62)  # SQLite integers are 64-bit


def _variation_text(value: Any) -> Any:
    """Format 1 named a variation by its number; it is a text key now ("3,level=2")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


VariationKey = Annotated[
    Annotated[str, Field(min_length=1, max_length=500)] | None, BeforeValidator(_variation_text)
]


# A name given in the home that made the row: ``<home>:evidence:<row>`` (memory.identity).
UID = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,64}:[a-z]{1,20}:[0-9]{1,19}$")]
HOME_ID = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,64}$")]


class ResidualRecord(_Strict):
    """Weight an insight holds beyond its evidence rows, named (``memory.residuals``); it
    may be negative (a person lowered the support below what the rows add up to)."""

    uid: UID
    support: float = Field(ge=-1e9, le=1e9)
    refute: float = Field(ge=-1e9, le=1e9)
    at: str = Field(max_length=50)


class InsightRecord(_Strict):
    id: int = ID
    subject: str = Field(min_length=1, max_length=MAX_TEXT)
    relation: Relation
    goal: str = Field(min_length=1, max_length=MAX_TEXT)
    scope: Scope
    env: str | None = Field(default=None, max_length=200)
    task: str | None = Field(default=None, max_length=500)
    variation: VariationKey = None
    support: float = Field(ge=0, le=1e9)
    refute: float = Field(ge=0, le=1e9)
    origin: str = Field(max_length=200)
    pinned: bool = False
    order: float | None = Field(default=None, ge=0, le=1)
    residuals: list[ResidualRecord] = Field(default_factory=list, max_length=10_000)
    # From format 5: subject and goal in the task's roles ("focus on {1}"), for a reader;
    # an importing home derives its own from the trajectories' descriptions.
    role_subject: str | None = Field(default=None, max_length=MAX_TEXT)
    role_goal: str | None = Field(default=None, max_length=MAX_TEXT)


class EvidenceRecord(_Strict):
    insight: int = ID
    uid: UID | None = None  # from format 2
    trial_id: int | None = Field(default=None, ge=0, le=2**62)
    steps: list[Annotated[int, Field(ge=0, le=2**62)]] = Field(
        default_factory=list, max_length=10_000
    )
    weight: float = Field(ge=0, le=1e9)
    kind: Literal["support", "refute"]
    origin: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=MAX_TEXT)


class StepRecord(_Strict):
    action: str = Field(max_length=MAX_TEXT)
    observation: str = Field(max_length=100_000)
    reward: float = Field(ge=-1e9, le=1e9)
    score: float = Field(ge=0, le=100)
    state_key: str = Field(default="", max_length=64)
    credit: float = Field(default=0.0, ge=-1e9, le=1e9)
    useful: bool = False
    fatal: bool = False
    location: str = Field(default="", max_length=500)


class ExemplarRecord(_Strict):
    uid: UID | None = None  # from format 2
    env: str = Field(max_length=200)
    task: str = Field(max_length=500)
    variation: VariationKey = None
    spec: str = Field(max_length=1000)
    task_description: str = Field(max_length=20_000)
    score: float = Field(ge=0, le=100)
    won: bool
    origin: str = Field(max_length=200)
    steps: list[StepRecord] = Field(max_length=10_000)


class OperationRecord(_Strict):
    insight: int | None = Field(ge=0, le=2**62)
    op: str = Field(max_length=50)
    actor: str = Field(max_length=200)
    details: dict[str, Any]
    at: str = Field(max_length=50)


class FileEntry(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0, le=MAX_MEMBER_BYTES)


class Manifest(_Strict):
    format: Literal["cairn-bundle"]
    format_version: int
    cairn_version: str = Field(max_length=50)
    created_at: str = Field(max_length=50)
    home_id: HOME_ID | None = None  # the exporting home, from format 2
    embedding_model: str = Field(max_length=200)
    filters: dict[str, str | None]
    counts: dict[str, int]
    files: dict[str, FileEntry]


class OutcomeRecord(_Strict):
    action: str = Field(min_length=1, max_length=MAX_TEXT)
    state: str = Field(max_length=1000)
    next_state: str = Field(max_length=1000)
    next_cell: str = Field(max_length=MAX_TEXT)
    changed: bool
    fatal: bool = False
    tries: int = Field(default=1, ge=1, le=2**62)
    varied: bool = False  # from format 4


class CellRecord(_Strict):
    """A cell of an archive (``memory.archive.Cell``); its trial numbers stay home."""

    key: str = Field(min_length=1, max_length=MAX_TEXT)
    place: str = Field(max_length=500)
    inventory: list[Annotated[str, Field(max_length=500)]] = Field(max_length=1000)
    score: float = Field(ge=-1e9, le=1e9)
    path: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(max_length=100_000)
    reached: int = Field(ge=0, le=2**62)
    chosen: int = Field(ge=0, le=2**62)
    won: bool
    tried: list[OutcomeRecord] = Field(max_length=100_000)
    offered: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(max_length=100_000)
    seen: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(max_length=100_000)
    risks: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(max_length=100_000)


class ArchiveRecord(_Strict):
    """A game's archive of cells (from format 3)."""

    env: str = Field(min_length=1, max_length=200)
    task: str = Field(min_length=1, max_length=500)
    variation: VariationKey = None
    start: str = Field(max_length=1000)
    trials: int = Field(ge=0, le=2**62)
    setbacks: int = Field(default=0, ge=0, le=2**62)
    cells: list[CellRecord] = Field(max_length=1_000_000)


class ProcedureStepRecord(_Strict):
    step: str = Field(min_length=1, max_length=MAX_TEXT)
    taken: int = Field(ge=0, le=2**31)
    required: bool
    scored: bool


class ProcedureRecord(_Strict):
    written_by_person: bool
    won_variations: int = Field(ge=0, le=2**31)
    steps: list[ProcedureStepRecord] = Field(max_length=10_000)


class KindSaid(_Strict):
    """What a person said of a thing's kind (``memory.person_kinds``)."""

    goal: str = Field(min_length=1, max_length=MAX_TEXT)
    thing: str = Field(min_length=1, max_length=MAX_TEXT)
    right: bool


class PlaceSaid(_Strict):
    """Where a person said a task's thing is, or is not (``memory.person_places``)."""

    thing: str = Field(min_length=1, max_length=MAX_TEXT)
    place: str = Field(min_length=1, max_length=MAX_TEXT)
    at: bool


class TaskRecord(_Strict):
    """From format 5: what carries to a new variation of a task (``agent.learning.tasks``),
    for a reader. Only what a person wrote (a procedure, kinds said, places said: format 6)
    is imported: the rest is derived again from the trajectories."""

    env: str = Field(min_length=1, max_length=200)
    task: str = Field(min_length=1, max_length=500)
    template: str = Field(max_length=20_000)
    roles: dict[str, dict[str, str]] = Field(max_length=10_000)
    procedure: ProcedureRecord
    agreed: list[dict[str, Any]] = Field(max_length=10_000)
    places: dict[str, dict[str, int]] = Field(max_length=10_000)
    kinds_said: list[KindSaid] = Field(default_factory=list, max_length=10_000)
    places_said: list[PlaceSaid] = Field(default_factory=list, max_length=10_000)
