"""Documents the server has accepted before: parsed, valid, one operation selectable.

`OperationChecks` remembers a document once Strawberry's path has parsed and validated it
and its checks passed; the router's fast path (`graphql.fast_path`) looks it up by the
request's query text. Only what the document is, never who sent it: the scopes and the cost
are checked again on every request.
"""

from __future__ import annotations

from collections import OrderedDict

from graphql import DocumentNode

__all__ = ["PreparedDocuments"]


class PreparedDocuments:
    """A bounded LRU map from query text to its parsed, validated document.

    Bounded like Strawberry's parser and validation caches: a client sending ever new
    documents only evicts older ones (each new document costs what it cost without this).
    """

    def __init__(self, *, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def remember(self, query: str, document: DocumentNode) -> None:
        self._documents[query] = document
        self._documents.move_to_end(query)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)

    def document_for(self, query: str) -> DocumentNode | None:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document
