"""PyTorch CPU side of the memory benchmark: one model and length per process (run with /usr/bin/python3).

  python3 peer_torch_memory.py '{"model": "lstm", "T": 64, "B": 32, "E": 64, "H": 256, "threads": 1}'

Prints one JSON line: RSS before the first step and the peak RSS over three steps (ru_maxrss), MiB,
and the fastest step's ms. Same models as the JavaScript side (Adam; the transformer is pre-norm GELU
with a causal mask, learned positions and a tied head).
"""
import json
import resource
import sys
import time

import torch


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main():
    a = json.loads(sys.argv[1])
    torch.set_num_threads(a.get("threads", 1))
    torch.manual_seed(0)
    V, B, T = 65, a["B"], a["T"]
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, V, (B, T))
    if a["model"] == "transformer":
        D = a["D"]
        emb = torch.nn.Embedding(V, D)
        pos = torch.nn.Parameter(torch.randn(T, D) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(D, a["heads"], 4 * D, 0.0, "gelu", batch_first=True, norm_first=True)
        enc = torch.nn.TransformerEncoder(layer, a["L"])
        norm = torch.nn.LayerNorm(D)
        params = [*emb.parameters(), pos, *enc.parameters(), *norm.parameters()]
        mask = torch.triu(torch.full((T, T), float("-inf")), 1)

        def logits():
            return norm(enc(emb(x) + pos, mask=mask)) @ emb.weight.t()
    else:
        emb = torch.nn.Embedding(V, a["E"])
        rnn = (torch.nn.LSTM if a["model"] == "lstm" else torch.nn.GRU)(a["E"], a["H"], batch_first=True)
        head = torch.nn.Linear(a["H"], V)
        params = [*emb.parameters(), *rnn.parameters(), *head.parameters()]

        def logits():
            return head(rnn(emb(x))[0])

    opt = torch.optim.Adam(params, lr=1e-3)
    before = rss_mib()
    ms = []
    for _ in range(3):
        t0 = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(logits().reshape(-1, V), y.reshape(-1)).backward()
        opt.step()
        ms.append((time.perf_counter() - t0) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rssBeforeMiB": before, "peakRssMiB": peak, "ms": min(ms), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
