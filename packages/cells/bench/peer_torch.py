"""PyTorch side of `pnpm bench` for @strand/cells (run with /usr/bin/python3, which has torch).

  python3 peer_torch.py '{"B":32,"T":64,"E":64,"H":256,"V":65,"threads":1,"warmup":2,"steps":3,"genTokens":50}'

Prints one JSON line: {"torch": version, "threads": n, "lstm": {"trainMs": [...], "genMsPerToken": x}, "gru": {...}}.
The model matches the JavaScript ones: Embedding(V, E) -> LSTM/GRU(E, H, batch_first) -> Linear(H, V),
softmax cross-entropy, Adam(1e-3); generation is one sequence (B = 1), step by step with the state carried.
"""
import json
import sys
import time

import torch


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    B, T, E, H, V = cfg["B"], cfg["T"], cfg["E"], cfg["H"], cfg["V"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, V, (B, T))
    for kind in ("lstm", "gru"):
        emb = torch.nn.Embedding(V, E)
        rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(E, H, batch_first=True)
        head = torch.nn.Linear(H, V)
        params = [*emb.parameters(), *rnn.parameters(), *head.parameters()]
        opt = torch.optim.Adam(params, lr=1e-3)

        def step():
            opt.zero_grad()
            h, _ = rnn(emb(x))
            loss = torch.nn.functional.cross_entropy(head(h).reshape(-1, V), y.reshape(-1))
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(cfg["warmup"]):
            step()
        times = []
        for _ in range(cfg["steps"]):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1000)
        with torch.no_grad():
            tok = torch.zeros((1, 1), dtype=torch.long)
            state = None
            for _ in range(5):
                _, state = rnn(emb(tok), state)
            t0 = time.perf_counter()
            for _ in range(cfg["genTokens"]):
                h, state = rnn(emb(tok), state)
                tok = head(h[:, -1]).argmax(-1, keepdim=True)
            gen = (time.perf_counter() - t0) * 1000 / cfg["genTokens"]
        out[kind] = {"trainMs": times, "genMsPerToken": gen}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
