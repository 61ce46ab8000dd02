"""Every place the server relies on a library's internals, and nothing else.

Each function here wraps one private name or undocumented behaviour of FastAPI, Strawberry
or SQLAlchemy, so an upgrade that changes it breaks here, in one place, and in
tests/compat/test_contracts.py, which checks each one against the installed versions.
The floors in pyproject.toml are the versions these were written and tested against.

- `compat.fastapi`: the per-request exit stack of function-scoped dependencies, the default
  router lifespan, the route attributes `include_flat()` copies, whether a route has an
  operation-id function of its own, and where the effective route of a request is kept.
- `compat.strawberry` (imported only with the GraphQL profile): the single-operation
  execution path of Strawberry's HTTP view and its error hook.
- `compat.sqlalchemy`: replacing one engine's dialect `do_rollback`, and awaiting from a
  pool event handler (`sqlalchemy.util.await_`).
"""
