#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for @strand/attention's equivalence tests.

    /usr/bin/python3 packages/attention/test/make_fixtures.py

PyTorch 1.13 (Debian python3-torch), float64, dropout=0, eval() mode, batch_first=True.
Each fixture holds the module's state_dict, the inputs, the masks in PyTorch's convention
(bool, True = masked), the output, and the gradients of loss = sum(output * R) with respect to the
inputs and to every state_dict entry. The tests load the weights into Strand (float32) and compare.
"""
import json
import os

import torch

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
os.makedirs(OUT, exist_ok=True)


def t2j(t):
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": [round(float(x), 9) for x in t.flatten().tolist()]}


def bool2j(t):
    return {"shape": list(t.shape), "data": [1 if x else 0 for x in t.flatten().tolist()]}


def randomize(module):
    # PyTorch zeroes the attention biases at init; random values exercise every term.
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)


def finish(name, module, inputs, out, extra):
    r = torch.randn_like(out)
    loss = (out * r).sum()
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(loss, list(inputs.values()) + list(params.values()))
    n = len(inputs)
    fixture = {
        "torch": torch.__version__,
        "stateDict": {k: t2j(v) for k, v in module.state_dict().items()},
        "inputs": {k: t2j(v) for k, v in inputs.items()},
        "output": t2j(out),
        "r": t2j(r),
        "inputGrads": {k: t2j(g) for k, g in zip(inputs.keys(), grads[:n])},
        "paramGrads": {k: t2j(g) for k, g in zip(params.keys(), grads[n:])},
        **extra,
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(name, "output", list(out.shape))


def mha_case(name, e, h, kdim, vdim, bias, self_attention, use_attn_mask, use_kpm):
    m = torch.nn.MultiheadAttention(e, h, bias=bias, kdim=kdim, vdim=vdim, batch_first=True).double().eval()
    randomize(m)
    b, tq, tk = 2, 3, 4
    if self_attention:
        tk = tq
        x = torch.randn(b, tq, e, dtype=torch.float64, requires_grad=True)
        inputs = {"x": x}
        q = k = v = x
    else:
        q = torch.randn(b, tq, e, dtype=torch.float64, requires_grad=True)
        k = torch.randn(b, tk, kdim or e, dtype=torch.float64, requires_grad=True)
        v = torch.randn(b, tk, vdim or e, dtype=torch.float64, requires_grad=True)
        inputs = {"query": q, "key": k, "value": v}
    extra = {"config": {"embedDim": e, "numHeads": h, "kdim": kdim or e, "vdim": vdim or e, "bias": bias}}
    attn_mask = None
    if use_attn_mask:
        if self_attention:
            attn_mask = torch.triu(torch.ones(tq, tk, dtype=torch.bool), diagonal=1)  # True = masked (future)
        else:
            attn_mask = torch.tensor([[False, True, False, False], [True, False, False, True], [False, False, True, False]])
        extra["attnMask"] = bool2j(attn_mask)
    kpm = None
    if use_kpm:
        kpm = torch.zeros(b, tk, dtype=torch.bool)
        kpm[1, -1] = True  # the last key of sequence 1 is padding
        extra["keyPaddingMask"] = bool2j(kpm)
    out, w = m(q, k, v, attn_mask=attn_mask, key_padding_mask=kpm, need_weights=True, average_attn_weights=False)
    extra["weights"] = t2j(w)
    finish(name, m, inputs, out, extra)


def encoder_case(name, norm_first, activation):
    d, h, ff, b, t = 8, 2, 16, 2, 5
    m = torch.nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first).double().eval()
    randomize(m)
    x = torch.randn(b, t, d, dtype=torch.float64, requires_grad=True)
    kpm = torch.zeros(b, t, dtype=torch.bool)
    kpm[1, 3:] = True
    out = m(x, src_key_padding_mask=kpm)
    cfg = {"dModel": d, "numHeads": h, "dimFeedforward": ff, "normFirst": norm_first, "activation": activation}
    finish(name, m, {"x": x}, out, {"config": cfg, "keyPaddingMask": bool2j(kpm)})


def decoder_case(name, norm_first, activation):
    d, h, ff, b, t, s = 8, 2, 16, 2, 4, 5
    m = torch.nn.TransformerDecoderLayer(d, h, ff, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first).double().eval()
    randomize(m)
    x = torch.randn(b, t, d, dtype=torch.float64, requires_grad=True)
    mem = torch.randn(b, s, d, dtype=torch.float64, requires_grad=True)
    tgt_mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    tgt_kpm = torch.zeros(b, t, dtype=torch.bool)
    tgt_kpm[0, 3] = True
    mem_kpm = torch.zeros(b, s, dtype=torch.bool)
    mem_kpm[1, 2:] = True
    out = m(x, mem, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_kpm, memory_key_padding_mask=mem_kpm)
    cfg = {"dModel": d, "numHeads": h, "dimFeedforward": ff, "normFirst": norm_first, "activation": activation}
    extra = {"config": cfg, "tgtMask": bool2j(tgt_mask), "tgtKeyPaddingMask": bool2j(tgt_kpm), "memoryKeyPaddingMask": bool2j(mem_kpm)}
    finish(name, m, {"x": x, "memory": mem}, out, extra)


mha_case("mha-cross-packed", 8, 2, None, None, True, False, True, True)
mha_case("mha-cross-kvdim", 8, 4, 5, 6, False, False, False, True)
mha_case("mha-self-causal", 6, 3, None, None, True, True, True, False)
mha_case("mha-kvdim-bias", 6, 2, 3, 7, True, False, True, False)
encoder_case("encoder-postnorm-relu", False, "relu")
encoder_case("encoder-prenorm-gelu", True, "gelu")
decoder_case("decoder-postnorm-gelu", False, "gelu")
decoder_case("decoder-prenorm-relu", True, "relu")


def stack_cases():
    d, h, ff, b, t, s = 8, 2, 16, 2, 4, 5
    layer = torch.nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    enc = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(d), enable_nested_tensor=False).double().eval()
    randomize(enc)
    x = torch.randn(b, t, d, dtype=torch.float64, requires_grad=True)
    kpm = torch.zeros(b, t, dtype=torch.bool)
    kpm[0, 3] = True
    out = enc(x, src_key_padding_mask=kpm)
    cfg = {"dModel": d, "numHeads": h, "dimFeedforward": ff, "normFirst": True, "activation": "gelu"}
    finish("encoder-stack-prenorm-gelu", enc, {"x": x}, out, {"config": cfg, "keyPaddingMask": bool2j(kpm)})

    layer = torch.nn.TransformerDecoderLayer(d, h, ff, dropout=0.0, activation="relu", batch_first=True, norm_first=False)
    dec = torch.nn.TransformerDecoder(layer, 2, norm=torch.nn.LayerNorm(d)).double().eval()
    randomize(dec)
    x = torch.randn(b, t, d, dtype=torch.float64, requires_grad=True)
    mem = torch.randn(b, s, d, dtype=torch.float64, requires_grad=True)
    tgt_mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    mem_kpm = torch.zeros(b, s, dtype=torch.bool)
    mem_kpm[1, 3:] = True
    out = dec(x, mem, tgt_mask=tgt_mask, memory_key_padding_mask=mem_kpm)
    cfg = {"dModel": d, "numHeads": h, "dimFeedforward": ff, "normFirst": False, "activation": "relu"}
    finish("decoder-stack-postnorm-relu", dec, {"x": x, "memory": mem}, out, {"config": cfg, "tgtMask": bool2j(tgt_mask), "memoryKeyPaddingMask": bool2j(mem_kpm)})


stack_cases()
