"""What a recall reads from a task's *other* variations' archives — the task's kinds
(``agent.learning.kinds``) and where its things were found (``agent.learning.places``) —
kept between recalls until one of those games changes or a person says something new of
them. With 49 other variations played, reading their archives was most of a recall's time
(about 2 s of 2.2, ``bench/recall_overhead.py``); between the trials of one variation none
of them changes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from agent.learning.carried import TaskRoles
from agent.learning.kinds import Kinds, kinds_for
from agent.learning.places import Places, task_places
from memory.archive import Archive
from memory.embedding import Embedder
from memory.store import Store

KEPT = 32  # (task, variation) pairs whose reading is kept: a run plays a few at a time


class OtherGames:
    """A cache of ``read``, one per ``Recaller``."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Hashable, tuple[Kinds, Places]] = OrderedDict()

    def read(
        self,
        store: Store,
        archive: Archive,
        goal: str,
        roles: TaskRoles,
        embedder: Embedder | None,
    ) -> tuple[Kinds, Places]:
        """The kinds of ``goal`` and the places (in role form) that the other variations of
        ``archive``'s task show."""
        env, task, variation = archive.env, archive.task, archive.variation
        others = tuple(
            (v, stamp) for v, stamp in store.archives.stamps(env, task) if v != variation
        )
        said_kinds = store.person_kinds.said(env, task, goal)
        said_places = store.person_places.said(env, task)
        key = (
            env,
            task,
            variation,
            goal,
            roles.template,
            others,
            tuple(sorted(said_kinds.items())),
            tuple((thing, tuple(sorted(at.items()))) for thing, at in sorted(said_places.items())),
        )
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        kinds = kinds_for(
            store, env, task, goal, variation, described=roles.descriptions, embedder=embedder
        )
        found = kinds, task_places(store, env, task, roles, variation)
        self._kept[key] = found
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return found
