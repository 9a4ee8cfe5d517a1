"""IRSTLM peer for the ARPA tests (Debian package `irstlm`, binaries in /usr/lib/irstlm/bin).

  python3 peer_irstlm.py fixture OUTDIR
      Makes a small deterministic corpus, builds a 5-gram Kneser-Ney model with IRSTLM
      (build-lm.sh, then compile-lm --text=yes to ARPA) and writes OUTDIR/irstlm-5gram.arpa and
      OUTDIR/irstlm-5gram.json: the training and test sentences and IRSTLM's own scores of the test
      sentences (see `score`). The committed fixture in this folder was made by this command.

  python3 peer_irstlm.py score ARPA < {"test": [[word, ...], ...]}
      Scores sentences with IRSTLM's compile-lm reading ARPA: prints JSON with `eval` (events,
      perplexity to 2 decimals and out-of-vocabulary words, as compile-lm --eval prints them) and
      `scores` (natural-log probability of every word with a full-length context, from
      compile-lm --score, printed by IRSTLM in hexadecimal floating point: exact).

Sentences are written as IRSTLM expects them: `<s> words </s>` per line.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

BIN = "/usr/lib/irstlm/bin"


def run(args, cwd, stdin=None):
    env = dict(os.environ, IRSTLM="/usr/lib/irstlm", PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    out = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out.stdout + out.stderr


def corpus():
    """Short sentences from a tiny grammar: deterministic for the seed (random.choice is stable)."""
    rng = random.Random(7)
    subj = ["the cat", "the dog", "a bird", "my friend", "the old man", "a child"]
    verb = ["sat on", "ran to", "looked at", "sang to", "jumped over", "walked past"]
    obj = ["the mat", "the house", "a tree", "the red door", "the river", "a small box"]
    adv = ["", "quickly", "slowly", "today", "again", ""]
    def sentence():
        return f"{rng.choice(subj)} {rng.choice(verb)} {rng.choice(obj)} {rng.choice(adv)}".split()
    train = [sentence() for _ in range(300)]
    test = [sentence() for _ in range(12)]
    return train, test


def lines(sentences):
    return "".join(f"<s> {' '.join(s)} </s>\n" for s in sentences)


def score(arpa, test):
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(arpa, os.path.join(d, "lm.arpa"))
        with open(os.path.join(d, "test.txt"), "w") as f:
            f.write(lines(test))
        text = run([f"{BIN}/compile-lm", "lm.arpa", "--eval=test.txt"], d)
        m = re.search(r"%% Nw=(\d+) PP=([\d.]+) PPwp=\S+ Nbo=\d+ Noov=(\d+)", text)
        if not m:
            sys.exit(f"no perplexity in compile-lm output: {text[-1000:]}")
        ev = {"events": int(m.group(1)), "perplexity": float(m.group(2)), "oov": int(m.group(3))}
        scored = run([f"{BIN}/compile-lm", "lm.arpa", "--score=yes"], d, stdin=lines(test))
    scores = []
    for line in scored.splitlines():
        m = re.match(r"^> (.+)\t\d+ p= (\S+)", line)
        if m and m.group(2) != "NULL":
            scores.append({"ngram": m.group(1).split(" "), "lnProb": float.fromhex(m.group(2))})
    return {"eval": ev, "scores": scores}


def fixture(outdir):
    train, test = corpus()
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "train.txt"), "w") as f:
            f.write(lines(train))
        run([f"{BIN}/build-lm.sh", "-i", "train.txt", "-n", "5", "-o", "lm.ilm.gz", "-s", "kneser-ney", "-t", "tmp"], d)
        run([f"{BIN}/compile-lm", "--text=yes", "lm.ilm.gz", "lm.arpa"], d)
        os.makedirs(outdir, exist_ok=True)
        shutil.copy(os.path.join(d, "lm.arpa"), os.path.join(outdir, "irstlm-5gram.arpa"))
    result = {"train": train, "test": test, **score(os.path.join(outdir, "irstlm-5gram.arpa"), test)}
    with open(os.path.join(outdir, "irstlm-5gram.json"), "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["fixture"] and len(sys.argv) == 3:
        fixture(sys.argv[2])
    elif sys.argv[1:2] == ["score"] and len(sys.argv) == 3:
        print(json.dumps(score(sys.argv[2], json.load(sys.stdin)["test"])))
    else:
        sys.exit(__doc__)
