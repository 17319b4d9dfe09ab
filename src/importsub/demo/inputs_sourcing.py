"""Derivation inputs of the demo ``by-ru-auto``: major systems, buyers' sourcing, capacity sizing, stocks.

See :mod:`importsub.demo.inputs_network` for the conventions; :mod:`importsub.demo.derive` uses both.
"""

from __future__ import annotations

from importsub.demo.inputs_network import EST, SELF, Source

# The data tables below keep one record per line for reading; the formatter leaves them alone.
# fmt: off

LEAD_WEEKS: dict[str, float] = {
    "BY": 2, "RU": 2, "KZ": 4, "AM": 4, "KG": 4, "UZ": 4, "TR": 6,
    "DE": 8, "SE": 8, "IT": 8, "CZ": 8, "PL": 8,  # via third countries since 2022
    "CN": 10, "KR": 10, "IN": 12, "JP": 12,
}

# price at a site relative to the part's typical value (estimate)
PRICE_FACTOR: dict[str, float] = {
    "RU": 1.0, "BY": 0.97, "KZ": 0.95, "UZ": 0.9, "CN": 0.9, "IN": 0.85, "TR": 0.95,
    "KR": 1.05, "JP": 1.2, "DE": 1.25, "SE": 1.2, "IT": 1.15, "CZ": 1.05, "PL": 1.0,
}

# ------------------------------------------------------- major systems (the former rest of vehicle)

# The rest of each vehicle (85 % of its value less the mapped modules) is split into its major
# systems, each a part of its own (SYS-<KIND>-<model>) with a BOM of basic materials and a
# supplier; what no system covers stays a residual "rest of vehicle" (final assembly and other
# parts), made in-house and untraced.  Shares of the rest and material contents: estimates.
# kind -> (name, name_local, category, HS heading)
SYSTEM_KINDS: dict[str, tuple[str, str, str, str]] = {
    "ENGINE": ("Engine", "Двигатель", "powertrain", "8407"),
    "TRANSMISSION": ("Transmission", "Трансмиссия", "powertrain", "870840"),
    "BODY": ("Body (stamped, welded, painted)", "Кузов (штамповка, сварка, окраска)", "body", "8707"),
    "ELECTRICS": ("Electrics and electronics", "Электрооборудование и электроника", "electrics", "8544"),
    "INTERIOR": ("Interior (seats, trim)", "Интерьер (сиденья, отделка)", "interior", "9401"),
    "CHASSIS": ("Chassis (axles, suspension, steering)", "Шасси (мосты, подвеска, рулевое управление)", "chassis", "870850"),
}
# class -> [(kind, share of the rest of vehicle)]; trucks and buses already carry engine and
# gearbox modules, mining trucks have an electric drive (electrics), tractors no gearbox module
CLASS_SYSTEMS: dict[str, list[tuple[str, float]]] = {
    "car": [("ENGINE", 0.22), ("TRANSMISSION", 0.10), ("BODY", 0.22), ("ELECTRICS", 0.10), ("INTERIOR", 0.10),
            ("CHASSIS", 0.12)],
    "lcv": [("ENGINE", 0.20), ("TRANSMISSION", 0.10), ("BODY", 0.22), ("ELECTRICS", 0.09), ("INTERIOR", 0.08),
            ("CHASSIS", 0.15)],
    "truck": [("BODY", 0.22), ("CHASSIS", 0.30), ("ELECTRICS", 0.12), ("INTERIOR", 0.06)],
    "bus": [("BODY", 0.35), ("CHASSIS", 0.20), ("ELECTRICS", 0.12), ("INTERIOR", 0.10)],
    "mining": [("BODY", 0.25), ("CHASSIS", 0.15), ("ELECTRICS", 0.40), ("INTERIOR", 0.02)],
    "tractor": [("TRANSMISSION", 0.25), ("BODY", 0.18), ("CHASSIS", 0.20), ("ELECTRICS", 0.08), ("INTERIOR", 0.05)],
}
# kind -> [(material, share of the system's value)] (estimate); the rest is the system maker's own work
SYSTEM_MATERIALS: dict[str, list[tuple[str, float]]] = {
    "ENGINE": [("MAT-ALU", 0.10), ("MAT-CAST-IRON", 0.06), ("MAT-STEEL-GEAR", 0.08), ("MAT-RUBBER", 0.02)],
    "TRANSMISSION": [("MAT-STEEL-GEAR", 0.16), ("MAT-ALU", 0.08), ("MAT-CAST-IRON", 0.04)],
    "BODY": [("MAT-STEEL-SHEET", 0.25), ("MAT-PAINT", 0.06), ("MAT-GLASS", 0.05)],
    "ELECTRICS": [("MAT-COPPER", 0.18), ("MAT-PA66", 0.04), ("MAT-MCU", 0.06), ("MAT-PCB", 0.04)],
    "INTERIOR": [("MAT-PU-FOAM", 0.08), ("MAT-PP", 0.08), ("MAT-STEEL-SHEET", 0.06), ("MAT-PA66", 0.03)],
    "CHASSIS": [("MAT-STEEL-SHEET", 0.10), ("MAT-STEEL-GEAR", 0.08), ("MAT-CAST-IRON", 0.05), ("MAT-RUBBER", 0.04),
                ("MAT-ALU", 0.03)],
}
# who makes each system: (OEM site, kind) -> sources; missing = DEFAULT_SYSTEM_SOURCES (estimates;
# foreign makers anonymised)
DEFAULT_SYSTEM_SOURCES: dict[str, list[Source]] = {
    "ENGINE": [(SELF, 1.0)],
    "TRANSMISSION": [(SELF, 1.0)],
    "BODY": [(SELF, 1.0)],
    "ELECTRICS": [("WIRING-RU-24", 0.7), ("WIRING-UZ-2", 0.3)],
    "INTERIOR": [("INTERIOR-RU-25", 1.0)],
    "CHASSIS": [(SELF, 0.6), ("AXLE-RU-26", 0.4)],
}
SYSTEM_SOURCES: dict[tuple[str, str], list[Source]] = {
    ("AVTOVAZ-TLT", "TRANSMISSION"): [(SELF, 0.85), ("GEARBOX-CN-14", 0.15)],
    ("AVTOVAZ-TLT", "ELECTRICS"): [("WIRING-RU-24", 0.6), ("ELEC-CN-19", 0.4)],
    ("AVTOVAZ-TLT", "INTERIOR"): [("INTERIOR-RU-25", 0.7), (SELF, 0.3)],
    ("HAVAL-TULA", "ENGINE"): [("ENGINE-CN-13", 0.7), (SELF, 0.3)],
    ("HAVAL-TULA", "TRANSMISSION"): [("GEARBOX-CN-14", 1.0)],
    ("HAVAL-TULA", "ELECTRICS"): [("ELEC-CN-19", 0.8), ("WIRING-RU-24", 0.2)],
    ("HAVAL-TULA", "INTERIOR"): [("KIT-CN-18", 0.7), ("INTERIOR-RU-25", 0.3)],
    ("HAVAL-TULA", "CHASSIS"): [("KIT-CN-18", 0.6), (SELF, 0.4)],
    ("UAZ-ULY", "ENGINE"): [("ENGINE-RU-27", 1.0)],
    ("UAZ-ULY", "TRANSMISSION"): [("GEARBOX-RU-21", 0.5), ("GEARBOX-CN-14", 0.5)],
    ("GAZ-NN", "ENGINE"): [("ENGINE-RU-27", 0.6), ("ENGINE-CN-13", 0.4)],
    ("GAZ-NN", "TRANSMISSION"): [("GEARBOX-RU-21", 0.6), ("GEARBOX-CN-14", 0.4)],
    ("KAMAZ-NCH", "ELECTRICS"): [("WIRING-RU-24", 0.5), ("ELEC-CN-19", 0.5)],
    ("MAZ-MINSK", "ELECTRICS"): [("WIRING-RU-24", 0.5), ("ELEC-CN-19", 0.5)],
    ("LIAZ-LIKINO", "ELECTRICS"): [("WIRING-RU-24", 0.4), ("ELEC-CN-19", 0.6)],
    ("BELAZ-ZHODINO", "ELECTRICS"): [("DRIVE-RU-28", 0.5), ("DRIVE-CN-20", 0.5)],  # electric drive of the dump truck
    ("BELAZ-ZHODINO", "INTERIOR"): [(SELF, 1.0)],
    ("MTZ-MINSK", "INTERIOR"): [(SELF, 1.0)],
}

# Rest of vehicle (the residual after the major systems): final assembly and other parts, made
# at the OEM itself unless a buyer's list below says otherwise; untraced (no BOM, not a material).
BUYER_SOURCES: dict[str, dict[str, list[Source]]] = {
    "AVTOVAZ-TLT": {
        "MOD-HL-CAR": [("RYAZAN-LIGHT", 0.6), ("RUDENSK", 0.4)],
        "MOD-HL-LCV": [("RYAZAN-LIGHT", 0.7), ("RUDENSK", 0.3), ("HL-CN-1", 0.0)],
        "MOD-REAR-CV": [("RYAZAN-LIGHT", 1.0)],
        "MOD-FOG": [("RYAZAN-LIGHT", 0.5), ("RUDENSK", 0.5)],
        "MOD-HUB-CAR": [("BEARING-SAMARA", 0.6), ("BRG-CN-8", 0.4)],
        "MOD-BUMPER-F-CAR": [("PLASTICS-RU-18", 0.8), ("PLASTICS-CN-15", 0.2)],
        "MOD-BUMPER-R-CAR": [("PLASTICS-RU-18", 0.85), ("PLASTICS-CN-15", 0.15)],
        "MOD-DASH-CAR": [("PLASTICS-RU-18", 0.85), ("PLASTICS-CN-15", 0.15)],
        "MOD-TRIM-CAR": [("PLASTICS-RU-18", 0.85), ("PLASTICS-CN-15", 0.15)],
        "ROV-LADA-VESTA": [(SELF, 0.85), ("KIT-CN-18", 0.15)],  # imported electronics and trim kits
    },
    "HAVAL-TULA": {
        "MOD-HL-CAR": [("HL-CN-1", 1.0)],
        "MOD-REAR-CAR": [("HL-CN-1", 1.0)],
        "MOD-FOG": [("HL-CN-1", 1.0)],
        "MOD-BRK-CAR": [("BRAKE-CN-7", 1.0)],
        "MOD-HUB-CAR": [("BRG-CN-8", 1.0)],
        "MOD-BUMPER-F-CAR": [("PLASTICS-CN-15", 1.0)],
        "MOD-BUMPER-R-CAR": [("PLASTICS-CN-15", 1.0)],
        "MOD-DASH-CAR": [("PLASTICS-CN-15", 1.0)],
        # a foreign-owned plant: much of the rest of the vehicle arrives as imported kits
        "ROV-HAVAL-JOLION": [(SELF, 0.4), ("KIT-CN-18", 0.6)],
    },
    "UAZ-ULY": {
        "MOD-HL-LCV": [("RUDENSK", 1.0)],
    },
    "GAZ-NN": {
        "MOD-BRK-LCV": [("BRAKE-RU-6", 0.5), ("BRAKE-CN-7", 0.5)],
        "MOD-BUMPER-F-CAR": [("PLASTICS-RU-19", 1.0)],
        "MOD-ENGINE-TRUCK": [("ENGINE-RU-20", 0.6), ("ENGINE-MINSK", 0.4)],
    },
    "KAMAZ-NCH": {
        "MOD-HL-TRUCK": [("OSHMYANY", 0.6), ("HL-CN-1", 0.4)],
        "MOD-BRK-AIR-TRUCK": [("BRAKE-RU-4", 0.85), ("BRAKE-CN-7", 0.15), ("BRAKE-DE-2", 0.0, False)],
        "MOD-ENGINE-TRUCK": [(SELF, 0.7), ("ENGINE-CN-13", 0.3)],
        "MOD-GEARBOX-TRUCK": [("GEARBOX-RU-21", 0.5), ("GEARBOX-CN-14", 0.5), ("GEARBOX-DE-4", 0.0, False)],
    },
    "URAL-MIASS": {
        "MOD-HL-TRUCK": [("OSHMYANY", 0.5), ("RUDENSK", 0.3), ("HL-DE-1", 0.2, False)],
        "MOD-ENGINE-TRUCK": [("ENGINE-RU-20", 1.0)],
        "MOD-GEARBOX-TRUCK": [("GEARBOX-RU-21", 1.0)],
    },
    "MAZ-MINSK": {
        "MOD-HL-TRUCK": [("OSHMYANY", 0.7), ("RUDENSK", 0.3)],
        "MOD-HL-BUS": [("RUDENSK", 0.5), ("HL-TR-1", 0.3), ("HL-DE-1", 0.2)],
        "MOD-BRK-AIR-TRUCK": [("BRAKE-BY-3", 0.8), ("BRAKE-RU-4", 0.2)],
        "MOD-BRK-AIR-BUS": [("BRAKE-BY-3", 1.0)],
        "MOD-HUB-HEAVY": [("BEARING-MINSK", 1.0)],
        "MOD-GEAR-TRUCK": [("GEAR-BY-4", 0.7), ("GEAR-CN-17", 0.3)],
        "MOD-ENGINE-TRUCK": [("ENGINE-RU-20", 0.5), ("ENGINE-CN-13", 0.5)],
        "MOD-GEARBOX-TRUCK": [("GEARBOX-CN-14", 1.0)],
        "MOD-DASH-CV": [("PLASTICS-BY-2", 1.0)],
        "MOD-TRIM-CV": [("PLASTICS-BY-2", 1.0)],
        "MOD-BUMPER-CV": [("PLASTICS-BY-2", 1.0)],
    },
    "LIAZ-LIKINO": {
        "MOD-HL-BUS": [("RUDENSK", 0.6), ("HL-TR-1", 0.4)],
        "MOD-BRK-AIR-BUS": [("BRAKE-RU-4", 0.6), ("BRAKE-DE-2", 0.4)],
        "MOD-ENGINE-TRUCK": [("ENGINE-RU-20", 0.3), ("ENGINE-CN-13", 0.7)],
        "MOD-BUMPER-CV": [("PLASTICS-RU-19", 0.5), ("PLASTICS-CN-15", 0.5)],
    },
    "BELAZ-ZHODINO": {
        "MOD-HL-WORK": [("OSHMYANY", 0.5), ("HL-DE-1", 0.5)],
        "MOD-DASH-CV": [("PLASTICS-BY-2", 1.0)],
    },
    # lighting makers: Rudensk's components come from Russia, India and China (FACTS)
    "RUDENSK": {
        # German modules come through third countries: no more than the contracted share at short notice
        "CMP-LED-MOD-HL": [("LED-CN-3", 0.5), ("LED-DE-9", 0.2, False), ("LED-RU-1", 0.3)],
        "CMP-LED-DRIVER": [("LED-CN-3", 0.6), ("LED-DE-9", 0.4, False)],
        "CMP-LENS-S": [("LENS-IN-1", 0.6), ("OPTICS-RU-3", 0.4)],
        "CMP-LENS-L": [("LENS-IN-1", 0.4), ("LENS-CN-21", 0.3), ("OPTICS-RU-3", 0.3)],
        "CMP-REFLECTOR": [("LENS-IN-1", 0.6), ("OPTICS-RU-3", 0.4)],
    },
    "RYAZAN-LIGHT": {
        "CMP-LED-MOD-HL": [("LED-RU-1", 0.6), ("LED-CN-3", 0.4)],
        "CMP-LED-DRIVER": [("LED-RU-1", 0.5), ("LED-CN-3", 0.5)],
    },
    "OSHMYANY": {
        "CMP-LED-DRIVER": [("LED-CN-3", 0.6), ("LED-DE-9", 0.4, False)],
        "CMP-LENS-S": [("OPTICS-RU-3", 0.5), ("LENS-IN-1", 0.5)],
        "CMP-LENS-L": [("OPTICS-RU-3", 0.5), ("LENS-CN-21", 0.5)],
        "CMP-REFLECTOR": [("OPTICS-RU-3", 0.5), ("LENS-IN-1", 0.5)],
    },
    # brake makers
    "BRAKE-RU-4": {
        "CMP-ABS-AIR": [("ABS-CN-6", 0.4), ("BRAKE-DE-2", 0.6, False)],
        "CMP-CHAMBER-2020": [(SELF, 0.4), ("BRAKE-DE-2", 0.3), ("BRAKE-CN-7", 0.3)],
    },
    "BRAKE-BY-3": {
        "CMP-ABS-AIR": [("ABS-CN-6", 0.4), ("BRAKE-DE-2", 0.6, False)],
        "CMP-COMPRESSOR": [(SELF, 0.7), ("COMPRESSOR-RU-5", 0.3)],
        "CMP-DRUM-BRAKE": [("FOUNDRY-BY-6", 1.0)],
        "CMP-AIR-DISC": [("BRAKE-CN-7", 0.6), ("KAMAZ-BRAKES", 0.4)],
        "CMP-CHAMBER-24": [(SELF, 0.6), ("BRAKE-TR-2", 0.4)],
        "CMP-CHAMBER-2020": [(SELF, 0.6), ("BRAKE-TR-2", 0.4)],
        "MAT-ALU": [("ALU-RU-13", 0.5), ("ALU-KZ-2", 0.5)],
    },
    "FOUNDRY-BY-6": {
        "MAT-CAST-IRON": [("STEEL-RU-12", 0.6), ("STEEL-KZ-1", 0.4)],
    },
    # bearing, gear and forging plants
    "BEARING-MINSK": {
        "CMP-BRG-RING-S": [(SELF, 1.0)],
        "CMP-ROLLING-S": [(SELF, 0.7), ("BRG-IN-2", 0.3)],
        "CMP-BRG-RING-M": [(SELF, 0.6), ("BRG-DE-3", 0.2), ("BRG-CN-8", 0.2)],
        "CMP-RING-BLANK-S": [("FORGE-BY-5", 0.5), ("FORGE-RU-9", 0.5)],
        "CMP-RING-BLANK-M": [("FORGE-BY-5", 0.6), ("FORGE-CZ-1", 0.4)],
        "CMP-HUB-FLANGE": [("FORGE-BY-5", 1.0)],
        "MAT-STEEL-BEARING": [("STEEL-ZHLOBIN", 0.7), ("STEEL-RU-11", 0.3)],
    },
    "BEARING-VOLOGDA": {
        "MAT-STEEL-BEARING": [("STEEL-RU-11", 0.7), ("STEEL-SE-2", 0.3)],  # legacy Swedish steel stock
    },
    "GEAR-RU-10": {
        "CMP-BRG-RING-M": [("BEARING-VOLOGDA", 1.0)],
    },
    "GEAR-BY-4": {
        "CMP-GEAR-RING-MINING": [(SELF, 0.4), ("FORGE-CN-9", 0.6)],
        "CMP-BRG-RING-M": [("BEARING-MINSK", 0.7), ("BRG-CN-8", 0.3)],
        "CMP-RING-BLANK-L": [("FORGE-BY-5", 0.5), ("FORGE-IN-3", 0.5)],
    },
    "FORGE-RU-9": {
        "MAT-STEEL-BEARING": [("STEEL-RU-11", 1.0), ("STEEL-SE-2", 0.0, False)],
    },
    "FORGE-BY-5": {
        "MAT-STEEL-BEARING": [("STEEL-ZHLOBIN", 0.6), ("STEEL-RU-11", 0.4)],
        "MAT-STEEL-GEAR": [("STEEL-ZHLOBIN", 1.0)],
    },
    # plastics makers
    "PLASTICS-RU-18": {
        "CMP-DOOR-TRIM": [("TLT-SEZ", 0.4), (SELF, 0.3), ("PLASTICS-UZ-1", 0.3)],
        "CMP-ARCH-LINER": [("TLT-SEZ", 0.5), ("PLASTICS-UZ-1", 0.5)],
        "CMP-AIR-DUCT": [(SELF, 0.5), ("PLASTICS-UZ-1", 0.5)],
    },
    "PLASTICS-RU-19": {
        "CMP-BUMPER-FASCIA": [(SELF, 1.0)],
        "CMP-GRILLE": [(SELF, 1.0)],
        "CMP-DASH-SKIN": [("PLASTICS-CZ-2", 1.0)],
        "CMP-CLIPS": [("PLASTICS-RU-18", 0.5), ("PLASTICS-PL-1", 0.5)],
        "MAT-ABS-POLY": [("POLY-RU-15", 0.4), ("POLY-CN-11", 0.6)],
    },
    "PLASTICS-BY-2": {
        "CMP-BUMPER-FASCIA": [(SELF, 0.6), ("PLASTICS-PL-1", 0.4)],
        "CMP-GRILLE": [("PLASTICS-PL-1", 1.0)],
        "CMP-DASH-SKIN": [("PLASTICS-CZ-2", 1.0)],
        "CMP-DOOR-TRIM": [(SELF, 1.0)],
        "CMP-CLIPS": [("PLASTICS-PL-1", 1.0)],
        "MAT-PP": [("POLY-BY-1", 0.7), ("POLY-RU-14", 0.3)],
    },
}

# Deliberately unmapped inputs (buyer site, BOM child): no supply link is recorded, so
# their value stays in the buyer's own value added and data coverage there is below 100 %.
UNMAPPED: frozenset[tuple[str, str]] = frozenset({
    ("URAL-MIASS", "ROV-URAL-NEXT"),  # Ural's rest of vehicle: sourcing not disclosed
    ("HAVAL-TULA", "MOD-TRIM-CAR"),  # interior trim at Haval: not in our data
    ("MTZ-MINSK", "MOD-DASH-CV"),  # tractor cab dashboards: not mapped
    ("OSHMYANY", "CMP-WIRING-HL"),  # lamp harnesses at Oshmyany: not mapped
    ("PLASTICS-BY-2", "MAT-ABS-POLY"),  # ABS granulate of a Belarusian moulder: not mapped
})

# Inputs contracted ahead for a project's host site, needed only once its
# outputs run (no current need): (buyer, part) -> sources
PROJECT_INPUT_SOURCES: dict[tuple[str, str], list[Source]] = {
    ("RUDENSK", "MAT-LED-CHIP"): [("LED-CN-2", 0.5), ("LED-KR-1", 0.5)],
    ("RUDENSK", "MAT-PCB"): [("PCB-RU-2", 1.0)],
    ("BELAZ-ORSHA", "MAT-STEEL-GEAR"): [("STEEL-ZHLOBIN", 0.7), ("STEEL-RU-11", 0.3)],
    ("BELAZ-ORSHA", "CMP-ROLLING-M"): [("BEARING-MINSK", 1.0)],  # rolling elements of the slewing rings
    ("RUDENSK", "MAT-MCU"): [("MCU-RU-23", 1.0)],  # LED drivers
    ("RUDENSK", "MAT-PC"): [("POLY-RU-15", 1.0)],  # headlamp lenses
}

# Where a supply relationship itself is public (FACTS.md), its links cite it:
# (buyer sites or None for any, parts or None for any, supplier, source); first match wins.
_RUDENSK_BUYERS = ("UAZ-ULY", "AVTOVAZ-TLT", "PAZ-PAVLOVO", "LIAZ-LIKINO", "URAL-MIASS")
LINK_SOURCES: tuple[tuple[tuple[str, ...] | None, tuple[str, ...] | None, str, str], ...] = (
    (_RUDENSK_BUYERS, None, "RUDENSK",
     "avtorin.ru citing AvtoVzglyad, ~2023 (Rudensk headlamps for UAZ, AvtoVAZ, PAZ, LiAZ; first order for Ural); "
     "share: estimate"),
    (("AVTOVAZ-TLT", "GAZ-NN"), None, "RYAZAN-LIGHT",
     "kunststoffweb.de (Ryazan lighting plant supplies AvtoVAZ, GAZ, Sollers); share: estimate"),
    (("KAMAZ-NCH", "URAL-MIASS", "GAZ-NN"), None, "OSHMYANY",
     "souzveche.ru (Radiotekhnika supplies KAMAZ, UralAZ, GAZ); share: estimate"),
    (None, ("CMP-ABS-HYD",), "KOSTROMA-ABS", "profile.ru; smotrim.ru, 2023 (domestic ABS from July 2023); share: estimate"),
    (None, ("CMP-ABS-HYD",), "ABS-CN-5",
     "profile.ru; smotrim.ru, 2023 (Chinese ABS units in Lada Vesta, Largus and UAZ models); share: estimate"),
    (None, ("CMP-AIR-DISC",), "KAMAZ-BRAKES",
     "tatar-inform, 2025 (KAMAZ line for up to 90,000 disc brakes a year); share: estimate"),
    (("KAMAZ-NCH",), None, "BRAKE-DE-2",
     "company statements and press, 2022 (German brake maker ended its KAMAZ joint venture): legacy, not qualified"),
    (None, None, "BRAKE-DE-2", "company statements and press, 2022: legacy supplier; share: estimate"),
    (("KAMAZ-NCH",), None, "GEARBOX-DE-4",
     "company statements and press, 2022–23 (German driveline group stopped supplies): legacy, not qualified"),
    (("URAL-MIASS",), None, "HL-DE-1",
     "avtorin.ru citing AvtoVzglyad (Ural used a German headlamp supplier before): legacy, not qualified; share: estimate"),
    (None, None, "BRG-SE-1",
     "company statements and press (Swedish bearing maker left, Apr 2022): pre-2022 legacy link; share: estimate"),
    (None, None, "STEEL-SE-2", "pre-2022 legacy link; share: estimate"),
)


def link_source(buyer: str, part: str, supplier: str) -> str:
    for buyers, parts, sup, text in LINK_SOURCES:
        if sup == supplier and (buyers is None or buyer in buyers) and (parts is None or part in parts):
            return text
    return "estimate (illustrative sourcing)"


# ------------------------------------------------------------------ capacity

HEADROOM_DOMESTIC = 1.25  # supplier capacity / peak need 2023–2025 (estimate)
HEADROOM_FOREIGN = 1.5  # foreign suppliers also serve other markets (estimate)
# every producer of a part can make at least this share of the group's need of it (estimate)
ALTERNATIVE_FLOOR = 0.15
# per-site headroom where it differs (estimate unless the source says otherwise)
SITE_HEADROOM: dict[str, tuple[float, str]] = {
    "RYAZAN-LIGHT": (1.05, "kunststoffweb.de (~2 million lamps a year in all); split over lamp types: estimate"),
    "BELAZ-ORSHA": (1.0, "estimate (wheel line runs at capacity: a tight spot)"),
    "KOSTROMA-ABS": (1.5, "estimate (line started July 2023, profile.ru)"),
    "RUDENSK": (1.2, EST),
    # sold out: no spare capacity to cover another supplier's cut (estimate)
    "LED-RU-1": (1.0, "estimate (domestic LED module line sold out)"),
    "SLEW-CN-10": (1.0, "estimate (slewing-ring maker sold out)"),
    "FORGE-CN-9": (1.0, "estimate (ring forge sold out)"),
    "ABS-CN-6": (1.0, "estimate (air-brake ABS maker sold out)"),
}
# explicit capacities [units/yr] of (site, part) where public
EXPLICIT_CAPACITY: dict[tuple[str, str], tuple[float, str]] = {
    ("KAMAZ-BRAKES", "CMP-AIR-DISC"): (90_000, "tatar-inform, 2025 (up to 90,000 disc brakes a year)"),
}
# parts a site makes beyond what it is named as supplier of: (site, part)
EXTRA_PRODUCTION: tuple[tuple[str, str], ...] = (
    ("RING-IT-1", "CMP-SLEW-RACEWAY"),
    ("BRG-DE-3", "CMP-SLEW-RACEWAY"),
    ("PLASTICS-CN-15", "MOD-TRIM-CAR"),
    ("BRAKE-DE-2", "CMP-CHAMBER-2020"),
)
# time to recover [weeks] by BOM level below the vehicle (estimate); site overrides
TTR_BY_LEVEL = (6, 8, 12, 16, 20)
SITE_TTR: dict[str, float] = {"BELAZ-ORSHA": 26, "KOSTROMA-ABS": 16, "RUDENSK": 10, "KAMAZ-BRAKES": 14}

# ------------------------------------------------------------------ inventory

VEHICLE_STOCK_WEEKS = 2.0  # finished vehicles at the OEM (estimate)
IMPORT_STOCK_WEEKS = 6.0  # purchased input with an import share (estimate)
DOMESTIC_STOCK_WEEKS = 1.5  # purchased input from the union only (estimate)
STOCKED_CATEGORIES = ("lighting", "braking", "rolled_rings", "powertrain")

# demand factor of the scenario "passenger-cars+10%" on every passenger-car model
PASSENGER_CAR_FACTOR = 1.10

# fmt: on
