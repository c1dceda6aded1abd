"""A throwaway single-node Slurm cluster for tests: munged, slurmctld and slurmd started
directly (no systemd), everything (config, key, sockets, state, spool, logs, pid files)
in one temporary folder that is removed afterwards.

    with LocalSlurm() as slurm:          # raises SlurmUnavailable where it cannot start
        jobid = slurm.cmd("sbatch", "--parsable", "job.sbatch").stdout.strip()
        states = slurm.wait_jobs([jobid], timeout=60)   # {"12": ("COMPLETED", "0:0", ...)}

What it needs: root (slurmd runs jobs as the submitting user and SlurmUser=root), Debian's
`slurmctld slurmd slurm-client munge` (Slurm 22.05) and, for MpiDefault=pmix,
`libpmix2 libpmix-dev` (Slurm's pmix plugin dlopens the unversioned libpmix.so); without
libpmix.so it falls back to MpiDefault=none and says so in `mpi_default`/`notes`.

Slurm binds its ports on the loopback interface and needs a second loopback address
(127.0.0.2) to do so on this kind of machine (with 127.0.0.1 alone, getaddrinfo() of the
listen address fails: slurmd exits with "Unable to bind listen port", slurmctld never
answers); it is added when missing and removed again
at stop(). Best run inside a private network and PID namespace (`sandbox.py` in this folder
does that): then the address, the ports and every process die with the namespace.

Stopping: stop() cancels every job, waits (bounded) until no job or step is left, then
ends slurmd, slurmctld and munged by PID (SIGTERM, then SIGKILL after a grace period),
and finally kills any process that still runs from the test folder, whose parent chain
leads to one of our daemons, or whose command line or environment names the folder
(slurmstepd and job processes inherit SLURM_CONF=<folder>/slurm.conf). It is idempotent and
registered with atexit, so a test that fails midway still cleans up.
"""
import atexit
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "scancel", "srun", "sinfo")
NODE = "liqnode"
PARTITION = "liqtest"


class SlurmUnavailable(RuntimeError):
    """This machine cannot run a local Slurm; the message says why."""


def _which(name):
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None)


def missing_reason():
    """None when a local Slurm may be started here, else a reason."""
    if os.geteuid() != 0:
        return "not root (slurmd and SlurmUser=root need it)"
    missing = [n for n in DAEMONS + CLIENTS if _which(n) is None]
    if missing:
        return ("missing programs: " + " ".join(missing) +
                " (apt-get install slurmctld slurmd slurm-client munge)")
    if _which("ip") is None:
        return "missing program: ip (iproute2), needed for the 127.0.0.2 loopback address"
    return None


def _free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _pmix_available():
    plugdirs = glob.glob("/usr/lib/*/slurm-wlm/mpi_pmix*.so") + glob.glob("/usr/lib*/slurm/mpi_pmix*.so")
    libs = glob.glob("/usr/lib/*/libpmix.so") + glob.glob("/usr/lib*/libpmix.so")
    return bool(plugdirs) and bool(libs)


def _proc_table():
    """pid -> (ppid, cwd or '', cmdline) for every process we can see."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            state = stat[stat.rindex(")") + 2:].split()[0]
            if state == "Z":
                continue
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                cwd = ""
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read().decode(errors="replace")
            except OSError:
                environ = ""
            table[pid] = (ppid, cwd, cmd + "\0" + environ)
        except (OSError, ValueError, IndexError):
            continue
    return table


class LocalSlurm:
    def __init__(self, cpus=2, keep=False):
        self.cpus = cpus
        self.keep = keep    # keep the folder (config, logs) after stop(), for debugging
        self.dir = None
        self.procs = {}
        self.env = None
        self.notes = []
        self.mpi_default = None
        self._added_addr = False
        self._stopped = True

    # ----------------------------------------------------------------- start
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=30):
        reason = missing_reason()
        if reason:
            raise SlurmUnavailable(reason)
        self._stopped = False
        atexit.register(self.stop)
        try:
            self._start(timeout)
        except (OSError, subprocess.SubprocessError, RuntimeError) as e:
            self.stop()
            if isinstance(e, SlurmUnavailable):
                raise
            raise SlurmUnavailable(f"start-up failed: {type(e).__name__}: {e}") from e
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout):
        self.dir = tempfile.mkdtemp(prefix="liq-slurm-")
        os.chmod(self.dir, 0o755)   # munged refuses group/world-writable dirs; 0700 is fine too
        d = self.dir
        for sub in ("munge", "state", "spool", "log", "run"):
            os.makedirs(os.path.join(d, sub), mode=0o755)
        os.chmod(os.path.join(d, "munge"), 0o700)

        self._ensure_loopback()

        # munge: own key, own socket, foreground so we hold its PID.
        key = os.path.join(d, "munge", "munge.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(os.urandom(1024))
        self.munge_socket = os.path.join(d, "munge", "munge.socket")
        self._spawn("munged", [_which("munged"), "--foreground", "--force",
                               f"--socket={self.munge_socket}", f"--key-file={key}",
                               f"--pid-file={d}/munge/munged.pid",
                               f"--log-file={d}/log/munged.log",
                               f"--seed-file={d}/munge/munged.seed", "--num-threads=2"])
        self._wait_for(lambda: os.path.exists(self.munge_socket), timeout, "munged socket",
                       f"{d}/log/munged.log")

        self.mpi_default = "pmix" if _pmix_available() else "none"
        if self.mpi_default == "none":
            self.notes.append("MpiDefault=none: Slurm's pmix plugin or libpmix.so is missing "
                              "(apt-get install libpmix2 libpmix-dev)")
        ctld_port, slurmd_port = _free_port(), _free_port()
        hostname = socket.gethostname()
        conf = os.path.join(d, "slurm.conf")
        with open(conf, "w") as f:
            f.write(f"""\
# Written by tests/slurm/localslurm.py: a single-node Slurm for liqstress's tests.
ClusterName=liqtest
SlurmctldHost={hostname}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/run/slurmctld.pid
SlurmdPidFile={d}/run/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault={self.mpi_default}
EnforcePartLimits=ALL
SwitchType=switch/none
PlugStackConfig={d}/plugstack.conf
ReturnToService=2
SlurmdParameters=config_overrides
SchedulerParameters=sched_interval=2,bf_interval=2
MinJobAge=600
KillWait=5
InactiveLimit=0
MessageTimeout=10
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName={NODE} NodeHostname={hostname} NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
""")
        open(os.path.join(d, "plugstack.conf"), "w").close()
        self.conf = conf
        self.env = dict(os.environ, SLURM_CONF=conf)
        # Jobs inherit the submitter's environment: keep SLURM_* of an outer job out.
        for k in list(self.env):
            if k.startswith("SLURM_") and k != "SLURM_CONF":
                del self.env[k]

        self._spawn("slurmctld", [_which("slurmctld"), "-D", "-i", "-f", conf])
        self._spawn("slurmd", [_which("slurmd"), "-D", "-f", conf, "-N", NODE])

        def node_idle():
            try:
                p = self.cmd("sinfo", "-h", "-N", "-o", "%T", check=False, timeout=5)
            except subprocess.TimeoutExpired:
                return False
            return p.returncode == 0 and p.stdout.strip().rstrip("*") in ("idle", "mixed")
        self._wait_for(node_idle, timeout, "node idle", f"{d}/log/slurmctld.log")

    def _ensure_loopback(self):
        # In a fresh network namespace lo is down (sandbox.py brings it up; so does this).
        subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True)
        out = subprocess.run(["ip", "-o", "addr", "show", "dev", "lo"], capture_output=True,
                             text=True).stdout
        if " 127.0.0.2/" in out:
            return
        p = subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SlurmUnavailable("cannot add the loopback address 127.0.0.2 that Slurm needs: "
                                   + p.stderr.strip())
        self._added_addr = True   # removed again by stop()

    def _spawn(self, name, argv):
        log = open(os.path.join(self.dir, "log", f"{name}.stdio"), "wb")
        self.procs[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.dir,
                                            env=dict(os.environ, SLURM_CONF=os.path.join(
                                                self.dir, "slurm.conf")),
                                            start_new_session=True)
        log.close()

    def _wait_for(self, pred, timeout, what, logfile):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise SlurmUnavailable(f"{name} exited {p.returncode} during start-up: "
                                           + self._tail(name))
            if pred():
                return
            time.sleep(0.2)
        raise SlurmUnavailable(f"timed out after {timeout}s waiting for {what}: "
                               + self._tail(os.path.basename(logfile).split(".")[0]))

    def _tail(self, name, n=15):
        text = []
        for path in (os.path.join(self.dir, "log", f"{name}.log"),
                     os.path.join(self.dir, "log", f"{name}.stdio")):
            try:
                with open(path, errors="replace") as f:
                    text += f.read().splitlines()[-n:]
            except OSError:
                pass
        return "\n  ".join([""] + text)

    # ------------------------------------------------------------------ use
    def cmd(self, *argv, check=True, timeout=30, cwd=None, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        p = subprocess.run([_which(argv[0]) or argv[0], *argv[1:]], capture_output=True,
                           text=True, timeout=timeout, cwd=cwd, env=e)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
        return p

    def job_states(self, jobids):
        """{jobid or jobid_task: (state, exit code)} from scontrol (no accounting here)."""
        states = {}
        for j in jobids:
            p = self.cmd("scontrol", "-o", "show", "job", str(j), check=False)
            for line in p.stdout.splitlines():
                f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
                key = f.get("JobId", str(j))
                if f.get("ArrayTaskId"):
                    key = f"{f.get('ArrayJobId')}_{f['ArrayTaskId']}"
                states[key] = (f.get("JobState", "?"), f.get("ExitCode", "?"), f.get("Reason", ""))
        return states

    def wait_jobs(self, jobids, timeout=60, poll=0.5):
        """Wait until every job (and every task of an array) has ended, bounded; returns
        job_states. Raises TimeoutError naming the jobs still pending or running."""
        deadline = time.monotonic() + timeout
        active = ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
                  "RESIZING", "SIGNALING", "STAGE_OUT")
        while True:
            states = self.job_states(jobids)
            busy = {k: v for k, v in states.items() if v[0] in active}
            # a dependent job whose dependency can never be met stays PENDING: report it
            stuck = {k: v for k, v in busy.items() if "DependencyNeverSatisfied" in v[2]}
            if states and not busy:
                return states
            if stuck and len(stuck) == len(busy):
                return states
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs still active after {timeout}s: {busy}\n"
                                   + self._tail("slurmctld") + self._tail("slurmd"))
            time.sleep(poll)

    # ----------------------------------------------------------------- stop
    def stop(self, grace=10):
        if self._stopped:
            return
        self._stopped = True
        try:
            self._cancel_jobs(grace)
        finally:
            for name in reversed(DAEMONS):
                self._end(name, grace)
            self._kill_leftovers()
            if self._added_addr:
                subprocess.run(["ip", "addr", "del", "127.0.0.2/8", "dev", "lo"],
                               capture_output=True)
                self._added_addr = False
            if self.dir and not self.keep:
                shutil.rmtree(self.dir, ignore_errors=True)

    def _cancel_jobs(self, grace):
        ctld = self.procs.get("slurmctld")
        if not ctld or ctld.poll() is not None or self.env is None:
            return
        try:
            self.cmd("scancel", "--full", "--user", str(os.geteuid()), check=False, timeout=10)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                q = self.cmd("squeue", "-h", "-o", "%i %T", check=False, timeout=10)
                steps = self.cmd("squeue", "-h", "-s", "-o", "%i", check=False, timeout=10)
                if q.returncode == 0 and not q.stdout.strip() and not steps.stdout.strip():
                    break
                time.sleep(0.3)
        except (subprocess.TimeoutExpired, OSError):
            pass

    def _end(self, name, grace):
        p = self.procs.get(name)
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)

    def leftovers(self):
        """Live processes of this cluster (after stop(): should be none): Slurm or munge
        processes that are ours by PID, parent chain, command line or environment."""
        if not self.dir:
            return []
        ours = {p.pid for p in self.procs.values()}
        table = _proc_table()
        found = []
        for pid, (ppid, cwd, cmd) in table.items():
            name = cmd.split("\0", 1)[0]
            if pid == os.getpid() or not any(w in name for w in ("slurm", "munge")):
                continue
            if pid in ours or ppid in ours or self.dir in cmd or cwd.startswith(self.dir):
                found.append(f"{pid} {name}")
        return found

    def _kill_leftovers(self):
        """Processes left from our cluster: slurmstepd and job processes (their parent
        chain reaches one of our daemons or they run in our folder or name our config)."""
        if not self.dir:
            return
        ours = {p.pid for p in self.procs.values()}
        for _ in range(3):
            table = _proc_table()
            victims = []
            for pid, (ppid, cwd, cmd) in table.items():
                if pid == os.getpid():
                    continue
                chain, q = set(), ppid
                while q in table and q not in chain and q > 1:
                    chain.add(q)
                    q = table[q][0]
                # slurmstepd and job processes carry SLURM_CONF=<our folder>/slurm.conf
                if chain & ours or cwd.startswith(self.dir) or self.dir in cmd:
                    victims.append(pid)
            if not victims:
                return
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.3)
