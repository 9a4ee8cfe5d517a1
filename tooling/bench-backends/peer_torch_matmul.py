# PyTorch CPU peer for matmul.mjs: GFLOP/s for the same shapes, with the given thread count.
import json, sys, time
import torch

threads = int(sys.argv[1])
shapes = json.loads(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "results": []}
for s in shapes:
    a = torch.randn(*s["a"]); b = torch.randn(*s["b"])
    ta, tb = s.get("transposeA", False), s.get("transposeB", False)
    f = lambda: (a.t() if ta else a) @ (b.t() if tb else b)
    for _ in range(3): f()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.5 or n < 5:
        f(); n += 1
    out["results"].append({"name": s["name"], "ms": (time.perf_counter() - t0) / n * 1e3})
print(json.dumps(out))
