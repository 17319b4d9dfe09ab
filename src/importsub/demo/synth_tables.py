"""Tables :mod:`importsub.demo.synth` draws from: countries with regions, part kinds per tier, material prices."""

from __future__ import annotations

import numpy as np

# fmt: off

# iso2, English name, Russian name, in union, weight within its group, regions (name, lat, lon)
COUNTRIES: tuple[tuple[str, str, str, bool, float, tuple[tuple[str, float, float], ...]], ...] = (
    (
        "BY",
        "Belarus",
        "Беларусь",
        True,
        0.2,
        (
            ("Minsk region", 53.90, 27.56),
            ("Vitebsk region", 55.19, 30.20),
            ("Gomel region", 52.43, 30.99),
            ("Mogilev region", 53.90, 30.33),
            ("Grodno region", 53.68, 23.83),
            ("Brest region", 52.10, 23.70),
        ),
    ),
    (
        "RU",
        "Russia",
        "Россия",
        True,
        0.8,
        (
            ("Samara Oblast", 53.51, 49.42),
            ("Moscow Oblast", 55.75, 37.62),
            ("Tatarstan", 55.74, 52.40),
            ("Nizhny Novgorod Oblast", 56.30, 43.94),
            ("Kaluga Oblast", 54.51, 36.26),
            ("Ulyanovsk Oblast", 54.32, 48.40),
            ("Tula Oblast", 54.19, 37.62),
            ("Leningrad Oblast", 59.94, 30.31),
            ("Sverdlovsk Oblast", 56.84, 60.61),
            ("Kostroma Oblast", 57.77, 40.93),
        ),
    ),
    (
        "CN",
        "China",
        "Китай",
        False,
        0.35,
        (
            ("Jiangsu", 32.06, 118.80),
            ("Guangdong", 23.13, 113.26),
            ("Zhejiang", 30.27, 120.15),
            ("Shandong", 36.67, 117.00),
            ("Hubei", 30.59, 114.31),
            ("Jilin", 43.88, 125.32),
        ),
    ),
    (
        "DE",
        "Germany",
        "Германия",
        False,
        0.13,
        (
            ("Bavaria", 48.14, 11.58),
            ("Baden-Württemberg", 48.78, 9.18),
            ("Lower Saxony", 52.37, 9.74),
            ("Saxony", 51.05, 13.74),
        ),
    ),
    (
        "KR",
        "Republic of Korea",
        "Республика Корея",
        False,
        0.10,
        (("Gyeonggi", 37.27, 127.01), ("Ulsan", 35.54, 129.31)),
    ),
    ("JP", "Japan", "Япония", False, 0.08, (("Aichi", 35.18, 136.91), ("Kanagawa", 35.44, 139.64))),
    ("TR", "Türkiye", "Турция", False, 0.07, (("Bursa", 40.19, 29.06), ("Kocaeli", 40.77, 29.92))),
    ("IN", "India", "Индия", False, 0.07, (("Maharashtra", 18.52, 73.86), ("Tamil Nadu", 13.08, 80.27))),
    ("IT", "Italy", "Италия", False, 0.05, (("Piedmont", 45.07, 7.69), ("Lombardy", 45.46, 9.19))),
    ("FR", "France", "Франция", False, 0.04, (("Île-de-France", 48.86, 2.35), ("Auvergne-Rhône-Alpes", 45.76, 4.84))),
    ("PL", "Poland", "Польша", False, 0.04, (("Silesia", 50.26, 19.02), ("Greater Poland", 52.41, 16.93))),
    ("KZ", "Kazakhstan", "Казахстан", False, 0.04, (("Kostanay Region", 53.21, 63.62), ("Almaty", 43.24, 76.89))),
    ("UZ", "Uzbekistan", "Узбекистан", False, 0.03, (("Andijan Region", 40.78, 72.34), ("Tashkent", 41.30, 69.24))),
)

# category, English name, Russian name, HS-6 heading; one list per kind of tier
Kind = tuple[tuple[str, str, str, str], ...]
VEHICLES: Kind = (
    ("vehicle", "Passenger car model", "Модель легкового автомобиля", "870323"),
    ("vehicle", "Truck model", "Модель грузовика", "870422"),
    ("vehicle", "Bus model", "Модель автобуса", "870210"),
)
SYSTEMS: Kind = (
    ("lighting", "Headlamp unit", "Фара", "851220"),
    ("braking", "Brake system", "Тормозная система", "870830"),
    ("plastics", "Bumper module", "Бампер в сборе", "870810"),
    ("electronics", "Control unit", "Блок управления", "853710"),
    ("seating", "Seat assembly", "Сиденье в сборе", "940120"),
    ("powertrain", "Gearbox", "Коробка передач", "870840"),
    ("wheels", "Wheel", "Колесо", "870870"),
)
COMPONENTS: Kind = (
    ("electronics", "Circuit board", "Печатная плата", "853400"),
    ("rolled_rings", "Rolled ring", "Кольцо катаное", "732690"),
    ("castings", "Casting", "Отливка", "732510"),
    ("bearings", "Bearing", "Подшипник", "848210"),
    ("plastics", "Moulded part", "Литая пластиковая деталь", "392690"),
    ("lighting", "LED module", "Светодиодный модуль", "854140"),
    ("fasteners", "Fastener set", "Комплект крепежа", "731815"),
    ("rubber", "Seal", "Уплотнение", "401693"),
)
SUBCOMPONENTS: Kind = (
    ("electronics", "Microchip", "Микросхема", "854231"),
    ("forgings", "Forging", "Поковка", "732619"),
    ("wiring", "Cable", "Кабель", "854430"),
    ("glass", "Lens", "Линза", "701490"),
    ("springs", "Spring", "Пружина", "732020"),
)
MATERIALS: Kind = (
    ("materials", "Steel sheet", "Стальной лист", "720839"),
    ("materials", "Aluminium alloy", "Алюминиевый сплав", "760120"),
    ("materials", "Polypropylene", "Полипропилен", "390210"),
    ("materials", "Copper wire", "Медная проволока", "740811"),
    ("materials", "Synthetic rubber", "Синтетический каучук", "400219"),
    ("materials", "Float glass", "Листовое стекло", "700529"),
)
# typical price of each material [RUB/kg], same order as MATERIALS
MATERIAL_PRICES = np.array([80.0, 300.0, 150.0, 900.0, 250.0, 40.0])

# fmt: on
