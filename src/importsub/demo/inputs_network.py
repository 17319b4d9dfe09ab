"""Derivation inputs of the demo ``by-ru-auto``: parts, bills of materials, vehicles, demand, default sourcing.

These are the figures from which :mod:`importsub.demo.derive` computes the derived tables
(``parts``, ``bom``, ``production``, ``supply_links``, ``inventory``, ``demand``,
``demand_changes``) of ``demo/data/by-ru-auto/``.  Sites, organisations, countries,
projects and scenarios are not here: they are CSV files in that folder, edited as data.
Public figures cite ``FACTS.md`` rows (Rosstat, BelTA, TASS and the press) in their
``source`` strings; every other number is marked ``estimate``.

Conventions: money in RUB; capacities and demand in units per year; lead times and times
to recover in weeks.
"""

from __future__ import annotations

# The data tables below keep one record per line for reading; the formatter leaves them alone.
# fmt: off

EST = "estimate"
SELF = "@self"  # supplier marker: the buyer makes the input in-house

# ------------------------------------------------------------------ parts

# id, name, name_local, category, unit, hs_code, unit_value [RUB/unit]
PARTS: tuple[tuple[str, str, str, str, str, str, float], ...] = (
    # --- materials (leaves)
    ("MAT-STEEL-BEARING", "Bearing steel billet", "Заготовка из подшипниковой стали", "steel", "kg", "7228", 120),
    ("MAT-STEEL-GEAR", "Gear steel billet", "Заготовка из конструкционной стали", "steel", "kg", "7228", 90),
    ("MAT-STEEL-SHEET", "Steel sheet", "Стальной лист", "steel", "kg", "7208", 80),
    ("MAT-CAST-IRON", "Grey cast iron", "Серый чугун", "steel", "kg", "7201", 60),
    ("MAT-ALU", "Aluminium alloy ingot", "Слиток алюминиевого сплава", "aluminium", "kg", "7601", 250),
    ("MAT-LED-CHIP", "LED chip, automotive grade", "Светодиодный кристалл", "electronics", "pcs", "854141", 40),
    ("MAT-PCB", "Printed circuit board", "Печатная плата", "electronics", "pcs", "8534", 150),
    ("MAT-MCU", "Automotive microcontroller", "Микроконтроллер", "electronics", "pcs", "854231", 600),
    ("MAT-PC", "Polycarbonate granulate", "Гранулят поликарбоната", "polymers", "kg", "390740", 350),
    ("MAT-PP", "Polypropylene granulate", "Гранулят полипропилена", "polymers", "kg", "390210", 150),
    ("MAT-ABS-POLY", "ABS plastic granulate", "Гранулят АБС-пластика", "polymers", "kg", "390330", 250),
    ("MAT-PA66", "Polyamide 6.6 granulate", "Гранулят полиамида 6.6", "polymers", "kg", "390810", 450),
    ("MAT-FRICTION", "Friction material", "Фрикционный материал", "braking", "kg", "6813", 300),
    ("MAT-RUBBER", "Rubber compound", "Резиновая смесь", "rubber", "kg", "4005", 250),
    ("MAT-COPPER", "Copper wire", "Медная проволока", "copper", "kg", "7408", 900),
    ("MAT-STEEL-WIRE", "Spring steel wire", "Пружинная стальная проволока", "steel", "kg", "7217", 110),
    ("MAT-PAINT", "Automotive paint and coatings", "Автомобильные лакокрасочные материалы", "paint", "kg", "3208", 700),
    ("MAT-GLASS", "Automotive float glass", "Автомобильное флоат-стекло", "glass", "kg", "7005", 120),
    ("MAT-PU-FOAM", "Polyurethane foam system", "Пенополиуретановая система", "polymers", "kg", "390950", 400),
    # --- ring blanks (below bearing and gear rings)
    ("CMP-RING-BLANK-S", "Forged ring blank, small", "Кольцевая заготовка, малая", "rolled_rings", "pcs", "732619", 300),
    ("CMP-RING-BLANK-M", "Forged ring blank, medium", "Кольцевая заготовка, средняя", "rolled_rings", "pcs", "732619", 1_800),
    ("CMP-RING-BLANK-L", "Rolled ring blank, large", "Раскатанная кольцевая заготовка, большая", "rolled_rings", "pcs", "732619", 11_000),
    ("CMP-RING-BLANK-XL", "Rolled ring blank, extra large", "Раскатанная кольцевая заготовка, крупногабаритная", "rolled_rings", "pcs", "732619", 160_000),
    # --- lighting components
    ("CMP-LED-MOD-HL", "LED module, headlamp", "Светодиодный модуль фары", "lighting", "pcs", "851290", 2_500),
    ("CMP-LED-MOD-SIG", "LED module, signal lamp", "Светодиодный модуль сигнального фонаря", "lighting", "pcs", "851290", 900),
    ("CMP-LED-DRL", "LED module, daytime running light", "Светодиодный модуль ДХО", "lighting", "pcs", "851290", 1_200),
    ("CMP-LED-DRIVER", "LED driver board", "Плата драйвера светодиодов", "lighting", "pcs", "850440", 1_800),
    ("CMP-LENS-S", "Lamp lens, small", "Рассеиватель, малый", "lighting", "pcs", "851290", 1_200),
    ("CMP-LENS-L", "Headlamp lens, large", "Рассеиватель фары, большой", "lighting", "pcs", "851290", 2_200),
    ("CMP-REFLECTOR", "Reflector", "Отражатель", "lighting", "pcs", "851290", 700),
    ("CMP-HOUSING-HL", "Lamp housing", "Корпус фары", "lighting", "pcs", "851290", 900),
    ("CMP-BULB-H4", "Halogen bulb H4", "Галогенная лампа H4", "lighting", "pcs", "853921", 150),
    ("CMP-LEVELER", "Headlamp levelling actuator", "Корректор фар", "lighting", "pcs", "850131", 900),
    ("CMP-WIRING-HL", "Lamp wiring harness", "Жгут проводов фары", "lighting", "pcs", "854430", 400),
    # --- braking components
    ("CMP-ABS-HYD", "ABS/ESC hydraulic unit", "Гидроблок АБС/ESC", "braking", "pcs", "870830", 18_000),
    ("CMP-ABS-AIR", "ABS modulator and ECU set, air brakes", "Комплект модуляторов и блока АБС пневмотормозов", "braking", "set", "870830", 35_000),
    ("CMP-ABS-SENSOR", "Wheel speed sensor", "Датчик скорости колеса", "braking", "pcs", "903180", 1_000),
    ("CMP-CALIPER-CAR", "Brake caliper, passenger car", "Тормозной суппорт, легковой", "braking", "pcs", "870830", 3_500),
    ("CMP-CALIPER-LCV", "Brake caliper, LCV", "Тормозной суппорт, LCV", "braking", "pcs", "870830", 5_000),
    ("CMP-DISC-CAR", "Brake disc, passenger car", "Тормозной диск, легковой", "braking", "pcs", "870830", 1_500),
    ("CMP-DISC-LCV", "Brake disc, LCV", "Тормозной диск, LCV", "braking", "pcs", "870830", 2_200),
    ("CMP-PADS", "Brake pad set", "Комплект тормозных колодок", "braking", "set", "870830", 1_000),
    ("CMP-MASTER-CYL", "Brake master cylinder", "Главный тормозной цилиндр", "braking", "pcs", "870830", 3_000),
    ("CMP-BOOSTER", "Vacuum brake booster", "Вакуумный усилитель тормозов", "braking", "pcs", "870830", 4_000),
    ("CMP-BRAKE-HOSE", "Brake hose", "Тормозной шланг", "braking", "pcs", "400931", 350),
    ("CMP-SEAL-KIT", "Brake seal kit", "Ремкомплект уплотнений", "braking", "set", "401693", 250),
    ("CMP-COMPRESSOR", "Air compressor", "Пневматический компрессор", "braking", "pcs", "841480", 28_000),
    ("CMP-AIR-DRYER", "Air dryer", "Осушитель воздуха", "braking", "pcs", "842139", 9_000),
    ("CMP-PRESS-REG", "Pressure regulator", "Регулятор давления", "braking", "pcs", "848140", 4_500),
    ("CMP-VALVE-PROT", "Double/triple protection valve", "Клапан защитный двойной/тройной", "braking", "pcs", "848140", 6_000),
    ("CMP-VALVE-BRAKE", "Foot brake valve", "Тормозной кран", "braking", "pcs", "848180", 7_000),
    ("CMP-CHAMBER-24", "Brake chamber, type 24", "Тормозная камера тип 24", "braking", "pcs", "870830", 3_500),
    ("CMP-CHAMBER-2020", "Spring-brake chamber 20/20", "Тормозная камера с пружинным энергоаккумулятором 20/20", "braking", "pcs", "870830", 7_500),
    ("CMP-BRAKE-SPRING", "Power spring, spring-brake chamber", "Силовая пружина энергоаккумулятора", "braking", "pcs", "732020", 600),
    ("CMP-AIR-DISC", "Air disc brake, 22.5 in", "Дисковый тормоз с пневмоприводом 22,5\"", "braking", "pcs", "870830", 45_000),
    ("CMP-DRUM-BRAKE", "Drum brake assembly, truck", "Барабанный тормозной механизм", "braking", "pcs", "870830", 18_000),
    ("CMP-WET-BRAKE", "Wet multi-disc brake, mining truck", "Многодисковый тормоз в масляной ванне", "braking", "pcs", "870830", 1_800_000),
    # --- rolled-ring components
    ("CMP-BRG-RING-S", "Bearing ring set, small (hub unit)", "Комплект колец подшипника, малый", "rolled_rings", "set", "848299", 1_400),
    ("CMP-BRG-RING-M", "Bearing ring set, medium (truck hub)", "Комплект колец подшипника, средний", "rolled_rings", "set", "848299", 7_000),
    ("CMP-ROLLING-S", "Rolling elements set, small", "Комплект тел качения, малый", "rolled_rings", "set", "848291", 350),
    ("CMP-ROLLING-M", "Rolling elements set, medium", "Комплект тел качения, средний", "rolled_rings", "set", "848291", 1_500),
    ("CMP-TONE-RING", "ABS tone ring", "Задающее кольцо датчика АБС", "rolled_rings", "pcs", "848299", 250),
    ("CMP-HUB-SEAL", "Hub seal", "Уплотнение ступицы", "rolled_rings", "pcs", "401693", 150),
    ("CMP-HUB-FLANGE", "Hub flange forging", "Поковка фланца ступицы", "rolled_rings", "pcs", "732619", 600),
    ("CMP-GEAR-RING-TRUCK", "Gear ring, truck hub reduction", "Зубчатый венец колёсного редуктора", "rolled_rings", "pcs", "848390", 24_000),
    ("CMP-GEAR-RING-MINING", "Gear ring, mining truck wheel-motor reduction", "Зубчатый венец мотор-колеса карьерного самосвала", "rolled_rings", "pcs", "848390", 420_000),
    ("CMP-GEAR-RING-TRACTOR", "Gear ring, tractor final drive", "Зубчатый венец конечной передачи трактора", "rolled_rings", "pcs", "848390", 22_000),
    ("CMP-RIM-RING", "Rolled rim ring, mining truck wheel", "Раскатанное кольцо обода колеса карьерного самосвала", "rolled_rings", "pcs", "870870", 300_000),
    ("CMP-SLEW-RACEWAY", "Slewing ring raceway set", "Комплект колец опорно-поворотного устройства", "rolled_rings", "set", "848299", 600_000),
    # --- plastics components (injection-moulded)
    ("CMP-BUMPER-FASCIA", "Bumper fascia moulding", "Облицовка бампера", "plastics", "pcs", "870810", 3_800),
    ("CMP-BUMPER-BEAM", "Bumper energy absorber", "Энергопоглотитель бампера", "plastics", "pcs", "870810", 900),
    ("CMP-GRILLE", "Radiator grille moulding", "Решётка радиатора", "plastics", "pcs", "870829", 1_500),
    ("CMP-DASH-CARRIER", "Dashboard carrier moulding", "Каркас панели приборов", "plastics", "pcs", "870829", 5_500),
    ("CMP-DASH-SKIN", "Dashboard panel moulding", "Облицовка панели приборов", "plastics", "pcs", "870829", 4_000),
    ("CMP-CONSOLE", "Centre console moulding", "Центральная консоль", "plastics", "pcs", "870829", 2_200),
    ("CMP-DOOR-TRIM", "Door trim panel moulding", "Обивка двери", "plastics", "pcs", "870829", 1_800),
    ("CMP-ARCH-LINER", "Wheel arch liner", "Подкрылок", "plastics", "pcs", "870829", 700),
    ("CMP-AIR-DUCT", "Air duct moulding", "Воздуховод", "plastics", "pcs", "870829", 400),
    ("CMP-CLIPS", "Fastener clip set", "Комплект пластиковых клипс", "plastics", "set", "392630", 300),
    # --- lighting modules
    ("MOD-HL-CAR", "LED headlamp, passenger car", "Светодиодная фара, легковой", "lighting", "pcs", "851220", 15_000),
    ("MOD-HL-LCV", "Halogen headlamp, car/LCV", "Галогенная фара, легковой/LCV", "lighting", "pcs", "851220", 7_500),
    ("MOD-HL-TRUCK", "LED headlamp, truck", "Светодиодная фара, грузовик", "lighting", "pcs", "851220", 16_000),
    ("MOD-HL-BUS", "LED headlamp, bus", "Светодиодная фара, автобус", "lighting", "pcs", "851220", 18_500),
    ("MOD-HL-WORK", "LED work lamp, mining truck/tractor", "Светодиодная рабочая фара", "lighting", "pcs", "851220", 12_500),
    ("MOD-HL-TRACTOR", "Halogen headlamp, tractor", "Галогенная фара, трактор", "lighting", "pcs", "851220", 4_500),
    ("MOD-REAR-CAR", "LED rear lamp, passenger car", "Задний светодиодный фонарь, легковой", "lighting", "pcs", "851220", 5_500),
    ("MOD-REAR-CV", "LED rear lamp, commercial vehicle", "Задний светодиодный фонарь, коммерческий", "lighting", "pcs", "851220", 4_200),
    ("MOD-FOG", "LED fog lamp", "Светодиодная противотуманная фара", "lighting", "pcs", "851220", 3_000),
    # --- braking modules
    ("MOD-BRK-CAR", "Brake system kit, passenger car", "Комплект тормозной системы, легковой", "braking", "set", "870830", 58_000),
    ("MOD-BRK-LCV", "Brake system kit, LCV", "Комплект тормозной системы, LCV", "braking", "set", "870830", 64_000),
    ("MOD-BRK-AIR-TRUCK", "Air brake system kit, truck 6×4", "Комплект пневматической тормозной системы, грузовик 6×4", "braking", "set", "870830", 400_000),
    ("MOD-BRK-AIR-BUS", "Air brake system kit, bus", "Комплект пневматической тормозной системы, автобус", "braking", "set", "870830", 400_000),
    ("MOD-BRK-MINING", "Brake system, mining dump truck", "Тормозная система карьерного самосвала", "braking", "set", "870830", 9_500_000),
    ("MOD-BRK-TRACTOR", "Brake system kit, tractor", "Комплект тормозной системы, трактор", "braking", "set", "870830", 105_000),
    # --- rolled-ring modules
    ("MOD-HUB-CAR", "Wheel hub bearing unit, passenger car", "Ступичный подшипниковый узел, легковой", "rolled_rings", "pcs", "848210", 3_500),
    ("MOD-HUB-LCV", "Wheel hub bearing unit, LCV", "Ступичный подшипниковый узел, LCV", "rolled_rings", "pcs", "848210", 6_500),
    ("MOD-HUB-HEAVY", "Wheel hub bearing unit, truck/bus", "Ступичный подшипниковый узел, грузовик/автобус", "rolled_rings", "pcs", "848210", 14_000),
    ("MOD-HUB-TRACTOR", "Wheel hub bearing unit, tractor", "Ступичный подшипниковый узел, трактор", "rolled_rings", "pcs", "848210", 12_000),
    ("MOD-GEAR-TRUCK", "Hub reduction gear set, truck", "Колёсный редуктор, грузовик", "rolled_rings", "set", "848340", 55_000),
    ("MOD-GEAR-MINING", "Wheel-motor reduction gear, mining truck", "Редуктор мотор-колеса карьерного самосвала", "rolled_rings", "set", "848340", 1_600_000),
    ("MOD-GEAR-TRACTOR", "Final drive gear set, tractor", "Конечная передача трактора", "rolled_rings", "set", "848340", 48_000),
    ("MOD-SLEW-RING", "Slewing ring, mining dump truck", "Опорно-поворотное устройство карьерного самосвала", "rolled_rings", "pcs", "848280", 2_000_000),
    ("MOD-WHEEL-MINING", "Wheel rim, mining dump truck", "Обод колеса карьерного самосвала", "rolled_rings", "pcs", "870870", 550_000),
    # --- powertrain modules (bought-in, tiers below not mapped)
    ("MOD-ENGINE-TRUCK", "Diesel engine, truck/bus", "Дизельный двигатель, грузовик/автобус", "powertrain", "pcs", "840820", 1_800_000),
    ("MOD-GEARBOX-TRUCK", "Gearbox, truck/bus", "Коробка передач, грузовик/автобус", "powertrain", "pcs", "870840", 700_000),
    ("MOD-ENGINE-MINING", "Diesel engine, mining dump truck", "Дизельный двигатель карьерного самосвала", "powertrain", "pcs", "840890", 40_000_000),
    ("MOD-ENGINE-TRACTOR", "Diesel engine, tractor", "Дизельный двигатель, трактор", "powertrain", "pcs", "840820", 450_000),
    # --- plastics modules
    ("MOD-BUMPER-F-CAR", "Front bumper assembly, car/LCV", "Передний бампер в сборе, легковой/LCV", "plastics", "pcs", "870810", 9_000),
    ("MOD-BUMPER-R-CAR", "Rear bumper assembly, car", "Задний бампер в сборе, легковой", "plastics", "pcs", "870810", 7_000),
    ("MOD-DASH-CAR", "Dashboard assembly, car", "Панель приборов в сборе, легковой", "plastics", "pcs", "870829", 25_000),
    ("MOD-TRIM-CAR", "Interior trim set, car", "Комплект пластиковой отделки салона, легковой", "plastics", "set", "870829", 15_000),
    ("MOD-DASH-CV", "Cab dashboard assembly, commercial vehicle", "Панель приборов кабины в сборе", "plastics", "pcs", "870829", 22_000),
    ("MOD-TRIM-CV", "Cab trim set, commercial vehicle", "Комплект отделки кабины", "plastics", "set", "870829", 11_000),
    ("MOD-BUMPER-CV", "Plastic bumper assembly, truck/bus", "Пластиковый бампер, грузовик/автобус", "plastics", "pcs", "870810", 14_000),
)

# BOMs of modules and components: parent -> [(child, quantity per parent unit)]
BOM: dict[str, list[tuple[str, float]]] = {
    # ring blanks are forged or rolled from steel billets [kg]
    "CMP-RING-BLANK-S": [("MAT-STEEL-BEARING", 1.2)],
    "CMP-RING-BLANK-M": [("MAT-STEEL-BEARING", 8)],
    "CMP-RING-BLANK-L": [("MAT-STEEL-GEAR", 60)],
    "CMP-RING-BLANK-XL": [("MAT-STEEL-GEAR", 900)],
    # lighting
    "CMP-LED-MOD-HL": [("MAT-LED-CHIP", 12), ("MAT-PCB", 1)],
    "CMP-LED-MOD-SIG": [("MAT-LED-CHIP", 6), ("MAT-PCB", 1)],
    "CMP-LED-DRIVER": [("MAT-PCB", 1), ("MAT-MCU", 1)],
    "CMP-LED-DRL": [("MAT-LED-CHIP", 8), ("MAT-PCB", 1)],
    "CMP-LENS-S": [("MAT-PC", 0.8)],
    "CMP-LENS-L": [("MAT-PC", 1.5)],
    "CMP-REFLECTOR": [("MAT-PC", 0.5), ("MAT-ALU", 0.05)],
    "CMP-HOUSING-HL": [("MAT-PP", 1.5)],
    "CMP-WIRING-HL": [("MAT-COPPER", 0.1), ("MAT-PA66", 0.05)],
    "MOD-HL-CAR": [("CMP-LED-MOD-HL", 2), ("CMP-LED-DRIVER", 1), ("CMP-LENS-L", 1), ("CMP-HOUSING-HL", 1),
                   ("CMP-REFLECTOR", 1), ("CMP-LEVELER", 1), ("CMP-LED-DRL", 1)],
    "MOD-HL-LCV": [("CMP-BULB-H4", 2), ("CMP-LENS-L", 1), ("CMP-HOUSING-HL", 1), ("CMP-REFLECTOR", 2)],
    "MOD-HL-TRUCK": [("CMP-LED-MOD-HL", 2), ("CMP-LED-DRIVER", 1), ("CMP-LENS-L", 1), ("CMP-HOUSING-HL", 1),
                     ("CMP-REFLECTOR", 1), ("CMP-WIRING-HL", 1)],
    "MOD-HL-BUS": [("CMP-LED-MOD-HL", 3), ("CMP-LED-DRIVER", 1), ("CMP-LENS-L", 1), ("CMP-HOUSING-HL", 1),
                   ("CMP-REFLECTOR", 1), ("CMP-WIRING-HL", 1)],
    "MOD-HL-WORK": [("CMP-LED-MOD-HL", 2), ("CMP-LED-DRIVER", 1), ("CMP-LENS-S", 1), ("CMP-HOUSING-HL", 1),
                    ("CMP-WIRING-HL", 1)],
    "MOD-HL-TRACTOR": [("CMP-BULB-H4", 1), ("CMP-LENS-S", 1), ("CMP-HOUSING-HL", 1), ("CMP-REFLECTOR", 1)],
    "MOD-REAR-CAR": [("CMP-LED-MOD-SIG", 2), ("CMP-LENS-S", 1), ("CMP-HOUSING-HL", 1)],
    "MOD-REAR-CV": [("CMP-LED-MOD-SIG", 1), ("CMP-LENS-S", 1), ("CMP-HOUSING-HL", 1)],
    "MOD-FOG": [("CMP-LED-MOD-SIG", 1), ("CMP-LENS-S", 1)],
    # braking
    "CMP-ABS-HYD": [("MAT-MCU", 2), ("MAT-PCB", 1), ("MAT-ALU", 2)],
    "CMP-ABS-AIR": [("MAT-MCU", 2), ("MAT-PCB", 2), ("MAT-ALU", 3)],
    "CMP-ABS-SENSOR": [("MAT-COPPER", 0.05), ("MAT-PA66", 0.05)],
    "CMP-CALIPER-CAR": [("MAT-CAST-IRON", 4), ("MAT-ALU", 0.5)],
    "CMP-CALIPER-LCV": [("MAT-CAST-IRON", 6), ("MAT-ALU", 0.8)],
    "CMP-DISC-CAR": [("MAT-CAST-IRON", 6)],
    "CMP-DISC-LCV": [("MAT-CAST-IRON", 9)],
    "CMP-PADS": [("MAT-FRICTION", 0.6), ("MAT-STEEL-SHEET", 0.4)],
    "CMP-MASTER-CYL": [("MAT-ALU", 1), ("CMP-SEAL-KIT", 1)],
    "CMP-BOOSTER": [("MAT-STEEL-SHEET", 3), ("MAT-RUBBER", 0.3)],
    "CMP-BRAKE-HOSE": [("MAT-RUBBER", 0.3)],
    "CMP-SEAL-KIT": [("MAT-RUBBER", 0.2)],
    "CMP-COMPRESSOR": [("MAT-CAST-IRON", 10), ("MAT-ALU", 3)],
    "CMP-PRESS-REG": [("MAT-ALU", 0.8), ("MAT-RUBBER", 0.1)],
    "CMP-VALVE-PROT": [("MAT-ALU", 1), ("MAT-RUBBER", 0.1)],
    "CMP-VALVE-BRAKE": [("MAT-ALU", 1.2), ("MAT-RUBBER", 0.2)],
    "CMP-CHAMBER-24": [("MAT-STEEL-SHEET", 4), ("MAT-RUBBER", 0.4)],
    "CMP-CHAMBER-2020": [("MAT-STEEL-SHEET", 6), ("MAT-RUBBER", 0.5), ("CMP-BRAKE-SPRING", 1)],
    "CMP-BRAKE-SPRING": [("MAT-STEEL-WIRE", 2.5)],
    "CMP-AIR-DISC": [("MAT-CAST-IRON", 35), ("MAT-FRICTION", 2)],
    "CMP-DRUM-BRAKE": [("MAT-CAST-IRON", 40), ("MAT-FRICTION", 3)],
    "CMP-WET-BRAKE": [("MAT-STEEL-GEAR", 300), ("MAT-FRICTION", 40)],
    "MOD-BRK-CAR": [("CMP-ABS-HYD", 1), ("CMP-CALIPER-CAR", 2), ("CMP-DISC-CAR", 2), ("CMP-ABS-SENSOR", 4),
                    ("CMP-PADS", 2), ("CMP-MASTER-CYL", 1), ("CMP-BOOSTER", 1), ("CMP-BRAKE-HOSE", 4)],
    "MOD-BRK-LCV": [("CMP-ABS-HYD", 1), ("CMP-CALIPER-LCV", 2), ("CMP-DISC-LCV", 2), ("CMP-ABS-SENSOR", 4),
                    ("CMP-PADS", 2), ("CMP-MASTER-CYL", 1), ("CMP-BOOSTER", 1), ("CMP-BRAKE-HOSE", 4)],
    # KAMAZ-5320-type air brakes (service manuals): compressor, pressure regulator,
    # protection valves, two front type-24 chambers and four 20/20 spring-brake chambers on a 6×4
    "MOD-BRK-AIR-TRUCK": [("CMP-ABS-AIR", 1), ("CMP-COMPRESSOR", 1), ("CMP-AIR-DRYER", 1), ("CMP-PRESS-REG", 1),
                          ("CMP-VALVE-PROT", 2), ("CMP-VALVE-BRAKE", 1), ("CMP-CHAMBER-24", 2),
                          ("CMP-CHAMBER-2020", 4), ("CMP-ABS-SENSOR", 6), ("CMP-AIR-DISC", 2), ("CMP-DRUM-BRAKE", 4)],
    "MOD-BRK-AIR-BUS": [("CMP-ABS-AIR", 1), ("CMP-COMPRESSOR", 1), ("CMP-AIR-DRYER", 1), ("CMP-PRESS-REG", 1),
                        ("CMP-VALVE-PROT", 2), ("CMP-VALVE-BRAKE", 1), ("CMP-CHAMBER-24", 2),
                        ("CMP-CHAMBER-2020", 2), ("CMP-ABS-SENSOR", 4), ("CMP-AIR-DISC", 4)],
    "MOD-BRK-MINING": [("CMP-WET-BRAKE", 4), ("CMP-VALVE-BRAKE", 2), ("CMP-ABS-SENSOR", 4)],
    "MOD-BRK-TRACTOR": [("CMP-DRUM-BRAKE", 2), ("CMP-VALVE-BRAKE", 1), ("CMP-COMPRESSOR", 1), ("CMP-MASTER-CYL", 2)],
    # rolled rings
    "CMP-BRG-RING-S": [("CMP-RING-BLANK-S", 2)],
    "CMP-BRG-RING-M": [("CMP-RING-BLANK-M", 2)],
    "CMP-ROLLING-S": [("MAT-STEEL-BEARING", 0.4)],
    "CMP-ROLLING-M": [("MAT-STEEL-BEARING", 3)],
    "CMP-HUB-FLANGE": [("MAT-STEEL-GEAR", 2.5)],
    "CMP-TONE-RING": [("MAT-STEEL-SHEET", 0.8)],
    "CMP-HUB-SEAL": [("MAT-RUBBER", 0.1)],
    "CMP-GEAR-RING-TRUCK": [("CMP-RING-BLANK-L", 1)],
    "CMP-GEAR-RING-MINING": [("CMP-RING-BLANK-XL", 1)],
    "CMP-GEAR-RING-TRACTOR": [("CMP-RING-BLANK-L", 1)],
    "CMP-RIM-RING": [("MAT-STEEL-GEAR", 1_100)],  # rolled directly from billet
    "CMP-SLEW-RACEWAY": [("CMP-RING-BLANK-XL", 2)],
    "MOD-HUB-CAR": [("CMP-BRG-RING-S", 1), ("CMP-ROLLING-S", 1), ("CMP-HUB-FLANGE", 1), ("CMP-TONE-RING", 1),
                    ("CMP-HUB-SEAL", 1)],
    "MOD-HUB-LCV": [("CMP-BRG-RING-S", 2), ("CMP-ROLLING-S", 2), ("CMP-HUB-FLANGE", 1), ("CMP-TONE-RING", 1),
                    ("CMP-HUB-SEAL", 2)],
    "MOD-HUB-HEAVY": [("CMP-BRG-RING-M", 1), ("CMP-ROLLING-M", 1), ("CMP-HUB-SEAL", 2)],
    "MOD-HUB-TRACTOR": [("CMP-BRG-RING-M", 1), ("CMP-ROLLING-M", 1), ("CMP-HUB-SEAL", 2)],
    "MOD-GEAR-TRUCK": [("CMP-GEAR-RING-TRUCK", 1), ("CMP-BRG-RING-M", 1)],
    "MOD-GEAR-MINING": [("CMP-GEAR-RING-MINING", 2), ("CMP-BRG-RING-M", 4)],
    "MOD-GEAR-TRACTOR": [("CMP-GEAR-RING-TRACTOR", 1), ("CMP-BRG-RING-M", 1)],
    "MOD-SLEW-RING": [("CMP-SLEW-RACEWAY", 1), ("CMP-ROLLING-M", 20)],
    "MOD-WHEEL-MINING": [("CMP-RIM-RING", 1), ("MAT-STEEL-SHEET", 800)],
    # plastics
    "CMP-BUMPER-FASCIA": [("MAT-PP", 4.5)],
    "CMP-BUMPER-BEAM": [("MAT-PP", 1.5)],
    "CMP-GRILLE": [("MAT-ABS-POLY", 1.2)],
    "CMP-DASH-CARRIER": [("MAT-PP", 6)],
    "CMP-DASH-SKIN": [("MAT-ABS-POLY", 2.5)],
    "CMP-CONSOLE": [("MAT-ABS-POLY", 1.5)],
    "CMP-DOOR-TRIM": [("MAT-PP", 2)],
    "CMP-ARCH-LINER": [("MAT-PP", 1.2)],
    "CMP-AIR-DUCT": [("MAT-PP", 0.5)],
    "CMP-CLIPS": [("MAT-PA66", 0.2)],
    "MOD-BUMPER-F-CAR": [("CMP-BUMPER-FASCIA", 1), ("CMP-BUMPER-BEAM", 1), ("CMP-GRILLE", 1), ("CMP-CLIPS", 1)],
    "MOD-BUMPER-R-CAR": [("CMP-BUMPER-FASCIA", 1), ("CMP-BUMPER-BEAM", 1), ("CMP-CLIPS", 1)],
    "MOD-DASH-CAR": [("CMP-DASH-CARRIER", 1), ("CMP-DASH-SKIN", 1), ("CMP-CONSOLE", 1), ("CMP-AIR-DUCT", 3),
                     ("CMP-CLIPS", 2)],
    "MOD-TRIM-CAR": [("CMP-DOOR-TRIM", 4), ("CMP-ARCH-LINER", 4), ("CMP-CLIPS", 3)],
    "MOD-DASH-CV": [("CMP-DASH-CARRIER", 1), ("CMP-DASH-SKIN", 1), ("CMP-AIR-DUCT", 4), ("CMP-CLIPS", 2)],
    "MOD-TRIM-CV": [("CMP-DOOR-TRIM", 2), ("CMP-ARCH-LINER", 4), ("CMP-CLIPS", 2)],
    "MOD-BUMPER-CV": [("CMP-BUMPER-FASCIA", 2), ("CMP-GRILLE", 1), ("CMP-CLIPS", 1)],
}

# BOM lines whose quantity rests on a published convention rather than a guess
BOM_SOURCES: dict[tuple[str, str], str] = {
    ("MOD-BRK-AIR-TRUCK", "CMP-CHAMBER-24"): "service manuals (KAMAZ-5320 type air brakes); count per model: estimate",
    ("MOD-BRK-AIR-TRUCK", "CMP-CHAMBER-2020"): "service manuals (KAMAZ-5320 type: four 20/20 spring-brake chambers)",
    ("MOD-BRK-AIR-TRUCK", "CMP-COMPRESSOR"): "service manuals (KAMAZ-5320 type air brakes)",
    ("MOD-BRK-AIR-TRUCK", "CMP-PRESS-REG"): "service manuals (KAMAZ-5320 type air brakes)",
    ("MOD-BRK-AIR-TRUCK", "CMP-VALVE-PROT"): "service manuals (double and triple protection valves)",
}

# ---------------------------------------------------------------- vehicles

# id, name, name_local, class, unit value [RUB] (estimate), site, HS heading
VEHICLES: tuple[tuple[str, str, str, str, float, str, str], ...] = (
    ("LADA-GRANTA", "Lada Granta", "Лада Гранта", "car", 900_000, "AVTOVAZ-TLT", "8703"),
    ("LADA-VESTA", "Lada Vesta", "Лада Веста", "car", 1_500_000, "AVTOVAZ-TLT", "8703"),
    ("LADA-NIVA", "Lada Niva Legend", "Лада Нива Легенд", "car", 1_000_000, "AVTOVAZ-TLT", "8703"),
    ("LADA-LARGUS", "Lada Largus van", "Лада Ларгус фургон", "lcv", 1_500_000, "AVTOVAZ-TLT", "8704"),
    ("HAVAL-JOLION", "Haval Jolion (Tula assembly)", "Haval Jolion (тульская сборка)", "car", 2_200_000, "HAVAL-TULA", "8703"),
    ("UAZ-PATRIOT", "UAZ Patriot", "УАЗ Патриот", "car", 1_700_000, "UAZ-ULY", "8703"),
    ("UAZ-PROFI", "UAZ Profi", "УАЗ Профи", "lcv", 1_800_000, "UAZ-ULY", "8704"),
    ("GAZELLE-NEXT", "GAZelle NEXT", "ГАЗель NEXT", "lcv", 2_800_000, "GAZ-NN", "8704"),
    ("GAZON-NEXT", "GAZon NEXT", "ГАЗон NEXT", "truck", 5_500_000, "GAZ-NN", "8704"),
    ("KAMAZ-54901", "KAMAZ-54901 tractor unit", "КАМАЗ-54901", "truck", 10_000_000, "KAMAZ-NCH", "8701"),
    ("KAMAZ-65115", "KAMAZ-65115 dump truck", "КАМАЗ-65115", "truck", 7_500_000, "KAMAZ-NCH", "8704"),
    ("URAL-NEXT", "Ural NEXT", "Урал NEXT", "truck", 8_000_000, "URAL-MIASS", "8704"),
    ("MAZ-5440", "MAZ-5440 tractor unit", "МАЗ-5440", "truck", 8_000_000, "MAZ-MINSK", "8701"),
    ("PAZ-VECTOR", "PAZ Vector NEXT bus", "ПАЗ Вектор NEXT", "bus", 7_000_000, "PAZ-PAVLOVO", "8702"),
    ("LIAZ-5292", "LiAZ-5292 city bus", "ЛиАЗ-5292", "bus", 20_000_000, "LIAZ-LIKINO", "8702"),
    ("MAZ-203", "MAZ-203 city bus", "МАЗ-203", "bus", 18_000_000, "MAZ-MINSK", "8702"),
    ("BELAZ-7513", "BELAZ-7513 mining dump truck, 130 t", "БЕЛАЗ-7513, 130 т", "mining", 220_000_000, "BELAZ-ZHODINO", "870410"),
    ("BELAZ-7530", "BELAZ-7530 mining dump truck, 220 t", "БЕЛАЗ-7530, 220 т", "mining", 350_000_000, "BELAZ-ZHODINO", "870410"),
    ("MTZ-82", "Belarus-82.1 tractor", "Беларус-82.1", "tractor", 3_500_000, "MTZ-MINSK", "8701"),
    ("MTZ-1523", "Belarus-1523 tractor", "Беларус-1523", "tractor", 8_000_000, "MTZ-MINSK", "8701"),
)

# simplified vehicle BOM per class (modules per vehicle); "rest of vehicle" is added per model
CLASS_BOM: dict[str, list[tuple[str, float]]] = {
    "car": [("MOD-HL-CAR", 2), ("MOD-REAR-CAR", 2), ("MOD-FOG", 2), ("MOD-BRK-CAR", 1), ("MOD-HUB-CAR", 4),
            ("MOD-BUMPER-F-CAR", 1), ("MOD-BUMPER-R-CAR", 1), ("MOD-DASH-CAR", 1), ("MOD-TRIM-CAR", 1)],
    "lcv": [("MOD-HL-LCV", 2), ("MOD-REAR-CV", 2), ("MOD-BRK-LCV", 1), ("MOD-HUB-LCV", 4), ("MOD-BUMPER-F-CAR", 1),
            ("MOD-DASH-CV", 1), ("MOD-TRIM-CV", 1)],
    "truck": [("MOD-HL-TRUCK", 2), ("MOD-REAR-CV", 2), ("MOD-FOG", 2), ("MOD-BRK-AIR-TRUCK", 1), ("MOD-HUB-HEAVY", 6),
              ("MOD-GEAR-TRUCK", 4), ("MOD-ENGINE-TRUCK", 1), ("MOD-GEARBOX-TRUCK", 1), ("MOD-DASH-CV", 1),
              ("MOD-TRIM-CV", 1), ("MOD-BUMPER-CV", 1)],
    "bus": [("MOD-HL-BUS", 2), ("MOD-REAR-CV", 2), ("MOD-FOG", 2), ("MOD-BRK-AIR-BUS", 1), ("MOD-HUB-HEAVY", 4),
            ("MOD-ENGINE-TRUCK", 1), ("MOD-GEARBOX-TRUCK", 1), ("MOD-DASH-CV", 1), ("MOD-TRIM-CV", 1),
            ("MOD-BUMPER-CV", 2)],
    "mining": [("MOD-HL-WORK", 6), ("MOD-REAR-CV", 2), ("MOD-BRK-MINING", 1), ("MOD-SLEW-RING", 1),
               ("MOD-GEAR-MINING", 2), ("MOD-WHEEL-MINING", 6), ("MOD-ENGINE-MINING", 1), ("MOD-DASH-CV", 1)],
    "tractor": [("MOD-HL-TRACTOR", 2), ("MOD-HL-WORK", 4), ("MOD-REAR-CV", 2), ("MOD-BRK-TRACTOR", 1),
                ("MOD-HUB-TRACTOR", 2), ("MOD-GEAR-TRACTOR", 2), ("MOD-ENGINE-TRACTOR", 1), ("MOD-DASH-CV", 1)],
}
# per-model deviations from the class BOM (quantity 0 removes a line)
MODEL_BOM_CHANGES: dict[str, dict[str, float]] = {
    "LADA-GRANTA": {"MOD-HL-CAR": 0, "MOD-HL-LCV": 2, "MOD-FOG": 0},  # halogen headlamps
    "LADA-NIVA": {"MOD-HL-CAR": 0, "MOD-HL-LCV": 2},
    "GAZON-NEXT": {"MOD-GEAR-TRUCK": 0, "MOD-HUB-HEAVY": 4},  # 4×2, no hub reduction
}
ROV_SHARE = 0.85  # modules + systems + rest of vehicle = 85 % of the vehicle's value (estimate)
MARGIN_SHARE = 0.12  # margin lost per vehicle not delivered, share of its value (estimate)

CLASS_NAMES = {"car": "passenger car", "lcv": "LCV", "truck": "truck", "bus": "bus",
               "mining": "mining dump truck", "tractor": "tractor"}

# OEM capacity per model [units/yr]: model -> (capacity, pool or None, source)
VEHICLE_CAPACITY: dict[str, tuple[float, str | None, str]] = {
    "LADA-GRANTA": (250_000, "Lada B line", EST),
    "LADA-LARGUS": (80_000, "Lada B line", EST),
    "LADA-VESTA": (200_000, None, EST),
    "LADA-NIVA": (90_000, None, EST),
    "HAVAL-JOLION": (150_000, None, "autocar.news (plant capacity 150k), 2024"),
    "UAZ-PATRIOT": (40_000, None, EST),
    "UAZ-PROFI": (25_000, None, EST),
    "GAZELLE-NEXT": (70_000, None, EST),
    "GAZON-NEXT": (20_000, None, EST),
    "KAMAZ-54901": (40_000, "KAMAZ main line", EST),
    "KAMAZ-65115": (40_000, "KAMAZ main line", EST),
    "URAL-NEXT": (12_000, None, EST),
    "MAZ-5440": (12_000, None, EST),
    "MAZ-203": (2_000, None, EST),
    "PAZ-VECTOR": (12_000, None, EST),
    "LIAZ-5292": (4_000, None, EST),
    "BELAZ-7513": (800, "BELAZ main line", EST),
    "BELAZ-7530": (350, "BELAZ main line", EST),
    "MTZ-82": (35_000, None, EST),
    "MTZ-1523": (8_000, None, EST),
}
# flexible lines: (site, pool) -> (capacity [units/yr] < sum of members, source)

# ------------------------------------------------------------------ demand

# OEM output [units/yr] for 2023–2025: site -> {year: (units, source)}
OEM_OUTPUT: dict[str, dict[int, tuple[float, str]]] = {
    "AVTOVAZ-TLT": {2023: (374_000, "lenta.ru, 2023"),
                    2024: (500_000, "rosavtodealer, 2024 (group > 500k)"),
                    2025: (445_000, "estimate: 2024 scaled by Rosstat passenger cars 2025/2024 (673k/756k, via info.sibnet.ru)")},
    "HAVAL-TULA": {2023: (100_000, "rosavtodealer, 2023"), 2024: (130_000, "rosavtodealer; autocar.news, 2024"),
                   2025: (116_000, "estimate: 2024 scaled by Rosstat passenger cars 2025/2024")},
    "UAZ-ULY": {2023: (40_000, "ren.tv, 2023"), 2024: (45_000, EST), 2025: (40_000, EST)},
    "GAZ-NN": {2023: (60_000, "estimate from Autostat 2018 (60.1k, latest found)"), 2024: (65_000, EST), 2025: (55_000, EST)},
    "KAMAZ-NCH": {2023: (53_000, "ren.tv, 2023"),
                  2024: (61_000, "estimate: 2023 scaled by Russian truck output 2024/2023 (194k/168k, info.sibnet.ru)"),
                  2025: (41_000, "estimate: 2023 scaled by Russian truck output 2025/2023 (131k/168k, ren.tv; info.sibnet.ru)")},
    "URAL-MIASS": {2023: (9_000, EST), 2024: (10_000, EST), 2025: (8_000, EST)},
    "PAZ-PAVLOVO": {2023: (9_000, EST), 2024: (10_000, EST), 2025: (9_000, EST)},
    "LIAZ-LIKINO": {2023: (3_000, EST), 2024: (3_200, EST), 2025: (3_000, EST)},
    "MAZ-MINSK": {2023: (12_000, EST), 2024: (13_000, "belarus-news.by, 2024 (> 13k units)"), 2025: (12_000, EST)},
    "BELAZ-ZHODINO": {2023: (962, "BelTA via ex-press.live, 2023"), 2024: (1_000, EST),
                      2025: (1_050, "estimate (above the 1,000 line capacity: a tight spot)")},
    "MTZ-MINSK": {2023: (30_000, EST), 2024: (28_000, EST), 2025: (26_000, EST)},
}
# split of an OEM's output over its models (estimate)
MODEL_SPLIT: dict[str, float] = {
    "LADA-GRANTA": 0.46, "LADA-VESTA": 0.30, "LADA-NIVA": 0.14, "LADA-LARGUS": 0.10,
    "HAVAL-JOLION": 1.0, "UAZ-PATRIOT": 0.6, "UAZ-PROFI": 0.4, "GAZELLE-NEXT": 0.78, "GAZON-NEXT": 0.22,
    "KAMAZ-54901": 0.5, "KAMAZ-65115": 0.5, "URAL-NEXT": 1.0, "PAZ-VECTOR": 1.0, "LIAZ-5292": 1.0,
    "MAZ-5440": 0.88, "MAZ-203": 0.12, "BELAZ-7513": 0.72, "BELAZ-7530": 0.28, "MTZ-82": 0.8, "MTZ-1523": 0.2,
}
BASE_YEARS = (2023, 2024, 2025)
PLAN_YEARS = (2026, 2027, 2028, 2029, 2030)
# growth per year after 2025 by vehicle class (estimate)
CLASS_GROWTH: dict[str, float] = {"car": 1.03, "lcv": 1.03, "truck": 1.05, "bus": 1.03, "mining": 1.03, "tractor": 1.02}

# --------------------------------------------------------------- sourcing

Source = tuple[str, float] | tuple[str, float, bool]  # (supplier, share[, qualified])

# Default suppliers of each purchased part; a buyer's own list in BUYER_SOURCES wins.
# Share 0 with qualified=True: a qualified alternative; qualified=False: a legacy
# supplier the buyer may not draw more from in a disruption.
DEFAULT_SOURCES: dict[str, list[Source]] = {
    # lighting modules
    "MOD-HL-CAR": [("RUDENSK", 0.7), ("HL-CN-1", 0.3)],
    "MOD-HL-LCV": [("RYAZAN-LIGHT", 1.0)],
    "MOD-HL-TRUCK": [("OSHMYANY", 1.0)],
    "MOD-HL-BUS": [("RUDENSK", 1.0)],
    "MOD-HL-WORK": [("OSHMYANY", 1.0)],
    "MOD-HL-TRACTOR": [("OSHMYANY", 1.0)],
    "MOD-REAR-CAR": [("RYAZAN-LIGHT", 1.0)],
    "MOD-REAR-CV": [("OSHMYANY", 0.7), ("HL-TR-1", 0.3)],
    "MOD-FOG": [("RUDENSK", 0.6), ("HL-CN-1", 0.4)],
    # braking modules
    "MOD-BRK-CAR": [("BRAKE-RU-6", 1.0)],
    "MOD-BRK-LCV": [("BRAKE-RU-6", 1.0)],
    "MOD-BRK-AIR-TRUCK": [("BRAKE-RU-4", 1.0)],
    "MOD-BRK-AIR-BUS": [("BRAKE-RU-4", 1.0)],
    "MOD-BRK-MINING": [("BRAKE-BY-3", 0.3), ("BRAKE-CN-7", 0.4), ("BRAKE-DE-2", 0.3)],
    "MOD-BRK-TRACTOR": [("BRAKE-BY-3", 1.0)],
    # rolled-ring modules
    "MOD-HUB-CAR": [("BEARING-SAMARA", 1.0)],
    "MOD-HUB-LCV": [("BEARING-SAMARA", 0.5), ("BEARING-MINSK", 0.5)],
    "MOD-HUB-HEAVY": [("BEARING-VOLOGDA", 0.6), ("BEARING-MINSK", 0.4)],
    "MOD-HUB-TRACTOR": [("BEARING-MINSK", 1.0)],
    "MOD-GEAR-TRUCK": [("GEAR-RU-10", 1.0)],
    "MOD-GEAR-MINING": [("GEAR-BY-4", 0.4), ("GEAR-CN-17", 0.6)],
    "MOD-GEAR-TRACTOR": [("GEAR-BY-4", 1.0)],
    "MOD-SLEW-RING": [("BRG-SE-1", 0.4), ("BRG-DE-3", 0.3), ("SLEW-CN-10", 0.3)],
    "MOD-WHEEL-MINING": [("BELAZ-ORSHA", 1.0)],
    # powertrain
    "MOD-ENGINE-TRUCK": [("ENGINE-RU-20", 0.6), ("ENGINE-CN-13", 0.4)],
    "MOD-GEARBOX-TRUCK": [("GEARBOX-RU-21", 0.5), ("GEARBOX-CN-14", 0.5)],
    "MOD-ENGINE-MINING": [("ENGINE-CN-13", 0.5), ("ENGINE-DE-6", 0.5)],
    "MOD-ENGINE-TRACTOR": [("ENGINE-MINSK", 1.0)],
    # plastics modules
    "MOD-BUMPER-F-CAR": [("PLASTICS-RU-18", 1.0)],
    "MOD-BUMPER-R-CAR": [("PLASTICS-RU-18", 1.0)],
    "MOD-DASH-CAR": [("PLASTICS-RU-18", 1.0)],
    "MOD-TRIM-CAR": [("PLASTICS-RU-18", 1.0)],
    "MOD-DASH-CV": [("PLASTICS-RU-19", 1.0)],
    "MOD-TRIM-CV": [("PLASTICS-RU-19", 1.0)],
    "MOD-BUMPER-CV": [("PLASTICS-RU-19", 1.0)],
    # lighting components
    "CMP-LED-MOD-HL": [("LED-RU-1", 0.5), ("LED-CN-3", 0.5)],
    "CMP-LED-MOD-SIG": [("LED-RU-1", 0.5), ("LED-CN-3", 0.5)],
    "CMP-LED-DRIVER": [("LED-CN-3", 1.0)],
    "CMP-LED-DRL": [("LED-RU-1", 0.4), ("LED-CN-3", 0.6)],
    "CMP-LENS-S": [("OPTICS-RU-3", 1.0)],
    "CMP-LENS-L": [("OPTICS-RU-3", 1.0)],
    "CMP-REFLECTOR": [("OPTICS-RU-3", 1.0)],
    "CMP-HOUSING-HL": [("OPTICS-RU-3", 1.0)],
    "CMP-BULB-H4": [("HL-CN-1", 1.0)],
    "CMP-LEVELER": [("SENSOR-RU-22", 1.0)],
    "CMP-WIRING-HL": [("WIRING-RU-24", 0.6), ("WIRING-UZ-2", 0.4)],
    # braking components
    "CMP-ABS-HYD": [("KOSTROMA-ABS", 0.4), ("ABS-CN-5", 0.6), ("ABS-KR-3", 0.0)],
    "CMP-ABS-AIR": [("ABS-CN-6", 1.0)],
    "CMP-ABS-SENSOR": [("SENSOR-RU-22", 0.5), ("ABS-CN-5", 0.5)],
    "CMP-CALIPER-CAR": [(SELF, 0.7), ("BRAKE-CN-7", 0.3)],
    "CMP-CALIPER-LCV": [(SELF, 0.7), ("BRAKE-CN-7", 0.3)],
    "CMP-DISC-CAR": [("FOUNDRY-RU-7", 0.7), ("BRAKE-CN-7", 0.3)],
    "CMP-DISC-LCV": [("FOUNDRY-RU-7", 1.0)],
    "CMP-PADS": [("FRICTION-RU-8", 0.7), ("FRICTION-PL-2", 0.3)],
    "CMP-MASTER-CYL": [("BRAKE-RU-6", 1.0)],
    "CMP-BOOSTER": [("BRAKE-RU-6", 1.0)],
    "CMP-BRAKE-HOSE": [("RUBBER-RU-16", 1.0)],
    "CMP-SEAL-KIT": [("RUBBER-RU-16", 1.0)],
    "CMP-COMPRESSOR": [("COMPRESSOR-RU-5", 0.6), ("AIR-CN-16", 0.4)],
    "CMP-AIR-DRYER": [("AIR-CN-16", 1.0)],
    "CMP-PRESS-REG": [(SELF, 0.6), ("VALVE-DE-8", 0.4)],
    "CMP-VALVE-PROT": [(SELF, 0.5), ("AIR-CN-16", 0.3), ("BRAKE-TR-2", 0.2)],
    "CMP-VALVE-BRAKE": [(SELF, 0.5), ("VALVE-DE-8", 0.2), ("VALVE-IT-2", 0.1), ("AIR-CN-16", 0.2)],
    "CMP-CHAMBER-24": [(SELF, 0.5), ("BRAKE-TR-2", 0.5)],
    "CMP-CHAMBER-2020": [(SELF, 0.4), ("BRAKE-TR-2", 0.4), ("BRAKE-CN-7", 0.2)],
    "CMP-BRAKE-SPRING": [(SELF, 0.6), ("BRAKE-CN-7", 0.4)],
    "CMP-AIR-DISC": [("KAMAZ-BRAKES", 0.5), ("BRAKE-CN-7", 0.5), ("BRAKE-DE-2", 0.0, False)],
    "CMP-DRUM-BRAKE": [("FOUNDRY-RU-7", 1.0)],
    "CMP-WET-BRAKE": [("BRAKE-CN-7", 1.0)],
    # rolled-ring components
    "CMP-BRG-RING-S": [(SELF, 0.6), ("BRG-IN-2", 0.2), ("BRG-CN-8", 0.2)],
    "CMP-ROLLING-S": [(SELF, 0.5), ("BRG-CN-8", 0.5)],
    "CMP-BRG-RING-M": [(SELF, 0.7), ("BRG-SE-1", 0.1), ("BRG-CN-8", 0.2)],  # SE-1: pre-2022 legacy stock
    "CMP-ROLLING-M": [(SELF, 1.0)],
    "CMP-HUB-FLANGE": [("FORGE-RU-9", 1.0)],
    "CMP-TONE-RING": [(SELF, 1.0)],
    "CMP-HUB-SEAL": [("RUBBER-RU-16", 0.7), ("BRG-CN-8", 0.3)],
    "CMP-GEAR-RING-TRUCK": [(SELF, 1.0)],
    "CMP-GEAR-RING-MINING": [(SELF, 1.0)],
    "CMP-GEAR-RING-TRACTOR": [(SELF, 1.0)],
    "CMP-RIM-RING": [("RING-DE-10", 0.6), ("FORGE-CN-9", 0.4)],
    "CMP-RING-BLANK-S": [("FORGE-RU-9", 1.0)],
    "CMP-RING-BLANK-M": [("FORGE-RU-9", 0.6), ("FORGE-IN-3", 0.4)],
    "CMP-RING-BLANK-L": [("FORGE-RU-9", 0.7), ("FORGE-CZ-1", 0.3)],
    "CMP-RING-BLANK-XL": [("FORGE-CN-9", 0.6), ("RING-IT-1", 0.4)],
    # plastics components
    "CMP-BUMPER-FASCIA": [(SELF, 0.7), ("PLASTICS-PL-1", 0.3)],
    "CMP-BUMPER-BEAM": [(SELF, 1.0)],
    "CMP-GRILLE": [(SELF, 0.5), ("PLASTICS-PL-1", 0.5)],
    "CMP-DASH-CARRIER": [(SELF, 1.0)],
    "CMP-DASH-SKIN": [(SELF, 0.6), ("PLASTICS-CZ-2", 0.4)],
    "CMP-CONSOLE": [(SELF, 0.5), ("PLASTICS-CZ-2", 0.5)],
    "CMP-DOOR-TRIM": [(SELF, 0.7), ("PLASTICS-UZ-1", 0.3)],
    "CMP-ARCH-LINER": [(SELF, 1.0)],
    "CMP-AIR-DUCT": [(SELF, 1.0)],
    "CMP-CLIPS": [("PLASTICS-RU-18", 0.4), ("PLASTICS-PL-1", 0.6)],
    # materials
    "MAT-STEEL-BEARING": [("STEEL-RU-11", 1.0)],
    "MAT-STEEL-GEAR": [("STEEL-RU-11", 1.0)],
    "MAT-STEEL-SHEET": [("STEEL-RU-12", 0.7), ("STEEL-KZ-1", 0.3)],
    "MAT-CAST-IRON": [("STEEL-RU-12", 1.0)],
    "MAT-ALU": [("ALU-RU-13", 0.8), ("ALU-KZ-2", 0.2)],
    "MAT-LED-CHIP": [("LED-CN-2", 0.6), ("LED-KR-1", 0.4), ("LED-JP-1", 0.0)],
    "MAT-PCB": [("PCB-RU-2", 0.5), ("PCB-CN-4", 0.5)],
    "MAT-MCU": [("MCU-CN-12", 0.7), ("MCU-JP-2", 0.2), ("MCU-RU-23", 0.1)],
    "MAT-PC": [("POLY-KR-2", 0.6), ("POLY-CN-11", 0.4), ("POLY-RU-15", 0.0)],
    "MAT-PP": [("POLY-RU-14", 1.0)],
    "MAT-ABS-POLY": [("POLY-RU-15", 0.5), ("POLY-KR-2", 0.5)],
    "MAT-PA66": [("POLY-CN-11", 0.6), ("POLY-DE-5", 0.4)],
    "MAT-FRICTION": [("FRICTION-RU-8", 0.7), ("FRICTION-PL-2", 0.3)],
    "MAT-RUBBER": [("RUBBER-RU-16", 1.0)],
    "MAT-COPPER": [("WIRE-RU-17", 1.0)],
    "MAT-STEEL-WIRE": [("STEEL-ZHLOBIN", 0.6), ("STEEL-RU-12", 0.4)],
    "MAT-PAINT": [("PAINT-RU-29", 0.6), ("PAINT-DE-7", 0.4)],
    "MAT-GLASS": [("GLASS-RU-30", 1.0)],
    "MAT-PU-FOAM": [("POLY-RU-15", 0.5), ("POLY-CN-11", 0.5)],
}

# Basic materials: a BOM-less part whose value is fully traced to its producer's country. Other
# BOM-less parts made inside the union (electronic components, in-house leaves, the residual
# rest of vehicle) are untraced: their tiers are not in the data (issue 9).
MATERIALS: frozenset[str] = frozenset({
    "MAT-STEEL-BEARING", "MAT-STEEL-GEAR", "MAT-STEEL-SHEET", "MAT-CAST-IRON", "MAT-ALU", "MAT-PC", "MAT-PP",
    "MAT-ABS-POLY", "MAT-PA66", "MAT-FRICTION", "MAT-RUBBER", "MAT-COPPER", "MAT-STEEL-WIRE", "MAT-PAINT",
    "MAT-GLASS", "MAT-PU-FOAM",
})


# fmt: on
