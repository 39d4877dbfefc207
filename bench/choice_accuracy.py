"""How often does each part of the decision pick the gold action? (train data only)

    python bench/choice_accuracy.py --llm embedded --llm embedded:gemma3-270m

Walks the oracle path (ScienceWorld gold path, TextWorld walkthrough) of train variations and
low-seed games. At every gold step it builds the agent's real situation (history = the gold
steps so far), and reports:

  in menu     the gold action is in the shortlist the model is shown
  evidence    the policy's evidence alone ranks the gold action first
  llm         the model's favourite menu entry is the gold action (when it is in the menu)
  entry 1     the model's favourite is the first menu entry (its position bias)
  combined    evidence + model preference (the agent's actual choice) is the gold action
  chance      1 / menu size, when the gold action is in the menu

This isolates the choice from the consequences of earlier mistakes, so prompt and shortlist
designs can be compared on the same states.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from agent.acting.decide import DIGITS, LETTERS, FreeDecider, MenuDecider, PromptShape
from agent.acting.policy import Policy
from agent.acting.state import Turn
from agent.environments import Environments, parse
from agent.llm import open_llm
from cli.build import cache_dir
from memory.records import Step

ENVS = [
    "scienceworld:find-living-thing@train:0",
    "scienceworld:find-plant@train:1",
    "scienceworld:melt@train:0",
    "scienceworld:boil@train:0",
    "scienceworld:test-conductivity@train:0",
    "scienceworld:lifespan-longest-lived@train:0",
    "scienceworld:grow-plant@train:0",
    "scienceworld:chemistry-mix@train:0",
    "textworld:coin_collector@201,level=5",
    "textworld:treasure_hunter@202,level=5",
    "textworld:simple@203",
    "textworld:cooking@204,recipe=2,take=2,go=6",
    "textworld:cooking@205,recipe=1,take=1,go=1,open=1",
]


def walk(env, limit: int):  # type: ignore[no-untyped-def]
    """Yield (turn, gold action) along the oracle path."""
    gold = env.oracle_actions() or []
    observation, info = env.reset()
    initial, history = observation, []
    for index, action in enumerate(gold[:limit], 1):
        # Gold paths hold a few actions the engine accepts but does not list as valid
        # ("open door to X" when doors are open): they are played, not scored.
        if action in info["valid_actions"]:
            turn = Turn(
                info["task"],
                observation,
                tuple(info["valid_actions"]),
                tuple(history),
                frozenset(info["irreversible_actions"]),
                initial,
            )
            yield turn, action
        observation, reward, terminated, _, info = env.step(action)
        history.append(
            Step(index, action, observation, reward, info["score"], info["won"], terminated, False)
        )
        if terminated:
            return


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--llm", action="append", default=[])
    parser.add_argument("--mode", choices=["menu", "free"], default="menu")
    parser.add_argument("--menu", type=int, default=9, help="menu size")
    parser.add_argument("--letters", action="store_true", help="label the menu A, B, C...")
    parser.add_argument(
        "--shuffle", action="store_true", help="shuffle the menu: no position cue for the model"
    )
    parser.add_argument("--history", type=int, default=12, help="history window")
    parser.add_argument("--limit", type=int, default=40, help="gold steps per env, at most")
    args = parser.parse_args()
    models = {name: open_llm(name, cache_dir=cache_dir() / "models") for name in args.llm}
    shape = PromptShape(history_window=args.history)
    counts: dict[str, list[float]] = {k: [] for k in ("in menu", "evidence", "chance")}
    for name in models:
        counts[f"llm {name}"], counts[f"combined {name}"] = [], []
        counts[f"llm picks entry 1 {name}"] = []
    seconds: dict[str, list[float]] = {name: [] for name in models}
    shuffler = random.Random(0)
    with Environments(cache_dir() / "games") as environments:
        for text in ENVS:
            env = environments.open(parse(text))
            policy = Policy(seed=0)
            for turn, gold in walk(env, args.limit):
                evidence = policy.evidence(turn)
                menu = policy.shortlist(evidence, args.menu)
                if args.shuffle:
                    shuffler.shuffle(menu)
                counts["in menu"].append(gold in menu)
                counts["evidence"].append(policy.choose(turn, evidence).action == gold)
                if gold in menu:
                    counts["chance"].append(1 / len(menu))
                for name, llm in models.items():
                    decider = (
                        MenuDecider(llm, shape, LETTERS if args.letters else DIGITS)
                        if args.mode == "menu"
                        else FreeDecider(llm, shape)
                    )
                    started = time.perf_counter()
                    proposal = decider.propose(turn, menu)
                    seconds[name].append(time.perf_counter() - started)
                    if proposal.preference:
                        best = max(proposal.preference, key=proposal.preference.__getitem__)
                        counts[f"llm picks entry 1 {name}"].append(best == menu[0])
                        if gold in menu:
                            counts[f"llm {name}"].append(best == gold)
                    choice = policy.choose(turn, evidence, proposal.preference)
                    counts[f"combined {name}"].append(choice.action == gold)
            print(f"  {text}: {len(counts['in menu'])} gold steps so far", flush=True)
    print(f"\nmode {args.mode}, menu {args.menu}, history {args.history}, shuffle {args.shuffle}")
    for key, values in counts.items():
        if values:
            print(f"  {key:<36} {100 * statistics.mean(values):5.1f}%  (n={len(values)})")
    for name, values in seconds.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"  decision time {name:<22} p50 {1000 * statistics.median(values):6.0f} ms"
            f"  p95 {1000 * p95:6.0f} ms"
        )


if __name__ == "__main__":
    main()
