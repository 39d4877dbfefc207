"""Folding trials into a game's archive of cells, on the toy world."""

from __future__ import annotations

import json

from agent.environments import parse
from agent.environments.toy import ToyWorld
from agent.learning.plans import shortcuts
from memory.archive import Archive, ArchiveStore
from memory.records import Situation, Start, Step
from memory.store import Store
from reflection.archiving import fold_trial
from tests.support.play import play


def test_a_trial_leaves_its_cells_with_the_way_to_each_and_what_was_tried() -> None:
    env = ToyWorld(parse("toy:fetch@3"))
    oracle = env.oracle_actions() or []
    start, steps = play(env, ["look around", *oracle[:2]])
    archive, changed = fold_trial(Archive("toy", "fetch", "3"), start, steps, trial_id=1)
    first = steps[0]
    home = archive.cells[start.situation.cell]
    assert (
        home.path == ()
        and home.reached == 1
        and {o.action for o in home.tried}
        >= {
            "look around",
            oracle[0],
        }
    )
    looked = next(o for o in home.tried if o.action == "look around")
    assert not looked.changed and looked.state == first.state_key
    second = archive.cells[steps[1].situation.cell]
    assert second.path == ("look around", oracle[0])  # the way as it was taken
    assert changed == set(archive.cells)
    assert archive.start == start.state and archive.trials == 1


def test_the_shortest_way_and_a_win_are_kept_and_a_loss_is_marked() -> None:
    env = ToyWorld(parse("toy:fetch@3"))
    oracle = env.oracle_actions() or []
    start, long_way = play(env, ["look around", "inventory", *oracle[:2]])
    archive, _ = fold_trial(Archive("toy", "fetch", "3"), start, long_way, trial_id=1)
    reached = archive.cells[long_way[-1].situation.cell]
    assert reached.path == ("look around", "inventory", *oracle[:2])
    _, won = play(env, oracle)
    archive, _ = fold_trial(archive, start, won, target=start.situation.cell, trial_id=2)
    reached = archive.cells[long_way[-1].situation.cell]
    assert reached.path == tuple(oracle[:2]) and reached.reached == 2  # the shorter way
    winning = archive.cells[won[-1].situation.cell]
    assert winning.won and winning.path == tuple(oracle)
    assert archive.cells[start.situation.cell].chosen == 1
    decoy = next(t for t in env.world.things if t != env.world.target)
    _, lost = play(env, [*env.route(env.world.things[decoy]), f"focus on {decoy}"])
    archive, _ = fold_trial(archive, start, lost, trial_id=3)
    fatal = [o for c in archive.cells.values() for o in c.tried if o.fatal]
    assert [o.action for o in fatal] == [f"focus on {decoy}"]
    assert any(f"focus on {decoy}" in c.risks for c in archive.cells.values())


def test_an_archive_is_stored_and_read_back_whole(tmp_path) -> None:
    env = ToyWorld(parse("toy:maze@2,rooms=6"))
    start, steps = play(env, env.oracle_actions() or [])
    archive, _ = fold_trial(Archive("toy", "maze", "2,rooms=6"), start, steps, trial_id=1)
    store = Store.in_home(tmp_path / "home")
    store.archives.save(archive)
    again = store.archives.load("toy", "maze", "2,rooms=6")
    assert again == archive
    assert store.archives.load("toy", "maze", "9") == Archive("toy", "maze", "9")
    (game,) = store.archives.games()
    assert (game["cells"], game["won"], game["trials"]) == (len(archive.cells), 1, 1)
    assert isinstance(store.archives, ArchiveStore)
    store.close()


def test_an_archive_read_is_kept_until_its_game_is_saved_again_by_anyone(tmp_path) -> None:
    env = ToyWorld(parse("toy:maze@2,rooms=6"))
    start, steps = play(env, env.oracle_actions() or [])
    first, _ = fold_trial(Archive("toy", "maze", "2"), start, steps, trial_id=1)
    service, other = Store.in_home(tmp_path / "home"), Store.in_home(tmp_path / "home")
    service.archives.save(first)
    read = service.archives.load("toy", "maze", "2")
    assert service.archives.load("toy", "maze", "2") is read  # kept: the cells not read again
    second, _ = fold_trial(read, start, steps, trial_id=2)
    other.archives.save(second)  # another process folds a trial in
    assert service.archives.load("toy", "maze", "2") == second != first
    service.close()
    other.close()


def walked(*moves: tuple[str, str, str]) -> tuple[Start, list[Step]]:
    """A trial by hand: (action, state it was taken in, place it led to), from state s0."""
    start = Start(Situation("hall"), "s0")
    states = [state for _, state, _ in moves[1:]] + ["end"]
    steps = [
        Step(i, action, "", 0.0, 0.0, False, False, False, state_key=state, location=place)
        for i, ((action, state, place), _) in enumerate(zip(moves, states, strict=True), 1)
    ]
    return start, steps


def test_a_step_that_led_elsewhere_in_another_trial_is_marked_and_no_way_passes_it() -> None:
    """ "go east" from the same hall led to a den with the key on the floor once and
    without it another time (the key was dropped there in the first trial): where it leads
    depends on more than the hall shows, so no shortcut goes through it, and the mark is
    kept by the store."""
    start, first = walked(("go east", "s0", "den"), ("take key", "s1", "den"))
    archive, _ = fold_trial(Archive("toy", "maze", "1"), start, first, trial_id=1)
    start, second = walked(("go east", "s0", "den"), ("go north", "s9", "attic"))
    archive, _ = fold_trial(archive, start, second, trial_id=2)
    hall = archive.cells["hall||0"]
    (east,) = [o for o in hall.tried if o.action == "go east"]
    assert east.varied and east.tries == 2
    assert "attic||0" not in shortcuts(archive)  # no way is stitched through "go east"
    assert archive.cells["attic||0"].path == ("go east", "go north")  # its own way still is


def test_archive_rows_written_before_varied_was_kept_still_load(tmp_path) -> None:
    start, steps = walked(("go east", "s0", "den"), ("take key", "s1", "den"))
    archive, _ = fold_trial(Archive("toy", "maze", "1"), start, steps, trial_id=1)
    store = Store.in_home(tmp_path / "home")
    store.archives.save(archive)
    rows = list(store.db["cells"].rows)
    for row in rows:  # as an older cairn wrote them: seven values an outcome
        old = [values[:7] for values in json.loads(row["tried"])]
        store.db["cells"].update((row["game_id"], row["key"]), {"tried": json.dumps(old)})
    assert store.archives.load("toy", "maze", "1") == archive
    store.close()
