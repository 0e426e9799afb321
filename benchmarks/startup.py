"""Start-up: whole `govreport` processes against bare jieba processes, side by side.

Every figure is a whole process, as a user starts it (`python -m pipeline …`,
the same as the `govreport` script), timed alternately with its bare-jieba
counterpart in one run so that a busy machine slows both alike; medians of
`--repeat` runs (default 5):

  1. one document: `govreport extract corpus/<report> -o OUT` (a fresh OUT each
     time, so nothing is skipped) against
     `python -c "import jieba; jieba.lcut(open(F).read())"` on the same file;
  2. `govreport --help` and `govreport --version`;
  3. short documents: `govreport extract DIR -o OUT --jobs 1` over 300 short
     documents against one bare jieba process cutting the same files;
  4. `--jobs 2` against `--jobs 1` over 800 short documents, with two bounds
     on what two cores could give: "perfect split", `--jobs 1`'s wall time
     against `--jobs 2`'s CPU time split perfectly over 2 cores (the jobs' CPU
     times are about equal, and `--jobs 1` already runs its main process
     beside its worker); and "Amdahl", `--jobs 1`'s wall time against the
     same run with its time extracting halved and the rest (start-up,
     forking, the tables at the end: no worker shortens it) kept. The time
     extracting is the one `extract`'s summary line prints; the two jobs'
     times extracting are printed as well;
  5. peak RSS of each kind of process (the largest of its processes), and the
     CPU time (user + system, children included): on a busy machine, wall
     times stretch, CPU times much less.

Short documents are excerpts of about 800 characters: by default cut from the
bundled report with their numbers varied; `--source DIR` takes the `*.txt` of
DIR instead (e.g. a folder of real reports), repeated to the counts above.

The cost of creating a file in the output folder is printed first: `extract`
creates one JSON file a document, and on an ext4 file system without a
journal the kernel skips every recently deleted inode one by one when it
creates a file, so for some minutes after many files were deleted (a test
suite, an earlier benchmark's clean-up) a creation costs up to 50 times more
and the main process's system time swells. The outputs of every run are kept
until the end, so that runs never slow each other that way.

    python benchmarks/startup.py [--repeat 5] [--source DIR]
Not a test: it prints figures, it asserts nothing. Ratios are what to read
on a shared machine; the load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "corpus" / "nankai-gov-office-2025.txt"
JIEBA_ONE = "import jieba; jieba.lcut(open({path!r}, encoding='utf-8').read())"
JIEBA_DIR = ("import jieba, pathlib; "
             "[jieba.lcut(p.read_text(encoding='utf-8')) for p in sorted(pathlib.Path({path!r}).rglob('*.txt'))]")


class Run(NamedTuple):
    wall: float  # seconds
    rss: float  # peak RSS, MB, the largest of the process and its children
    cpu: float  # seconds, user + system, the process and its children
    extracting: float | None  # seconds, from extract's summary line: the part more workers shorten


EXTRACTING = re.compile(r"\((\d+\.\d+)s extracting\)")


def timed(cmd: list[str], env: dict) -> Run:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode not in (0,):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    found = EXTRACTING.search(err)
    return Run(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, found and float(found.group(1)))


def creation_cost(folder: Path, n: int = 400) -> float:
    """Milliseconds to create, write and close one small file in `folder`."""
    folder.mkdir()
    t = time.perf_counter()
    for i in range(n):
        fd = os.open(folder / f"f{i}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        os.write(fd, b"{}" * 2048)
        os.close(fd)
    return (time.perf_counter() - t) / n * 1000


def excerpts(source: Path | None, n: int, seed: int = 11) -> list[str]:
    """n short documents (~800 characters each)."""
    rng = random.Random(seed)
    if source is not None:
        texts = [p.read_text(encoding="utf-8") for p in sorted(source.rglob("*.txt"))]
        if not texts:
            raise SystemExit(f"{source}: no *.txt files")
        return [texts[i % len(texts)] for i in range(n)]
    lines = [ln for ln in REPORT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    title = lines[0]
    out = []
    for i in range(n):
        start = rng.randrange(1, len(lines))
        body, size = [title], len(title)
        j = start
        while size < 800:
            body.append(lines[j % len(lines)])
            size += len(body[-1])
            j += 1
        text = "\n".join(body) + "\n"
        # vary the numbers so no two documents are the same
        out.append(re.sub(r"(?<![\d.])\d{1,3}(?=[次件项个名%])", lambda m: str(rng.randint(1, 999)), text))
    return out


def write_docs(folder: Path, docs: list[str]) -> None:
    folder.mkdir(parents=True)
    for i, d in enumerate(docs):
        (folder / f"doc{i:04d}.txt").write_text(d, encoding="utf-8")


def alternate(named: dict[str, callable], repeat: int) -> dict[str, list[Run]]:
    """Run each callable `repeat` times, interleaved (a, b, a, b, …)."""
    got: dict[str, list[Run]] = {k: [] for k in named}
    for _ in range(repeat):
        for k, fn in named.items():
            got[k].append(fn())
    return got


def med(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu for r in runs)


def peak(runs: list[Run]) -> float:
    return max(r.rss for r in runs)


def extracting(runs: list[Run]) -> float:
    return statistics.median(r.extracting for r in runs)


def ceiling(one_job: list[Run]) -> float:
    """The most any number of workers could give over `--jobs 1`, by Amdahl's
    law on 2 cores: the run's time outside extracting (start-up, forking the
    first worker, the tables at the end) stays, the time extracting halves."""
    wall = med(one_job)
    return wall / (wall - extracting(one_job) / 2)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5; medians)")
    ap.add_argument("--source", type=Path, default=None,
                    help="folder of *.txt short documents to repeat (default: excerpts of the bundled report)")
    ap.add_argument("--short", type=int, default=300, help="documents for the short-document ratio (300)")
    ap.add_argument("--jobs-docs", type=int, default=800, help="documents for the --jobs 2 speed-up (800)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: one,help,short,jobs")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))

    py = sys.executable
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # As installed (pip compiles every module): bytecode cached, in a folder of
    # its own so that neither the checkout nor site-packages is written to.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "govreport-startup-pycache")
    work = Path(tempfile.mkdtemp(prefix="govreport-startup-"))
    counter = iter(range(10 ** 9))

    def govreport(*a: str, out: bool = False):
        def run():
            extra = ["-o", str(work / f"out{next(counter)}")] if out else []
            return timed([py, "-m", "pipeline", *a, *extra], env)
        return run

    def jieba(code: str):
        return lambda: timed([py, "-c", code], env)

    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average at start "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, creating a file "
              f"{creation_cost(work / 'probe'):.3f} ms")
        # warm-up: bytecode, jieba's own cache in the temp folder, govreport's
        # cache, the page cache
        for _ in range(2):
            timed([py, "-c", JIEBA_ONE.format(path=str(REPORT))], env)
            govreport("extract", str(REPORT), "-q", out=True)()
            govreport("--help")()
        rows = []
        if "one" not in skip:
            r = alternate({"govreport": govreport("extract", str(REPORT), "-q", out=True),
                           "jieba": jieba(JIEBA_ONE.format(path=str(REPORT)))}, args.repeat)
            rows.append(("one document (extract, whole process)", f"{med(r['govreport']):.3f} s",
                         f"bare jieba {med(r['jieba']):.3f} s",
                         f"{med(r['jieba']) / med(r['govreport']):.2f}x faster (target >= 1.5)",
                         f"RSS {peak(r['govreport']):.0f} MB (jieba {peak(r['jieba']):.0f} MB)",
                         f"CPU {cpu(r['govreport']):.3f} s (jieba {cpu(r['jieba']):.3f} s)"))
        if "help" not in skip:
            r = alternate({"help": govreport("--help"), "version": govreport("--version")}, args.repeat)
            rows.append(("govreport --help", f"{med(r['help']):.3f} s", "", "(target < 0.15 s)",
                         f"RSS {peak(r['help']):.0f} MB", f"CPU {cpu(r['help']):.3f} s"))
            rows.append(("govreport --version", f"{med(r['version']):.3f} s", "", "(target < 0.15 s)",
                         f"RSS {peak(r['version']):.0f} MB", f"CPU {cpu(r['version']):.3f} s"))
        if "short" not in skip:
            short = work / "short"
            write_docs(short, excerpts(args.source, args.short))
            chars = sum(len(p.read_text(encoding="utf-8")) for p in short.iterdir())
            r = alternate({"govreport": govreport("extract", str(short), "--jobs", "1", "-q", out=True),
                           "jieba": jieba(JIEBA_DIR.format(path=str(short)))}, args.repeat)
            rows.append((f"{args.short} short documents (~{chars // args.short} chars), --jobs 1",
                         f"{med(r['govreport']):.3f} s", f"bare jieba {med(r['jieba']):.3f} s",
                         f"ratio {med(r['jieba']) / med(r['govreport']):.2f} (target >= 1.0)",
                         f"RSS {peak(r['govreport']):.0f} MB (jieba {peak(r['jieba']):.0f} MB)",
                         f"CPU {cpu(r['govreport']):.3f} s (jieba {cpu(r['jieba']):.3f} s)"))
        if "jobs" not in skip:
            many = work / "many"
            write_docs(many, excerpts(args.source, args.jobs_docs, seed=12))
            # without -q: the summary line gives the time spent extracting
            r = alternate({"1": govreport("extract", str(many), "--jobs", "1", out=True),
                           "2": govreport("extract", str(many), "--jobs", "2", out=True)}, args.repeat)
            rows.append((f"{args.jobs_docs} short documents, --jobs 2 vs --jobs 1",
                         f"{med(r['2']):.3f} s", f"--jobs 1 {med(r['1']):.3f} s",
                         f"speed-up {med(r['1']) / med(r['2']):.2f}x (target >= 1.8; "
                         f"perfect split {med(r['1']) / (cpu(r['2']) / 2):.2f}x; "
                         f"Amdahl {ceiling(r['1']):.2f}x: {med(r['1']) - extracting(r['1']):.3f} s not extracting; "
                         f"extracting {extracting(r['1']):.3f} s -> {extracting(r['2']):.3f} s, "
                         f"{extracting(r['1']) / extracting(r['2']):.2f}x)",
                         f"RSS {peak(r['2']):.0f} MB (largest process)",
                         f"CPU {cpu(r['2']):.3f} s (--jobs 1 {cpu(r['1']):.3f} s)"))
        width = [max(len(row[i]) for row in rows) for i in range(6)]
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, width)).rstrip())
        print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}, creating a file "
              f"{creation_cost(work / 'probe-end'):.3f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
