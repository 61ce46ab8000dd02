"""ETags for versioned resources and the `If-Match` precondition."""

from __future__ import annotations

from api_server.exceptions import PreconditionFailedError


def etag_for(version: int) -> str:
    return f'"v{version}"'


def check_if_match(if_match: str | None, resource: str, current_version: int) -> None:
    """RFC 9110 If-Match: `*` or a list of strong ETags; weak tags never match."""
    if if_match is None:
        return
    current = etag_for(current_version)
    candidates = [tag.strip() for tag in if_match.split(",")]
    if "*" in candidates or current in candidates:
        return
    raise PreconditionFailedError(
        f"If-Match does not match the current {resource} ETag {current}",
        extensions={"current_etag": current},
    )
