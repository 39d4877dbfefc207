"""SIGTERM and SIGHUP stop a command the way Ctrl-C does.

Supervisors stop a process with SIGTERM (``timeout``, systemd, Ray, ``docker stop``), a closed
terminal with SIGHUP. Left to their default, either ends the process on the spot and the run
and its trial stay "running" in the database. Here they raise ``Stopped``, a
``KeyboardInterrupt``, in the main thread instead, so every ``except KeyboardInterrupt`` that
closes a record closes it as "interrupted", and the command ends like a Ctrl-C. The process
then exits with 128 + the signal's number, as a shell reports a process a signal ended: 143
for SIGTERM, 129 for SIGHUP, 130 for Ctrl-C (SIGINT).

An exception raised by a signal handler can be lost: Python runs the handler wherever the
main thread is, and py4j's finalizers (ScienceWorld's JVM objects, collected at any moment)
swallow what is raised inside them. So the signal is also remembered, and ``Checkpoints``
raises it again as each step is recorded: if the loop is still playing, the first exception
was lost. Ctrl-C too: its KeyboardInterrupt is lost the same way, and the run played on.
"""

from __future__ import annotations

import signal
from types import FrameType

from agent.running.trials import Observer
from memory.records import Step, TrialOutcome

STOPPING = (signal.SIGTERM, signal.SIGHUP)
_received: list[int] = []


class Stopped(KeyboardInterrupt):
    """A stopping signal arrived; ``str()`` says which (a Ctrl-C's KeyboardInterrupt says
    nothing)."""

    def __init__(self, number: int) -> None:
        ctrl_c = number == signal.SIGINT
        super().__init__("" if ctrl_c else f"interrupted by {signal.Signals(number).name}")
        self.number = number


def stop_like_ctrl_c() -> None:
    """Install the handlers (main thread only). A signal the parent set to be ignored
    (``nohup``) stays ignored."""
    for number in STOPPING:
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)


def _stop(number: int, frame: FrameType | None) -> None:
    del frame
    # Once: a second signal must not cut short the closing of records the first began.
    # A second Ctrl-C does, as it always has: the person at the keyboard insists.
    for each in STOPPING:
        if signal.getsignal(each) is _stop:
            signal.signal(each, signal.SIG_IGN)
    if signal.getsignal(signal.SIGINT) is _stop:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    _received.append(number)
    raise Stopped(number)


def raise_if_stopped() -> None:
    """Raise ``Stopped`` if a stopping signal arrived (call it where play goes on)."""
    if _received:
        raise Stopped(_received[0])


class Checkpoints:
    """An observer that raises a stop whose first exception was lost, as a step is recorded
    (``TrialLoop`` then closes the trial as interrupted), and tells ``inner`` the rest."""

    def __init__(self, inner: Observer) -> None:
        self.inner = inner

    def trial_started(self, spec: str, trial: int, max_steps: int) -> None:
        self.inner.trial_started(spec, trial, max_steps)

    def step_taken(self, step: Step) -> None:
        raise_if_stopped()
        self.inner.step_taken(step)

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None:
        self.inner.trial_finished(spec, trial, outcome)


def interruption() -> tuple[str, int]:
    """What to tell the user about the interrupt that ended the command, and the exit code."""
    if _received and _received[0] != signal.SIGINT:
        number = _received[0]
        return f"interrupted by {signal.Signals(number).name}", 128 + number
    return "interrupted", 128 + signal.SIGINT
