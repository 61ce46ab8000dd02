"""API profiles: which surfaces (REST, GraphQL) this instance mounts.

The profiles in force: `settings.get_active_profiles()`.
"""

from __future__ import annotations

from enum import StrEnum


class Profile(StrEnum):
    REST = "rest"
    GRAPHQL = "graphql"


ALL_PROFILES: frozenset[Profile] = frozenset(Profile)


def parse_profiles(raw: str) -> frozenset[Profile]:
    """Parse a comma-separated profile list; empty (or "both"/"all") means every profile.

    Raises ValueError naming the unknown entries.
    """
    names = {part.strip().lower() for part in raw.split(",") if part.strip()}
    if not names or names <= {"both", "all"}:
        return ALL_PROFILES
    unknown = sorted(names - {p.value for p in Profile})
    if unknown:
        allowed = ", ".join(p.value for p in Profile)
        raise ValueError(f"unknown profile(s) {', '.join(unknown)}; allowed: {allowed} or empty")
    return frozenset(Profile(name) for name in names)
