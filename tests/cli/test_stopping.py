"""A Ctrl-C that something swallowed (py4j's finalizers do) is not lost: the next step
recorded raises it again, and the command ends as interrupted with 130. Run in a child
process, since it installs signal handlers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.cli import hear_ctrl_c

SWALLOWED = textwrap.dedent(
    """
    import os, signal
    from cli.stopping import interruption, raise_if_stopped, stop_like_ctrl_c
    stop_like_ctrl_c()
    try:
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        pass  # what a finalizer does with it
    try:
        raise_if_stopped()
    except KeyboardInterrupt as stop:
        print("raised again:", repr(str(stop)), interruption())
    """
)


def test_a_swallowed_ctrl_c_is_raised_again_at_the_next_step() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SWALLOWED], capture_output=True, text=True, timeout=60,
        preexec_fn=hear_ctrl_c,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "raised again: '' ('interrupted', 130)"
