"""EMMO / BattINFO / dbp term constants and vocabulary IRI minting: the one home for them.

Services, importers, exporters, the demo generator and rule tooling import their terms from here
(issue 19). Every external IRI below exists in the reference ontologies (labels in comments;
tests/ontology/test_external_iris.py checks them); dbp terms are defined in ontology/dbp.ttl.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import URIRef

from graph_service.model.namespaces import BATTERY, CHEMSUB, DBP, DBP_VOCAB, ECHEM, EMMO

# EMMO quantity pattern (opaque IRIs; labels in comments).
HAS_PROPERTY = EMMO["EMMO_e1097637_70d2_4895_973f_2396f04fa204"]  # hasProperty
HAS_NUMERICAL_PART = EMMO["EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0"]  # hasNumericalPart
HAS_NUMBER_VALUE = EMMO["EMMO_faf79f53_749d_40b2_807c_d34244c192f4"]  # hasNumberValue
HAS_MEASUREMENT_UNIT = EMMO["EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569"]  # hasMeasurementUnit
REAL_DATA = EMMO["EMMO_18d180e4_5e3e_42f7_820c_e08951223486"]  # RealData
HAS_CONSTITUENT = EMMO["EMMO_dba27ca1_33c9_4443_a912_1519ce4c39ec"]  # hasConstituent

BATTERY_CLASS = BATTERY["battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17"]  # Battery
BATTERY_CELL = BATTERY["battery_68ed592a_7924_45d0_a108_94d6275d57f0"]  # BatteryCell
BATTERY_MODULE = BATTERY["battery_9acfeea6_ca7f_4b97_9844_c38edf6387ec"]  # BatteryModule
BATTERY_PACK = BATTERY["battery_be3b35a7_75a3_4be0_9265_beb178ea7b00"]  # BatteryPack

# -- EMMO-stack terms (labels in comments; see ontology/README.md) ------------------------
CONVENTIONAL = EMMO["EMMO_d8aa8e1f_b650_416d_88a0_5118de945456"]  # ConventionalProperty
MEASURED = EMMO["EMMO_873b0ab3_88e6_4054_b901_5531e01f14a4"]  # MeasuredProperty
MASS = EMMO["EMMO_ed4af7ae_63a2_497e_bb88_2309619ea405"]  # Mass
CELSIUS_TEMPERATURE = EMMO["EMMO_66bc9029_f473_45ff_bab9_c3509ff37a22"]  # CelsiusTemperature
RATED_CAPACITY = ECHEM["electrochemistry_9b3b4668_0795_4a35_9965_2af383497a26"]
NOMINAL_VOLTAGE = ECHEM["electrochemistry_639b844a_e801_436b_985d_28926129ead6"]
LOWER_VOLTAGE_LIMIT = ECHEM["electrochemistry_534dd59c_904c_45d9_8550_ae9d2eb6bbc9"]
UPPER_VOLTAGE_LIMIT = ECHEM["electrochemistry_6dcd5baf_58cd_43f5_a692_51508e036c88"]
NOMINAL_ENERGY = ECHEM["electrochemistry_19e27aa3_0970_43a6_86d3_e3cdd956134d"]
MAXIMUM_POWER = ECHEM["electrochemistry_4e6c4e9d_64cb_4c24_a0f3_5b4146ebbeb0"]
ROUND_TRIP_EFFICIENCY = ECHEM["electrochemistry_c413d29a_b814_4d88_8db0_0fd0171cff11"]
CYCLE_LIFE = ECHEM["electrochemistry_ae782b14_88ce_4cdd_9418_12aca00be937"]
EOL_CAPACITY_THRESHOLD = ECHEM["electrochemistry_02dc55b3_18a1_438e_bee0_ab77670cb2d5"]
MIN_OPERATING_TEMPERATURE = ECHEM["electrochemistry_08a73f4b_3242_4356_af24_68ba0bf66d51"]
MAX_OPERATING_TEMPERATURE = ECHEM["electrochemistry_e999bd7d_93ad_47fb_8d8d_dd667e4ef553"]
STATE_OF_HEALTH = ECHEM["electrochemistry_a7a4614f_2426_46f3_8475_cda4a9fabfce"]
STATE_OF_CHARGE = ECHEM["electrochemistry_8b2aaa50_bbe1_45da_8778_8898326246a2"]
DEPTH_OF_DISCHARGE = ECHEM["electrochemistry_1acab8af_9798_45df_a64b_a7030c57a4de"]
TOTAL_CYCLES = ECHEM["electrochemistry_6d981c04_3ace_4f1b_b0f8_770776cceb6f"]
DC_INTERNAL_RESISTANCE = ECHEM["electrochemistry_7b3eb826_b968_493a_8396_cc3a5f09ecb3"]
POSITIVE_ELECTRODE = ECHEM["electrochemistry_aff732a9_238a_4734_977c_b2ba202af126"]
HAS_POSITIVE_ELECTRODE = ECHEM["electrochemistry_8e9cf965_9f92_46e8_b678_b50410ce3616"]
HAS_ACTIVE_MATERIAL = ECHEM["electrochemistry_860aa941_5ff9_4452_8a16_7856fad07bee"]
CELL_FORMAT_CLASS = {
    "cylindrical": BATTERY["battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40"],  # CylindricalBattery
    "prismatic": BATTERY["battery_86c9ca80-de6f-417f-afdc-a7e52fa6322d"],  # PrismaticBattery
    "pouch": BATTERY["battery_392b3f47_d62a_4bd4_a819_b58b09b8843a"],  # PouchCell
}
PROCESS_CLASSES = [  # (class, label) in production order
    (EMMO["EMMO_c7f4684e_ee74_4119_87e0_ecd255e10d2f"], "calendering"),  # Calendering
    (ECHEM["electrochemistry_ff7f5ab4_d0c0_4455_9bcc_3d80346e90ee"], "electrolyte filling"),
    (ECHEM["electrochemistry_cb223440_51bd_4f16_a536_96ec408e7de4"], "formation cycling"),
]
SUBSTANCE = {
    "nmc": CHEMSUB["substance_3ac62305_acd6_4312_9e31_4f824bd2530d"],  # LiNiMnCoO2
    "nca": CHEMSUB["substance_cd17ca33_ae3d_4738_8930_547673bf6c1f"],  # LiNiCoAlO2
    "lfp": CHEMSUB["substance_aa8e9cc4_5f66_4307_b1c8_26fac7653a90"],  # LiFePO4
    "lithium": CHEMSUB["substance_c109ca45_08c7_4436_a818_a9c575785e2f"],
    "nickel": CHEMSUB["substance_f92b3948_72a5_4662_acf7_5d8dd64e85de"],
    "cobalt": CHEMSUB["substance_8f857eb2_7cc8_4294_954d_e69f2842c084"],
    "manganese": CHEMSUB["substance_b496f6dd_0476_43e7_a1a9_7e025afce627"],
    "graphite": CHEMSUB["substance_d53259a7_0d9c_48b9_a6c1_4418169df303"],
    "aluminium": CHEMSUB["substance_8f7dd877_5ad0_48f1_bbec_84153d8215f4"],
    "copper": CHEMSUB["substance_0993cbab_ff7f_4ec3_8a6c_cd67497d54d9"],
}
# Substances outside the demo fleet's chemistries (the Catena-X importer reads them by CAS number).
LEAD = CHEMSUB["substance_ff5b9c8c_3fb0_4575_9ab8_23ebd9116294"]  # Lead
LITHIUM_COBALT_OXIDE = CHEMSUB["substance_4c62d334_a124_40b3_9fd1_fe713d01a6af"]  # LiCoO2
LITHIUM_MANGANESE_OXIDE = CHEMSUB["substance_e8fafdc8_6cd3_4dd0_9630_10ca8e3f1827"]  # LiMn2O4
# Coin cells (BattINFO documents describe them; the importer recognises them by case).
COIN_CELL = BATTERY["battery_b7fdab58_6e91_4c84_b097_b06eff86a124"]  # CoinCell
COIN_CASE = ECHEM["electrochemistry_3979cd56_6256_414d_966c_7f723bf71e37"]  # CoinCase
HAS_CASE = ECHEM["electrochemistry_3dcfe33d_6825_43c0_a798_68e871a68d39"]  # hasCase
UNIT = {
    "V": EMMO.Volt, "Ah": EMMO.AmpereHour, "kWh": EMMO.KiloWatthour, "kW": EMMO.KiloWatt,
    "W": EMMO.Watt, "kg": EMMO.Kilogram, "%": EMMO.Percent, "degC": EMMO.DegreeCelsius,
    "mOhm": EMMO.MilliOhm, "Nm": EMMO.NewtonMetre, "N": EMMO.Newton, "a": EMMO.Year,
    "1": EMMO["EMMO_5ebd5e01_0ed3_49a2_a30d_cd05cbe72978"],  # UnitOne
    "%/month": DBP.PercentPerMonth,  # a self-discharge rate (EMMO has no such unit)
}


def vocab(scheme: str, name: str) -> URIRef:
    """A concept of one of our SKOS vocabularies (ontology/vocabularies.ttl)."""
    return URIRef(f"{DBP_VOCAB}{scheme}/{name}")


def vocab_name(iri: object, scheme: str) -> str | None:
    """The concept name of a vocabulary IRI of ``scheme``, or None."""
    prefix = f"{DBP_VOCAB}{scheme}/"
    if isinstance(iri, URIRef) and str(iri).startswith(prefix):
        return str(iri)[len(prefix):]
    return None

# Unit IRI -> (dimension, factor to the dimension's reference unit): V, Ah, kWh, W, ohm, kg,
# %, degC, a (year), 1. Exact decimal factors, so a value converted there and back is the same.
UNIT_SCALE: dict[URIRef, tuple[str, Decimal]] = {
    EMMO.Volt: ("V", Decimal(1)), EMMO.MilliVolt: ("V", Decimal("0.001")),
    EMMO.AmpereHour: ("Ah", Decimal(1)), EMMO.MilliAmpereHour: ("Ah", Decimal("0.001")),
    EMMO.KiloWatthour: ("kWh", Decimal(1)), EMMO.Watthour: ("kWh", Decimal("0.001")),
    EMMO.KiloWatt: ("W", Decimal(1000)), EMMO.Watt: ("W", Decimal(1)),
    EMMO.Ohm: ("ohm", Decimal(1)), EMMO.MilliOhm: ("ohm", Decimal("0.001")),
    EMMO.Kilogram: ("kg", Decimal(1)), EMMO.Gram: ("kg", Decimal("0.001")),
    EMMO.Tonne: ("kg", Decimal(1000)),  # stationary systems and Catena-X weights in t
    EMMO.Percent: ("%", Decimal(1)), EMMO.DegreeCelsius: ("degC", Decimal(1)),
    EMMO.Year: ("a", Decimal(1)), UNIT["1"]: ("1", Decimal(1)),
    DBP.PercentPerMonth: ("%/month", Decimal(1)),
}

# The unit the rules and the shapes' ranges compare in, per dimension of UNIT_SCALE (the unit the
# messages of shapes/quantities.ttl name). A quantity sent in another accepted unit is restated in
# it for validation (services/passports/validation.py) and in the rule workspace
# (queries/internal/normalise-rule-units.ru); the stored passport keeps the unit it was sent in.
RULE_UNITS: dict[str, URIRef] = {
    "V": EMMO.Volt, "Ah": EMMO.AmpereHour, "kWh": EMMO.KiloWatthour, "W": EMMO.KiloWatt,
    "kg": EMMO.Kilogram,
}
