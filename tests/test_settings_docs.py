"""`.env.example` and the README's settings table list every setting with its real default:
adding a setting without documenting it fails here."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from api_server.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LINE = re.compile(r"^# (API_SERVER_[A-Z0-9_]+)=(.*)$")
README_ROW = re.compile(r"^\| `(API_SERVER_[A-Z0-9_]+)` \| (?:`([^`]*)`|empty) \| .+ \|$")


def _rendered(value: Any) -> str:
    if value is None:  # an optional setting that is not set: documented as empty
        return ""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def expected_defaults(settings: type[Settings] = Settings) -> dict[str, str]:
    return {
        f"{ENV_PREFIX}{name.upper()}": _rendered(field.get_default(call_default_factory=True))
        for name, field in settings.model_fields.items()
    }


def documented(text: str, pattern: re.Pattern[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        if match := pattern.match(line):
            found[match.group(1)] = match.group(2) or ""
    return found


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = (ROOT / ".env.example").read_text()
    assert documented(example, EXAMPLE_LINE) == expected_defaults()


def test_every_setting_in_env_example_has_a_meaning_line() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if EXAMPLE_LINE.match(line):
            above = lines[index - 1]
            assert above.startswith("# ") and not EXAMPLE_LINE.match(above), line


def test_the_readme_table_lists_every_setting_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text()
    assert documented(readme, README_ROW) == expected_defaults()


def test_the_check_fails_when_a_setting_is_added_without_docs() -> None:
    class MoreSettings(Settings):
        brand_new_setting: int = 7

    example = (ROOT / ".env.example").read_text()
    missing = set(expected_defaults(MoreSettings)) - set(documented(example, EXAMPLE_LINE))
    assert missing == {"API_SERVER_BRAND_NEW_SETTING"}
