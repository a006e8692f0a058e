"""Entry point of the embedded document server's process (run as a script, not imported).

Runs nx-27017 and stops it when the process that started it goes away, however that
process ends: a watchdog thread sees the parent pid change (the orphan is re-parented)
and sends this process SIGTERM, which nx-27017 handles as a clean shutdown. PR_SET_PDEATHSIG
is not used because it fires when the spawning *thread* exits, and ASGI servers start the
store from short-lived request threads.

Usage: python docserver.py PARENT_PID [nx-27017 arguments...]
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    parent_pid = int(sys.argv[1])
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()
    from nx_27017.nx_27017 import main as nx_main

    sys.argv = ["nx-27017", *sys.argv[2:]]
    nx_main()


if __name__ == "__main__":
    main()
