"""RDF wire formats: JSON-LD input from local contexts (``jsonld``) and serialising graphs
to the formats we offer (``rdf_io``)."""
