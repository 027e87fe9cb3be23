# id: migration-custody-records
# binds: ?custody ?public ?batteryPrefix ?orgPrefix ?batteryGraphPrefix
# answers: custody migration step 1: a custody record for every battery with a stored identity
#   stage, its manufacturer and operator when they are our organisation IRIs (several: none)
INSERT { GRAPH ?custody { ?b dbp:batteryId ?id . ?b dbp:manufacturer ?m . ?b dbp:operator ?op } }
WHERE {
  # values: ?custody ?batteryGraphPrefix
  { SELECT ?b ?id WHERE {
      # values: ?custody ?public ?batteryPrefix
      GRAPH ?public { ?b dbp:batteryId ?any }
      FILTER(STRSTARTS(STR(?b), ?batteryPrefix))
      BIND(STRAFTER(STR(?b), ?batteryPrefix) AS ?id)
      FILTER(!CONTAINS(?id, "/"))
      FILTER NOT EXISTS { GRAPH ?custody { ?b dbp:batteryId ?known } }
  } }
  BIND(IRI(CONCAT(?batteryGraphPrefix, ?id, "/identity")) AS ?g)
  OPTIONAL { SELECT ?g ?b (SAMPLE(?m0) AS ?m) WHERE {
      # values: ?orgPrefix
      GRAPH ?g { ?b dbp:manufacturer ?m0 } FILTER(STRSTARTS(STR(?m0), ?orgPrefix))
  } GROUP BY ?g ?b HAVING(COUNT(DISTINCT ?m0) = 1) }
  OPTIONAL { SELECT ?g ?b (SAMPLE(?o0) AS ?op) WHERE {
      # values: ?orgPrefix
      GRAPH ?g { ?b dbp:operator ?o0 } FILTER(STRSTARTS(STR(?o0), ?orgPrefix))
  } GROUP BY ?g ?b HAVING(COUNT(DISTINCT ?o0) = 1) }
  FILTER EXISTS { GRAPH ?g { ?b ?p ?o } }
}
