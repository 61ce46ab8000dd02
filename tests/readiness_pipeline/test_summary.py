"""format_summary: one line for the verdict, one per stage and per check."""

from __future__ import annotations

from api_server.readiness_pipeline import PipelineBuilder, format_summary
from tests.readiness_pipeline.fakes import ScriptedCheck


async def test_summary_names_the_verdict_stages_and_checks() -> None:
    builder = PipelineBuilder(default_timeout=1)
    with builder.stage("database", is_critical=True, fail_fast=True):
        builder.add_check(ScriptedCheck("connect", "raise", is_critical=True))
        builder.add_check(ScriptedCheck("schema"))
    once = ScriptedCheck("init", run_once=True)
    pipeline = builder.build()
    lines = format_summary(await pipeline.run()).splitlines()
    assert lines[0].startswith("readiness: error (NOT READY, ")
    assert lines[1] == "  stage database [critical, fail_fast]: failed"
    assert lines[2].startswith(
        "    failed         connect (critical): ConnectionRefusedError raised by the check ("
    )
    assert lines[3].startswith("    skipped        schema: not run: connect failed")

    builder = PipelineBuilder(default_timeout=1)
    with builder.stage("setup"):
        builder.add_check(once)
    ready = builder.build()
    await ready.run()
    cached = format_summary(await ready.run()).splitlines()
    assert cached[0].startswith("readiness: operational (ready, ")
    assert cached[2].startswith("    success        init (cached): init success (")
