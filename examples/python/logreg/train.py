#!/usr/bin/env python3
"""Logistic regression on a synthetic task, trained under curfew's command trainer.

Standard library only. It reads its run from curfew's environment (CURFEW_RUN_CONFIG,
CURFEW_CHECKPOINT_DIR), prints one eval line per eval, writes its own checkpoint (atomically,
then announces it), resumes from it when curfew restarts the run elsewhere, and exits cleanly
on SIGTERM (curfew's stop). Run it alone too: without curfew it trains to its budget.

Tokens: every training example counts its features plus its label.
"""
import argparse
import json
import math
import os
import random
import signal
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--features", type=int, default=16)
    p.add_argument("--train-examples", type=int, default=4000)
    p.add_argument("--val-examples", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--label-noise", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pace-ms", type=float, default=0.0, help="sleep after each eval (demos and tests)")
    return p.parse_args()


def synthetic(args):
    """A linearly separable task with flipped labels, the same for every run of one seed."""
    rng = random.Random(1000 + args.seed)
    w_true = [rng.gauss(0, 1) for _ in range(args.features)]

    def example():
        x = [rng.gauss(0, 1) for _ in range(args.features)]
        y = 1 if sum(a * b for a, b in zip(x, w_true)) > 0 else 0
        return x, (1 - y if rng.random() < args.label_noise else y)

    return [example() for _ in range(args.train_examples)], [example() for _ in range(args.val_examples)]


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def evaluate(w, b, data):
    loss, correct = 0.0, 0
    for x, y in data:
        p = min(max(sigmoid(sum(a * c for a, c in zip(x, w)) + b), 1e-12), 1 - 1e-12)
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        correct += int((p > 0.5) == (y == 1))
    return correct / len(data), loss / len(data)


def save(folder, state):
    """Writes the step's checkpoint atomically, then tells curfew; keeps the newest three.

    curfew may restart the run from any checkpoint it was told of, so each step has its own file
    (the newest on disk may be one curfew never heard of: the worker died before reading it).
    """
    name = os.path.join(folder, f"checkpoint-{state['step']}.json")
    with open(name + ".tmp", "w") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(name + ".tmp", name)
    print(json.dumps({"curfew": "checkpoint", "step": state["step"], "tokens": state["tokens"]}), flush=True)
    steps = sorted(int(n[11:-5]) for n in os.listdir(folder) if n.startswith("checkpoint-") and n.endswith(".json"))
    for step in steps[:-3]:
        os.remove(os.path.join(folder, f"checkpoint-{step}.json"))


def load(folder, step):
    """The checkpoint curfew resumes the run from (CURFEW_RESUME_STEP), or None: from scratch."""
    if step is None:
        return None
    with open(os.path.join(folder, f"checkpoint-{step}.json")) as f:
        return json.load(f)


def exit_when_curfew_goes():
    """curfew keeps stdin open; end of input means the worker that started us is gone."""
    sys.stdin.read()
    os._exit(0)


def main():
    args = parse_args()
    config = json.loads(os.environ.get("CURFEW_RUN_CONFIG", "{}"))
    # Without curfew (no CURFEW_CHECKPOINT_DIR) it writes no checkpoints.
    folder = os.environ.get("CURFEW_CHECKPOINT_DIR")
    budget = config.get("budget_tokens") or 200_000
    every = config.get("eval_every_tokens") or budget // 40
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if "CURFEW_RUN_CONFIG" in os.environ:
        threading.Thread(target=exit_when_curfew_goes, daemon=True).start()

    train, val = synthetic(args)
    per_example = args.features + 1
    state = (folder and load(folder, config.get("resumed_from_step"))) or {"step": 0, "tokens": 0, "w": [0.0] * args.features, "b": 0.0, "order_seed": args.seed}
    if state["step"] > 0:
        print(f"resumed from step {state['step']} ({state['tokens']} tokens)", flush=True)
    else:
        print(f"training from scratch: lr {args.lr}, {len(train)} examples, budget {budget} tokens", flush=True)
    w, b = state["w"], state["b"]
    next_eval = (state["tokens"] // every + 1) * every
    while state["tokens"] + per_example <= budget:
        # The batch of a step depends on the step alone, so a resumed run trains exactly as before.
        rng = random.Random(state["order_seed"] * 1_000_003 + state["step"])
        batch = [train[rng.randrange(len(train))] for _ in range(args.batch_size)]
        batch = batch[: max(1, (budget - state["tokens"]) // per_example)]
        gw, gb = [0.0] * args.features, 0.0
        for x, y in batch:
            err = sigmoid(sum(a * c for a, c in zip(x, w)) + b) - y
            gw = [g + err * a for g, a in zip(gw, x)]
            gb += err
        w = [wi - args.lr * (g / len(batch) + args.l2 * wi) for wi, g in zip(w, gw)]
        b -= args.lr * gb / len(batch)
        state.update(step=state["step"] + 1, tokens=state["tokens"] + len(batch) * per_example, w=w, b=b)
        if state["tokens"] >= next_eval or state["tokens"] + per_example > budget:
            acc, loss = evaluate(w, b, val)
            print(json.dumps({"curfew": "eval", "step": state["step"], "tokens": state["tokens"],
                              "em": acc, "loss": loss, "lr": args.lr,
                              "val_examples": len(val)}), flush=True)
            if folder:
                save(folder, state)
            next_eval += every
            time.sleep(args.pace_ms / 1000)
    print("trained to the budget", flush=True)


if __name__ == "__main__":
    main()
