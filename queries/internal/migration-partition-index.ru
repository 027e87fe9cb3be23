# id: migration-partition-index
# binds: ?custody ?meta ?orgPrefix ?nobody ?partitionPrefix
# answers: custody migration step 2: the partition index (each legitimate-interest custody
#   partition and the organisations of its custody pair) from the custody records
INSERT { GRAPH ?meta { ?part dbp:partitionCustodian ?org } }
WHERE {
  # values: ?custody ?meta ?orgPrefix ?nobody ?partitionPrefix
  GRAPH ?custody { ?b dbp:batteryId ?id OPTIONAL { ?b dbp:manufacturer ?m }
                   OPTIONAL { ?b dbp:operator ?op } }
  VALUES ?which { 1 2 }
  BIND(IF(?which = 1, ?m, ?op) AS ?org) FILTER(BOUND(?org))
  BIND(IRI(CONCAT(?partitionPrefix,
                  IF(BOUND(?m), STRAFTER(STR(?m), ?orgPrefix), ?nobody), "/",
                  IF(BOUND(?op), STRAFTER(STR(?op), ?orgPrefix), ?nobody))) AS ?part)
}
