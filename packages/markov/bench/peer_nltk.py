#!/usr/bin/env python3
"""nltk peer for bench/run.mjs. Reads a JSON job on stdin, prints JSON results on stdout.

Jobs:
  {"task": "ngram", "train": [[words]], "valid": [[words]], "order": 5, "budget_s": 20}
      KneserNeyInterpolated: fit time, then perplexity over as many validation n-grams as fit
      in budget_s (nltk scores each word by scanning every higher-order n-gram, so it is slow).
  {"task": "hmm", "states": S, "symbols": K, "sequence": [ints], "start": [...], "transitions": [[...]],
   "emissions": [[...]], "iterations": n, "viterbi_steps": m}
      One or more Baum-Welch iterations (HiddenMarkovModelTrainer.train_unsupervised) and a
      Viterbi decode (HiddenMarkovModelTagger.best_path).
Memory is the growth of the peak resident set size during the task (ru_maxrss).
"""
import json
import resource
import sys
import time


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ngram(job):
    from nltk.lm import KneserNeyInterpolated
    from nltk.lm.preprocessing import padded_everygram_pipeline

    order = job["order"]
    base = peak_mb()
    t0 = time.perf_counter()
    train, vocab = padded_everygram_pipeline(order, job["train"])
    lm = KneserNeyInterpolated(order)
    lm.fit(train, vocab)
    fit_s = time.perf_counter() - t0
    tokens = sum(len(s) for s in job["train"])
    # score validation n-grams until the budget runs out
    grams = []
    for s in job["valid"]:
        p = ["<s>"] * (order - 1) + s + ["</s>"]
        grams.extend(tuple(p[i - order + 1 : i + 1]) for i in range(order - 1, len(p)))
    t1 = time.perf_counter()
    scored = 0
    total = 0.0
    for g in grams:
        total += lm.logscore(g[-1], list(g[:-1]))
        scored += 1
        if time.perf_counter() - t1 > job["budget_s"]:
            break
    score_s = time.perf_counter() - t1
    # nltk's Kneser-Ney gives unseen words probability 0, so this is often infinite (JSON null)
    ppl = 2 ** (-total / max(1, scored))
    return {
        "train_tokens": tokens,
        "fit_s": fit_s,
        "scored": scored,
        "score_s": score_s,
        "perplexity_partial": ppl if ppl != float("inf") else None,
        "peak_mb_growth": peak_mb() - base,
    }


def hmm(job):
    from nltk.probability import ConditionalProbDist, DictionaryConditionalProbDist, DictionaryProbDist
    from nltk.tag.hmm import HiddenMarkovModelTagger, HiddenMarkovModelTrainer

    S, K = job["states"], job["symbols"]
    states, symbols = list(range(S)), list(range(K))
    priors = DictionaryProbDist({s: job["start"][s] for s in states})
    trans = DictionaryConditionalProbDist(
        {i: DictionaryProbDist({j: job["transitions"][i][j] for j in states}) for i in states}
    )
    outs = DictionaryConditionalProbDist(
        {i: DictionaryProbDist({k: job["emissions"][i][k] for k in symbols}) for i in states}
    )
    model = HiddenMarkovModelTagger(symbols, states, trans, outs, priors)
    seq = job["sequence"]
    base = peak_mb()
    trainer = HiddenMarkovModelTrainer(states, symbols)
    t0 = time.perf_counter()
    trainer.train_unsupervised([[(o, None) for o in seq]], model=model, max_iterations=job["iterations"])
    bw_s = time.perf_counter() - t0
    vseq = seq[: job["viterbi_steps"]]
    t1 = time.perf_counter()
    model.best_path(vseq)
    vit_s = time.perf_counter() - t1
    return {
        "steps": len(seq),
        "iterations": job["iterations"],
        "bw_s": bw_s,
        "viterbi_steps": len(vseq),
        "viterbi_s": vit_s,
        "peak_mb_growth": peak_mb() - base,
    }


if __name__ == "__main__":
    job = json.load(sys.stdin)
    import nltk

    out = ngram(job) if job["task"] == "ngram" else hmm(job)
    out["version"] = nltk.__version__
    print(json.dumps(out))
