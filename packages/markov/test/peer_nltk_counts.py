# Peer check for the n-gram tests: reads {"sentences": [[...]], "order": n, "test": [[...]]} on stdin,
# fits nltk's MLE on the same padded sentences (<s> ... </s>, all n-grams up to n) and prints
# n-gram counts, conditional probabilities and the test perplexity as JSON.
import json
import sys

from nltk.lm import MLE
from nltk.util import everygrams

job = json.load(sys.stdin)
order = job["order"]
padded = [["<s>", *s, "</s>"] for s in job["sentences"]]
lm = MLE(order)
lm.fit([list(everygrams(s, max_len=order)) for s in padded], [w for s in padded for w in s])

counts = {}
for w, c in lm.counts[1].items():
    counts[w] = c
probs = {}
for k in range(2, order + 1):
    for ctx, dist in lm.counts[k].items():
        for w, c in dist.items():
            key = " ".join([*ctx, w])
            counts[key] = c
            if k == order:
                probs[key] = lm.score(w, list(ctx))

test = [["<s>", *s, "</s>"] for s in job["test"]]
grams = [tuple(s[max(0, i - order + 1) : i + 1]) for s in test for i in range(1, len(s))]
print(json.dumps({"counts": counts, "probs": probs, "perplexity": lm.perplexity(grams)}))
