#!/usr/bin/env python3
"""A small PyTorch model trained under curfew through its report API (examples/python/curfew_client.py).

    ./setup.sh                                   # Debian's python3-torch, when missing
    CURFEW_API_TOKEN=... /usr/bin/python3 train.py --experiment reverse-torch-1 [--api URL]

The task: sort a sequence of symbols (an exact match of the whole answer counts). Each run of the experiment is
taken from curfew, trained with its parameters (lr, hidden), evaluated every eval_every_tokens,
and stopped when curfew's policy says so. Tokens: input + target symbols of every example.
The two lines that make it a curfew run are marked below.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from curfew_client import Curfew  # noqa: E402


def make_data(n, length, vocab, generator):
    x = torch.randint(0, vocab, (n, length), generator=generator)
    return x, torch.sort(x, dim=1).values


class Sorter(nn.Module):
    def __init__(self, length, vocab, hidden):
        super().__init__()
        self.length, self.vocab = length, vocab
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(length * vocab, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, length * vocab))

    def forward(self, x):
        one_hot = nn.functional.one_hot(x, self.vocab).float()
        return self.net(one_hot).view(-1, self.length, self.vocab)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), y.reshape(-1)).item()
        em = (logits.argmax(-1) == y).all(dim=1).float().mean().item()
    model.train()
    return em, loss


def train_run(run, length=8, vocab=10):
    params = run.params
    seed = int(params.get("seed", 0))
    torch.manual_seed(seed)
    data = torch.Generator().manual_seed(1234)
    train_x, train_y = make_data(20_000, length, vocab, data)
    val_x, val_y = make_data(1_000, length, vocab, data)
    model = Sorter(length, vocab, int(params.get("hidden", 128)))
    optimizer = torch.optim.Adam(model.parameters(), lr=float(params.get("lr", 1e-3)))
    batch_size, per_example = int(params.get("batch_size", 64)), 2 * length
    every = run.eval_every_tokens or run.budget_tokens // 30
    order = torch.Generator().manual_seed(seed)
    step = tokens = 0
    next_eval = every
    while tokens + per_example <= run.budget_tokens:
        # The last batch is cut short so that the run ends on its budget.
        n = min(batch_size, (run.budget_tokens - tokens) // per_example)
        idx = torch.randint(0, len(train_x), (n,), generator=order)
        loss = nn.functional.cross_entropy(model(train_x[idx]).reshape(-1, vocab), train_y[idx].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step, tokens = step + 1, tokens + n * per_example
        if tokens >= next_eval or tokens + per_example > run.budget_tokens:
            em, val_loss = evaluate(model, val_x, val_y)
            run.report(step, tokens, em=em, loss=val_loss, train_loss=loss.item())   # curfew: tell
            next_eval += every
            if run.should_stop:                                                    # curfew: obey
                break
    result = run.finish()
    print(f"{run.run_id}: {result['status']} ({result['stop_reason']}) after {result['tokens_used']} tokens, "
          f"deployed EM {result['deployed_em']}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", required=True)
    p.add_argument("--api", default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    curfew = Curfew(a.api)
    while (run := curfew.take_run(a.experiment)) is not None:
        train_run(run)
    print(f"experiment {a.experiment}: {curfew.experiment(a.experiment)['status']}", flush=True)


if __name__ == "__main__":
    main()
