"""The scale of SDLM's curvature estimate against the paper's (issue 17): ``python -m bench.curvature``.

The paper (section III) reports that with ε = 0.0005 and μ = 0.02 the per-parameter rates
ε / (μ + h_kk) of its first pass ran from about 7 × 10⁻⁵ to 0.016 — so every h_kk it estimated
was between about 0.011 and 7.1. This prints, for LeNet-5 at the paper's initialisation (or at
``--weights``), on the 500 training images a pass's estimate uses:

- per parameter tensor, the range of h_kk (``lenet.sdlm.diagonal_hessian``) and of the rates;
- E[x²] of every layer's states (an F6 weight's h is 2 f'² E[x_C5²] ≤ 2.62 E[x_C5²]);
- the exact diagonal of the Gauss–Newton matrix (autograd Jacobians of the F6 states, on
  ``--exact`` images), which keeps the cross terms between the connections that share a weight,
  as a ratio to the estimate;
- the uniform factor c on h that would put each end of our rate range on the paper's.

Reads only training images; nothing here is chosen on validation or the test set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from lenet.data import DEFAULT_DATA_DIR, load_split
from lenet.model import SQRT_FAN_IN_INIT, build_model, sqrt_fan_in_
from lenet.sdlm import HESSIAN_SAMPLES, PAPER_FIRST_PASS_RATES, PAPER_MU, diagonal_hessian, paper_rate


def exact_gauss_newton(model: torch.nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mean over ``x`` of 2 Σ_m (∂x_m/∂w_k)², x_m the 84 F6 states: the diagonal of the
    Gauss–Newton matrix of y_D (∂²y_D/∂x_m² = 2), cross terms between shared connections kept."""
    from torch.func import functional_call, jacrev, vmap

    params = {n: p.detach() for n, p in model.named_parameters()}

    def f6(p, xi):
        return functional_call(model, p, (xi[None],), {"f6_only": True})[0]

    forward = model.forward
    model.forward = lambda inp, f6_only=False: model.forward_intermediates(inp)["F6"] if f6_only else forward(inp)
    try:
        jac = vmap(jacrev(f6), in_dims=(None, 0))(params, x)  # name → (B, 84, *shape)
    finally:
        model.forward = forward
    return {n: 2 * j.square().sum(1).mean(0) for n, j in jac.items()}


def measure(
    weights: Path | None, data_dir: Path, mu: float, exact: int, seed: int = 0, sqrt_fan_in: bool = False
) -> dict:
    torch.manual_seed(seed)
    if weights is not None:
        from lenet.checkpoint import load_model

        model = load_model("lenet5", path=weights)
    else:
        model = build_model("lenet5")
        if sqrt_fan_in:
            sqrt_fan_in_(model)
    model.eval()
    x, _ = load_split("fit", data_dir)
    probe = x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:HESSIAN_SAMPLES]]
    eps = paper_rate(1)
    h = diagonal_hessian(model, probe)
    named = {n: h[p] for n, p in model.named_parameters()}
    every = torch.cat([v.flatten() for v in named.values()])
    rate = eps / (mu + every)
    out = {
        "weights": str(weights) if weights else (SQRT_FAN_IN_INIT if sqrt_fan_in else "the paper's initialisation "
                                                 "(appendix A)") + ", seed 0",
        "epsilon": eps, "mu": mu, "samples": HESSIAN_SAMPLES,
        "rates": {"min": float(rate.min()), "max": float(rate.max()), "cap": eps / mu,
                  "share_h_below_mu": float((every < mu).float().mean()),
                  "percentiles_1_50_99": torch.quantile(rate, torch.tensor([0.01, 0.5, 0.99])).tolist(),
                  "share_in_paper_range": float(((rate >= PAPER_FIRST_PASS_RATES[0])
                                                 & (rate <= PAPER_FIRST_PASS_RATES[1])).float().mean())},
        "paper_rates": list(PAPER_FIRST_PASS_RATES),
        "paper_h": [eps / PAPER_FIRST_PASS_RATES[1] - PAPER_MU, eps / PAPER_FIRST_PASS_RATES[0] - PAPER_MU],
        "h": {n: {"min": float(v.min()), "median": float(v.median()), "max": float(v.max())} for n, v in named.items()},
    }  # fmt: skip
    lo_h, hi_h = out["paper_h"]
    out["uniform_factor_for_paper_min_rate"] = hi_h / float(every.max())  # the largest h onto 7.1
    out["uniform_factor_for_paper_max_rate"] = lo_h / float(every.min())  # the smallest h onto 0.011
    with torch.no_grad():
        acts = model.forward_intermediates(probe)
    out["mean_square_states"] = {
        k: {"min": float(v.square().mean(0).min()), "median": float(v.square().mean(0).median())}
        for k, v in acts.items()
        if k in ("input", "C1", "S2", "C3", "S4", "C5", "F6")
    }
    if exact:
        gn = exact_gauss_newton(model, probe[:exact])
        small = diagonal_hessian(model, probe[:exact])
        est = {n: small[p] for n, p in model.named_parameters()}
        out["exact_over_estimate"] = {
            n: float((gn[n] / est[n].clamp_min(1e-30)).median()) for n in gn
        }  # median per tensor, same images
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="SDLM's curvature scale against the paper's first-pass rates.")
    p.add_argument("--weights", type=Path, help="a LeNet-5 .safetensors (default: the paper's initialisation)")
    p.add_argument(
        "--sqrt-fan-in",
        action="store_true",
        help="at ±2.4/√F instead of the paper's written ±2.4/F (lenet.model.sqrt_fan_in_)",
    )
    p.add_argument("--mu", type=float, default=PAPER_MU, help="μ for the rates (the paper's 0.02)")
    p.add_argument("--exact", type=int, default=100, help="images for the exact Gauss–Newton diagonal (0: skip)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    r = measure(args.weights, args.data_dir, args.mu, args.exact, sqrt_fan_in=args.sqrt_fan_in)
    if args.json:
        print(json.dumps(r))
        return 0
    rr = r["rates"]
    print(f"{r['weights']}; ε {r['epsilon']}, μ {r['mu']}, h on {r['samples']} training images")
    print(f"rates {rr['min']:.2e} .. {rr['max']:.2e} (cap {rr['cap']:.3g}); h < μ for "
          f"{100 * rr['share_h_below_mu']:.1f}% of the parameters. The paper: {r['paper_rates'][0]:.0e} .. "
          f"{r['paper_rates'][1]}, i.e. h "
          f"{r['paper_h'][0]:.3f} .. {r['paper_h'][1]:.2f}")  # fmt: skip
    lo, mid, hi = rr["percentiles_1_50_99"]
    print(f"{100 * rr['share_in_paper_range']:.1f}% of the parameters' rates lie in the paper's range; "
          f"percentiles 1 / 50 / 99: {lo:.2e} / {mid:.2e} / {hi:.2e}")  # fmt: skip
    for n, v in r["h"].items():
        ratio = r.get("exact_over_estimate", {}).get(n)
        extra = f"   exact GN / estimate {ratio:.2f}" if ratio is not None else ""
        print(f"  {n:15s} h {v['min']:.1e} .. {v['max']:.1e} (median {v['median']:.1e}){extra}")
    print("E[x²] of the states (min, median over units): " + ", ".join(
        f"{k} {v['min']:.1e}/{v['median']:.1e}" for k, v in r["mean_square_states"].items()))  # fmt: skip
    print(f"a uniform factor c on h would need c = {r['uniform_factor_for_paper_min_rate']:.3g} for the paper's "
          f"smallest rate and c = {r['uniform_factor_for_paper_max_rate']:.3g} for its largest")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
