# id: normalise-rule-units
# binds: ?graph
# answers: in a rule workspace, every quantity of ?graph stated in a unit the shapes accept beside
#   the one the rules compare in (g, t, mV, mAh, Wh, W; shapes/quantities.ttl) restated in that
#   unit (kg, V, Ah, kWh, kW): the value divided by the unit's divisor (or multiplied by its
#   multiplier, for a unit larger than the rules' one), the unit replaced. The rules'
#   thresholds and yields are in those units; the stored passport keeps the unit it was sent in.
#   The table matches model/terms.UNIT_SCALE (tests/rules/test_rule_units.py).
DELETE { GRAPH ?graph { ?quantity emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569 ?unit .
                        ?number emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4 ?value } }
INSERT { GRAPH ?graph { ?quantity emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569 ?ruleUnit .
                        ?number emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4 ?converted } }
WHERE {
  VALUES (?unit ?ruleUnit ?divisor ?multiplier) {
    (emmo:Gram emmo:Kilogram 1000 UNDEF)
    (emmo:Tonne emmo:Kilogram UNDEF 1000)
    (emmo:MilliVolt emmo:Volt 1000 UNDEF)
    (emmo:MilliAmpereHour emmo:AmpereHour 1000 UNDEF)
    (emmo:Watthour emmo:KiloWatthour 1000 UNDEF)
    (emmo:Watt emmo:KiloWatt 1000 UNDEF)
  }
  GRAPH ?graph {
    ?quantity emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569 ?unit ;
              emmo:EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0 ?number .
    ?number emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4 ?value .
  }
  # Division, not multiplication by 0.001: 2800 / 1000 is exactly the double 2.8.
  BIND(IF(BOUND(?multiplier), ?value * ?multiplier, ?value / ?divisor) AS ?converted)
}
