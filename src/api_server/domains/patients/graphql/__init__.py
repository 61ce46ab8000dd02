"""The domain's GraphQL: types and inputs derived from the API models, loaders, query and
mutation fields (merged into the schema by `graphql.schema.build_schema`)."""
