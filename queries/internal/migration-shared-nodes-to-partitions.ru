# id: migration-shared-nodes-to-partitions
# binds: ?view ?derived ?custody ?batteryPrefix ?batteryGraphPrefix ?orgPrefix ?nobody ?partitionPrefix
# answers: custody migration step 3: every triple of a view about a shared node (a site, a rule),
#   copied into the partition of every battery whose graphs of the same kind (?derived: the
#   derived graphs or the stage graphs) assert it
INSERT { GRAPH ?part { ?s ?p ?o } }
WHERE {
  # values: ?batteryPrefix ?batteryGraphPrefix ?derived
  { SELECT ?s ?p ?o WHERE {
      # values: ?view ?batteryPrefix
      GRAPH ?view { ?s ?p ?o } FILTER(!STRSTARTS(STR(?s), ?batteryPrefix))
  } }
  GRAPH ?src { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?src), ?batteryGraphPrefix) && STRENDS(STR(?src), "/derived") = ?derived)
  BIND(IRI(CONCAT(?batteryPrefix, STRBEFORE(STRAFTER(STR(?src), ?batteryGraphPrefix), "/")))
       AS ?b)
  { SELECT ?b ?part WHERE {
      # values: ?custody ?orgPrefix ?nobody ?partitionPrefix
      GRAPH ?custody { ?b dbp:batteryId ?id OPTIONAL { ?b dbp:manufacturer ?m }
                       OPTIONAL { ?b dbp:operator ?op } }
      BIND(IRI(CONCAT(?partitionPrefix,
                      IF(BOUND(?m), STRAFTER(STR(?m), ?orgPrefix), ?nobody), "/",
                      IF(BOUND(?op), STRAFTER(STR(?op), ?orgPrefix), ?nobody))) AS ?part)
  } }
}
