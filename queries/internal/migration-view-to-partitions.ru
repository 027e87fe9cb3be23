# id: migration-view-to-partitions
# binds: ?view ?custody ?batteryPrefix ?orgPrefix ?nobody ?partitionPrefix
# answers: custody migration step 3: every triple of a view about a node under a battery, copied
#   into that battery's custody partition (the custody pairs are a sub-select: joined by hash
#   with the view's triples, not evaluated again for each of them)
INSERT { GRAPH ?part { ?s ?p ?o } }
WHERE {
  # values: ?view ?batteryPrefix
  GRAPH ?view { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), ?batteryPrefix))
  BIND(IRI(CONCAT(?batteryPrefix, STRBEFORE(CONCAT(
      STRAFTER(STR(?s), ?batteryPrefix), "/"), "/"))) AS ?b)
  { SELECT ?b ?part WHERE {
      # values: ?custody ?orgPrefix ?nobody ?partitionPrefix
      GRAPH ?custody { ?b dbp:batteryId ?id OPTIONAL { ?b dbp:manufacturer ?m }
                       OPTIONAL { ?b dbp:operator ?op } }
      BIND(IRI(CONCAT(?partitionPrefix,
                      IF(BOUND(?m), STRAFTER(STR(?m), ?orgPrefix), ?nobody), "/",
                      IF(BOUND(?op), STRAFTER(STR(?op), ?orgPrefix), ?nobody))) AS ?part)
  } }
}
