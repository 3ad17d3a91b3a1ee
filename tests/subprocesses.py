"""What a test that starts a Python subprocess gives it: this session's XLA
flags (conftest.py sets the tests' own), with a number of host devices; and
the cleanup of a process group it started."""

import os
import signal


def xla_flags(devices: int | None = None) -> str:
    """The session's XLA flags for a subprocess, with ``devices`` CPU devices
    (none: the default one) in place of any device count set here."""
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split()
             if not f.startswith("--xla_force_host_platform_device_count")]
    return " ".join(flags + ([f"--xla_force_host_platform_device_count={devices}"] if devices else []))


def kill_group(pid: int) -> None:
    """Kill every process left of the session ``pid`` leads (a test's
    cleanup: nothing it started outlives it)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
