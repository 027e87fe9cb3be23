# id: graph-minus-graph
# binds: ?graph ?without
# answers: removes from ?graph every triple that ?without also holds (bootstrap: the reference
#   stack without what the ontology graph already states)
DELETE { GRAPH ?graph { ?s ?p ?o } }
WHERE { GRAPH ?without { ?s ?p ?o } GRAPH ?graph { ?s ?p ?o } }
