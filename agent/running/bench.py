"""The proof that memory helps: the same agent with and without memory, trial after trial.

A suite (a small TOML file) names environment groups, and for each the envs of its settings:

    ADAPT     the same variation, N trials; memory from earlier trials of it
    GEN-ENV   new variations of tasks learned first on ``train`` variations (memory carried;
              each new variation from its own copy of the trained home)
    GEN-TASK  new tasks, after learning on ``train`` tasks (likewise)
    STREAM    an ordered stream of environments (variations of several tasks, interleaved),
              each played once with memory carried along, as Evo-Memory evaluates; and the
              same stream reversed, for how much the order matters

Both agents get the same number of trials; the no-memory agent starts every trial knowing
nothing, with a new seed for its tie-breaks: its best score over the first k trials
(best-of-k) is what retrying alone achieves, and learning has to beat it. Each (setting,
group) gets fresh homes, so settings do not leak into each other. With several seeds, every
setting is played once per seed (fresh homes each time), and each mean comes with its
standard deviation over the seeds.

    [scienceworld]
    max_steps = 50
    adapt = ["scienceworld:melt@dev:0"]
    gen_env = {train = ["scienceworld:melt@train:0"], test = ["scienceworld:melt@dev:1"]}
    gen_task = {train = ["scienceworld:boil@train:0"], test = ["scienceworld:freeze@dev:0"]}
    stream = ["scienceworld:melt@dev:1", "scienceworld:boil@dev:1", "scienceworld:melt@dev:2"]
"""

from __future__ import annotations

import shutil
import statistics
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

from agent.environments import EnvSpec
from agent.environments.registry import parse
from agent.errors import SpecError
from agent.learning.scorers import check_voices

SETTINGS = ("adapt", "gen_env", "gen_task", "stream", "stream_reversed")
STREAMS = ("stream", "stream_reversed")  # each environment played once, in order


@dataclass(frozen=True)
class Group:
    name: str
    max_steps: int
    adapt: tuple[EnvSpec, ...] = ()
    gen_env: tuple[tuple[EnvSpec, ...], tuple[EnvSpec, ...]] | None = None  # (train, test)
    gen_task: tuple[tuple[EnvSpec, ...], tuple[EnvSpec, ...]] | None = None
    stream: tuple[EnvSpec, ...] = ()


@dataclass(frozen=True)
class Suite:
    name: str
    trials: int
    train_trials: int
    groups: tuple[Group, ...]
    ablations: tuple[tuple[str, ...], ...] = ()  # voices switched off, one memory agent each

    @property
    def agents(self) -> tuple[str, ...]:
        """Who plays: the memory agent, one per ablation, and the agent without memory."""
        return ("memory", *(ablated(voices) for voices in self.ablations), "no-memory")


def ablated(voices: Sequence[str]) -> str:
    """The name of the memory agent without these voices ("memory without insight")."""
    return "memory without " + ",".join(voices)


def voices_off(agent: str) -> tuple[str, ...]:
    """The voices an agent plays without (none for "memory" and "no-memory")."""
    rest = agent.removeprefix("memory without ")
    return tuple(rest.split(",")) if rest != agent else ()


def remembers(agent: str) -> bool:
    return agent != "no-memory"


def load_suite(path: Path, trials: int | None = None) -> Suite:
    """Read and check a suite file; every spec is validated before anything runs."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise SpecError(f"cannot read suite {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"suite {path} is not valid TOML: {error}") from None
    groups = []
    for name, table in data.items():
        if not isinstance(table, dict):
            continue
        keys = ("max_steps", "adapt", "gen_env", "gen_task", "stream")
        unknown = set(table) - set(keys)
        if unknown:
            known = ", ".join(keys)
            raise SpecError(
                f"suite {path}: unknown key(s) {', '.join(sorted(unknown))} in [{name}]: "
                f"use {known}"
            )
        groups.append(
            Group(
                name=name,
                max_steps=_count(table.get("max_steps", 50), f"max_steps in [{name}]", path),
                adapt=tuple(parse(s) for s in table.get("adapt", [])),
                gen_env=_split(table.get("gen_env"), f"{name}.gen_env"),
                gen_task=_split(table.get("gen_task"), f"{name}.gen_task"),
                stream=_specs(table.get("stream", []), f"stream in [{name}]", path),
            )
        )
    if not groups:
        raise SpecError(f"suite {path} names no environment group (e.g. [scienceworld])")
    return Suite(
        name=str(data.get("name", path.stem)),
        trials=trials or _count(data.get("trials", 5), "trials", path),
        train_trials=_count(data.get("train_trials", 2), "train_trials", path),
        groups=tuple(groups),
        ablations=_ablations(data.get("ablations", []), path),
    )


def _ablations(value: Any, path: Path) -> tuple[tuple[str, ...], ...]:
    """``ablations = ["insight", "exemplar,chain"]``: each a memory agent without those."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(
            f'suite {path}: ablations must be a list like ["insight", "exemplar,chain"]'
        )
    try:
        return tuple(check_voices([n.strip() for n in v.split(",") if n.strip()]) for v in value)
    except ValueError as error:
        raise SpecError(f"suite {path}: ablations: {error}") from None


def _count(value: Any, what: str, path: Path) -> int:
    """A positive whole number from the suite file (TOML has no such type of its own)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"suite {path}: {what} must be a whole number of at least 1, e.g. 5")
    return value


def _specs(value: Any, what: str, path: Path) -> tuple[EnvSpec, ...]:
    if not isinstance(value, list):
        raise SpecError(f'suite {path}: {what} must be a list of specs, e.g. ["toy:maze@1"]')
    return tuple(parse(str(spec)) for spec in value)


def _split(table: Any, where: str) -> tuple[tuple[EnvSpec, ...], tuple[EnvSpec, ...]] | None:
    if table is None:
        return None
    if not isinstance(table, dict) or set(table) != {"train", "test"}:
        raise SpecError(f"suite: {where} needs exactly train = [...] and test = [...]")
    return tuple(parse(s) for s in table["train"]), tuple(parse(s) for s in table["test"])


class Played(NamedTuple):
    """One spec's trials: score, won and steps of each."""

    scores: list[float]
    wins: list[bool]
    steps: list[int]


@dataclass
class Curve:
    """Scores of one agent in one (setting, group): one list of trial scores per spec and
    seed."""

    specs: list[str] = field(default_factory=list)  # each spec's text
    played: list[Played] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)  # the policy seed each was played with

    def mean_by_trial(self) -> list[float]:
        return _means(p.scores for p in self.played)

    def steps_by_trial(self) -> list[float]:
        """Mean steps by trial: where every trial wins, learning shows in fewer."""
        return _means([float(n) for n in p.steps] for p in self.played)

    def sd_by_trial(self) -> list[float]:
        """The standard deviation over seeds of the mean score by trial (0 with one seed)."""
        return _spread(self._by_seed(lambda c: c.mean_by_trial()))

    def best_of_k_sd_by_trial(self) -> list[float]:
        return _spread(self._by_seed(lambda c: c.best_of_k_by_trial()))

    def by_position(self) -> list[float]:
        """A stream's score at each position (its first trial), the mean over seeds."""
        runs = self._by_seed(lambda c: [p.scores[0] for p in c.played])
        return _means(runs) if runs else []

    def steps_by_position(self) -> list[float]:
        """A stream's steps at each position, the mean over seeds."""
        runs = self._by_seed(lambda c: [float(p.steps[0]) for p in c.played])
        return _means(runs) if runs else []

    def cumulative_by_position(self) -> list[float]:
        """A stream's mean score over its first k environments, for each k."""
        return [total / k for k, total in enumerate(accumulate(self.by_position()), 1)]

    def seed_list(self) -> list[int]:
        """Each played spec's seed (0 for results written before seeds were kept)."""
        return self.seeds or [0] * len(self.played)

    def _by_seed(self, measure: Callable[[Curve], list[float]]) -> list[list[float]]:
        played = list(zip(self.seed_list(), self.played, strict=True))
        return [
            measure(Curve(played=[p for s, p in played if s == seed]))
            for seed in dict.fromkeys(s for s, _ in played)
        ]

    def win_rate_by_trial(self) -> list[float]:
        return _means(p.wins for p in self.played)

    def best_of_k_by_trial(self) -> list[float]:
        """The mean of each spec's best score over its first k trials: retrying's gain."""
        return _means(list(accumulate(p.scores, max)) for p in self.played)

    def relapses(self) -> int:
        """Trials lost after their spec was first won."""
        return sum(not won for p in self.played for won in p.wins[_first(p.wins) :][1:])


def first_win(played: Played) -> tuple[int, int] | None:
    """(trial, steps) of the spec's first win, if any."""
    trial = _first(played.wins)
    return None if trial == len(played.wins) else (trial + 1, played.steps[trial])


def _first(wins: Sequence[bool]) -> int:
    return next((i for i, won in enumerate(wins) if won), len(wins))


def _means(columns: Iterable[Sequence[float]]) -> list[float]:
    return [statistics.mean(column) for column in zip(*columns, strict=True)]


def _spread(rows: list[list[float]]) -> list[float]:
    if len(rows) < 2:
        return [0.0] * (len(rows[0]) if rows else 0)
    return [statistics.stdev(column) for column in zip(*rows, strict=True)]


@dataclass
class Results:
    suite: str
    trials: int
    curves: dict[tuple[str, str, str], Curve] = field(default_factory=dict)  # setting,group,agent

    def curve(self, setting: str, group: str, agent: str) -> Curve:
        return self.curves.setdefault((setting, group, agent), Curve())

    def to_json(self) -> dict[str, Any]:
        rows = []
        for (setting, group, agent), curve in self.curves.items():
            rows.append(
                {
                    "setting": setting,
                    "group": group,
                    "agent": agent,
                    "mean_by_trial": curve.mean_by_trial(),
                    "sd_by_trial": curve.sd_by_trial(),
                    "best_of_k_by_trial": curve.best_of_k_by_trial(),
                    "best_of_k_sd_by_trial": curve.best_of_k_sd_by_trial(),
                    "win_rate_by_trial": curve.win_rate_by_trial(),
                    "steps_by_trial": curve.steps_by_trial(),
                    "lost_after_won": curve.relapses(),
                    **(
                        {
                            "by_position": curve.by_position(),
                            "steps_by_position": curve.steps_by_position(),
                            "cumulative_by_position": curve.cumulative_by_position(),
                        }
                        if setting in STREAMS
                        else {}
                    ),
                    "envs": [
                        {
                            "env": spec,
                            "seed": seed,
                            "scores": p.scores,
                            "won": p.wins,
                            "steps": p.steps,
                            "first_win": first_win(p),
                        }
                        for spec, p, seed in zip(
                            curve.specs, curve.played, curve.seed_list(), strict=True
                        )
                    ],
                }
            )
        return {
            "suite": self.suite,
            "trials": self.trials,
            "seeds": self.seeds(),
            "results": rows,
        }

    def seeds(self) -> list[int]:
        """The seeds every setting was played with."""
        return sorted({s for curve in self.curves.values() for s in curve.seed_list()})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        """The results ``to_json`` wrote (``cairn bench --json``), read back."""
        results = cls(str(data["suite"]), int(data["trials"]))
        for row in data["results"]:
            curve = results.curve(row["setting"], row["group"], row["agent"])
            for env in row["envs"]:
                curve.specs.append(env["env"])
                curve.seeds.append(int(env.get("seed", 0)))
                steps = env.get("steps") or [0] * len(env["scores"])
                curve.played.append(Played(list(env["scores"]), list(env["won"]), list(steps)))
        return results


# (specs, trials, max_steps, home, agent, seed) -> what each spec's trials did
Play = Callable[[Sequence[EnvSpec], int, int, Path, str, int], list[Played]]


def planned_trials(suite: Suite, agents: Sequence[str], seeds: int = 1) -> int:
    """How many trials ``run_suite`` will play with ``seeds`` seeds (for a progress bar)."""
    total = 0
    for group in suite.groups:
        for setting in SETTINGS:
            for train, test in _plan(group, setting):
                for agent in agents:
                    total += len(test) * _trials(suite, setting)
                    total += len(train) * suite.train_trials if remembers(agent) else 0
    return total * seeds


def run_suite(
    suite: Suite, play: Play, workdir: Path, agents: Sequence[str], seeds: Sequence[int] = (0,)
) -> Results:
    """Play every setting of every group with each agent ("memory", "no-memory", a memory
    agent without some voices), once per seed, each in fresh homes."""
    results = Results(suite.name, suite.trials)
    for group in suite.groups:
        for setting in SETTINGS:
            for agent in agents:
                curve = results.curve(setting, group.name, agent)
                folder = agent.replace("memory without ", "memory-without-").replace(",", "+")
                for seed in seeds:
                    for index, (train, test) in enumerate(_plan(group, setting)):
                        name = f"{setting}-{group.name}-{folder}-{index}"
                        home = workdir / (name if seed == seeds[0] else f"{name}-seed{seed}")
                        if train and remembers(agent):
                            play(train, suite.train_trials, group.max_steps, home, agent, seed)
                        count = _trials(suite, setting)
                        played = [
                            trials
                            for batch, batch_home in _batches(test, home, setting)
                            for trials in play(
                                batch, count, group.max_steps, batch_home, agent, seed
                            )
                        ]
                        for spec, trials in zip(test, played, strict=True):
                            curve.specs.append(str(spec))
                            curve.played.append(trials)
                            curve.seeds.append(seed)
                if not curve.specs:
                    del results.curves[(setting, group.name, agent)]
    return results


def _trials(suite: Suite, setting: str) -> int:
    return 1 if setting in STREAMS else suite.trials


def _batches(
    test: tuple[EnvSpec, ...], home: Path, setting: str
) -> Iterable[tuple[tuple[EnvSpec, ...], Path]]:
    """Where ``test`` is played: a stream in ``home`` itself (memory carried along); a new
    variation or task each from its own copy of ``home`` as training left it, so no test
    env learns from another (its first trial shows what training carried, nothing more)."""
    if setting in STREAMS or setting == "adapt":
        yield test, home
        return
    for index, spec in enumerate(test):
        copy = home.with_name(f"{home.name}-test{index}")
        if home.exists():
            shutil.copytree(home, copy)
        yield (spec,), copy


def _plan(group: Group, setting: str) -> list[tuple[tuple[EnvSpec, ...], tuple[EnvSpec, ...]]]:
    """(train, test) batches, each played in its own home."""
    if setting == "adapt":
        return [((), (spec,)) for spec in group.adapt]  # each variation learns alone
    if setting in STREAMS:
        order = group.stream if setting == "stream" else group.stream[::-1]
        return [((), order)] if order else []
    split = group.gen_env if setting == "gen_env" else group.gen_task
    return [split] if split else []
