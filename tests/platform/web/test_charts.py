"""The result page's server-side SVG charts (web.charts) and what the page draws with them: each
chart reflects its data, survives missing or malformed metrics, escapes every label; the
trace download is owner-only; a written answer's evidence is highlighted."""
from __future__ import annotations

import base64
import gzip
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import ResultFactory, SubmissionFactory, UserFactory
from web import charts

SVG = "{http://www.w3.org/2000/svg}"


def side(median, lo=None, hi=None):
    lo, hi = lo or median * 0.9, hi or median * 1.2
    return {"median": median, "p10": lo, "p90": hi, "n": 40,
            "quantiles": {"q": [0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1], "ms": [lo * 0.9, lo, lo, median * 0.95, median, median * 1.05, hi, hi, hi * 1.1]}}


CASES = [
    {"case": "shape (1, 64)", "dtype": "float32", "speedup": 2.5, "speedup_ci": [2.25, 2.75], "candidate": side(0.4), "baseline": side(1.0)},
    {"case": "shape (8, 4096)", "dtype": "float32", "speedup": 1.2, "speedup_ci": [1.1, 1.3], "candidate": side(8.0), "baseline": side(9.6)},
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))  # well-formed XML, or this raises
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_latency_chart_shows_both_sides_of_every_case():
    root = parse(charts.latency_distribution(CASES))
    labels = texts(root)
    assert labels.count("yours") == 2 and labels.count("baseline") == 2
    assert "shape (1, 64) float32" in labels and "0.4 ms" in labels and "9.6 ms" in labels
    desc = root.find(f"{SVG}desc").text
    assert "shape (8, 4096) float32, yours: median 8 ms" in desc and "p95" in desc


def test_an_old_result_without_quantiles_still_gets_its_p10_to_p90():
    old = [{"case": "c", "dtype": "float32", "candidate": {"median": 1.0, "p10": 0.9, "p90": 1.4}, "baseline": {"median": 2.0}}]
    root = parse(charts.latency_distribution(old))
    assert "p10 0.9 ms" in root.find(f"{SVG}desc").text and not list(root.iter(f"{SVG}rect"))  # no box without quartiles


def test_the_speedup_chart_marks_each_tier_and_says_which_a_case_reached():
    root = parse(charts.speedup_tiers(CASES, [1.6, 2.0], overall=1.73))
    labels = texts(root)
    assert "tier 1: 1.6×" in labels and "tier 2: 2×" in labels and "baseline 1×" in labels
    assert "2.5×" in labels and "all cases (geometric mean)" in labels
    desc = root.find(f"{SVG}desc").text
    assert "shape (1, 64) float32: 2.5× (95% CI 2.25–2.75), 2 of 2 tier(s)" in desc
    assert "shape (8, 4096) float32: 1.2× (95% CI 1.1–1.3), 0 of 2 tier(s)" in desc
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1]  # the bars follow the speedups


def test_the_throughput_curve_has_a_line_per_side_and_batch_with_rps_and_p99():
    points = [{"role": role, "max_batch": b, "concurrency": c, "rps": rps * (2 if role == "candidate" else 1), "latency_ms": {"p99": 10.0 / rps}}
              for role in ("candidate", "baseline") for b in (1, 8) for c, rps in ((1, 10.0), (4, 30.0), (16, 50.0))]
    root = parse(charts.throughput_curve({"mode": "closed", "points": points}))
    assert len(list(root.iter(f"{SVG}polyline"))) == 8  # 4 series x (req/s, p99)
    labels = texts(root)
    assert {"yours, max_batch 1", "yours, max_batch 8", "baseline, max_batch 1", "baseline, max_batch 8"} <= set(labels)
    assert "requests/s" in labels and "p99 latency" in labels and "concurrent requests" in labels
    assert "concurrency 16 100 req/s p99 0.2 ms" in root.find(f"{SVG}desc").text


def test_the_profile_chart_prefers_kernels_and_escapes_the_candidates_names():
    profile = {"top_ops_by_self_cpu": [{"name": "aten::mm", "count": 5, "self_cpu_us": 120.0}],
               "top_kernels_by_device_time": [{"name": "<script>alert(1)</script>", "count": 3, "device_us": 90.0},
                                              {"name": "gemm & co", "count": 1, "device_us": "lots"}]}
    svg = str(charts.top_operators(profile))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert "kernels by device time" in root.find(f"{SVG}title").text
    assert "gemm" not in svg  # a row with a malformed figure is left out
    cpu_only = parse(charts.top_operators({"top_ops_by_self_cpu": profile["top_ops_by_self_cpu"]}))
    assert "aten::mm: 120 µs, 5 call(s)" in cpu_only.find(f"{SVG}desc").text


def test_the_memory_timeline_marks_the_budget_and_the_graded_peak():
    line = {"t_ms": [0, 1, 2, 3], "mb": [0, 40.0, 90.0, 5.0], "budget_mb": 100.0, "method": "m"}
    root = parse(charts.memory_timeline(line, peak_mb=91.5))
    labels = texts(root)
    assert "budget 100 MiB" in labels and "graded peak 91.5 MiB" in labels
    assert "sampled maximum 90 MiB" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("metrics", [
    {}, None, "nonsense", {"cases": "x", "throughput": [], "profile": 3, "memory_timeline": {"t_ms": [1], "mb": "x"}},
    {"cases": [None, {"case": "c"}, {"candidate": {"median": "fast"}}], "speedup": float("nan")},
    {"cases": [{"case": "c", "speedup": float("inf"), "candidate": {"median": float("nan")}}]},
    {"throughput": {"points": [{"role": "candidate", "concurrency": None, "rps": 1}, "x"]}},
])
def test_missing_or_malformed_metrics_draw_nothing_and_never_raise(metrics):
    assert all(value == "" for value in charts.result_charts(metrics=metrics, tiers=None).values())


def test_labels_are_escaped_everywhere():
    evil = '"><script>alert(1)</script>&'
    cases = [dict(CASES[0], case=evil)]
    for svg in (charts.latency_distribution(cases), charts.speedup_tiers(cases, [1.5])):
        assert "<script>" not in str(svg)
        parse(svg)


# -- the page --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_result_page_draws_the_charts_and_folds_the_method(client):
    submission = SubmissionFactory(status="graded")
    trace = base64.b64encode(gzip.compress(json.dumps({"traceEvents": [{"name": "aten::mm", "ph": "X", "ts": 0, "dur": 5}]}).encode())).decode()
    metrics = {"speedup": 1.7, "cases": CASES, "timing_method": "interleaved batches of fresh inputs",
               "profile": {"top_ops_by_self_cpu": [{"name": "aten::mm", "count": 5, "self_cpu_us": 120.0}], "trace_gz_b64": trace}}
    ResultFactory(submission=submission, metrics=metrics)
    client.force_login(submission.user)
    page = client.get(reverse("submission", args=[submission.pk])).content.decode()
    for figure in ("figure-latency", "figure-speedup", "figure-profile"):
        assert f'id="{figure}"' in page
    assert "figure-throughput" not in page and "figure-memory" not in page
    assert re.search(r'<details class="method" id="method"><summary>How this was measured</summary>\s*<p class="muted">interleaved', page)
    download = reverse("submission_trace", args=[submission.pk])
    assert f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(b"".join(response.streaming_content) if response.streaming else response.content)["traceEvents"][0]["name"] == "aten::mm"
    client.force_login(UserFactory())
    assert client.get(download).status_code == 404


@pytest.mark.django_db
def test_a_result_without_a_trace_has_no_download(client):
    result = ResultFactory(metrics={"speedup": 1.0, "profile": {"trace_dropped": "the trace is over 64 MiB unpacked"}})
    client.force_login(result.submission.user)
    page = client.get(reverse("submission", args=[result.submission.pk])).content.decode()
    assert "trace-download" not in page and "No trace: the trace is over 64 MiB unpacked" in page
    assert client.get(reverse("submission_trace", args=[result.submission.pk])).status_code == 404


@pytest.mark.django_db
def test_a_written_answer_shows_each_criterion_and_highlights_the_sentence_that_earned_it(client):
    answer = "I would profile first. The H2D copy is synchronous, so pin the memory & overlap it. <b>Done</b>."
    submission = SubmissionFactory(status="graded", files={"answer.md": answer})
    submission.challenge_version.entry_file = "answer.md"
    submission.challenge_version.save()
    rubric = {"pass_mark": 60, "criteria": [
        {"id": "h2d", "points": 3, "max": 3, "description": "Names the synchronous host-to-device copy",
         "evidence": "The H2D copy is synchronous, so pin the memory & overlap it."},
        {"id": "graphs", "points": 0, "max": 2, "description": "Suggests CUDA graphs", "evidence": None}]}
    ResultFactory(submission=submission, verdict="accepted", metrics={"rubric": rubric, "speedup": None})
    client.force_login(submission.user)
    page = client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert "Names the synchronous host-to-device copy" in page and "Suggests CUDA graphs" in page
    assert ('<mark class="evidence" data-criterion="h2d" id="evidence-h2d">The H2D copy is synchronous, so pin the memory &amp; overlap it.</mark>'
            in page)
    assert "&lt;b&gt;Done&lt;/b&gt;" in page and "<b>Done</b>" not in page
    assert page.count('class="evidence"') == 1  # no mark for a criterion that earned nothing
    assert f"({len(answer.split())} words)" in page
