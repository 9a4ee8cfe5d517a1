"""PyTorch side of `pnpm bench` for @strand/attention (run with /usr/bin/python3, which has torch).

  python3 peer_torch.py '{"threads":1,"lm":{"B":16,"T":128,"V":65,"D":128,"H":4,"L":4},"sweep":[64,128],"sweepB":4,
                          "s2s":{"B":32,"T":10,"V":1000,"U":256},"warmup":1,"steps":3}'

Prints one JSON line. `python3 peer_torch.py --serve '{"threads":1,"lm":{...}}'` runs the LM step on
request instead (see `serve`), for a run that interleaves the two sides.

The models match the JavaScript ones: a pre-norm GELU decoder-only transformer
(embedding + learned positions -> N nn.TransformerEncoderLayer(norm_first=True, causal mask) ->
LayerNorm -> tied output), and a GRU encoder / Bahdanau-attention GRU decoder. Each step is
forward + backward (gradients of the mean cross-entropy), no optimizer update.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


class Lm(torch.nn.Module):
    def __init__(self, V, T, D, H, L):
        super().__init__()
        self.emb = torch.nn.Embedding(V, D)
        self.pos = torch.nn.Parameter(torch.randn(T, D) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(D, H, 4 * D, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.blocks = torch.nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(D)
        self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), 1))

    def forward(self, x):
        T = x.shape[1]
        h = self.emb(x) + self.pos[:T]
        h = self.blocks(h, mask=self.mask[:T, :T])
        return self.norm(h) @ self.emb.weight.t()


class Seq2Seq(torch.nn.Module):
    def __init__(self, V, U):
        super().__init__()
        self.src = torch.nn.Embedding(V, U)
        self.tgt = torch.nn.Embedding(V, U)
        self.enc = torch.nn.GRU(U, U, batch_first=True)
        self.dec = torch.nn.GRUCell(2 * U, U)
        self.wq = torch.nn.Linear(U, U)
        self.wk = torch.nn.Linear(U, U, bias=False)
        self.v = torch.nn.Linear(U, 1, bias=False)
        self.out = torch.nn.Linear(2 * U, V)

    def forward(self, src, tgt_in):
        keys, h = self.enc(self.src(src))
        h = h[0]
        projected = self.wk(keys)
        logits = []
        for t in range(tgt_in.shape[1]):
            scores = self.v(torch.tanh(projected + self.wq(h)[:, None])).squeeze(2)
            a = torch.softmax(scores, 1)
            ctx = (a[:, :, None] * keys).sum(1)
            h = self.dec(torch.cat([self.tgt(tgt_in[:, t]), ctx], 1), h)
            logits.append(self.out(torch.cat([h, ctx], 1)))
        return torch.stack(logits, 1)


def timed(step, warmup, steps):
    for _ in range(warmup):
        step()
    ms = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000)
    return sorted(ms)[len(ms) // 2]


def lm_step(cfg, B, T):
    model = Lm(cfg["V"], T, cfg["D"], cfg["H"], cfg["L"])
    x = torch.randint(0, cfg["V"], (B, T))
    y = torch.randint(0, cfg["V"], (B, T))

    def step():
        model.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, cfg["V"]), y.reshape(-1))
        loss.backward()

    return step


def serve(cfg):
    """Interleaving mode (bench/ratio.mjs): build the LM once, then for each line "N" on stdin run N
    timed steps and print their times in ms as one JSON line; an empty line ends."""
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    lm = cfg["lm"]
    step = lm_step(lm, lm["B"], lm["T"])
    step()
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        n = int(line.strip() or 0)
        if n <= 0:
            break
        ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            step()
            ms.append((time.perf_counter() - t0) * 1000)
        print(json.dumps(ms), flush=True)


def main():
    if sys.argv[1] == "--serve":
        serve(json.loads(sys.argv[2]))
        return
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    w, s = cfg["warmup"], cfg["steps"]
    lm = cfg["lm"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    out["lmMs"] = timed(lm_step(lm, lm["B"], lm["T"]), w, s)
    out["sweepMs"] = {str(T): timed(lm_step(lm, cfg["sweepB"], T), 1, 1) for T in cfg["sweep"]}
    c = cfg["s2s"]
    model = Seq2Seq(c["V"], c["U"])
    src = torch.randint(0, c["V"], (c["B"], c["T"]))
    tgt = torch.randint(0, c["V"], (c["B"], c["T"]))

    def s2s_step():
        model.zero_grad()
        loss = F.cross_entropy(model(src, tgt).reshape(-1, c["V"]), tgt.reshape(-1))
        loss.backward()

    out["s2sMs"] = timed(s2s_step, w, s)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
