"""Namespaces, IRI minting and the named-graph layout: the vocabulary every layer shares."""
