"""`ProfilesCheck`: which API surfaces this instance serves (configuration, no I/O)."""

from __future__ import annotations

from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult
from api_server.settings import Settings

__all__ = ["ProfilesCheck"]


class ProfilesCheck(ReadinessCheck):
    """Reports the active profiles; settings are frozen, so once is enough."""

    def __init__(self, settings: Settings) -> None:
        super().__init__("profiles", is_critical=False, run_once=True)
        self._settings = settings

    async def _execute(self) -> ReadinessCheckResult:
        profiles = sorted(profile.value for profile in self._settings.active_profiles)
        return self.success(f"serving {', '.join(profiles)}", {"profiles": profiles})
