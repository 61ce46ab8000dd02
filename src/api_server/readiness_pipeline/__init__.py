"""Readiness pipeline: checks grouped in stages, run in order, with documented outcome rules.

```python
from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult
```
See docs/architecture.md ("Readiness pipeline") for the outcome rules.
"""

from api_server.readiness_pipeline.builder import PipelineBuilder
from api_server.readiness_pipeline.check import ReadinessCheck
from api_server.readiness_pipeline.drain import DrainOnSignal
from api_server.readiness_pipeline.lifecycle import serving_readiness
from api_server.readiness_pipeline.pipeline import ReadinessPipeline
from api_server.readiness_pipeline.result import (
    PipelineResult,
    PipelineStatus,
    ReadinessCheckResult,
    ReadinessStatus,
    StageResult,
)
from api_server.readiness_pipeline.service import ReadinessReport, ReadinessService, ServingState
from api_server.readiness_pipeline.stage import ReadinessStage
from api_server.readiness_pipeline.summary import format_summary

__all__ = [
    "DrainOnSignal",
    "PipelineBuilder",
    "PipelineResult",
    "PipelineStatus",
    "ReadinessCheck",
    "ReadinessCheckResult",
    "ReadinessPipeline",
    "ReadinessReport",
    "ReadinessService",
    "ReadinessStage",
    "ReadinessStatus",
    "ServingState",
    "StageResult",
    "format_summary",
    "serving_readiness",
]
