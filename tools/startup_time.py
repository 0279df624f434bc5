#!/usr/bin/env python3
"""TUI start-up to first frame (issue #14): spawns `eshikaku` in a 120×40 pty and measures the
time from spawn to the end of its first frame (the last byte before the output goes quiet).

    python3 tools/startup_time.py target/release/eshikaku [--runs 11] [--core 1]

Each run uses a fresh empty HOME / XDG_DATA_HOME (no study records), then quits with `q`.
Prints every run, the median and the fastest, and the load average.
"""

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import tempfile
import termios
import time


def one_run(binary, core, quiet=0.3):
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, ESHIKAKU_HOME=home, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home,
                   TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            if core is not None:
                os.sched_setaffinity(0, {core})
            os.execve(binary, [binary], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        last, seen = None, 0
        while True:
            r, _, _ = select.select([fd], [], [], quiet if last else 5.0)
            if not r:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += len(chunk)
            last = time.perf_counter()
        os.write(fd, b"q")
        os.waitpid(pid, 0)
        os.close(fd)
        return (last - t0) if last else float("nan"), seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--core", type=int, default=None)
    a = ap.parse_args()
    times = []
    for i in range(a.runs):
        t, n = one_run(os.path.abspath(a.binary), a.core)
        times.append(t)
        print(f"run {i + 1}: {t * 1e3:.1f} ms to the end of the first frame ({n} bytes)")
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"median {statistics.median(times) * 1e3:.1f} ms, fastest {min(times) * 1e3:.1f} ms, "
          f"load {load}")


if __name__ == "__main__":
    main()
