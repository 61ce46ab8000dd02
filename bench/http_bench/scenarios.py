"""What is measured: one line per endpoint. Add a row to SCENARIOS to benchmark a new one.

`path` may use {patient_id}; `lua` sets up the request (method, body); `baseline` names the
baseline process and path the row is compared with; `requires` is a path whose absence skips
the row with a note (features still being built); `target` is the minimum ratio to baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

_JSON = 'wrk.headers["Content-Type"] = "application/json"\n'

POST_PATIENT = (
    _JSON
    + """wrk.method = "POST"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"first_name":"Bench","last_name":"Load%d","date_of_birth":"1980-01-01",'
    .. '"sex":"female","conditions":["asthma"],"allergies":[]}', n))
end
"""
)

GRAPHQL_PATIENT_QUERY = (
    "query($id: ID!) { patient(id: $id) { id patientId firstName lastName dateOfBirth sex "
    "conditions allergies createdAt updatedAt version } }"
)
GRAPHQL_PATIENT = (
    _JSON
    + """wrk.method = "POST"
wrk.body = '{"query":"QUERY","variables":{"id":"{patient_id}"}}'
""".replace("QUERY", GRAPHQL_PATIENT_QUERY)
)


@dataclass(frozen=True)
class Baseline:
    process: str  # "bare", "minimal_db", "strawberry" (bench/baselines/) or "no_outbox"
    path: str
    target: float  # the server must reach at least target x the baseline's requests/s
    spec: bool = True  # a SPEC 12 target; False: the bench's own check


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    lua: str = ""
    baseline: Baseline | None = None
    requires: str | None = None
    compare_to: tuple[str, float] | None = None  # (other scenario's name, target ratio)


SCENARIOS = [
    Scenario("GET /ping", "/ping", baseline=Baseline("bare", "/ping", 0.8)),
    Scenario("GET /health-check", "/health-check"),
    Scenario(
        "GET /api/v1/patients/{id}",
        "/api/v1/patients/{patient_id}",
        baseline=Baseline("minimal_db", "/patients/{patient_id}", 0.9),
    ),
    Scenario("GET /api/v1/patients?limit=20", "/api/v1/patients?limit=20"),
    Scenario(
        "POST /graphql patient(id)",
        "/graphql",
        lua=GRAPHQL_PATIENT,
        # Not a SPEC 12 target: what Strawberry costs by itself, next to which the SPEC's
        # ratio to REST can be read (the server's own GraphQL layers should add little).
        baseline=Baseline("strawberry", "/graphql", 0.9, spec=False),
        requires="/graphql",
        compare_to=("GET /api/v1/patients/{id}", 0.6),
    ),
    # Writes last: the outbox relay delivers their events afterwards, which must not run
    # under the reads' measurements.
    Scenario(
        "POST /api/v1/patients",
        "/api/v1/patients",
        lua=POST_PATIENT,
        # The outbox row written with each patient, against the same server without it.
        baseline=Baseline("no_outbox", "/api/v1/patients", 0.85, spec=False),
    ),
]
