"""Supervisor side (trusted): from one case's batches to the per-call figure each side is
charged, the speedup, and its confidence interval.

Which clock decides (docs/grading.md, "Which clock decides a score"):

- A side's figure is its time per call: the median, over its batches, of the batch's mean
  time per call (a batch is 3-64 calls of fresh inputs).
- For every batch the supervisor reads clocks the worker cannot reach. On CUDA: its own wall
  clock around the batch's device-synchronised calls. On the cpu device: the CPU time of the
  worker's process group (`/proc/<pid>/task/*/schedstat`: the time a busy host keeps the worker
  waiting for a core is not in it), and, for a side that created a process or thread during a
  timed batch (whose CPU time is lost once it exits), the wall clock as well. Each clock's time
  per call, less the harness's own cost per call on that clock, gives an **outside figure**
  (median over batches); the side's outside figure is the largest of its judging clocks'.
- The harness's cost per call on each clock (round trip, unsealing, sending the output) is
  what the trusted baseline's clocks show beyond its in-process times, in the same rounds.
- The in-process figure (CUDA events, or the calling thread's CPU time on the cpu device) may
  only *refine* the outside figure: the figure charged is the in-process one clamped to the
  outside figure plus or minus an allowance: `NOISE_SIGMAS` standard errors of that clock's
  own batch-to-batch noise, measured on the baseline's batches (which the candidate cannot
  touch), plus `HARNESS_SHARE` of the harness's cost per call and `HARNESS_SLACK_NS` (two
  processes running the same harness code do not pay exactly the same for it: what the
  candidate's code leaves in the allocator and the caches moves the harness's own work by up to
  about 10 us per call on a 2-core CPU host), and never more than `NOISE_CAP_SHARE` of the
  outside figure. A candidate who tampers with an in-process timer moves its figure by at
  most that allowance; where the harness's cost dwarfs the call (calls of a few microseconds
  on the CPU), the allowance is wide, and the result says how wide.
- Both sides go through the very same computation, so the same code as candidate and as
  baseline comes out even, whatever the clocks' bias.
- The speedup: where both sides are charged their in-process figures, the median over rounds
  of the ratio of the round's two batch means (`paired_ratio`), held so that the candidate's
  implied figure stays within its band; else the ratio of the two charged figures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from graders.harness import stats

NOISE_SIGMAS = 3.0
HARNESS_SHARE = 0.02
HARNESS_SLACK_NS = {"cpu": 10_000, "cuda": 2_000}
CONFIRM_LIMIT = 0.05  # an allowance wider than this share of the outside figure makes the result noisy
NOISE_CAP_SHARE = 0.25  # the in-process figure never moves the charged figure by more than this share
FLAG_MARGIN = 0.05  # an in-process undercut past the allowance and of more than this share (plus the slack) is flagged
FLAG_SLACK_NS = {"cpu": 2_000, "cuda": 1_000}
MEDIAN_SE = 1.2533 * 1.4826  # standard error of a median, in MADs, times sqrt(n)
MIN_PAIRS = 5  # rounds needed before the paired ratio decides the speedup


@dataclass
class Batch:
    """One batch of `calls` calls of one side: in-process times and the outside clocks (ns)."""

    times: list[int]
    clocks: dict[str, int]

    @property
    def calls(self) -> int:
        return len(self.times)


@dataclass
class Series:
    """One side's batches of one case."""

    batches: list[Batch] = field(default_factory=list)
    spawned: bool = False  # a process or thread was created during one of its timed batches

    def add(self, times: list[int], clocks: dict[str, int | None], spawned: bool = False) -> None:
        self.batches.append(Batch(times=list(times), clocks={k: v for k, v in clocks.items() if v is not None}))
        self.spawned = self.spawned or spawned

    def per_call(self) -> list[int]:
        return [t for b in self.batches for t in b.times]

    def batch_means(self) -> list[float]:
        return [sum(b.times) / b.calls for b in self.batches]

    def clock_names(self) -> set[str]:
        names = [set(b.clocks) for b in self.batches]
        return set.intersection(*names) if names else set()


def median(values: list[float]) -> float:
    return stats.quantile(sorted(values), 0.5)


def mad(values: list[float]) -> float:
    center = median(values)
    return median([abs(v - center) for v in values])


def harness_cost_ns(baseline: Series, clock: str) -> float:
    """The harness's cost per call on `clock`: the trusted side's excess over its in-process times."""
    return median([(b.clocks[clock] - sum(b.times)) / b.calls for b in baseline.batches])


def outside_per_batch(series: Series, clock: str, cost: float) -> list[float]:
    """Per batch, the clock's time per call less the harness's cost per call on it."""
    return [b.clocks[clock] / b.calls - cost for b in series.batches]


def noise_ns(baseline_outside: list[float]) -> float:
    """Standard error of the difference of two medians of the outside clock, from the baseline."""
    if len(baseline_outside) < 2:
        return 0.0
    return math.sqrt(2) * MEDIAN_SE * mad(baseline_outside) / math.sqrt(len(baseline_outside))


def charge(*, in_process_ns: float, outside_ns: float, allowed_ns: float) -> tuple[float, str]:
    """The figure charged and which clock decided it ("in_process" within the band, else "outside_clock")."""
    low, high = outside_ns - allowed_ns, outside_ns + allowed_ns
    if low <= in_process_ns <= high and in_process_ns > 0:
        return in_process_ns, "in_process"
    return min(max(in_process_ns, low), high), "outside_clock"


def judging_clocks(device: str, series: Series, available: list[str]) -> list[str]:
    """CUDA: the wall clock. cpu: the CPU-time clock, and the wall clock too for a side that
    created processes or threads while timed (or where the CPU clock could not be read)."""
    wanted = ["wall"] if device == "cuda" or "cpu" not in available else ["cpu"] + (["wall"] if series.spawned else [])
    return [c for c in wanted if c in available]


def judge_case(*, device: str, candidate: Series, baseline: Series) -> dict:
    """Both sides' charged figures, the speedup and its CI, with every clock's figures."""
    clocks = sorted(candidate.clock_names() & baseline.clock_names())
    costs = {c: harness_cost_ns(baseline, c) for c in clocks}
    sides = {}
    for role, series in (("candidate", candidate), ("baseline", baseline)):
        per_clock = {c: outside_per_batch(series, c, costs[c]) for c in clocks}
        judge = max(judging_clocks(device, series, clocks), key=lambda c: median(per_clock[c]))
        noise = noise_ns(outside_per_batch(baseline, judge, costs[judge]))
        sides[role] = dict(_side(series, per_clock[judge], noise, costs[judge], HARNESS_SLACK_NS[device]), clock=judge, spawned=series.spawned)
    unpaired = sides["baseline"]["charged_ns"] / max(sides["candidate"]["charged_ns"], 1.0)
    half = math.sqrt(sum(math.log1p(sides[r]["charged_ci_rel"]) ** 2 for r in sides))
    speedup, estimator = unpaired, "unpaired"
    paired = paired_ratio(candidate, baseline) if all(sides[r]["source"] == "in_process" for r in sides) else None
    if paired is not None:
        ratio, paired_half = paired
        candidate_side = sides["candidate"]
        held, _ = charge(in_process_ns=sides["baseline"]["charged_ns"] / ratio, outside_ns=candidate_side["outside_ns"],
                         allowed_ns=candidate_side["allowed_ns"])
        speedup, half, estimator = sides["baseline"]["charged_ns"] / max(held, 1.0), paired_half, "paired"
    known = math.isfinite(half)  # a side with no usable spread (e.g. a median of 0) has no CI
    undercut = sides["candidate"]["outside_ns"] - sides["candidate"]["in_process_ns"]
    flag_at = FLAG_MARGIN * sides["candidate"]["outside_ns"] + FLAG_SLACK_NS[device]
    return {
        "speedup": speedup,
        "speedup_ci": [speedup * math.exp(-half), speedup * math.exp(half)] if known else None,
        "speedup_ci_rel": math.expm1(half) if known else None,
        "source": sides["candidate"]["source"],
        "estimator": estimator,
        "speedup_unpaired": unpaired,
        "mismatch": undercut > max(flag_at, sides["candidate"]["allowed_ns"]),
        "allowance_share": max(sides[r]["allowed_ns"] / max(sides[r]["outside_ns"], 1.0) for r in sides),
        "clocks": clocks,
        "harness_cost_us": {c: costs[c] / 1e3 for c in clocks},
        "sides": sides,
    }


def paired_ratio(candidate: Series, baseline: Series) -> tuple[float, float] | None:
    """The median over rounds of the baseline's batch mean over the candidate's (in-process, the
    two batches of one round), and the half-width of its 95% CI in log terms; None with fewer
    than MIN_PAIRS usable rounds. Both sides of a round are timed back to back, so a slowdown
    of the host that lasts longer than a round moves both and cancels in the ratio; swapping
    the sides gives exactly the reciprocal (the median of 1/x is 1/median x)."""
    logs = [math.log(b / c) for b, c in zip(baseline.batch_means(), candidate.batch_means()) if b > 0 and c > 0]
    if len(logs) < MIN_PAIRS:
        return None
    spread = mad(logs)
    if spread <= 0:
        return None
    return math.exp(median(logs)), 1.96 * MEDIAN_SE * spread / math.sqrt(len(logs))


def _side(series: Series, outside: list[float], noise: float, harness_ns: float, slack_ns: float) -> dict:
    in_process = stats.summarize_ms(series.batch_means())
    outside_summary = stats.summarize_ms(outside)
    outside_ns = outside_summary["median"] * 1e6
    allowed = min(NOISE_SIGMAS * noise + HARNESS_SHARE * max(harness_ns, 0.0) + slack_ns, NOISE_CAP_SHARE * outside_ns)
    charged, source = charge(in_process_ns=in_process["median"] * 1e6, outside_ns=outside_ns, allowed_ns=allowed)
    ci_rel = in_process["ci_rel"] if source == "in_process" else outside_summary["ci_rel"]
    return {
        "in_process_ns": in_process["median"] * 1e6,
        "outside_ns": outside_ns,
        "allowed_ns": allowed,
        "noise_ns": noise,
        "charged_ns": charged,
        "source": source,
        "charged_ci_rel": ci_rel if ci_rel is not None else float("inf"),
        "in_process": in_process,
        "outside_clock": outside_summary,
    }


def combined_speedup(cases: list[dict]) -> tuple[float | None, list[float] | None]:
    """Geometric mean of the cases' speedups and its CI (log half-widths added in quadrature;
    None when a case has none)."""
    speedup = stats.geometric_mean([c["speedup"] for c in cases])
    if speedup is None or any(c["speedup_ci"] is None for c in cases):
        return speedup, None
    half = math.sqrt(sum(math.log(c["speedup_ci"][1] / c["speedup"]) ** 2 for c in cases)) / len(cases)
    return speedup, [speedup * math.exp(-half), speedup * math.exp(half)]


def latency_method_text(*, device_type: str, kernel: bool, min_rounds: int, ci_target: float, warmup_stable: float) -> str:
    """The latency step's method in words, for the result (`metrics.timing_method`)."""
    cuda = device_type == "cuda"
    if cuda:
        timer = "in process: CUDA events (or CUDA graph replay) closed by a device-wide synchronize"
        if kernel:
            timer += ", 256 MiB L2 flush between calls"
        clocks = "the supervisor's wall clock around each device-synchronised batch"
    else:
        timer = "in process: the calling thread's CPU time around each call"
        clocks = ("the CPU time of the worker's process group, read from /proc around each batch (and, for a side that "
                  "created a process or thread during a timed batch, also the supervisor's wall clock around it; the larger decides)")
    return (
        f"{timer}; candidate and baseline in separate processes, timed in interleaved batches of fresh inputs "
        f"(random order per round; {'the candidate stopped' if cuda else 'the idle candidate watched for CPU use'} "
        "while the baseline runs); each batch staged sealed, each call's key (on the cpu device its one-time pad) sent only when the call is due; each "
        "call's output (a plain tensor) sent back inside the timed batch and verified; warm-up batches until each "
        f"side's batch mean moves less than {warmup_stable:.0%}; at least {min_rounds} rounds, then until the 95% CI of "
        f"the paired speedup, or of each side's charged median, is within {ci_target:.0%} or the budget runs out (else flagged noisy). "
        f"The score comes from clocks outside the candidate's process: {clocks}, less the harness's own cost per call "
        f"(the trusted baseline's excess over its in-process times in the same rounds). Each side is charged its "
        f"in-process figure (median over batches of the mean per call) only within {NOISE_SIGMAS:g} standard errors of "
        f"that outside figure's noise (measured on the baseline's batches) plus {HARNESS_SHARE:.0%} of the harness's cost "
        f"per call plus {HARNESS_SLACK_NS[device_type] / 1e3:g} us, else the nearest edge of that band; speedup = the median over rounds of the ratio of the round's two batch means "
        "(both sides of a round on the same inputs) where both sides were charged their in-process figures, held to the "
        "candidate's band, else baseline's charged figure / candidate's; both sides are judged by the same rule"
    )
