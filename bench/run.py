#!/usr/bin/env python3
"""Whole-process benchmarks of nerx against `wc -w` and compromise.

Prepares its inputs from ../shared (prose-5mb.txt and the .txt files of
../shared/eval, concatenated to at least 50 MB), times every command with
hyperfine (medians of several runs, all in the same run so that ratios are
fair on a noisy machine), measures peak memory with /usr/bin/time -v, and
prints Markdown tables.

  bench/run.py [--nerx build/nerx] [--work DIR] [--runs 5] [--compromise] [--memory] [--scaling]
               [--no-throughput]

--memory measures the peak resident memory (GNU time) of nerx with the full
default model, JSON Lines to /dev/null, -j 1 and -j 2, on three inputs it
generates in --work: a 1 GB text file given as one document, a 1 GB
`--input jsonl` stream of paragraphs of 500-5000 characters, and a folder
tree of 100,000 articles of 500-5000 characters (`-r`). It then runs each
command again with its output checked: one record per input, in input order,
entity offsets that slice the input, and -j 2 output identical to -j 1.
It takes about 20 minutes on 2 cores; `--no-throughput --memory` runs it
alone, and --memory-mb / --memory-files make a quick try of it.

Needs hyperfine and GNU time (Debian: apt-get install hyperfine time);
--compromise needs node and npm and installs compromise into the work folder.
"""
import argparse
import codecs
import hashlib
import json
import os
import random
import re
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


# --- Peak memory (--memory) -------------------------------------------------

MEMORY_TARGET_MB = 150
ENTITY = re.compile(rb'\{"text":("(?:[^"\\]|\\.)*"),"type":"[A-Z]+","start":(\d+),"end":(\d+)')


def source_paragraphs():
    """Paragraphs (blank-line separated) of prose-5mb.txt and the eval texts."""
    out = []
    for f in [SHARED / "bench" / "prose-5mb.txt"] + sorted((SHARED / "eval").glob("*/*.txt")):
        text = f.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        out += [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    return out


def articles(paragraphs, seed, low=500, high=5000):
    """Endless texts of low to high characters: consecutive paragraphs joined by
    blank lines, the last one cut at a sentence (or word) end if it is too long."""
    rnd = random.Random(seed)
    i = rnd.randrange(len(paragraphs))
    while True:
        target = rnd.randint(low, high)
        parts, size = [], 0
        while size < target:
            p = paragraphs[i % len(paragraphs)]
            i += 1
            room = high - size - (2 if parts else 0)
            if len(p) > room:
                cut = p.rfind(". ", 0, room)
                cut = cut + 1 if cut > 0 else p.rfind(" ", 0, room)
                if cut <= 0:
                    if size >= low:
                        break
                    continue
                p = p[:cut]
            parts.append(p)
            size += len(p) + (2 if len(parts) > 1 else 0)
        yield "\n\n".join(parts)


def memory_inputs(work, size_mb, files):
    """The three inputs of --memory, made once (a size in the name, so other sizes are remade)."""
    need = 2 * size_mb * MB + files * 7000
    text = work / f"mem-text-{size_mb}mb.txt"
    jsonl = work / f"mem-records-{size_mb}mb.jsonl"
    folder = work / f"mem-files-{files}"
    missing = [p for p in (text, jsonl, folder) if not p.exists()]
    if missing and shutil.disk_usage(work).free < need:
        die(f"--memory needs about {need / 1e9:.1f} GB free in {work}")
    paragraphs = None
    if not text.exists():  # the sources, concatenated again and again
        tmp = text.with_suffix(".part")
        sources = [SHARED / "bench" / "prose-5mb.txt"] + sorted((SHARED / "eval").glob("*/*.txt"))
        data = b"".join(f.read_bytes().rstrip(b"\n") + b"\n\n" for f in sources)
        with open(tmp, "wb") as out:
            while out.tell() < size_mb * MB:
                out.write(data)
        tmp.rename(text)
    if not jsonl.exists():  # {"id": N, "text": "..."}, a paragraph or a few
        paragraphs = paragraphs or source_paragraphs()
        tmp = jsonl.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as out:
            for n, t in enumerate(articles(paragraphs, seed=5)):
                if out.tell() >= size_mb * MB:
                    break
                out.write(json.dumps({"id": n, "text": t}, ensure_ascii=False) + "\n")
        tmp.rename(jsonl)
    if not folder.exists():  # FOLDER/a/b/NNNNNN.txt, 1,000 articles a folder
        paragraphs = paragraphs or source_paragraphs()
        tmp = folder.with_suffix(".part")
        shutil.rmtree(tmp, ignore_errors=True)
        for n, t in zip(range(files), articles(paragraphs, seed=7)):
            sub = tmp / f"{n // 10000:02d}" / f"{n // 1000 % 10:02d}"
            if n % 1000 == 0:
                sub.mkdir(parents=True)
            (sub / f"{n:06d}.txt").write_text(t + "\n", encoding="utf-8")
        tmp.rename(folder)
    return text, jsonl, folder


def time_v(cmd, stdin_path=None):
    """Peak RSS (MB of 10^6 bytes) and wall time (s) of cmd, output to /dev/null, from GNU time -v."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as report:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        r = subprocess.run(["/usr/bin/time", "-v", "-o", report.name] + cmd, stdin=stdin,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if stdin_path:
            stdin.close()
        if r.returncode != 0:
            die(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:].decode(errors='replace')}")
        fields = dict(l.strip().rsplit(": ", 1) for l in report.read().splitlines() if ": " in l)
    rss = int(fields["Maximum resident set size (kbytes)"]) * 1024 / MB
    wall = 0.0
    for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
        wall = wall * 60 + float(part)
    return rss, wall


class Codepoints:
    """Slices of a big UTF-8 file by code point offsets, read forwards in chunks.
    Invalid bytes count as one code point each, as nerx counts them."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.base, self.buf, self.eof = 0, "", False

    def slice(self, start, end):
        if start < self.base:
            raise ValueError(f"offsets go backwards ({start} after {self.base})")
        if start - self.base > 16 * MB:
            self.buf = self.buf[start - self.base:]
            self.base = start
        while self.base + len(self.buf) < end and not self.eof:
            chunk = self.file.read(16 * MB)
            self.eof = not chunk
            self.buf += self.decoder.decode(chunk, final=self.eof)
        return self.buf[start - self.base:end - self.base]


def fix_text(s):
    """As nerx writes entity texts: invalid bytes become U+FFFD."""
    return re.sub("[\udc80-\udcff]", "\ufffd", s)


def check_record(line, want_fields, text_slice, problems):
    """One output record: its fields (ignoring any not in want_fields) and every
    entity's offsets, which must slice the input (text_slice(start, end))
    into the entity's text. Returns the number of entities."""
    head, sep, rest = line.partition(b'"entities":[')
    if not sep or not rest.endswith(b"]}"):
        problems.append(f"not a record with entities: {line[:200]!r}")
        return 0
    fields = json.loads(head.rstrip(b",") + b"}")
    for k, v in want_fields.items():
        if fields.get(k) != v:
            problems.append(f"record {want_fields}: {k} is {fields.get(k)!r}")
            return 0
    n, last = 0, -1
    for m in ENTITY.finditer(rest):
        start, end = int(m[2]), int(m[3])
        if start < last or end <= start:
            problems.append(f"record {want_fields}: entity offsets out of order at {start}")
            return n
        got = text_slice(start, end)
        if fix_text(got) != json.loads(m[1]):
            problems.append(f"record {want_fields}: [{start}:{end}] is {got!r}, not {m[1]!r}")
            return n
        n, last = n + 1, start
    if rest.count(b'{"text":') != n:
        problems.append(f"record {want_fields}: entities not in the expected form")
    return n


def check_output(cmd, expected, stdin_path=None):
    """Runs cmd and checks its JSON Lines against `expected`, an iterator of
    (fields, text_slice) per input record in input order. Returns the record
    count, the entity count, the output's sha256 and a list of problems."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE)
    digest, problems = hashlib.sha256(), []
    records = entities = 0
    expected = iter(expected)
    for line in proc.stdout:
        digest.update(line)
        records += 1
        want = next(expected, None)
        if want is None:
            problems.append(f"more records than inputs ({records})")
            continue
        if len(problems) < 5:
            entities += check_record(line.rstrip(b"\n"), want[0], want[1], problems)
    if proc.wait() != 0:
        problems.append(f"exit status {proc.returncode}")
    if stdin_path:
        stdin.close()
    if next(expected, None) is not None:
        problems.append(f"fewer records ({records}) than inputs")
    return records, entities, digest.hexdigest(), problems


def memory(nerx, work, size_mb, files):
    """Peak RSS of the three cases of issue 5, -j 1 and -j 2, and output checks."""
    print(f"\nmaking the --memory inputs in {work} ...", flush=True)
    text, jsonl, folder = memory_inputs(work, size_mb, files)

    def text_records():
        yield {"id": 1, "path": str(text)}, Codepoints(text).slice

    def jsonl_records():
        with open(jsonl, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                yield {"id": r["id"]}, (lambda s, e, t=r["text"]: t[s:e])

    def folder_records():
        for n in range(files):
            path = folder / f"{n // 10000:02d}" / f"{n // 1000 % 10:02d}" / f"{n:06d}.txt"
            t = path.read_bytes().decode("utf-8", errors="surrogateescape")
            yield {"id": n + 1, "path": str(path)}, (lambda s, e, t=t: t[s:e])

    with open(jsonl, "rb") as f:
        jsonl_count = sum(1 for _ in f)
    cases = [
        ("text file, one document", text, 1, [str(text)], None, text_records),
        ("`--input jsonl` < stream, records of 0.5-5 KB", jsonl, jsonl_count,
         ["--input", "jsonl"], jsonl, jsonl_records),
        ("`-r` folder tree, files of 0.5-5 KB, 1,000 a folder", folder, files,
         ["-r", str(folder)], None, folder_records),
    ]
    rows, ok = [], True
    for title, path, inputs, args, stdin_path, expected in cases:
        size = (sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                if path.is_dir() else path.stat().st_size)
        row = [title, f"{size / MB:,.0f}", f"{inputs:,}"]
        shas, counts = [], []
        for jobs in (1, 2):
            cmd = [nerx, "-j", str(jobs)] + args
            rss, wall = time_v(cmd, stdin_path)
            print(f"{' '.join(cmd)}: peak RSS {rss:.1f} MB, {wall:.1f} s", flush=True)
            records, entities, digest, problems = check_output(cmd, expected(), stdin_path)
            print(f"  checked: {records:,} records, {entities:,} entities"
                  f"{'; ' + '; '.join(problems[:5]) if problems else ', all as expected'}",
                  flush=True)
            ok = ok and not problems and rss <= MEMORY_TARGET_MB
            shas.append(digest)
            counts.append(f"{records:,}" + ("" if not problems else " (wrong)"))
            row += [f"{rss:.0f}", f"{wall:.1f}"]
        row += [counts[0] if counts[0] == counts[1] else " / ".join(counts),
                "yes" if shas[0] == shas[1] else "**no**"]
        rows.append(row)
    table(f"Peak memory (target: at most {MEMORY_TARGET_MB} MB whatever the input size; "
          "full default model, JSON Lines to /dev/null; MB = 10^6 bytes)",
          ["input", "MB", "inputs", "-j 1 peak RSS MB", "-j 1 s", "-j 2 peak RSS MB", "-j 2 s",
           "records out, in order", "-j 2 = -j 1"], rows)
    print(f"\nall within {MEMORY_TARGET_MB} MB, records checked: {'yes' if ok else '**no**'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nerx", default=str(ROOT / "build" / "nerx"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "nerx-bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--compromise", action="store_true", help="also time compromise (npm)")
    ap.add_argument("--memory", action="store_true",
                    help="peak memory with -j 1 and -j 2 on a 1 GB text, a 1 GB JSON Lines stream "
                    "and 100,000 small files, and checks of their output (about 3 GB in --work)")
    ap.add_argument("--memory-mb", type=int, default=1000,
                    help="--memory: size of the text and of the JSON Lines stream, in MB")
    ap.add_argument("--memory-files", type=int, default=100_000,
                    help="--memory: number of files in the folder")
    ap.add_argument("--no-throughput", action="store_true",
                    help="skip the throughput and start-up tables (only the sections asked for)")
    ap.add_argument("--scaling", action="store_true", help="a 1,000,000-entry user list")
    args = ap.parse_args()
    nerx = str(Path(args.nerx).resolve())
    if not Path(nerx).exists():
        die(f"{nerx} not found: build first (cmake --build build)")
    needs_hyperfine = not args.no_throughput or args.compromise or args.scaling
    for tool in (["hyperfine"] if needs_hyperfine else []) + ["/usr/bin/time"]:
        if not shutil.which(tool):
            die(f"{tool} not found: apt-get install hyperfine time")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    big, sample, one = prepare(work)
    if not args.no_throughput:
        size = big.stat().st_size
        print(f"input: {big} ({size / MB:.1f} MB); nerx: {nerx}; medians of {args.runs} runs")

        # Throughput, one thread unless -j says otherwise, JSON Lines to /dev/null.
        # (The last reads a pipe, as most pipelines do: records must still be
        # batched and spread over the threads.)
        cmds = [f"wc -w {big}", f"{nerx} {big}", f"{nerx} --input lines {big}",
                f"{nerx} --input lines -j 2 {big}", f"cat {big} | {nerx} --input lines -j 2"]
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
        memory(nerx, work, args.memory_mb, args.memory_files)

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
