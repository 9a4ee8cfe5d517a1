"""PyTorch CUDA side of `pnpm bench:gpu` (run with /usr/bin/python3).

  python3 peer_torch_gpu.py '{"RNN": {...}, "LM": {...}, "GEN": {...}, "smoke": false}'

Prints one JSON line: {"torch", "device", "rows": [{model, tokS, ms, peak, genMs}]} or {"error": why}.
Same models as the JavaScript side: Embedding -> LSTM/GRU -> Linear with Adam, a pre-norm GELU
transformer LM (nn.TransformerEncoder, causal mask, learned positions, tied head), greedy B=1 generation.
"""
import json
import sys
import time


def main():
    cfg = json.loads(sys.argv[1])
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"error": f"torch not importable ({e})"}))
        return
    if not torch.cuda.is_available():
        print(json.dumps({"error": f"torch {torch.__version__} sees no CUDA device"}))
        return
    dev = torch.device("cuda")
    torch.manual_seed(0)
    rows = []

    def timed(step, warmup, steps):
        for _ in range(warmup):
            step()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        ms = []
        for _ in range(steps):
            t0 = time.perf_counter()
            step()
            torch.cuda.synchronize()
            ms.append((time.perf_counter() - t0) * 1000)
        return sorted(ms)[len(ms) // 2], torch.cuda.max_memory_allocated()

    r = cfg["RNN"]
    B, T, E, H, V = r["B"], r["T"], r["E"], r["H"], r["V"]
    x = torch.randint(0, V, (B, T), device=dev)
    y = torch.randint(0, V, (B, T), device=dev)
    for kind in ("lstm", "gru"):
        emb = torch.nn.Embedding(V, E).to(dev)
        rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(E, H, batch_first=True).to(dev)
        head = torch.nn.Linear(H, V).to(dev)
        opt = torch.optim.Adam([*emb.parameters(), *rnn.parameters(), *head.parameters()], lr=1e-3)

        def step():
            opt.zero_grad()
            h, _ = rnn(emb(x))
            torch.nn.functional.cross_entropy(head(h).reshape(-1, V), y.reshape(-1)).backward()
            opt.step()

        ms, peak = timed(step, r["warmup"], r["steps"])
        rows.append({"model": kind.upper(), "tokS": B * T * 1000 / ms, "ms": ms, "peak": peak})
        g = cfg["GEN"]
        gemb = torch.nn.Embedding(V, E).to(dev)
        grnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(E, g["H"], batch_first=True).to(dev)
        ghead = torch.nn.Linear(g["H"], V).to(dev)
        with torch.no_grad():
            tok = torch.zeros((1, 1), dtype=torch.long, device=dev)
            state = None
            n = 5 if cfg["smoke"] else 100
            for _ in range(10):
                _, state = grnn(gemb(tok), state)
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(n):
                h, state = grnn(gemb(tok), state)
                tok = ghead(h[:, -1]).argmax(-1, keepdim=True)
                tok.item()  # the JS side reads each token back too
            rows.append({"model": f"{kind.upper()} generation", "genMs": (time.perf_counter() - t0) * 1000 / n})

    c = cfg["LM"]
    B, T, V, D = c["B"], c["T"], c["V"], c["D"]
    emb = torch.nn.Embedding(V, D).to(dev)
    pos = torch.nn.Parameter(torch.randn(T, D, device=dev) * 0.02)
    layer = torch.nn.TransformerEncoderLayer(D, c["heads"], 4 * D, 0.0, "gelu", batch_first=True, norm_first=True)
    enc = torch.nn.TransformerEncoder(layer, c["L"]).to(dev)
    norm = torch.nn.LayerNorm(D).to(dev)
    params = [*emb.parameters(), pos, *enc.parameters(), *norm.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.randint(0, V, (B, T), device=dev)
    y = torch.randint(0, V, (B, T), device=dev)
    mask = torch.triu(torch.full((T, T), float("-inf"), device=dev), 1)

    def lm_step():
        opt.zero_grad()
        h = norm(enc(emb(x) + pos, mask=mask))
        logits = h @ emb.weight.t()
        torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1)).backward()
        opt.step()

    ms, peak = timed(lm_step, 1, 1 if cfg["smoke"] else 3)
    rows.append({"model": "transformer LM", "tokS": B * T * 1000 / ms, "ms": ms, "peak": peak})
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "rows": rows}))


if __name__ == "__main__":
    main()
