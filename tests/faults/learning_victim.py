"""A process that does nothing but learn from trials, for ``test_learning_kills`` to kill.

    python -m tests.faults.learning_victim HOME SEED TRIALS [BATCH]

It builds learning the way ``cairn run`` does (``build_learning``: SQLite, Chroma on disk
with the hashing embedder, the repair of a crashed run's index, the evidence and the LLM
reflector) and then, TRIALS times, records a finished trial and hands it to the learner.
First it prints ``drift JSON``, how far the index it found is from SQLite; before each
trial's learning ``learning TRIAL_ID``, after it ``learned TRIAL_ID``, so the test can kill
it in between. With BATCH > 1 it hands the trials over BATCH at a time, as the memory
service learns trials that arrive together (``after_trials``), and prints their ids
comma-separated.
The trials are made up (random actions, rising scores, citations of stored insights) but
everything that learns from them is the real thing.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from agent.environments.spec import EnvSpec
from agent.learning.recall import Recollection
from agent.llm.base import Backend, Completion, Request
from agent.running.config import ReflectorName, RunConfig
from agent.running.trials import Finished, TrialContext
from cli.build import build_learning, open_memory
from memory.embedding import HashEmbedder
from memory.records import Step, TrialOutcome
from memory.store import Store

ACTIONS = [f"{verb} {thing}" for verb in ("open", "take", "look at") for thing in "abcdefghijklmn"]
TASK = "Your task is to boil water."


class Reflecting(Backend):
    """A model that writes the same reflection after every trial (one line unparseable)."""

    name = "reflecting"

    def _complete(self, request: Request) -> Completion:
        del request
        lines = [
            "open the a SHOULD BE NECESSARY to boil water",
            "look at n DOES NOT CONTRIBUTE to boil water",
            "this line has no relation in it",
        ]
        return Completion(text="\n".join(lines))


def made_up_steps(chooser: random.Random, stored_insights: int) -> list[Step]:
    steps, score = [], 0.0
    for index in range(1, 61):
        action = chooser.choice(ACTIONS)
        if chooser.random() < 0.15:
            score = min(100.0, score + 5)
        cited = (chooser.randint(1, stored_insights),) if stored_insights else ()
        steps.append(
            Step(
                index=index,
                action=action,
                observation=f"{action}: {chooser.choice(['done', 'nothing happens'])}",
                reward=0.0,
                score=score,
                won=False,
                terminated=False,
                truncated=index == 60,
                state_key=f"s{chooser.randint(1, 12)}",
                cited=cited,
            )
        )
    return steps


def main(home: Path, seed: int, trials: int, batch: int = 1) -> None:
    store = Store.in_home(home)
    store.set_setting("embedder", HashEmbedder.name)  # `cairn memory reindex` reads it too
    print(f"drift {json.dumps(open_memory(home, store).drift())}", flush=True)
    config = RunConfig(home=home, reflector=ReflectorName.llm)
    learning = build_learning(config, store, Reflecting())
    chooser = random.Random(seed)
    run_id = store.start_run("learning victim", {"seed": seed}, "test")
    finished: list[Finished] = []
    for number in range(1, trials + 1):
        variation = number % 4  # promotion needs two variations to agree
        spec = EnvSpec.parse(f"scienceworld:boil@{variation}")
        trial_id = store.start_trial(run_id, str(spec), 1)
        store.describe_trial(
            trial_id, task="boil", variation=variation, description=TASK, observation="A room."
        )
        steps = made_up_steps(chooser, store.insights.count())
        for step in steps:
            store.add_step(run_id, trial_id, step)
        outcome = TrialOutcome(steps[-1].score, False, len(steps), 1.0)
        store.finish_trial(trial_id, outcome)
        context = TrialContext(run_id, trial_id, spec, 1, variation, TASK, "A room.")
        finished.append(Finished(context, Recollection(), steps, outcome))
        if len(finished) < batch:
            continue
        ids = ",".join(str(trial.context.trial_id) for trial in finished)
        print(f"learning {ids}", flush=True)
        learning.learner.after_trials(finished)
        print(f"learned {ids}", flush=True)
        finished = []


if __name__ == "__main__":
    main(Path(sys.argv[1]), *map(int, sys.argv[2:]))
