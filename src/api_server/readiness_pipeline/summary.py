"""A compact plain-text summary of a pipeline result (for `api-server check` and the CLI)."""

from __future__ import annotations

from api_server.readiness_pipeline.result import PipelineResult

__all__ = ["format_summary"]


def format_summary(result: PipelineResult) -> str:
    verdict = "ready" if result.is_ready else "NOT READY"
    lines = [f"readiness: {result.status.value} ({verdict}, {result.duration_ms:.0f} ms)"]
    for stage in result.stages:
        flags = [
            f for f, on in (("critical", stage.is_critical), ("fail_fast", stage.fail_fast)) if on
        ]
        suffix = f" [{', '.join(flags)}]" if flags else ""
        lines.append(f"  stage {stage.name}{suffix}: {stage.status.value}")
        for check in stage.checks:
            marks = " (critical)" if check.is_critical else ""
            marks += " (cached)" if check.cached else ""
            lines.append(
                f"    {check.status.value:<14} {check.name}{marks}: {check.message}"
                f" ({check.duration_ms:.0f} ms)"
            )
    return "\n".join(lines)
