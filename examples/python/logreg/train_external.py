#!/usr/bin/env python3
"""The logistic regression of train.py, trained outside the cluster through curfew's report API.

    CURFEW_API_TOKEN=... python3 train_external.py --experiment logreg-external-1 [--api URL]

Takes runs of the experiment until none is left: each trains with its parameters, reports an
eval every eval_every_tokens, and stops when curfew says so. Standard library only.
"""
import argparse
import sys

sys.dont_write_bytecode = True  # importing train.py must leave no __pycache__ in the example

import os
import random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from curfew_client import Curfew  # noqa: E402
import train as logreg  # noqa: E402


def train_run(run):
    params = dict(run.params)
    args = argparse.Namespace(features=int(params.get("features", 16)), train_examples=4000,
                              val_examples=1000, label_noise=0.1, seed=int(params.get("seed", 0)))
    lr, batch_size = float(params.get("lr", 0.1)), int(params.get("batch_size", 32))
    train, val = logreg.synthetic(args)
    per_example = args.features + 1
    every = run.eval_every_tokens or run.budget_tokens // 40
    w, b, step, tokens, next_eval = [0.0] * args.features, 0.0, 0, 0, every
    print(f"{run.run_id}: lr {lr}, budget {run.budget_tokens} tokens", flush=True)
    while tokens + per_example <= run.budget_tokens:
        rng = random.Random(args.seed * 1_000_003 + step)
        batch = [train[rng.randrange(len(train))] for _ in range(batch_size)]
        batch = batch[: max(1, (run.budget_tokens - tokens) // per_example)]
        gw, gb = [0.0] * args.features, 0.0
        for x, y in batch:
            err = logreg.sigmoid(sum(a * c for a, c in zip(x, w)) + b) - y
            gw = [g + err * a for g, a in zip(gw, x)]
            gb += err
        w = [wi - lr * g / len(batch) for wi, g in zip(w, gw)]
        b -= lr * gb / len(batch)
        step, tokens = step + 1, tokens + len(batch) * per_example
        if tokens >= next_eval or tokens + per_example > run.budget_tokens:
            em, loss = logreg.evaluate(w, b, val)
            decision = run.report(step, tokens, em=em, loss=loss, lr=lr)
            next_eval += every
            if run.should_stop:
                print(f"{run.run_id}: curfew stops it at step {step} ({decision['reason']})", flush=True)
                break
    print(f"{run.run_id}: {run.finish()}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", required=True)
    p.add_argument("--api", default=None, help="the report API (default CURFEW_API_URL or http://127.0.0.1:7878)")
    a = p.parse_args()
    curfew = Curfew(a.api)
    trained = 0
    while (run := curfew.take_run(a.experiment)) is not None:
        train_run(run)
        trained += 1
    print(f"trained {trained} runs; experiment {curfew.experiment(a.experiment)['status']}", flush=True)


if __name__ == "__main__":
    main()
