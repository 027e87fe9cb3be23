"""Loading the project's ontology and the EMMO reference stack into the store
(``bootstrap``)."""
