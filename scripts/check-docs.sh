#!/usr/bin/env bash
# Runs the commands that README.md and docs/*.md show, so the documentation cannot rot. Called by
# ./run-tests after the test suite (the jars are built by then); run it alone after a build, e.g.
#   mvn -B -q package -DskipTests -pl app,benchmarks -am && scripts/check-docs.sh
#
# Every line of a ```bash block is a command and must be one of the kinds below; in other blocks
# (transcripts) only lines that start with ./meterhub or $ ./meterhub are. A command kind this
# script does not know fails the check, so a new kind of documented command needs a rule here.
#   mvn ...             run as written (deduplicated); a -Dtest=X run only compiles, and X must exist;
#                       `install` (needs the parent POM installed first, clobbers ~/.m2) and -o (fails
#                       on a fresh machine) are refused
#   ./meterhub ...      the subcommand and every --option exist (its --help); `decode` runs for real
#                       and must exit as documented (0, or the `# exit N` comment)
#   java ...            every org.meterhub class named exists in the jar built by the module; JMH
#                       benchmarks run with -jar exist in its list; a few runs below, tiny
#   flock, VAR=..., $VAR, for/do/done   unwrapped or expanded, then checked as above
#   cp FILE ...         FILE exists
#   scripts/X ...       X exists and is executable (./run-tests ran services.sh, which runs timescaledb.sh)
#   curl, ./run-tests   not run (the HTTP API has its tests; ./run-tests is what called this)
#   promtool, systemd-analyze   run as written and must exit 0 (they check the files under ops/);
#                       systemd-analyze only where systemd is installed
#   useradd, install, mkdir, chown, systemctl, journalctl   setting up a box as root: not run; every
#                       ops/ file they name must exist
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python3 - "$@" <<'PY'
import glob, os, re, shlex, shutil, subprocess, sys, zipfile

APP_JAR = "app/target/meterhub.jar"
BENCH_JAR = "benchmarks/target/benchmarks.jar"
# Benchmarks run for real in a tiny size: they start, do their work and report.
SMOKE = {
    "org.meterhub.benchmarks.mqtt.MqttBenchmarks": ["processor", "20000", "100"],
    "org.meterhub.benchmarks.journal.JournalThroughput": ["2000"],
    "org.meterhub.benchmarks.fuzz.FuzzRun": ["300", "7"],
    "org.meterhub.benchmarks.console.ConsolePageLoad": ["--requests", "20", "--warmup", "5"],
}

ENV_PREFIX = r"^(\w+=(\"[^\"]*\"|'[^']*'|\S*)\s+)+"
failures = []
notes = []


def fail(where, msg):
    failures.append(f"{where}: {msg}")
    print(f"FAIL {where}: {msg}", flush=True)


def ok(where, msg):
    print(f"ok   {where}: {msg}", flush=True)


def commands():
    """(where, line, in_bash_block) for every documented command line."""
    out = []
    for f in ["README.md"] + sorted(glob.glob("docs/*.md")):
        lines = open(f, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^```(\w*)\s*$", lines[i])
            if not m:
                i += 1
                continue
            lang, start = m.group(1), i + 1
            i += 1
            block = []
            while i < len(lines) and not lines[i].startswith("```"):
                block.append((i + 1, lines[i]))
                i += 1
            i += 1
            bash = lang in ("bash", "sh", "shell")
            joined, buf, first = [], "", None
            for n, l in block:
                if first is None:
                    first = n
                if l.rstrip().endswith("\\"):
                    buf += l.rstrip()[:-1] + " "
                    continue
                if bash and unclosed_quote(buf + l):  # a quoted argument goes on on the next line
                    buf += l + " "
                    continue
                joined.append((first, buf + l))
                buf, first = "", None
            for n, l in joined:
                s = l.strip()
                if not s or s.startswith("#"):
                    continue
                if bash:
                    out.append((f"{f}:{n}", s, True))
                elif re.match(r"^(\$ )?\./meterhub\b", s):
                    out.append((f"{f}:{n}", s[2:] if s.startswith("$ ") else s, False))
    return out


def unclosed_quote(s):
    try:
        shlex.split(s, comments=True)
        return False
    except ValueError:
        return True


def run(cmd, timeout, shell=False):
    return subprocess.run(cmd, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


# ---- mvn ------------------------------------------------------------------------------------------
mvn_done = {}


def check_mvn(where, s):
    args = shlex.split(s, comments=True)
    if "install" in args:
        return fail(where, "`mvn install` is not a documented step: use `-pl <module> -am package` (fresh clone, shared ~/.m2)")
    if "-o" in args or "--offline" in args:
        return fail(where, "-o fails on a fresh machine (nothing downloaded yet); leave it to the reader")
    tests = [a.split("=", 1)[1] for a in args if a.startswith("-Dtest=")]
    if tests:
        for t in tests:
            for name in t.split(","):
                if not glob.glob(f"*/src/test/java/**/{name}.java", recursive=True):
                    fail(where, f"test class {name} does not exist")
        args = ["test-compile" if a == "test" else a for a in args if not a.startswith("-Dtest=")
                and not a.startswith("-Dsurefire.failIfNoSpecifiedTests")]
    key = " ".join(args)
    if key in mvn_done:
        return ok(where, f"{key} (ran above)") if mvn_done[key] else fail(where, f"{key} failed above")
    r = run(args, timeout=1800)
    mvn_done[key] = r.returncode == 0
    if r.returncode != 0:
        fail(where, f"{key} exited {r.returncode}:\n{r.stdout[-3000:]}")
    else:
        ok(where, key)


# ---- ./meterhub -----------------------------------------------------------------------------------
helps = {}


def help_of(chain):
    key = tuple(chain)
    if key not in helps:
        r = run(["java", "-jar", APP_JAR, *chain, "--help"], timeout=120)
        helps[key] = r.stdout if r.returncode == 0 else None
    return helps[key]


def check_meterhub(where, s):
    s = re.sub(r"\s&\s*(#.*)?$", r" \1", s)  # backgrounded in the docs
    code = s.split(" #")[0]
    expected_exit = 0
    m = re.search(r"#\s*exit (\d+)", s)
    if m:
        expected_exit = int(m.group(1))
    words = code.split()[1:]
    chain = []
    for w in words:
        if not re.match(r"^[a-z][a-z0-9-]*$", w) or len(chain) == 3:
            break
        chain.append(w)
    if not chain and words and words[0] in ("--help", "-h"):
        chain = []
    while chain and help_of(chain) is None:
        chain.pop()
    text = help_of(chain)
    if text is None or (not chain and words and re.match(r"^[a-z]", words[0])):
        return fail(where, f"no such command: meterhub {' '.join(words[:2])}")
    top = help_of([])
    missing = []
    for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", code))):
        if opt == "--help":
            continue
        pattern = re.escape(opt) + r"(?![a-z0-9-])"
        if not re.search(pattern, text) and not (top and re.search(pattern, top)):
            missing.append(opt)
    if missing:
        return fail(where, f"meterhub {' '.join(chain)} has no option {', '.join(missing)}")
    if chain and chain[0] == "decode":
        r = run(["java", "-jar", APP_JAR, *shlex.split(code)[1:]], timeout=120)
        if r.returncode != expected_exit:
            return fail(where, f"exited {r.returncode}, the docs say {expected_exit}:\n{r.stdout}")
        return ok(where, f"meterhub {' '.join(words)} ran, exit {r.returncode}")
    ok(where, f"meterhub {' '.join(chain)}: options exist")


# ---- java -----------------------------------------------------------------------------------------
def jar_entries(jar):
    """The jar's entries, and for the benchmarks jar JMH's own list of its benchmarks."""
    with zipfile.ZipFile(jar) as z:
        names = set(z.namelist())
    listed = run(["java", "-jar", jar, "-l"], timeout=120).stdout if jar == BENCH_JAR else ""
    return names, listed


jars = {}


def check_java(where, s):
    classes = set(re.findall(r"\borg\.meterhub\.[\w.]*[A-Z]\w*", s))
    m = re.search(r"java\b.*?-jar\s+(\S+)\s+(\w+)", s)
    if not classes and not m:
        return fail(where, "a java command without an org.meterhub class or a JMH benchmark")
    for c in sorted(classes):
        jar = BENCH_JAR if c.startswith("org.meterhub.benchmarks.") else APP_JAR
        if jar not in jars:
            jars[jar] = jar_entries(jar)
        if c.replace(".", "/") + ".class" not in jars[jar][0]:
            fail(where, f"{c} is not in {jar}")
            continue
        if c in SMOKE:
            args = SMOKE.pop(c)
            r = run(["java", "-Xmx512m", "-cp", jar, c, *args], timeout=300)
            if r.returncode != 0:
                fail(where, f"{c} {' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}")
            else:
                ok(where, f"{c} {' '.join(args)} ran")
        else:
            ok(where, f"{c} is in {jar}")
    if m and m.group(1).endswith("benchmarks.jar"):
        if BENCH_JAR not in jars:
            jars[BENCH_JAR] = jar_entries(BENCH_JAR)
        if not re.search(r"\." + re.escape(m.group(2)) + r"\.", jars[BENCH_JAR][1]):
            fail(where, f"no JMH benchmark {m.group(2)} in {BENCH_JAR}")
        else:
            ok(where, f"JMH benchmark {m.group(2)} exists")


# ---- dispatch -------------------------------------------------------------------------------------
def check(where, s, env):
    for k, v in env.items():
        s = s.replace("$" + k, v).replace("${" + k + "}", v)
    m = re.match(r"^([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\s;]*)\s*(;\s*(.*))?$", s)
    if m and not m.group(2).startswith("$("):
        env[m.group(1)] = m.group(2).strip("\"'")
        if m.group(4):
            check(where, m.group(4), env)
        return
    first = s.split()[0]
    if first == "mvn":
        return check_mvn(where, s)
    bare = re.sub(ENV_PREFIX, "", s)
    if bare.startswith("./meterhub"):
        return check_meterhub(where, bare)
    if first == "./run-tests":
        return ok(where, "./run-tests is what runs this check")
    if first == "curl":
        return ok(where, "curl: not run here (the HTTP API has its own tests)")
    if first in ("promtool", "systemd-analyze"):
        if first == "systemd-analyze" and not shutil.which(first):
            return ok(where, "systemd-analyze is not installed here (the units are checked where it is)")
        r = run(shlex.split(s, comments=True), 120)
        return ok(where, f"{first} exits 0") if r.returncode == 0 \
            else fail(where, f"{first} exited {r.returncode}: {r.stdout.strip()[-400:]}")
    if first in ("useradd", "install", "mkdir", "chown", "systemctl", "journalctl"):
        missing = [w for w in shlex.split(s, comments=True) if w.startswith("ops/") and not os.path.exists(w)]
        return fail(where, f"names files that do not exist: {missing}") if missing \
            else ok(where, f"{first}: sets up a box, not run here")
    if first.startswith("scripts/"):
        # Project scripts: services.sh (which ./run-tests ran before this check) runs timescaledb.sh.
        return ok(where, f"{first} is an executable script") if os.access(first, os.X_OK) \
            else fail(where, f"{first} is missing or not executable")
    if first == "cp":
        src = shlex.split(s)[1]
        return ok(where, f"{src} exists") if os.path.exists(src) else fail(where, f"{src} does not exist")
    if first == "flock":
        rest = shlex.split(s, comments=True)[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[1:]
        return check(where, " ".join(shlex.quote(a) for a in rest[1:]), env)
    if re.search(r"\bjava\b", s):
        return check_java(where, s)
    fail(where, f"check-docs.sh has no rule for this command (add one): {s}")


cmds = commands()
# Builds first: the other checks use what they build.
order = sorted(cmds, key=lambda c: 0 if c[1].startswith("mvn") and "-Dtest=" not in c[1] else 1)
env_by_block = {}
for where, s, bash in order:
    env = env_by_block.setdefault(where.split(":")[0], {})
    try:
        check(where, s, env)
    except subprocess.TimeoutExpired as e:
        fail(where, f"timed out: {e}")
for c, args in SMOKE.items():
    fail("scripts/check-docs.sh", f"{c} is in SMOKE but no documented command names it")
print(f"check-docs: {len(cmds)} documented commands, {len(failures)} failures", flush=True)
sys.exit(1 if failures else 0)
PY
