#!/usr/bin/python3
"""Fixtures for @strand/trainer's losses, optimizers, clipping and schedules, from PyTorch 1.13.

Run from packages/trainer: /usr/bin/python3 test/make_fixtures_optim.py
Writes test/fixtures/{losses,optimizers,clip,schedulers}.json. Deterministic (seeded).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def L(t):
    return t.detach().double().tolist()


def dump(name, data):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"generator": "test/make_fixtures_optim.py", "torch": torch.__version__, **data}, f, indent=None)
        f.write("\n")


# ---------------------------------------------------------------- losses
def ce_case(name, shape, classes, opts, ignore_positions=(), weight=None):
    logits = (torch.randn(*shape, classes) * 2).float()
    targets = torch.randint(0, classes, shape)
    ignore = opts.get("ignore_index", -100)
    flat = targets.view(-1)
    for p in ignore_positions:
        flat[p] = ignore
    x = logits.clone().requires_grad_(True)
    # PyTorch wants the class axis second: [N, C] or [B, C, T].
    xt = x if x.dim() == 2 else x.movedim(-1, 1)
    w = None if weight is None else torch.tensor(weight, dtype=torch.float32)
    loss = F.cross_entropy(xt, targets, weight=w, ignore_index=ignore,
                           reduction=opts.get("reduction", "mean"),
                           label_smoothing=opts.get("label_smoothing", 0.0))
    loss.sum().backward()
    return {
        "name": name, "logits": L(logits), "targets": targets.tolist(), "weight": weight,
        "ignoreIndex": ignore, "labelSmoothing": opts.get("label_smoothing", 0.0),
        "reduction": opts.get("reduction", "mean"), "loss": L(loss), "grad": L(x.grad),
    }


ce = [
    ce_case("2d mean", (6,), 5, {}),
    ce_case("2d mean ignore", (6,), 5, {}, ignore_positions=(1, 4)),
    ce_case("2d sum smoothing", (6,), 5, {"reduction": "sum", "label_smoothing": 0.2}, ignore_positions=(2,)),
    ce_case("2d none smoothing ignore", (6,), 5, {"reduction": "none", "label_smoothing": 0.1}, ignore_positions=(0, 5)),
    ce_case("3d mean smoothing ignore", (2, 4), 7, {"label_smoothing": 0.1, "ignore_index": 0}, ignore_positions=(1, 6)),
    ce_case("3d weighted mean", (2, 3), 4, {}, ignore_positions=(2,), weight=[0.5, 1.0, 2.0, 0.25]),
    ce_case("3d weighted smoothing mean", (2, 3), 4, {"label_smoothing": 0.3}, ignore_positions=(4,), weight=[0.5, 1.0, 2.0, 0.25]),
    ce_case("3d weighted smoothing none", (2, 3), 4, {"label_smoothing": 0.3, "reduction": "none"}, ignore_positions=(4,), weight=[0.5, 1.0, 2.0, 0.25]),
    ce_case("large logits", (3,), 4, {}),
]
ce[-1]["logits"] = [[1000.0, -1000.0, 0.0, 999.0], [-500.0, -501.0, -502.0, -499.0], [80.0, 80.0, 80.0, 80.0]]
x = torch.tensor(ce[-1]["logits"], requires_grad=True)
t = torch.tensor(ce[-1]["targets"])
lv = F.cross_entropy(x, t)
lv.backward()
ce[-1]["loss"] = L(lv)
ce[-1]["grad"] = L(x.grad)


def bce_case(name, shape, opts):
    logits = (torch.randn(*shape) * 3).float()
    targets = (torch.rand(*shape) > 0.6).float()
    pw = opts.get("pos_weight")
    w = opts.get("weight")
    x = logits.clone().requires_grad_(True)
    none = F.binary_cross_entropy_with_logits(
        x, targets, weight=None if w is None else torch.tensor(w), reduction="none",
        pos_weight=None if pw is None else torch.tensor(pw))
    out = {"name": name, "logits": L(logits), "targets": L(targets), "posWeight": pw, "weight": w, "none": L(none)}
    for red in ("mean", "sum"):
        out[red] = L(F.binary_cross_entropy_with_logits(
            logits, targets, weight=None if w is None else torch.tensor(w), reduction=red,
            pos_weight=None if pw is None else torch.tensor(pw)))
    # 'per-step': sum over the label axis, mean over (unmasked) steps.
    mask = opts.get("mask")
    per_step = none.sum(-1)
    if mask is not None:
        m = torch.tensor(mask)
        out["mask"] = mask
        out["perStep"] = L((per_step * m).sum() / m.sum())
        out["meanMasked"] = L((none * m.unsqueeze(-1)).sum() / (m.sum() * shape[-1]))
        out["sumMasked"] = L((none * m.unsqueeze(-1)).sum())
    else:
        out["perStep"] = L(per_step.mean())
    per_step.mean().backward() if mask is None else ((per_step * torch.tensor(mask)).sum() / torch.tensor(mask).sum()).backward()
    out["perStepGrad"] = L(x.grad)
    return out


bce = [
    bce_case("2d", (4, 6), {}),
    bce_case("3d masked", (2, 3, 5), {"mask": [[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]]}),
    bce_case("pos weight", (3, 4), {"pos_weight": [1.0, 2.0, 0.5, 3.0]}),
    bce_case("weight", (3, 4), {"weight": [1.0, 0.0, 2.0, 0.5]}),
]
big = torch.tensor([[100.0, -100.0, 0.0], [-80.0, 80.0, 30.0]])
bt = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
bce.append({"name": "extreme", "logits": L(big), "targets": L(bt), "posWeight": None, "weight": None,
            "none": L(F.binary_cross_entropy_with_logits(big, bt, reduction="none")),
            "mean": L(F.binary_cross_entropy_with_logits(big, bt)),
            "sum": L(F.binary_cross_entropy_with_logits(big, bt, reduction="sum")),
            "perStep": L(F.binary_cross_entropy_with_logits(big, bt, reduction="none").sum(-1).mean())})

mp = torch.randn(2, 3, 4)
mt = torch.randn(2, 3, 4)
mse = {"pred": L(mp), "target": L(mt), "mean": L(F.mse_loss(mp, mt)), "sum": L(F.mse_loss(mp, mt, reduction="sum")),
       "none": L(F.mse_loss(mp, mt, reduction="none"))}
dump("losses.json", {"crossEntropy": ce, "bce": bce, "mse": mse})

# ---------------------------------------------------------------- optimizers
STEPS = 6
init = {"w": torch.randn(3, 4), "b": torch.randn(4)}
grads = [{"w": torch.randn(3, 4), "b": torch.randn(4)} for _ in range(STEPS)]
# Step 3 has no gradient for 'b' (PyTorch: .grad is None -> b not updated, its step count lags).
SKIP = (3, "b")


def run_opt(name, ctor, kwargs, lr_changes=None, matrices_only_decay=False):
    params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    if matrices_only_decay:  # nanoGPT's groups: weight decay on matrices, none on vectors
        groups = [{"params": [params["w"]]}, {"params": [params["b"]], "weight_decay": 0.0}]
        opt = ctor(groups, **kwargs)
    else:
        opt = ctor([params["w"], params["b"]], **kwargs)
    traj = []
    for s in range(STEPS):
        if lr_changes and s in lr_changes:
            for g in opt.param_groups:
                g["lr"] = lr_changes[s]
        for k, p in params.items():
            p.grad = None if (s, k) == SKIP else grads[s][k].clone()
        opt.step()
        traj.append({k: L(p) for k, p in params.items()})
    return {"name": name, "kwargs": kwargs, "lrChanges": lr_changes, "matricesOnlyDecay": matrices_only_decay, "trajectory": traj}


O = torch.optim
opt_cases = [
    ("sgd", run_opt("sgd plain", O.SGD, {"lr": 0.1})),
    ("sgd", run_opt("sgd momentum dampening wd", O.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01})),
    ("sgd", run_opt("sgd nesterov wd", O.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}, {4: 0.02})),
    ("adam", run_opt("adam", O.Adam, {"lr": 0.01})),
    ("adam", run_opt("adam wd amsgrad betas", O.Adam, {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True})),
    ("adamw", run_opt("adamw default decay", O.AdamW, {"lr": 0.01}, {2: 0.005})),
    ("adamw", run_opt("adamw amsgrad", O.AdamW, {"lr": 0.03, "weight_decay": 0.1, "amsgrad": True})),
    ("adamw", run_opt("adamw matrices-only decay", O.AdamW, {"lr": 0.03, "weight_decay": 0.5}, matrices_only_decay=True)),
    ("sgd", run_opt("sgd matrices-only decay", O.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.3}, matrices_only_decay=True)),
    ("rmsprop", run_opt("rmsprop plain", O.RMSprop, {"lr": 0.01})),
    ("rmsprop", run_opt("rmsprop centered momentum wd", O.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weight_decay": 0.02})),
]
dump("optimizers.json", {
    "init": {k: L(v) for k, v in init.items()},
    "grads": [{k: L(v) for k, v in g.items()} for g in grads],
    "skip": list(SKIP),
    "cases": [{"kind": k, **c} for k, c in opt_cases],
})

# ---------------------------------------------------------------- clipping
cg = {"a": torch.randn(3, 4) * 2, "b": torch.randn(5), "c": torch.randn(2, 2, 2) * 0.5}
clip_cases = []
for max_norm, norm_type in [(1.0, 2.0), (0.5, math.inf), (2.0, 1.0), (1.5, 3.0), (1000.0, 2.0)]:
    ps = {k: torch.zeros_like(v, requires_grad=True) for k, v in cg.items()}
    for k, p in ps.items():
        p.grad = cg[k].clone()
    norm = torch.nn.utils.clip_grad_norm_(list(ps.values()), max_norm, norm_type=norm_type)
    clip_cases.append({"maxNorm": max_norm, "normType": "Infinity" if norm_type == math.inf else norm_type,
                       "norm": float(norm), "grads": {k: L(p.grad) for k, p in ps.items()}})
ps = {k: torch.zeros_like(v, requires_grad=True) for k, v in cg.items()}
for k, p in ps.items():
    p.grad = cg[k].clone()
torch.nn.utils.clip_grad_value_(list(ps.values()), 0.7)
dump("clip.json", {"grads": {k: L(v) for k, v in cg.items()}, "norm": clip_cases,
                   "value": {"clipValue": 0.7, "grads": {k: L(p.grad) for k, p in ps.items()}}})

# ---------------------------------------------------------------- schedulers
S = torch.optim.lr_scheduler
N = 30


def lrs(make, base=0.1, steps=N, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sch = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sch.step()
        else:
            sch.step(metrics[i])
        out.append(opt.param_groups[0]["lr"])
    return out


def warm_then(start, warm, then):
    return lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=start, end_factor=1.0, total_iters=warm), then(o)], milestones=[warm])


plateau_min = [1.0, 0.9, 0.85, 0.86, 0.84, 0.85, 0.9, 0.7, 0.71, 0.72, 0.69, 0.7, 0.7, 0.7, 0.5,
               0.5, 0.5, 0.5, 0.5, 0.5, float("nan"), 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
plateau_max = [0.1, 0.2, 0.25, 0.25, 0.251, 0.26, 0.3, 0.3, 0.3, 0.29, 0.35, 0.35, 0.35, 0.35, 0.35,
               0.36, 0.36, 0.36, 0.36, 0.36, 0.36, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
sched = [
    {"name": "constant", "kind": "constant", "config": {}, "lrs": lrs(lambda o: S.LambdaLR(o, lambda e: 1.0))},
    {"name": "step", "kind": "step", "config": {"stepSize": 7, "gamma": 0.5}, "lrs": lrs(lambda o: S.StepLR(o, 7, gamma=0.5))},
    {"name": "exponential", "kind": "exponential", "config": {"gamma": 0.9}, "lrs": lrs(lambda o: S.ExponentialLR(o, 0.9))},
    {"name": "cosine past tMax", "kind": "cosine", "config": {"tMax": 10, "etaMin": 0.001}, "lrs": lrs(lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.001))},
    {"name": "linear", "kind": "linear", "config": {"startFactor": 0.25, "endFactor": 0.75, "totalIters": 8}, "lrs": lrs(lambda o: S.LinearLR(o, 0.25, 0.75, 8))},
    {"name": "warmup only", "kind": "linear-warmup", "config": {"warmupSteps": 5, "startFactor": 0.1}, "lrs": lrs(lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5))},
    {"name": "warmup cosine", "kind": "linear-warmup", "config": {"warmupSteps": 5, "startFactor": 0.1, "then": {"kind": "cosine", "tMax": 25, "etaMin": 0.0}},
     "lrs": lrs(warm_then(0.1, 5, lambda o: S.CosineAnnealingLR(o, 25)))},
    {"name": "warmup step", "kind": "linear-warmup", "config": {"warmupSteps": 4, "startFactor": 1 / 3, "then": {"kind": "step", "stepSize": 5, "gamma": 0.5}},
     "lrs": lrs(warm_then(1 / 3, 4, lambda o: S.StepLR(o, 5, gamma=0.5)))},
    {"name": "one cycle", "kind": "one-cycle", "config": {"maxLr": 0.1, "totalSteps": 30},
     "lrs": lrs(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=30, cycle_momentum=False))},
    {"name": "one cycle custom", "kind": "one-cycle", "config": {"maxLr": 0.5, "totalSteps": 31, "pctStart": 0.25, "divFactor": 10.0, "finalDivFactor": 100.0},
     "lrs": lrs(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=31, pct_start=0.25, div_factor=10.0, final_div_factor=100.0, cycle_momentum=False))},
    {"name": "one cycle three phase linear", "kind": "one-cycle", "config": {"maxLr": 0.2, "totalSteps": 30, "threePhase": True, "annealStrategy": "linear"},
     "lrs": lrs(lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=30, three_phase=True, anneal_strategy="linear", cycle_momentum=False))},
    {"name": "plateau min rel", "kind": "reduce-on-plateau", "config": {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.05, "thresholdMode": "rel", "cooldown": 1, "minLr": 0.01},
     "metrics": plateau_min,
     "lrs": lrs(lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.05, threshold_mode="rel", cooldown=1, min_lr=0.01), metrics=plateau_min)},
    {"name": "plateau max abs", "kind": "reduce-on-plateau", "config": {"mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.005, "thresholdMode": "abs", "cooldown": 2},
     "metrics": plateau_max,
     "lrs": lrs(lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=1, threshold=0.005, threshold_mode="abs", cooldown=2), metrics=plateau_max)},
    {"name": "plateau eps", "kind": "reduce-on-plateau", "config": {"factor": 0.5, "patience": 0, "eps": 0.03},
     "metrics": [1.0] * N,
     "lrs": lrs(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=0, eps=0.03), metrics=[1.0] * N)},
]
for c in sched:
    if "metrics" in c:
        c["metrics"] = ["NaN" if isinstance(m, float) and math.isnan(m) else m for m in c["metrics"]]
dump("schedulers.json", {"baseLr": 0.1, "steps": N, "cases": sched})
print("wrote", OUT)

# ---------------------------------------------------------------- a whole training step, 8 times
# logits = x @ W + b over [B=2, T=3] positions; CE with ignore index and label smoothing;
# clip_grad_norm_(0.5); AdamW; warm-up then cosine, stepped after each update.
torch.manual_seed(99)
x = torch.randn(2, 3, 4)
y = torch.randint(0, 5, (2, 3))
y[1, 2] = -100
W0 = torch.randn(4, 5) * 0.5
b0 = torch.zeros(5)
W = W0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
opt = torch.optim.AdamW([W, b], lr=0.05, weight_decay=0.1)
sch = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.2, end_factor=1.0, total_iters=3), S.CosineAnnealingLR(opt, 5)], milestones=[3])
steps = []
for s in range(8):
    opt.zero_grad()
    logits = x @ W + b
    loss = F.cross_entropy(logits.movedim(-1, 1), y, label_smoothing=0.1)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_([W, b], 0.5)
    lr = opt.param_groups[0]["lr"]
    opt.step()
    sch.step()
    steps.append({"loss": float(loss), "norm": float(norm), "lr": lr})
dump("train.json", {"x": L(x), "y": y.tolist(), "W": L(W0), "b": L(b0), "steps": steps, "finalW": L(W), "finalB": L(b)})
