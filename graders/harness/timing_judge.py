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
- The speedup is the baseline's charged figure over the candidate's. Wherever the rounds allow
  (`candidate_against_baseline`), the candidate's in-process and outside figures are measured
  against the baseline's in-process figure in the same rounds (that figure over the median
  per-round ratio of the baseline's batch to the candidate's), and the charge rule runs on those: then the speedup is the
  median per-round ratio of in-process batch means (estimator `paired`) or, where the outside
  clock decided the candidate, of the judging clocks' figures with the allowance's credit
  (`paired_outside`). Else (too few rounds; the baseline itself outside its band) each side's
  own median decides (`unpaired`).
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
    sides, judged_per_batch = {}, {}
    for role, series in (("candidate", candidate), ("baseline", baseline)):
        per_clock = {c: outside_per_batch(series, c, costs[c]) for c in clocks}
        judge = max(judging_clocks(device, series, clocks), key=lambda c: median(per_clock[c]))
        noise = noise_ns(outside_per_batch(baseline, judge, costs[judge]))
        sides[role] = dict(_side(series, per_clock[judge], noise, costs[judge], HARNESS_SLACK_NS[device]), clock=judge, spawned=series.spawned)
        judged_per_batch[role] = per_clock[judge]
    unpaired = sides["baseline"]["charged_ns"] / max(sides["candidate"]["charged_ns"], 1.0)
    half = math.sqrt(sum(math.log1p(sides[r]["charged_ci_rel"]) ** 2 for r in sides))
    speedup, estimator = unpaired, "unpaired"
    against = candidate_against_baseline(sides=sides, candidate=candidate, baseline=baseline, candidate_outside=judged_per_batch["candidate"])
    if against is not None:
        half = against.pop("half")
        sides["candidate"].update(against)
        speedup = sides["baseline"]["charged_ns"] / max(against["charged_ns"], 1.0)
        estimator = "paired" if against["source"] == "in_process" else "paired_outside"
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


def median_log_ratio(numerators: list[float], denominators: list[float]) -> tuple[float, float] | None:
    """The median over rounds of log(numerator / denominator), the two batches of one round, and
    the half-width of its 95% CI; None with fewer than MIN_PAIRS usable rounds or no spread."""
    logs = [math.log(n / d) for n, d in zip(numerators, denominators) if n > 0 and d > 0]
    if len(logs) < MIN_PAIRS:
        return None
    spread = mad(logs)
    if spread <= 0:
        return None
    return median(logs), 1.96 * MEDIAN_SE * spread / math.sqrt(len(logs))


def candidate_against_baseline(*, sides: dict, candidate: Series, baseline: Series, candidate_outside: list[float]) -> dict | None:
    """The candidate's figures measured against the baseline's in the same rounds: its in-process
    figure is the baseline's in-process one over the median per-round ratio of the baseline's
    in-process batch mean to the candidate's, its outside figure the same with the candidate's
    outside figure per batch (on its judging clock) in the ratio, and its allowance the same
    share of that as of its own median. The charge rule then runs on these. The baseline's
    in-process figure anchors both: it is trusted and precise, where the baseline's outside
    figure of a 10 us call is mostly the harness's noise. Each side's median alone is taken over a host
    whose speed moves between rounds, and the two medians can land on different speeds: on the
    2-core VM the same code's calls switch between two speeds about 1.6x apart for tens of
    milliseconds at a time, and with 8-10 rounds the honest twin's band was once centred on the
    other speed from its in-process figure, and zero_clock came out at 2.19x against its own
    work. A per-round ratio cancels what both sides of a round share. None (the medians decide)
    where the baseline itself is outside its band, its figures are not positive, or the rounds
    are too few."""
    base, cand = sides["baseline"], sides["candidate"]
    if base["source"] != "in_process" or base["in_process_ns"] <= 0:
        return None
    in_process = median_log_ratio(baseline.batch_means(), candidate.batch_means())
    on_outside = median_log_ratio(baseline.batch_means(), candidate_outside)
    if in_process is None or on_outside is None:
        return None
    in_process_ns = base["in_process_ns"] / math.exp(in_process[0])
    outside_ns = base["in_process_ns"] / math.exp(on_outside[0])
    share = min(cand["allowed_ns"] / cand["outside_ns"], NOISE_CAP_SHARE) if cand["outside_ns"] > 0 else NOISE_CAP_SHARE
    allowed = share * outside_ns
    charged, source = charge(in_process_ns=in_process_ns, outside_ns=outside_ns, allowed_ns=allowed)
    return {"in_process_ns": in_process_ns, "outside_ns": outside_ns, "allowed_ns": allowed, "charged_ns": charged, "source": source,
            "half": in_process[1] if source == "in_process" else on_outside[1]}


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
        f"per call plus {HARNESS_SLACK_NS[device_type] / 1e3:g} us, else the nearest edge of that band; the candidate's in-process and outside figures are measured against the "
        "baseline's in-process figure in the same rounds (the median over rounds of the ratio of the round's two batches, both "
        "sides of a round on the same inputs) before that rule runs; speedup = baseline's charged figure / candidate's "
        "(each side's own median decides with fewer than 5 usable rounds); both sides are judged by the same rule"
    )
