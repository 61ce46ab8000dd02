"""Documents the server has accepted before: parsed, valid, one operation selectable.

`OperationChecks` remembers a document once Strawberry's path has parsed and validated it
and its checks passed; the router's fast path (`graphql.fast_path`) looks it up by the
request's query text. Only what the document is, never who sent it: the scopes and the cost
are checked again on every request (the prices are remembered by the variables they read:
`cost.PriceList`). What is learnt of the document is kept with it: its prices, and the plan
of each operation that is a one-field read (`one_field_reads`).
"""

from __future__ import annotations

from collections import OrderedDict

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from api_server.graphql.cost import PriceList
from api_server.graphql.one_field_reads import OneFieldRead, plan_one_field_read

__all__ = ["PreparedDocument", "PreparedDocuments"]


class PreparedDocument:
    def __init__(self, prices: PriceList) -> None:
        self.prices = prices
        self._plans: dict[str | None, OneFieldRead | None] = {}

    @property
    def document(self) -> DocumentNode:
        return self.prices.document

    def plan(
        self, schema: GraphQLSchema, name: str | None, operation: OperationDefinitionNode
    ) -> OneFieldRead | None:
        """The one-field-read plan of `operation` (selected by `name`), or None."""
        try:
            return self._plans[name]
        except KeyError:
            plan = self._plans[name] = plan_one_field_read(schema, operation)
            return plan


class PreparedDocuments:
    """A bounded LRU map from query text to its parsed, validated document.

    Bounded like Strawberry's parser and validation caches: a client sending ever new
    documents only evicts older ones (each new document costs what it cost without this).
    """

    def __init__(self, *, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._documents: OrderedDict[str, PreparedDocument] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def remember(self, query: str, prices: PriceList) -> None:
        """Remember `query`'s document (`prices.document`), with the prices known so far;
        what is known of the same document already is kept."""
        known = self._documents.get(query)
        if known is None or known.document is not prices.document:
            self._documents[query] = PreparedDocument(prices)
        self._documents.move_to_end(query)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)

    def prepared(self, query: str) -> PreparedDocument | None:
        """What is known of the document of `query`, or None."""
        prepared = self._documents.get(query)
        if prepared is not None:
            self._documents.move_to_end(query)
        return prepared
