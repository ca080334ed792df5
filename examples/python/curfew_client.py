"""curfew's report API from Python: the standard library only, one file to copy next to your code.

    from curfew_client import Curfew

    curfew = Curfew("http://127.0.0.1:7878", token="...")   # or CURFEW_API_URL / CURFEW_API_TOKEN
    while (run := curfew.take_run("my-experiment-1")) is not None:
        model = build(run.params)                           # the trial's parameters
        for step, tokens in train(model, budget=run.budget_tokens):
            decision = run.report(step, tokens, em=evaluate(model), loss=loss)
            if decision["kind"] == "adjust" and "lrFactor" in decision:
                scale_lr(decision["lrFactor"])
            if run.should_stop:
                break
        run.finish()

An experiment whose spec says `trainer: { external: true }` has its runs taken this way; the
scheduler serves the API when CURFEW_API_TOKEN is set (see the README, "Bring your own training").
"""
import json
import math
import os
import socket
import urllib.error
import urllib.request

__all__ = ["Curfew", "CurfewError", "Run"]


class CurfewError(Exception):
    """The API refused a request (`status` is the HTTP status; 0: unreachable)."""

    def __init__(self, status, message):
        super().__init__(f"curfew API ({status}): {message}" if status else f"curfew API: {message}")
        self.status = status


class Curfew:
    def __init__(self, url=None, token=None, worker=None, timeout=60):
        self.url = (url or os.environ.get("CURFEW_API_URL") or "http://127.0.0.1:7878").rstrip("/")
        self.token = token or os.environ.get("CURFEW_API_TOKEN")
        if not self.token:
            raise CurfewError(0, "no token: pass token= or set CURFEW_API_TOKEN")
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.timeout = timeout

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        })
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read()).get("error", error.reason)
            except ValueError:
                message = error.reason
            raise CurfewError(error.code, message) from None
        except urllib.error.URLError as error:
            raise CurfewError(0, f"{self.url} is unreachable ({error.reason})") from None

    def experiment(self, experiment_id):
        """The experiment's status and its runs."""
        return self.request("GET", f"/v1/experiments/{experiment_id}")

    def take_run(self, experiment_id):
        """The next run of the experiment to train (its attempt has started), or None: none left."""
        taken = self.request("POST", f"/v1/experiments/{experiment_id}/runs", {"worker": self.worker})["run"]
        return None if taken is None else Run(self, taken)


class Run:
    """One run taken from curfew: its parameters, and the calls that report on it."""

    def __init__(self, client, taken):
        self.client = client
        self.run_id = taken["run_id"]
        self.attempt = taken["attempt"]
        self.params = taken["params"]
        self.budget_tokens = taken["budget_tokens"]
        self.eval_every_tokens = taken["eval_every_tokens"]
        self.monitor = taken["monitor"]
        self.mode = taken["mode"]
        #: {"step", "tokens", "path"} of the checkpoint you announced before to resume from, or None.
        self.resume = taken["resume"]
        self.decision = {"kind": "continue"}

    @property
    def should_stop(self):
        """True once curfew answered stop (the policy, a cancel, a diverged metric)."""
        return self.decision["kind"] == "stop"

    def _path(self, what):
        return f"/v1/runs/{self.run_id}/{what}"

    def report(self, step, tokens, val_tokens=None, lr=None, **metrics):
        """Reports one eval (em=…, loss=…, any metric); returns curfew's decision about it."""
        # JSON has no NaN or infinity: they travel as strings (a diverged run is told to stop).
        metrics = {k: (repr(v).replace("inf", "Infinity").replace("nan", "NaN")
                       if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}
        body = {"attempt": self.attempt, "step": step, "tokens": tokens, "metrics": metrics}
        if val_tokens is not None:
            body["val_tokens"] = val_tokens
        if lr is not None:
            body["lr"] = lr
        self.decision = self.client.request("POST", self._path("evals"), body)["decision"]
        return self.decision

    def checkpoint(self, step, tokens, path=None):
        """Announces a checkpoint you wrote: a later attempt of this run may resume from it."""
        body = {"attempt": self.attempt, "step": step, "tokens": tokens}
        if path:
            body["path"] = str(path)
        self.client.request("POST", self._path("checkpoints"), body)

    def finish(self):
        """Ends the run from what it reported (curfew works out its status and deployed EM)."""
        return self.client.request("POST", self._path("finish"), {"attempt": self.attempt})

    def fail(self, reason, retry=False):
        """Ends this attempt as failed; `retry`: the run goes back for another trainer to take."""
        return self.client.request("POST", self._path("finish"),
                                   {"attempt": self.attempt, "failed": str(reason), "retry": retry})
