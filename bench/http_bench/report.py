"""The results table, the targets (met / not met) and the JSON file a script can compare."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        f"{'database':<8} {'endpoint':<32} {'target':<10} {'req/s':>9} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'ratio':>6} {'errors@16':>9} {'errors@64':>9} {'errors@256':>10}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        if row.get("skipped"):
            lines.append(f"{row['database']:<8} {row['endpoint']:<32} skipped: {row['skipped']}")
            continue
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
        errors_16 = "" if row.get("errors_16") is None else str(row["errors_16"])
        errors_256 = "" if row.get("errors_256") is None else str(row["errors_256"])
        lines.append(
            f"{row['database']:<8} {row['endpoint']:<32} {row['target']:<10} "
            f"{row['rps']:>9.0f} {_ms(row['p50_us']):>7} {_ms(row['p99_us']):>7} {ratio:>6} "
            f"{errors_16:>9} {row.get('errors_64', ''):>9} {errors_256:>10}"
        )
    return "\n".join(lines)


def targets_text(targets: list[dict[str, Any]]) -> str:
    lines = []
    for item in targets:
        verdict = "met" if item["met"] else "NOT MET"
        lines.append(f"  [{verdict:>7}] {item['name']}: {item['value']} (target {item['target']})")
    return "\n".join(lines)


def write_json(document: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"http-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(document, indent=2))
    return path
