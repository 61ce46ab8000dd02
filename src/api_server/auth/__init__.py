"""Authentication and authorization: bearer API keys and OAuth 2.0 JWT access tokens, scopes.

Deny by default: every route a domain mounts and `/graphql` need a credential; see
docs/architecture.md#authentication.
"""
