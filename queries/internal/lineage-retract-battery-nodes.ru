# id: lineage-retract-battery-nodes
# binds: ?graph ?battery
# answers: removes from the lineage graph ?graph every statement about the nodes that are
#   dbp:passportOf ?battery (the battery's public lineage, replaced as a whole: an index lookup on
#   the battery, never a scan of the lineage graph)
DELETE { GRAPH ?graph { ?p ?x ?y } }
WHERE { GRAPH ?graph { ?p dbp:passportOf ?battery ; ?x ?y } }
