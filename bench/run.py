#!/usr/bin/env python3
"""Whole-process benchmarks of nerx against `wc -w` and compromise.

Prepares its inputs from ../shared (prose-5mb.txt and the .txt files of
../shared/eval, concatenated to at least 50 MB), times every command with
hyperfine (medians of several runs, all in the same run so that ratios are
fair on a noisy machine), measures peak memory with /usr/bin/time -v, and
prints Markdown tables.

  bench/run.py [--nerx build/nerx] [--runs 5] [--compromise] [--memory] [--scaling]

Needs hyperfine and GNU time (Debian: apt-get install hyperfine time);
--compromise needs node and npm and installs compromise into the work folder.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MB = 1_000_000


def die(msg):
    sys.exit(f"bench: {msg}")


def hyperfine(commands, runs, warmup=1, shell=True):
    """Median wall time in seconds of each command, measured in one run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = ["hyperfine", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
                "--export-json", out.name]
        if not shell:
            args.append("-N")
        subprocess.run(args + commands, check=True, stdout=subprocess.DEVNULL)
        results = json.load(open(out.name))["results"]
    return [statistics.median(r["times"]) for r in results]


def peak_rss_mb(command):
    """Peak resident memory of a shell command, from GNU time -v."""
    r = subprocess.run(["/usr/bin/time", "-v", "sh", "-c", command + " > /dev/null"],
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        die(f"failed ({r.returncode}): {command}\n{r.stderr[-2000:]}")
    for line in r.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    die("no memory figure from /usr/bin/time")


def sha(path_or_cmd):
    out = subprocess.run(path_or_cmd, shell=True, check=True, stdout=subprocess.PIPE).stdout
    return hashlib.sha256(out).hexdigest()


def prepare(work):
    prose = SHARED / "bench" / "prose-5mb.txt"
    evals = sorted((SHARED / "eval").glob("*/*.txt"))
    if not prose.exists():
        die(f"{prose} not found: the benchmark inputs come from ../shared")
    big = work / "big.txt"
    if not big.exists() or big.stat().st_size < 50 * MB:
        with open(big, "wb") as out:
            while out.tell() < 50 * MB:
                for f in [prose] + evals:
                    out.write(f.read_bytes())
                    out.write(b"\n\n")
    sample = work / "sample-1mb.txt"
    if not sample.exists():
        data = big.read_bytes()[: 1 * MB]
        sample.write_bytes(data[: data.rfind(b"\n\n")])
    one = work / "one-line.txt"
    one.write_text("Ishaq Dar visited Kabul.\n")
    return big, sample, one


def table(title, header, rows):
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nerx", default=str(ROOT / "build" / "nerx"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "nerx-bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--compromise", action="store_true", help="also time compromise (npm)")
    ap.add_argument("--memory", action="store_true", help="peak memory on 1 GB inputs and 100,000 files")
    ap.add_argument("--scaling", action="store_true", help="a 1,000,000-entry user list")
    args = ap.parse_args()
    nerx = str(Path(args.nerx).resolve())
    if not Path(nerx).exists():
        die(f"{nerx} not found: build first (cmake --build build)")
    for tool in ["hyperfine", "/usr/bin/time"]:
        if not shutil.which(tool):
            die(f"{tool} not found: apt-get install hyperfine time")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    big, sample, one = prepare(work)
    size = big.stat().st_size
    print(f"input: {big} ({size / MB:.1f} MB); nerx: {nerx}; medians of {args.runs} runs")

    # Throughput, one thread unless -j says otherwise, JSON Lines to /dev/null.
    cmds = [f"wc -w {big}", f"{nerx} {big}", f"{nerx} --input lines {big}",
            f"{nerx} --input lines -j 2 {big}"]
    times = hyperfine(cmds, args.runs)
    wc = times[0]
    rows = [[f"`{c.replace(nerx, 'nerx').replace(str(big), 'big.txt')}`", f"{t:.2f}",
             f"{size / MB / t:.1f}", f"{t / wc:.1f}"] for c, t in zip(cmds, times)]
    table("Throughput (50 MB)", ["command", "median s", "MB/s", "× wc -w"], rows)
    same = sha(f"{nerx} --input lines {big}") == sha(f"{nerx} --input lines -j 2 {big}")
    print(f"\n-j 2 speed-up over -j 1 (lines): {times[2] / times[3]:.2f}×; output identical: {same}")

    # Start-up: one line, full default model.
    start = hyperfine([f"{nerx} {one}"], 30, warmup=5, shell=False)
    rss = peak_rss_mb(f"{nerx} {one}")
    table("Start-up (one line, full default model)", ["command", "median ms", "peak RSS MB"],
          [["`nerx one-line.txt`", f"{start[0] * 1000:.1f}", f"{rss:.1f}"]])

    if args.compromise:
        node_dir = work / "node"
        if not (node_dir / "node_modules" / "compromise").exists():
            node_dir.mkdir(exist_ok=True)
            subprocess.run(["npm", "install", "--prefix", str(node_dir), "--no-audit", "--no-fund",
                            "compromise@14"], check=True, stdout=subprocess.DEVNULL)
        script = node_dir / "compromise.mjs"
        shutil.copy(ROOT / "bench" / "compromise.mjs", script)
        ssize = sample.stat().st_size
        t = hyperfine([f"node {script} {sample}", f"{nerx} {sample}", f"wc -w {sample}"],
                      max(1, min(args.runs, 3)))
        table(f"compromise (1 MB sample, {ssize / MB:.2f} MB)",
              ["command", "median s", "MB/s", "nerx speed-up"],
              [["`node compromise.mjs sample`", f"{t[0]:.2f}", f"{ssize / MB / t[0]:.3f}", ""],
               ["`nerx sample`", f"{t[1]:.3f}", f"{ssize / MB / t[1]:.1f}", f"{t[0] / t[1]:.0f}×"],
               ["`wc -w sample`", f"{t[2]:.3f}", f"{ssize / MB / t[2]:.1f}", ""]])

    if args.memory:
        gb = work / "1gb.txt"
        if not gb.exists():
            with open(gb, "wb") as out:
                chunk = big.read_bytes()
                while out.tell() < 1000 * MB:
                    out.write(chunk)
        jl = work / "1gb.jsonl"
        if not jl.exists():
            lines = [l for l in big.read_text(errors="replace").splitlines() if l.strip()]
            with open(jl, "w") as out:
                n = 0
                while out.tell() < 1000 * MB:
                    for text in lines:
                        out.write(json.dumps({"n": n, "text": text}) + "\n")
                        n += 1
        folder = work / "100k"
        if not folder.exists():
            folder.mkdir()
            words = sample.read_text().split()
            rnd = random.Random(7)
            for i in range(100_000):
                sub = folder / f"{i // 1000:03d}"
                sub.mkdir(exist_ok=True)
                start_at = rnd.randrange(len(words) - 200)
                (sub / f"{i:06d}.txt").write_text(" ".join(words[start_at:start_at + 150]) + "\n")
        rows = [["1 GB text file, one document", f"{peak_rss_mb(f'{nerx} {gb}'):.0f}"],
                ["1 GB JSON Lines stream", f"{peak_rss_mb(f'{nerx} --input jsonl < {jl}'):.0f}"],
                ["1 GB JSON Lines, -j 2", f"{peak_rss_mb(f'{nerx} -j 2 --input jsonl < {jl}'):.0f}"],
                ["100,000 small files (-r)", f"{peak_rss_mb(f'{nerx} -r {folder}'):.0f}"]]
        table("Peak memory", ["input", "peak RSS MB"], rows)

    if args.scaling:
        lst = work / "1m.tsv"
        if not lst.exists():
            rnd = random.Random(11)
            syll = ["ka", "lo", "mi", "ra", "ten", "vo", "sha", "ber", "dun", "qui", "zel", "pra"]
            with open(lst, "w") as out:
                for i in range(1_000_000):
                    name = " ".join("".join(rnd.choice(syll) for _ in range(3)).capitalize()
                                    for _ in range(rnd.randint(1, 3)))
                    out.write(f"{name}\t{rnd.choice(['PERSON', 'LOCATION', 'ORGANIZATION'])}\n")
        model = work / "1m.nerxmodel"
        compile_t = hyperfine([f"{nerx} compile -o {model} --gazetteer {lst}"], 1, warmup=0)[0]
        load = hyperfine([f"{nerx} {one}", f"{nerx} --model {model} {one}"], 20, warmup=3, shell=False)
        tput = hyperfine([f"{nerx} --input lines {big}", f"{nerx} --input lines --model {model} {big}"],
                         args.runs)
        table("A 1,000,000-entry user list", ["measure", "value"],
              [["`nerx compile` of 1,000,000 entries", f"{compile_t:.1f} s"],
               ["start-up with `--model` (one line)", f"{load[1] * 1000:.1f} ms "
                f"(default model alone: {load[0] * 1000:.1f} ms)"],
               ["throughput with the list / without", f"{tput[1] / tput[0]:.2f}× the time"]])


if __name__ == "__main__":
    main()
