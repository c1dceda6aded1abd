"""Run a command in private PID, mount and network namespaces, so that nothing it starts
(munged, slurmctld, slurmd, slurmstepd, jobs) can outlive it:

    python3 sandbox.py COMMAND ARGS...      exit status: COMMAND's

`unshare --pid --fork --kill-child --mount-proc --net` makes this script's second stage
PID 1 of a new PID namespace; it starts COMMAND, reaps every orphan (Slurm's slurmstepd
double-forks), and when COMMAND ends it SIGKILLs whatever is left in the namespace before
exiting; when PID 1 exits the kernel kills the namespace's remaining processes anyway, and
--kill-child kills PID 1 when unshare itself dies (a ctest timeout, Ctrl-C). The private
network namespace gives Slurm its own loopback (127.0.0.1 and the 127.0.0.2 it needs) and
ports, so concurrent test runs and the host's network are untouched. TMPDIR points to a
tmpfs mounted in the private mount namespace, so even a SIGKILL leaves no test files.

maybe_reexec() does that for a test script: it returns at once inside the sandbox or where
namespaces cannot be made (not root, no unshare: the caller then runs unconfined and
cleans up by PID), else it execs unshare to run the script again inside (the exit status
is the script's).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

ENV_FLAG = "LIQ_SLURM_SANDBOX"
UNSHARE = ["--pid", "--fork", "--kill-child", "--mount-proc", "--net"]


def in_sandbox():
    return os.environ.get(ENV_FLAG) == "1"


def can_sandbox():
    """None when namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "not root"
    unshare = shutil.which("unshare")
    if not unshare:
        return "no unshare (util-linux)"
    p = subprocess.run([unshare, *UNSHARE, "true"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        return f"unshare failed: {p.stderr.strip()}"
    return None


def maybe_reexec(script, argv):
    """Run `python3 script argv...` in the sandbox and exit with its status; return when
    already inside or when no sandbox can be made (the reason is printed)."""
    if in_sandbox() or os.environ.get("LIQ_SLURM_NO_SANDBOX") == "1":
        return
    why = can_sandbox()
    if why:
        print(f"[slurm test] no PID/network namespace ({why}): running unconfined, "
              "cleanup by PID", file=sys.stderr, flush=True)
        return
    cmd = [shutil.which("unshare"), *UNSHARE, sys.executable, os.path.abspath(__file__),
           sys.executable, os.path.abspath(script), *argv]
    os.environ[ENV_FLAG] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    # exec, not a child: whoever ends this process (a ctest timeout) ends unshare, and
    # --kill-child then takes the whole namespace down with it.
    os.execv(cmd[0], cmd)


def init(argv):
    """PID 1 of the namespace: run argv, reap orphans, kill what is left, exit with argv's
    status."""
    # lo is down in a fresh network namespace
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    # A private tmpfs for TMPDIR: the test's files vanish with the namespace even when it
    # is SIGKILLed (then only this empty mount point is left on the host's /tmp).
    tmp = tempfile.mkdtemp(prefix="liq-slurm-sandbox-")
    os.chmod(tmp, 0o755)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=4g", "liqslurm", tmp],
                             capture_output=True).returncode == 0
    child = subprocess.Popen(argv, env=dict(os.environ, TMPDIR=tmp))
    status = None
    forward = lambda signum, _frame: child.send_signal(signum)  # noqa: E731
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    while status is None:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child.pid:
            status = os.waitstatus_to_exitcode(st)
    # Anything still running in the namespace is a leftover: say so, then kill it.
    left = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != os.getpid():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                with open(f"/proc/{d}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        continue
            except OSError:
                continue
            left.append(f"{d} {cmd}")
    if left:
        print("[slurm test] sandbox: killing leftover processes:\n  " + "\n  ".join(left),
              file=sys.stderr, flush=True)
        try:
            os.kill(-1, signal.SIGKILL)   # in a PID namespace: all of it but PID 1
        except OSError:
            pass
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    if mounted:
        subprocess.run(["umount", "-l", tmp], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
    if status is None:
        status = 1
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: sandbox.py COMMAND ARGS...")
    if os.getpid() != 1:
        # run directly: make the namespaces first
        os.execvp("unshare", ["unshare", *UNSHARE, sys.executable, os.path.abspath(__file__),
                              *sys.argv[1:]])
    os.environ[ENV_FLAG] = "1"
    sys.exit(init(sys.argv[1:]))
