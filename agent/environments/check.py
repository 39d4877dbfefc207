"""``check_env``: the conformance test every ``TextEnv`` adapter must pass (after Gymnasium's).

It plays a few steps and checks the shapes and invariants the agent relies on; it raises
``AssertionError`` naming the first broken rule. New adapters get it for free in the tests.
"""

from __future__ import annotations

from agent.environments.base import EnvInfo, TextEnv

INFO_TYPES = {
    "task": str,
    "valid_actions": list,
    "score": float,
    "won": bool,
    "lost": bool,
    "raw_score": float,
    "moves": int,
    "irreversible_actions": list,
    "location": str,
    "inventory": list,
    "view": str,
}


def check_info(info: EnvInfo, where: str) -> None:
    for key, kind in INFO_TYPES.items():
        assert key in info, f"{where}: info lacks {key!r}"
        value = info[key]  # type: ignore[literal-required]
        assert isinstance(value, kind), f"{where}: info[{key!r}] is {type(value).__name__}"
    assert 0.0 <= info["score"] <= 100.0, f"{where}: score {info['score']} is outside 0..100"
    assert info["task"].strip(), f"{where}: the task description is empty"
    assert all(isinstance(a, str) and a for a in info["valid_actions"]), f"{where}: bad action"
    assert len(set(info["valid_actions"])) == len(info["valid_actions"]), f"{where}: duplicates"
    assert set(info["irreversible_actions"]) <= set(info["valid_actions"]), (
        f"{where}: irreversible actions must be valid actions"
    )
    assert info["location"].strip(), f"{where}: the engine did not say where the player is"
    assert info["location"] == info["location"].lower(), f"{where}: location not in lower case"
    assert all(isinstance(t, str) and t for t in info["inventory"]), f"{where}: bad inventory"
    assert info["inventory"] == sorted(info["inventory"]), f"{where}: inventory not sorted"


def check_env(env: TextEnv, steps: int = 5) -> None:
    """Reset, step ``steps`` times through valid actions, reset again; check every result."""
    observation, info = env.reset(seed=0)
    assert isinstance(observation, str) and observation.strip(), "reset: empty observation"
    check_info(info, "reset")
    assert info["valid_actions"], "reset: no valid actions at the start"
    first_task, first_score, first_location = info["task"], info["score"], info["location"]
    raw_before = info["raw_score"]
    for number in range(1, steps + 1):
        action = info["valid_actions"][number % len(info["valid_actions"])]
        result = env.step(action)
        assert len(result) == 5, (
            "step must return (observation, reward, terminated, truncated, info)"
        )
        observation, reward, terminated, truncated, info = result
        where = f"step {number} ({action!r})"
        assert isinstance(observation, str), f"{where}: observation is not a string"
        assert isinstance(reward, float), f"{where}: reward is not a float"
        assert isinstance(terminated, bool) and isinstance(truncated, bool), f"{where}: flags"
        check_info(info, where)
        gained = info["raw_score"] - raw_before
        assert abs(reward - gained) < 1e-9, f"{where}: reward {reward} is not the score's change"
        raw_before = info["raw_score"]
        assert info["task"] == first_task, f"{where}: the task changed mid-episode"
        if terminated or truncated or not info["valid_actions"]:
            break
    observation, info = env.reset(seed=0)
    check_info(info, "second reset")
    assert info["score"] == first_score, "second reset: the score was not reset"
    assert info["task"] == first_task, "second reset: a different task"
    assert info["location"] == first_location, "second reset: another starting place"
