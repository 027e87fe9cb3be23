# id: migration-lineage-status
# binds: ?p ?lineage ?liView ?custody ?batteryGraphPrefix ?orgPrefix ?nobody ?partitionPrefix
# answers: custody migration step 4: the lineage's legitimate-interest status facts (?p) moved
#   out of the public lineage graph into the battery's own lineage graph, the
#   legitimate-interest view and its custody partition
DELETE { GRAPH ?lineage { ?x ?p ?v } }
INSERT { GRAPH ?own { ?x ?p ?v } GRAPH ?liView { ?x ?p ?v } GRAPH ?part { ?x ?p ?v } }
WHERE {
  # values: ?p ?lineage ?liView ?custody ?batteryGraphPrefix ?orgPrefix ?nobody ?partitionPrefix
  GRAPH ?lineage { ?x ?p ?v }
  OPTIONAL { GRAPH ?lineage { ?x dbp:passportOf ?of } }
  BIND(COALESCE(?of, ?x) AS ?b)
  GRAPH ?custody { ?b dbp:batteryId ?id OPTIONAL { ?b dbp:manufacturer ?m }
                   OPTIONAL { ?b dbp:operator ?op } }
  BIND(IRI(CONCAT(?batteryGraphPrefix, ?id, "/lineage")) AS ?own)
  BIND(IRI(CONCAT(?partitionPrefix,
                  IF(BOUND(?m), STRAFTER(STR(?m), ?orgPrefix), ?nobody), "/",
                  IF(BOUND(?op), STRAFTER(STR(?op), ?orgPrefix), ?nobody))) AS ?part)
}
