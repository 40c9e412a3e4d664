"""Smoke test of the benchmark's own code (no server, no wrk): parsing, verdicts and tables on made-up numbers."""

from benchmarks import measure, report

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/bench/trivial
  2 threads and 16 connections
  Latency Distribution
     50%    3.10ms
     90%    5.20ms
     99%   12.40ms
  8000 requests in 2.00s, 1.20MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4000.00
"""


def _result(rps):
    return {"label": "x", "rps": rps, "requests": 100, "p50": 1.0, "p90": 2.0, "p99": 3.0, "errors": 0}


def _step(sessions, dashboard_ms, csv_seconds, peak):
    return {
        "sessions": sessions, "records": 3 * sessions, "week_sessions": 2000, "dashboard_ms": dashboard_ms,
        "history_ms": dashboard_ms * 2, "beacon_rps": 500, "beacon_p99": 40, "csv_rows": 3 * sessions,
        "csv_seconds": csv_seconds, "csv_cpu_seconds": csv_seconds / 2, "csv_mib": 1, "rss_before_mib": 60,
        "rss_peak_mib": peak,
    }  # fmt: skip


def test_wrk_output_is_parsed_with_its_errors():
    parsed = measure.parse_wrk(WRK_OUTPUT)

    assert parsed["rps"] == 4000 and parsed["requests"] == 8000
    assert (parsed["p50"], parsed["p99"]) == (3.1, 12.4)
    assert parsed["errors"] == 3


def test_each_target_gets_a_verdict_and_the_tables_show_every_step():
    rps = {"trivial": 4000, "healthz": 3000, "static": 4000, "article": 3900, "article_uncached": 1000,
           "item": 700, "insert": 2000, "beacon": 1100, "staff_article": 900}  # fmt: skip
    run = {
        "title": "SQLite (WAL)",
        "stack": {"database": "sqlite", "cache": "db", "sessions": "db"},
        "results": {key: _result(value) for key, value in rps.items()},
        "writes": {"Article page": {"per_request": [1] + [0] * 19, "audit_events": 0}},
        "growth": [_step(2000, 40, 0.5, 70), _step(20000, 50, 4.0, 72), _step(32000, 55, 7.0, 73)],
    }

    verdicts = report.verdicts(run)

    assert [met for _, _, met in verdicts] == [True, False, True, True, True, True]
    assert "0.70 (700 / 1,000 req/s)" in verdicts[1][1]
    text = report.config_text(run)
    assert "| 32,000 | 96,000 | 55 | 110 |" in text and "| 7.0 | 3.5 |" in text and "**no**" in text
