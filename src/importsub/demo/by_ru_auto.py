"""Builder of the embedded demo dataset ``by-ru-auto``.

The Belarus–Russia automotive import-substitution programme as a multi-tier
supply network: vehicle plants (tier 0) ← modules (headlamps, brake kits,
hub bearing units, gear sets, plastic bumpers and dashboards, engines,
"rest of vehicle") ← components (LED modules, lenses, ABS units, brake
chambers, bearing and gear rings, mouldings) ← ring blanks and materials
(steel billets, LED chips, PCBs, polymer granulate, aluminium).

Public figures come from ``FACTS.md`` (Rosstat, BelTA, TASS and the press) and
are cited in each table's ``source`` column; every other number is marked
``estimate``.  Foreign suppliers are anonymised ("Headlamp maker DE-1"): no
real foreign company is named as a supplier.

Everything below is data (lists, tuples, dicts with comments) plus the loops
in :func:`build` that expand it into one polars DataFrame per table.  The
builder is deterministic (no randomness) and takes well under a second.

Conventions
-----------
* Money in RUB; capacities and demand in units per year; lead times and times
  to recover in weeks.
* Production records are derived: a site makes every part it is named as a
  supplier of (plus the vehicles and a few extra lines listed explicitly).
  Capacities of suppliers are sized from the need their buyers derive from
  2023–2025 vehicle demand, times a per-site headroom (an estimate, said so in
  ``source``); OEM capacities are given explicitly.
* The inputs of *foreign* suppliers are not mapped (their tiers are beyond the
  programme's data): each foreign node is a leaf whose whole value counts as
  its country's, which lowers the reported data coverage.  A few *domestic*
  inputs are also left unmapped on purpose (see ``UNMAPPED``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset, polars_schema
from importsub.model.schema import table
from importsub.model.validate import check

NAME = "by-ru-auto"

# The data tables below keep one record per line for reading; the formatter leaves them alone.
# fmt: off

EST = "estimate"
SELF = "@self"  # supplier marker: the buyer makes the input in-house

UNION = ("BY", "RU")
EAEU = ("AM", "BY", "KG", "KZ", "RU")

# ------------------------------------------------------------------ countries

# iso2, name, name_local (Russian)
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("BY", "Belarus", "Беларусь"),
    ("RU", "Russia", "Россия"),
    ("KZ", "Kazakhstan", "Казахстан"),
    ("AM", "Armenia", "Армения"),
    ("KG", "Kyrgyzstan", "Киргизия"),
    ("UZ", "Uzbekistan", "Узбекистан"),
    ("CN", "China", "Китай"),
    ("DE", "Germany", "Германия"),
    ("SE", "Sweden", "Швеция"),
    ("IN", "India", "Индия"),
    ("KR", "South Korea", "Республика Корея"),
    ("JP", "Japan", "Япония"),
    ("TR", "Türkiye", "Турция"),
    ("IT", "Italy", "Италия"),
    ("CZ", "Czechia", "Чехия"),
    ("PL", "Poland", "Польша"),
)

# lead time [weeks] by supplier country, seen from the union (same country: 1)
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

# ------------------------------------------------------------ organisations

LOC = "location: approximate city coordinates (estimate)"
ANON = "anonymised foreign supplier; location illustrative (estimate)"

# OEM organisations: id, name, name_local, country, source
OEM_ORGS: tuple[tuple[str, str, str, str, str], ...] = (
    ("AVTOVAZ", "AvtoVAZ", "АвтоВАЗ", "RU", "lenta.ru; rosavtodealer"),
    ("HAVAL", "Haval Motor Rus (foreign-owned OEM)", "Хавейл Мотор Рус", "RU", "rosavtodealer; autocar.news"),
    ("UAZ", "UAZ", "УАЗ", "RU", "ren.tv"),
    ("GAZ", "GAZ", "ГАЗ", "RU", "Autostat"),
    ("KAMAZ", "KAMAZ", "КАМАЗ", "RU", "ren.tv; tatar-inform"),
    ("URAL", "Ural Automotive Plant", "Автомобильный завод «Урал»", "RU", "avtorin.ru citing AvtoVzglyad"),
    ("PAZ", "PAZ", "ПАЗ", "RU", "avtorin.ru citing AvtoVzglyad"),
    ("LIAZ", "LiAZ", "ЛиАЗ", "RU", "avtorin.ru citing AvtoVzglyad"),
    ("MAZ", "MAZ", "МАЗ", "BY", "belarus-news.by"),
    ("BELAZ", "BELAZ", "БЕЛАЗ", "BY", "BelTA via ex-press.live; ctv.by"),
    ("MTZ", "MTZ (Minsk Tractor Works)", "МТЗ", "BY", EST),
)

# authorities sponsoring the programme: id, name, name_local, country
AUTHORITIES: tuple[tuple[str, str, str, str], ...] = (
    ("MININD-BY", "Ministry of Industry of Belarus", "Министерство промышленности Республики Беларусь", "BY"),
    ("MINPROMTORG-RU", "Ministry of Industry and Trade of Russia", "Минпромторг России", "RU"),
)

# OEM sites: id, organisation, name, name_local, country, region, lat, lon
OEM_SITES: tuple[tuple[str, str, str, str, str, str, float, float], ...] = (
    ("AVTOVAZ-TLT", "AVTOVAZ", "AvtoVAZ Togliatti", "АвтоВАЗ, Тольятти", "RU", "Samara region", 53.54, 49.30),
    ("HAVAL-TULA", "HAVAL", "Haval plant, Tula region", "Завод Haval, Тульская область", "RU", "Tula region", 53.98, 38.17),
    ("UAZ-ULY", "UAZ", "UAZ Ulyanovsk", "УАЗ, Ульяновск", "RU", "Ulyanovsk region", 54.26, 48.33),
    ("GAZ-NN", "GAZ", "GAZ Nizhny Novgorod", "ГАЗ, Нижний Новгород", "RU", "Nizhny Novgorod region", 56.25, 43.88),
    ("KAMAZ-NCH", "KAMAZ", "KAMAZ Naberezhnye Chelny", "КАМАЗ, Набережные Челны", "RU", "Tatarstan", 55.74, 52.40),
    ("KAMAZ-BRAKES", "KAMAZ", "KAMAZ brake-systems line", "КАМАЗ, линия тормозных систем", "RU", "Tatarstan", 55.72, 52.37),
    ("URAL-MIASS", "URAL", "Ural Miass", "«Урал», Миасс", "RU", "Chelyabinsk region", 55.05, 60.11),
    ("PAZ-PAVLOVO", "PAZ", "PAZ Pavlovo", "ПАЗ, Павлово", "RU", "Nizhny Novgorod region", 55.96, 43.07),
    ("LIAZ-LIKINO", "LIAZ", "LiAZ Likino-Dulyovo", "ЛиАЗ, Ликино-Дулёво", "RU", "Moscow region", 55.71, 38.95),
    ("MAZ-MINSK", "MAZ", "MAZ Minsk", "МАЗ, Минск", "BY", "Minsk", 53.87, 27.62),
    ("BELAZ-ZHODINO", "BELAZ", "BELAZ Zhodino", "БЕЛАЗ, Жодино", "BY", "Minsk region", 54.10, 28.33),
    ("MTZ-MINSK", "MTZ", "MTZ Minsk", "МТЗ, Минск", "BY", "Minsk", 53.88, 27.64),
)

# supplier sites, one organisation each (organisation id = site id, same name):
# id, name, name_local, country, region, lat, lon, source
SUPPLIER_SITES: tuple[tuple[str, str, str | None, str, str | None, float, float, str], ...] = (
    # --- Russia (named generically where FACTS.md names the plant, otherwise anonymised)
    ("RYAZAN-LIGHT", "Lighting plant Ryazan", "Светотехнический завод, Рязань", "RU", "Ryazan region", 54.63, 39.74,
     "kunststoffweb.de (~2 million lamps a year for AvtoVAZ, GAZ, Sollers); " + LOC),
    ("KOSTROMA-ABS", "ABS plant Kostroma", "Завод АБС, Кострома", "RU", "Kostroma region", 57.77, 40.93,
     "profile.ru; smotrim.ru (domestic ABS from July 2023); " + LOC),
    ("LED-RU-1", "LED module maker RU-1", "Производитель светодиодных модулей RU-1", "RU", "Mordovia", 54.19, 45.18, LOC),
    ("PCB-RU-2", "PCB maker RU-2", "Производитель печатных плат RU-2", "RU", "Moscow", 55.99, 37.21, LOC),
    ("OPTICS-RU-3", "Lens and housing maker RU-3", "Производитель рассеивателей и корпусов RU-3", "RU", "Kaluga region", 54.51, 36.26, LOC),
    ("BRAKE-RU-4", "Air brake equipment maker RU-4", "Производитель пневматических тормозов RU-4", "RU", "Chuvashia", 56.14, 47.25, LOC),
    ("COMPRESSOR-RU-5", "Compressor maker RU-5", "Производитель компрессоров RU-5", "RU", "Krasnodar region", 45.04, 38.98, LOC),
    ("BRAKE-RU-6", "Hydraulic brake maker RU-6", "Производитель гидравлических тормозов RU-6", "RU", "Samara region", 53.51, 49.42, LOC),
    ("FOUNDRY-RU-7", "Brake disc foundry RU-7", "Литейный завод тормозных дисков RU-7", "RU", "Tatarstan", 55.79, 49.12, LOC),
    ("FRICTION-RU-8", "Friction products maker RU-8", "Производитель фрикционных изделий RU-8", "RU", "Tver region", 56.86, 35.90, LOC),
    ("BEARING-SAMARA", "Bearing plant Samara", "Подшипниковый завод, Самара", "RU", "Samara region", 53.20, 50.15, LOC),
    ("BEARING-VOLOGDA", "Bearing plant Vologda", "Подшипниковый завод, Вологда", "RU", "Vologda region", 59.22, 39.89, LOC),
    ("FORGE-RU-9", "Ring blank forge RU-9", "Кузнечный завод кольцевых заготовок RU-9", "RU", "Sverdlovsk region", 56.84, 60.60, LOC),
    ("GEAR-RU-10", "Gear maker RU-10", "Производитель зубчатых передач RU-10", "RU", "Tatarstan", 55.70, 52.30, LOC),
    ("STEEL-RU-11", "Steel mill RU-11", "Металлургический комбинат RU-11", "RU", "Belgorod region", 51.30, 37.84, LOC),
    ("STEEL-RU-12", "Steel mill RU-12", "Металлургический комбинат RU-12", "RU", "Chelyabinsk region", 53.41, 58.98, LOC),
    ("ALU-RU-13", "Aluminium smelter RU-13", "Алюминиевый завод RU-13", "RU", "Krasnoyarsk region", 56.01, 92.87, LOC),
    ("POLY-RU-14", "Polymer maker RU-14", "Производитель полимеров RU-14", "RU", "Tyumen region", 58.20, 68.25, LOC),
    ("POLY-RU-15", "Polymer maker RU-15", "Производитель полимеров RU-15", "RU", "Tatarstan", 55.80, 49.10, LOC),
    ("RUBBER-RU-16", "Rubber goods maker RU-16", "Завод резинотехнических изделий RU-16", "RU", "Voronezh region", 51.67, 39.18, LOC),
    ("WIRE-RU-17", "Cable and wire maker RU-17", "Кабельный завод RU-17", "RU", "Moscow region", 55.90, 37.40, LOC),
    ("PLASTICS-RU-18", "Plastics maker RU-18", "Производитель пластиковых деталей RU-18", "RU", "Samara region", 53.53, 49.35, LOC),
    ("PLASTICS-RU-19", "Plastics maker RU-19", "Производитель пластиковых деталей RU-19", "RU", "Nizhny Novgorod region", 56.30, 43.90, LOC),
    ("TLT-SEZ", "Plastics plant Togliatti SEZ", "Завод пластиковых автокомпонентов, ОЭЗ «Тольятти»", "RU", "Samara region", 53.47, 49.55,
     "63.ru, 6 Aug 2022 (4,500 m² plant in the special economic zone); " + LOC),
    ("ENGINE-RU-20", "Diesel engine maker RU-20", "Производитель дизельных двигателей RU-20", "RU", "Yaroslavl region", 57.63, 39.87, LOC),
    ("GEARBOX-RU-21", "Gearbox maker RU-21", "Производитель коробок передач RU-21", "RU", "Kurgan region", 55.45, 65.33, LOC),
    ("SENSOR-RU-22", "Sensor maker RU-22", "Производитель датчиков RU-22", "RU", "Penza region", 53.20, 45.00, LOC),
    ("MCU-RU-23", "Microelectronics maker RU-23", "Производитель микроэлектроники RU-23", "RU", "Moscow", 55.98, 37.18, LOC),
    ("WIRING-RU-24", "Wiring harness maker RU-24", "Производитель жгутов проводов RU-24", "RU", "Ulyanovsk region", 54.30, 48.40, LOC),
    ("INTERIOR-RU-25", "Seat and interior maker RU-25", "Производитель сидений и интерьера RU-25", "RU", "Samara region", 53.25, 50.20, LOC),
    ("AXLE-RU-26", "Axle and suspension maker RU-26", "Производитель мостов и подвески RU-26", "RU", "Tatarstan", 55.60, 51.90, LOC),
    ("ENGINE-RU-27", "Petrol engine maker RU-27", "Производитель бензиновых двигателей RU-27", "RU", "Nizhny Novgorod region", 56.64, 43.39, LOC),
    ("DRIVE-RU-28", "Traction drive maker RU-28", "Производитель тягового электропривода RU-28", "RU", "Sverdlovsk region", 56.80, 60.70, LOC),
    ("PAINT-RU-29", "Paint maker RU-29", "Производитель лакокрасочных материалов RU-29", "RU", "Yaroslavl region", 57.60, 39.90, LOC),
    ("GLASS-RU-30", "Automotive glass maker RU-30", "Производитель автостекла RU-30", "RU", "Nizhny Novgorod region", 56.36, 44.06, LOC),
    # --- Belarus
    ("RUDENSK", "Lighting plant Rudensk", "Светотехнический завод, Руденск", "BY", "Minsk region", 53.60, 27.87,
     "avtorin.ru citing AvtoVzglyad, ~2023 (headlamps for UAZ, AvtoVAZ, PAZ, LiAZ; first order for Ural); " + LOC),
    ("OSHMYANY", "Radiotekhnika Oshmyany", "Радиотехника, Ошмяны", "BY", "Grodno region", 54.43, 25.94,
     "souzveche.ru (lighting for KAMAZ, UralAZ, GAZ); " + LOC),
    ("BELAZ-ORSHA", "Orsha plant (BELAZ holding)", "Оршанский завод холдинга «БЕЛАЗ-ХОЛДИНГ», Орша", "BY", "Vitebsk region", 54.51, 30.42,
     "BelTA, 19 Dec 2019 (joined the BELAZ holding in 2018); " + LOC),
    ("BEARING-MINSK", "Bearing plant Minsk", "Подшипниковый завод, Минск", "BY", "Minsk", 53.86, 27.63, LOC),
    ("STEEL-ZHLOBIN", "Steel works Zhlobin", "Металлургический завод, Жлобин", "BY", "Gomel region", 52.89, 30.04, LOC),
    ("POLY-BY-1", "Polymer maker BY-1", "Производитель полимеров BY-1", "BY", "Vitebsk region", 55.53, 28.65, LOC),
    ("PLASTICS-BY-2", "Plastics maker BY-2", "Производитель пластиковых деталей BY-2", "BY", "Mogilev region", 53.90, 30.33, LOC),
    ("BRAKE-BY-3", "Brake equipment maker BY-3", "Производитель тормозного оборудования BY-3", "BY", "Minsk region", 54.23, 28.50, LOC),
    ("GEAR-BY-4", "Gear maker BY-4", "Производитель зубчатых передач BY-4", "BY", "Minsk", 53.90, 27.56, LOC),
    ("ENGINE-MINSK", "Engine plant Minsk", "Моторный завод, Минск", "BY", "Minsk", 53.86, 27.45, LOC),
    ("FORGE-BY-5", "Ring blank forge BY-5", "Кузнечный завод кольцевых заготовок BY-5", "BY", "Gomel region", 52.43, 30.98, LOC),
    ("FOUNDRY-BY-6", "Foundry BY-6", "Литейный завод BY-6", "BY", "Minsk region", 54.31, 26.85, LOC),
    # --- other EAEU and Central Asia
    ("STEEL-KZ-1", "Steel maker KZ-1", None, "KZ", None, 50.05, 72.96, ANON),
    ("ALU-KZ-2", "Aluminium maker KZ-2", None, "KZ", None, 52.29, 76.95, ANON),
    ("PLASTICS-UZ-1", "Moulded parts maker UZ-1", None, "UZ", None, 40.78, 72.34, ANON),
    ("WIRING-UZ-2", "Wiring harness maker UZ-2", None, "UZ", None, 41.30, 69.24, ANON),
    # --- China
    ("HL-CN-1", "Headlamp maker CN-1", None, "CN", None, 31.81, 119.97, ANON),
    ("LED-CN-2", "LED chip maker CN-2", None, "CN", None, 24.48, 118.09, ANON),
    ("LED-CN-3", "LED module maker CN-3", None, "CN", None, 22.54, 114.06, ANON),
    ("PCB-CN-4", "PCB maker CN-4", None, "CN", None, 23.11, 114.42, ANON),
    ("ABS-CN-5", "ABS maker CN-5", None, "CN", None, 31.33, 118.38, ANON),
    ("ABS-CN-6", "Air brake ABS maker CN-6", None, "CN", None, 27.78, 120.66, ANON),
    ("BRAKE-CN-7", "Brake maker CN-7", None, "CN", None, 28.00, 120.70, ANON),
    ("BRG-CN-8", "Bearing ring maker CN-8", None, "CN", None, 39.63, 122.00, ANON),
    ("FORGE-CN-9", "Ring blank maker CN-9", None, "CN", None, 36.71, 117.54, ANON),
    ("SLEW-CN-10", "Slewing ring maker CN-10", None, "CN", None, 34.26, 117.19, ANON),
    ("POLY-CN-11", "Polymer maker CN-11", None, "CN", None, 29.87, 121.54, ANON),
    ("MCU-CN-12", "Microcontroller maker CN-12", None, "CN", None, 31.23, 121.47, ANON),
    ("ENGINE-CN-13", "Engine maker CN-13", None, "CN", None, 36.70, 119.10, ANON),
    ("GEARBOX-CN-14", "Gearbox maker CN-14", None, "CN", None, 34.34, 108.94, ANON),
    ("PLASTICS-CN-15", "Bumper maker CN-15", None, "CN", None, 38.87, 115.46, ANON),
    ("AIR-CN-16", "Compressor maker CN-16", None, "CN", None, 36.65, 117.12, ANON),
    ("GEAR-CN-17", "Gear maker CN-17", None, "CN", None, 27.83, 113.15, ANON),
    ("KIT-CN-18", "Component kit maker CN-18", None, "CN", None, 36.07, 120.38, ANON),
    ("ELEC-CN-19", "Vehicle electronics maker CN-19", None, "CN", None, 22.82, 108.32, ANON),
    ("DRIVE-CN-20", "Traction drive maker CN-20", None, "CN", None, 27.85, 112.91, ANON),
    # --- Germany (several are legacy links from before 2022)
    ("HL-DE-1", "Headlamp maker DE-1", None, "DE", None, 48.78, 9.18, ANON),
    ("BRAKE-DE-2", "Brake maker DE-2", None, "DE", None, 50.11, 8.68, ANON),
    ("BRG-DE-3", "Bearing ring maker DE-3", None, "DE", None, 51.51, 7.47, ANON),
    ("GEARBOX-DE-4", "Gearbox maker DE-4", None, "DE", None, 50.94, 6.96, ANON),
    ("POLY-DE-5", "Polymer maker DE-5", None, "DE", None, 51.34, 12.37, ANON),
    ("ENGINE-DE-6", "Engine maker DE-6", None, "DE", None, 53.55, 9.99, ANON),
    ("PAINT-DE-7", "Paint maker DE-7", None, "DE", None, 51.23, 6.78, ANON),
    # --- Sweden, India, Korea, Japan, Türkiye, Italy, Czechia, Poland
    ("BRG-SE-1", "Bearing ring maker SE-1", None, "SE", None, 59.33, 18.07, ANON),
    ("STEEL-SE-2", "Bearing steel maker SE-2", None, "SE", None, 59.27, 15.21, ANON),
    ("LENS-IN-1", "Lens maker IN-1", None, "IN", None, 18.52, 73.86, ANON),
    ("BRG-IN-2", "Bearing ring maker IN-2", None, "IN", None, 13.08, 80.27, ANON),
    ("FORGE-IN-3", "Ring blank maker IN-3", None, "IN", None, 30.90, 75.85, ANON),
    ("LED-KR-1", "LED chip maker KR-1", None, "KR", None, 37.32, 126.83, ANON),
    ("POLY-KR-2", "Polymer maker KR-2", None, "KR", None, 35.54, 129.31, ANON),
    ("ABS-KR-3", "ABS maker KR-3", None, "KR", None, 36.99, 127.11, ANON),
    ("LED-JP-1", "LED chip maker JP-1", None, "JP", None, 34.69, 135.50, ANON),
    ("MCU-JP-2", "Microcontroller maker JP-2", None, "JP", None, 35.68, 139.69, ANON),
    ("HL-TR-1", "Headlamp maker TR-1", None, "TR", None, 40.19, 29.06, ANON),
    ("BRAKE-TR-2", "Brake chamber maker TR-2", None, "TR", None, 41.01, 28.98, ANON),
    ("RING-IT-1", "Ring rolling maker IT-1", None, "IT", None, 45.54, 10.21, ANON),
    ("VALVE-IT-2", "Valve maker IT-2", None, "IT", None, 45.07, 7.69, ANON),
    ("FORGE-CZ-1", "Ring blank maker CZ-1", None, "CZ", None, 49.82, 18.26, ANON),
    ("PLASTICS-CZ-2", "Moulded parts maker CZ-2", None, "CZ", None, 49.20, 16.61, ANON),
    ("PLASTICS-PL-1", "Moulded parts maker PL-1", None, "PL", None, 52.41, 16.93, ANON),
    ("FRICTION-PL-2", "Friction material maker PL-2", None, "PL", None, 51.76, 19.46, ANON),
)

# organisations without a site in the dataset: id, name, name_local, country, kind, source
OTHER_ORGS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("BELOMO", "BelOMO (MMZ Vavilov)", "БелОМО (ММЗ им. С. И. Вавилова)", "BY", "supplier",
     "sb.by, 2022 (developing ABS/EBS for heavy vehicles and buses)"),
)

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
CAPACITY_POOLS: dict[tuple[str, str], tuple[float, str]] = {
    ("AVTOVAZ-TLT", "Lada B line"): (300_000, "estimate (Granta and Largus share one line)"),
    ("KAMAZ-NCH", "KAMAZ main line"): (65_000, "estimate (tractor units and dump trucks share one line)"),
    ("BELAZ-ZHODINO", "BELAZ main line"): (1_000, "BelTA via ex-press.live; ctv.by, 2023 (capacity 1,000, planned 1,200)"),
}

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
    "CMP-PRESS-REG": [(SELF, 0.6), ("VALVE-IT-2", 0.4)],
    "CMP-VALVE-PROT": [(SELF, 0.5), ("AIR-CN-16", 0.3), ("BRAKE-TR-2", 0.2)],
    "CMP-VALVE-BRAKE": [(SELF, 0.6), ("VALVE-IT-2", 0.4)],
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
    "CMP-RIM-RING": [("RING-IT-1", 0.6), ("FORGE-CN-9", 0.4)],
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
        "MOD-BRK-AIR-TRUCK": [("BRAKE-RU-4", 0.7), ("BRAKE-CN-7", 0.3), ("BRAKE-DE-2", 0.0, False)],
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
        "CMP-LED-MOD-HL": [("LED-CN-3", 0.7), ("LED-RU-1", 0.3)],
        "CMP-LENS-S": [("LENS-IN-1", 0.6), ("OPTICS-RU-3", 0.4)],
        "CMP-LENS-L": [("LENS-IN-1", 0.6), ("OPTICS-RU-3", 0.4)],
        "CMP-REFLECTOR": [("LENS-IN-1", 0.6), ("OPTICS-RU-3", 0.4)],
    },
    "RYAZAN-LIGHT": {
        "CMP-LED-MOD-HL": [("LED-RU-1", 0.6), ("LED-CN-3", 0.4)],
        "CMP-LED-DRIVER": [("LED-RU-1", 0.5), ("LED-CN-3", 0.5)],
    },
    "OSHMYANY": {
        "CMP-LENS-S": [("OPTICS-RU-3", 0.5), ("LENS-IN-1", 0.5)],
        "CMP-LENS-L": [("OPTICS-RU-3", 0.5), ("LENS-IN-1", 0.5)],
        "CMP-REFLECTOR": [("OPTICS-RU-3", 0.5), ("LENS-IN-1", 0.5)],
    },
    # brake makers
    "BRAKE-RU-4": {
        "CMP-ABS-AIR": [("ABS-CN-6", 0.8), ("BRAKE-DE-2", 0.2, False)],
    },
    "BRAKE-BY-3": {
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


def _link_source(buyer: str, part: str, supplier: str) -> str:
    for buyers, parts, sup, text in LINK_SOURCES:
        if sup == supplier and (buyers is None or buyer in buyers) and (parts is None or part in parts):
            return text
    return "estimate (illustrative sourcing)"


# ------------------------------------------------------------------ capacity

HEADROOM_DOMESTIC = 1.25  # supplier capacity / peak need 2023–2025 (estimate)
HEADROOM_FOREIGN = 2.5  # foreign suppliers also serve other markets (estimate)
# per-site headroom where it differs (estimate unless the source says otherwise)
SITE_HEADROOM: dict[str, tuple[float, str]] = {
    "RYAZAN-LIGHT": (1.05, "kunststoffweb.de (~2 million lamps a year in all); split over lamp types: estimate"),
    "BELAZ-ORSHA": (1.0, "estimate (wheel line runs at capacity: a tight spot)"),
    "KOSTROMA-ABS": (1.5, "estimate (line started July 2023, profile.ru)"),
    "RUDENSK": (1.2, EST),
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

# ------------------------------------------------------------------ projects

PROGRAMME_SIZE = 14  # joint projects in the programme (TASS); only the four below are public

# id, name, name_local, host_site (None: not announced), capex [RUB], opex [RUB/yr], start, mrl,
# status, max_scale, source
PROJECTS: tuple[tuple[str, str, str, str | None, float, float, int, int, str, float, str], ...] = (
    ("P-LED-RUDENSK", "LED vehicle optics, Rudensk (Minsk region)",
     "Светодиодная автомобильная оптика, Руденск (Минская область)", "RUDENSK",
     6.0e9, 0.6e9, 2023, 7, "construction", 1.5,
     "TASS (Belarusian PM to Belarus-1); capex, opex, capacities, MRL: estimate"),
    ("P-BRAKES", "Braking systems", "Тормозные системы", None,
     8.0e9, 0.9e9, 2025, 4, "planned", 2.0,
     "TASS (Belarusian PM to Belarus-1); no host site announced, so it cannot produce until a site "
     "is chosen; sb.by 2022 (BelOMO developing ABS/EBS); capex, opex, capacities, MRL: estimate"),
    ("P-RINGS-ORSHA", "Ring-rolling mill integrated with a BELAZ enterprise, Orsha region",
     "Кольцераскатный стан на предприятии холдинга «БЕЛАЗ», Орша (Витебская область)", "BELAZ-ORSHA",
     10.0e9, 1.0e9, 2024, 5, "financing", 1.0,
     "TASS; BelTA 19 Dec 2019 (Orsha plant to roll rims for 130–450 t mining trucks); capex, opex, capacities: estimate"),
    ("P-PLASTICS-TLT", "Plastic auto parts, Togliatti", "Пластиковые автокомпоненты, Тольятти", "TLT-SEZ",
     3.0e9, 0.5e9, 2022, 8, "ramp-up", 1.2,
     "TASS; 63.ru 6 Aug 2022 (5 million parts a year by 2028, 4,500 m² building); capex, opex: estimate"),
)
# project, organisation, role
PROJECT_PARTNERS: tuple[tuple[str, str, str], ...] = (
    ("P-LED-RUDENSK", "RUDENSK", "host"),
    ("P-LED-RUDENSK", "AVTOVAZ", "buyer"),
    ("P-LED-RUDENSK", "UAZ", "buyer"),
    ("P-LED-RUDENSK", "MININD-BY", "sponsor"),
    ("P-BRAKES", "BELOMO", "technology"),
    ("P-BRAKES", "KAMAZ", "buyer"),
    ("P-BRAKES", "KOSTROMA-ABS", "technology"),
    ("P-BRAKES", "MINPROMTORG-RU", "sponsor"),
    ("P-RINGS-ORSHA", "BELAZ", "investor"),
    ("P-RINGS-ORSHA", "BELAZ-ORSHA", "host"),
    ("P-RINGS-ORSHA", "FORGE-RU-9", "technology"),
    ("P-RINGS-ORSHA", "MININD-BY", "sponsor"),
    ("P-PLASTICS-TLT", "TLT-SEZ", "host"),
    ("P-PLASTICS-TLT", "AVTOVAZ", "buyer"),
    ("P-PLASTICS-TLT", "PLASTICS-BY-2", "technology"),
    ("P-PLASTICS-TLT", "MINPROMTORG-RU", "sponsor"),
)
# project, part, capacity at full ramp-up [units/yr], source
PROJECT_OUTPUTS: tuple[tuple[str, str, float, str], ...] = (
    ("P-LED-RUDENSK", "CMP-LED-MOD-HL", 400_000, EST),
    ("P-LED-RUDENSK", "MOD-HL-CAR", 150_000, EST),
    ("P-LED-RUDENSK", "MOD-HL-TRUCK", 60_000, EST),
    ("P-BRAKES", "CMP-ABS-AIR", 25_000, "estimate; no host site: cannot produce until a site is chosen"),
    ("P-BRAKES", "CMP-CHAMBER-2020", 120_000, "estimate; no host site: cannot produce until a site is chosen"),
    ("P-BRAKES", "CMP-CHAMBER-24", 60_000, "estimate; no host site: cannot produce until a site is chosen"),
    ("P-RINGS-ORSHA", "CMP-RIM-RING", 6_000, "estimate (rims for 130–450 t trucks: BelTA 2019)"),
    ("P-RINGS-ORSHA", "CMP-RING-BLANK-XL", 3_000, EST),
    ("P-RINGS-ORSHA", "CMP-RING-BLANK-L", 30_000, EST),
    # 5 million parts a year by 2028 (63.ru, 2022), split over parts as an estimate
    ("P-PLASTICS-TLT", "CMP-DOOR-TRIM", 2_000_000, "63.ru, 2022 (5 million parts/yr by 2028); split: estimate"),
    ("P-PLASTICS-TLT", "CMP-ARCH-LINER", 1_500_000, "63.ru, 2022 (5 million parts/yr by 2028); split: estimate"),
    ("P-PLASTICS-TLT", "CMP-AIR-DUCT", 1_000_000, "63.ru, 2022 (5 million parts/yr by 2028); split: estimate"),
    ("P-PLASTICS-TLT", "CMP-BUMPER-FASCIA", 500_000, "63.ru, 2022 (5 million parts/yr by 2028); split: estimate"),
)
# share of target capacity by year 2025–2030 (estimate; Togliatti reaches 5 million in 2028)
PROJECT_RAMPUP: dict[str, tuple[float, ...]] = {
    "P-LED-RUDENSK": (0.2, 0.5, 0.8, 1.0, 1.0, 1.0),
    "P-BRAKES": (0.0, 0.0, 0.2, 0.5, 0.8, 1.0),
    "P-RINGS-ORSHA": (0.0, 0.1, 0.4, 0.7, 1.0, 1.0),
    "P-PLASTICS-TLT": (0.4, 0.6, 0.8, 1.0, 1.0, 1.0),
}
RAMPUP_YEARS = (2025, 2026, 2027, 2028, 2029, 2030)
# project, milestone, due, done (None: not yet; a past due date not done = slipped)
MILESTONES: tuple[tuple[str, str, dt.date, dt.date | None], ...] = (
    ("P-LED-RUDENSK", "Investment agreement signed", dt.date(2023, 6, 30), dt.date(2023, 9, 15)),
    ("P-LED-RUDENSK", "Building ready", dt.date(2024, 6, 30), dt.date(2024, 10, 1)),
    ("P-LED-RUDENSK", "LED module line installed", dt.date(2025, 3, 31), None),
    ("P-LED-RUDENSK", "Start of series production", dt.date(2026, 6, 30), None),
    ("P-BRAKES", "Feasibility study", dt.date(2024, 6, 30), dt.date(2024, 8, 1)),
    ("P-BRAKES", "Host site chosen", dt.date(2024, 12, 31), None),
    ("P-BRAKES", "ABS/EBS prototypes validated", dt.date(2025, 9, 30), None),
    ("P-BRAKES", "Start of series production", dt.date(2027, 6, 30), None),
    ("P-RINGS-ORSHA", "Investment agreement signed", dt.date(2024, 3, 31), dt.date(2024, 5, 20)),
    ("P-RINGS-ORSHA", "Mill equipment contract", dt.date(2025, 6, 30), None),
    ("P-RINGS-ORSHA", "First rolled rims", dt.date(2026, 12, 31), None),
    ("P-PLASTICS-TLT", "Building (4,500 m²) commissioned", dt.date(2022, 12, 31), dt.date(2023, 2, 15)),
    ("P-PLASTICS-TLT", "1 million parts a year", dt.date(2024, 12, 31), dt.date(2025, 1, 20)),
    ("P-PLASTICS-TLT", "3 million parts a year", dt.date(2026, 12, 31), None),
    ("P-PLASTICS-TLT", "5 million parts a year", dt.date(2028, 12, 31), None),
)
# imported supply links each project could replace: project -> [(buyer, part, supplier)]
PROJECT_SUBSTITUTES: dict[str, list[tuple[str, str, str]]] = {
    "P-LED-RUDENSK": [
        ("RUDENSK", "CMP-LED-MOD-HL", "LED-CN-3"),
        ("RYAZAN-LIGHT", "CMP-LED-MOD-HL", "LED-CN-3"),
        ("OSHMYANY", "CMP-LED-MOD-HL", "LED-CN-3"),
        ("HAVAL-TULA", "MOD-HL-CAR", "HL-CN-1"),
        ("UAZ-ULY", "MOD-HL-CAR", "HL-CN-1"),
        ("KAMAZ-NCH", "MOD-HL-TRUCK", "HL-CN-1"),
        ("URAL-MIASS", "MOD-HL-TRUCK", "HL-DE-1"),
    ],
    "P-BRAKES": [
        ("BRAKE-RU-4", "CMP-ABS-AIR", "ABS-CN-6"),
        ("BRAKE-RU-4", "CMP-ABS-AIR", "BRAKE-DE-2"),
        ("BRAKE-BY-3", "CMP-ABS-AIR", "ABS-CN-6"),
        ("BRAKE-RU-4", "CMP-CHAMBER-2020", "BRAKE-TR-2"),
        ("BRAKE-RU-4", "CMP-CHAMBER-2020", "BRAKE-CN-7"),
        ("BRAKE-BY-3", "CMP-CHAMBER-2020", "BRAKE-TR-2"),
        ("BRAKE-RU-4", "CMP-CHAMBER-24", "BRAKE-TR-2"),
        ("BRAKE-BY-3", "CMP-CHAMBER-24", "BRAKE-TR-2"),
    ],
    "P-RINGS-ORSHA": [
        ("BELAZ-ORSHA", "CMP-RIM-RING", "RING-IT-1"),
        ("BELAZ-ORSHA", "CMP-RIM-RING", "FORGE-CN-9"),
        ("GEAR-BY-4", "CMP-RING-BLANK-XL", "FORGE-CN-9"),
        ("GEAR-BY-4", "CMP-RING-BLANK-XL", "RING-IT-1"),
        ("GEAR-BY-4", "CMP-RING-BLANK-L", "FORGE-IN-3"),
        ("GEAR-RU-10", "CMP-RING-BLANK-L", "FORGE-CZ-1"),
    ],
    "P-PLASTICS-TLT": [
        ("PLASTICS-RU-18", "CMP-DOOR-TRIM", "PLASTICS-UZ-1"),
        ("PLASTICS-RU-18", "CMP-ARCH-LINER", "PLASTICS-UZ-1"),
        ("PLASTICS-RU-18", "CMP-AIR-DUCT", "PLASTICS-UZ-1"),
        ("PLASTICS-RU-19", "CMP-DOOR-TRIM", "PLASTICS-UZ-1"),
        ("PLASTICS-RU-18", "CMP-BUMPER-FASCIA", "PLASTICS-PL-1"),
        ("PLASTICS-BY-2", "CMP-BUMPER-FASCIA", "PLASTICS-PL-1"),
    ],
}

# ------------------------------------------------------------------ scenarios

# name, description, year, weight (probability in a scenario set, estimate)
SCENARIOS: tuple[tuple[str, str, int, float], ...] = (
    ("external-12w", "Every supplier outside the union (BY + RU) cut off for 12 weeks", 2025, 0.05),
    ("cn-8w", "All Chinese suppliers cut off for 8 weeks (e.g. a border or payments shock)", 2025, 0.10),
    ("de-8w", "All German suppliers cut off for 8 weeks (tighter sanctions on parallel imports)", 2025, 0.10),
    ("rudensk-4w", "The Rudensk lighting plant stopped for 4 weeks (fire or equipment failure)", 2025, 0.05),
    ("passenger-cars+10%", "Passenger-car demand 10 % above the base case", 2025, 0.20),
    ("projects-2028", "All four public joint projects active, 2028 demand", 2028, 0.0),
    ("projects-2028-external-12w", "All four public projects active in 2028 and external suppliers cut off for 12 weeks",
     2028, 0.0),
)
# scenario, target_kind, target, severity, duration [weeks], recovery
DISRUPTIONS: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("external-12w", "group", "external", 1.0, 12, "instant"),
    ("cn-8w", "country", "CN", 1.0, 8, "instant"),
    ("de-8w", "country", "DE", 1.0, 8, "instant"),
    ("rudensk-4w", "site", "RUDENSK", 1.0, 4, "linear"),
    ("projects-2028-external-12w", "group", "external", 1.0, 12, "instant"),
)
PASSENGER_CAR_FACTOR = 1.10
SCENARIO_PROJECTS: tuple[tuple[str, str], ...] = tuple(
    (s, p[0]) for s in ("projects-2028", "projects-2028-external-12w") for p in PROJECTS
)


# fmt: on
# ================================================================== builder


def _nice_ceil(x: float) -> float:
    """Round up to two significant digits (capacities read like planning figures)."""
    if x <= 0:
        return 0.0
    step = 10 ** max(0, math.floor(math.log10(x)) - 1)
    return float(math.ceil(x / step - 1e-9) * step)


def _rows(name: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One typed frame of table ``name`` from row dicts (missing keys are null)."""
    schema = polars_schema(table(name))
    cols = {c: [r.get(c) for r in records] for c in schema}
    return pl.DataFrame(cols, schema=schema)


def _vehicle_bom(model: str, cls: str) -> list[tuple[str, float]]:
    lines = dict(CLASS_BOM[cls])
    for child, q in MODEL_BOM_CHANGES.get(model, {}).items():
        lines[child] = q
    return [(c, q) for c, q in lines.items() if q > 0]


def _check_data(part_ids: set[str], site_country: dict[str, str]) -> None:
    """Fail fast on a typo in the tables above (check() would also catch most)."""
    for parent, kids in BOM.items():
        assert parent in part_ids, parent
        for child, _ in kids:
            assert child in part_ids, (parent, child)
    sources = (
        [*DEFAULT_SOURCES.items()]
        + [(p, s) for b in BUYER_SOURCES.values() for p, s in b.items()]
        + [(p, s) for (_, p), s in PROJECT_INPUT_SOURCES.items()]
    )
    for part, srcs in sources:
        assert part in part_ids, part
        assert abs(sum(s[1] for s in srcs) - 1.0) < 1e-9, (part, srcs)
        for s in srcs:
            assert s[0] == SELF or s[0] in site_country, s
    for kind, srcs in [*DEFAULT_SYSTEM_SOURCES.items(), *((k, v) for (_, k), v in SYSTEM_SOURCES.items())]:
        assert kind in SYSTEM_KINDS, kind
        assert abs(sum(s[1] for s in srcs) - 1.0) < 1e-9, (kind, srcs)
        for s in srcs:
            assert s[0] == SELF or s[0] in site_country, s
    assert part_ids >= MATERIALS, MATERIALS - part_ids


def build() -> Dataset:
    """Build and check the ``by-ru-auto`` demo dataset.

    Returns
    -------
    Dataset
        The checked dataset (``importsub.model.validate.check`` passed).

    Examples
    --------
    >>> ds = build()
    >>> ds.name
    'by-ru-auto'
    """
    # ---------------------------------------------------------- countries
    countries = _rows("countries", [{"iso2": i, "name": n, "name_local": nl} for i, n, nl in COUNTRIES])
    groups = [{"group": "union", "iso2": i} for i in UNION]
    groups += [{"group": "external", "iso2": i} for i, _, _ in COUNTRIES if i not in UNION]
    groups += [{"group": "eaeu", "iso2": i} for i in EAEU]
    country_groups = _rows("country_groups", groups)

    # ---------------------------------------------------------- organisations and sites
    orgs: list[dict[str, object]] = []
    for oid, name, local, country, src in OEM_ORGS:
        orgs.append({"id": oid, "name": name, "name_local": local, "country": country, "kind": "oem", "source": src})
    for oid, name, local, country in AUTHORITIES:
        orgs.append(
            {
                "id": oid,
                "name": name,
                "name_local": local,
                "country": country,
                "kind": "authority",
                "source": "public name",
            }
        )
    for oid, name, local, country, kind, src in OTHER_ORGS:
        orgs.append({"id": oid, "name": name, "name_local": local, "country": country, "kind": kind, "source": src})
    sites: list[dict[str, object]] = []
    for sid, org, name, local, country, region, lat, lon in OEM_SITES:
        sites.append(
            {
                "id": sid,
                "organization": org,
                "name": name,
                "name_local": local,
                "country": country,
                "region": region,
                "lat": lat,
                "lon": lon,
                "source": LOC,
            }
        )
    for sid, name, sup_local, country, sup_region, lat, lon, src in SUPPLIER_SITES:
        anonymous = country not in UNION
        orgs.append(
            {
                "id": sid,
                "name": name,
                "name_local": sup_local,
                "country": country,
                "kind": "supplier",
                "source": "anonymised foreign supplier" if anonymous else src,
            }
        )
        sites.append(
            {
                "id": sid,
                "organization": sid,
                "name": name,
                "name_local": sup_local,
                "country": country,
                "region": sup_region,
                "lat": lat,
                "lon": lon,
                "source": src,
            }
        )
    site_country = {str(s["id"]): str(s["country"]) for s in sites}

    # ---------------------------------------------------------- parts and BOM
    part_rows: list[dict[str, object]] = []
    part_value: dict[str, float] = {}
    part_category: dict[str, str] = {}
    for pid, name, local, cat, unit, hs, value in PARTS:
        part_rows.append(
            {
                "id": pid,
                "name": name,
                "name_local": local,
                "category": cat,
                "unit": unit,
                "hs_code": hs,
                "unit_value": float(value),
                "material": pid in MATERIALS,
                "source": EST,
            }
        )
        part_value[pid] = float(value)
        part_category[pid] = cat
    bom: dict[str, list[tuple[str, float]]] = {p: list(kids) for p, kids in BOM.items()}
    vehicle_site: dict[str, str] = {}
    vehicle_class: dict[str, str] = {}
    system_kind: dict[str, str] = {}  # system part -> kind
    for vid, name, local, cls, value, site, hs in VEHICLES:
        lines = _vehicle_bom(vid, cls)
        modules = sum(q * part_value[c] for c, q in lines)
        rest = ROV_SHARE * value - modules  # what the modules leave of 85 % of the vehicle's value
        systems: list[tuple[str, float]] = []
        for kind, share in CLASS_SYSTEMS[cls]:
            sys_id, sys_value = f"SYS-{kind}-{vid}", round(share * rest, -3)
            kind_name, kind_local, category, heading = SYSTEM_KINDS[kind]
            part_rows.append(
                {
                    "id": sys_id,
                    "name": f"{kind_name}, {name}",
                    "name_local": f"{kind_local}, {local}",
                    "category": category,
                    "unit": "set",
                    "hs_code": heading,
                    "unit_value": sys_value,
                    "material": False,
                    "source": f"estimate: {share:.0%} of the rest of the vehicle (its value less the modules)",
                }
            )
            part_value[sys_id], part_category[sys_id] = sys_value, category
            system_kind[sys_id] = kind
            # materials by value share of the system (estimate); the rest is the maker's own work
            bom[sys_id] = [(m, round(ms * sys_value / part_value[m], 2)) for m, ms in SYSTEM_MATERIALS[kind]]
            systems.append((sys_id, 1.0))
        rov = f"ROV-{vid}"
        rov_value = round(rest - sum(part_value[c] for c, _ in systems), -3)
        assert rov_value > 0, vid
        part_rows.append(
            {
                "id": vid,
                "name": name,
                "name_local": local,
                "category": "vehicle",
                "unit": "pcs",
                "hs_code": hs,
                "unit_value": float(value),
                "material": False,
                "source": f"estimate ({CLASS_NAMES[cls]} price)",
            }
        )
        part_rows.append(
            {
                "id": rov,
                "name": f"Rest of vehicle (final assembly, other parts), {name}",
                "name_local": f"Прочие узлы (сборка, прочие детали), {local}",
                "category": "rest_of_vehicle",
                "unit": "set",
                "hs_code": "870899",
                "unit_value": rov_value,
                "material": False,
                "source": f"estimate: {ROV_SHARE:.0%} of the vehicle value less the mapped modules and systems",
            }
        )
        part_value[vid], part_value[rov] = float(value), rov_value
        part_category[vid], part_category[rov] = "vehicle", "rest_of_vehicle"
        bom[vid] = [*lines, *systems, (rov, 1.0)]
        vehicle_site[vid] = site
        vehicle_class[vid] = cls
    part_ids = set(part_value)
    _check_data(part_ids, site_country)

    bom_rows = []
    for parent, kids in bom.items():
        for child, q in kids:
            if parent in vehicle_site and child.startswith("MOD-HL"):
                src = "engineering convention (2 headlamps per vehicle; estimate, check per model)"
            elif parent in vehicle_site:
                src = "estimate (simplified vehicle BOM)"
            elif parent in system_kind:
                src = "estimate (material content of the system by value)"
            else:
                src = BOM_SOURCES.get((parent, child), "estimate (simplified BOM)")
            bom_rows.append({"parent": parent, "child": child, "quantity": float(q), "source": src})

    # BOM level of each part: longest path from a vehicle (vehicles are level 0)
    level: dict[str, int] = dict.fromkeys(vehicle_site, 0)
    order: list[str] = []
    indeg: dict[str, int] = defaultdict(int)
    for kids in bom.values():
        for c, _ in kids:
            indeg[c] += 1
    stack = sorted(p for p in part_ids if indeg[p] == 0)
    while stack:
        p = stack.pop()
        order.append(p)
        for c, _ in bom.get(p, ()):
            level[c] = max(level.get(c, 0), level.get(p, 0) + 1)
            indeg[c] -= 1
            if indeg[c] == 0:
                stack.append(c)
    assert len(order) == len(part_ids), "BOM cycle"

    # ---------------------------------------------------------- supply links
    producers: dict[tuple[str, str], None] = {}  # ordered set of (site, part)
    for vid, site in vehicle_site.items():
        producers[(site, vid)] = None
    links: dict[tuple[str, str], list[tuple[str, float, bool]]] = {}  # (buyer, part) -> [(supplier, share, qualified)]

    def resolve(buyer: str, srcs: list[Source]) -> list[tuple[str, float, bool]]:
        out = []
        for s in srcs:
            supplier = buyer if s[0] == SELF else s[0]
            qualified = bool(s[2]) if len(s) > 2 else True  # type: ignore[misc]
            out.append((supplier, float(s[1]), qualified))
        return out

    # walk producing nodes from the top: each (site, parent) needs its BOM children
    pending = list(producers)
    seen_groups: set[tuple[str, str]] = set()
    while pending:
        site, parent = pending.pop(0)
        if site_country[site] not in UNION:
            continue  # tiers below a foreign supplier are not mapped
        for child, _ in bom.get(parent, ()):
            group = (site, child)
            if group in seen_groups or group in UNMAPPED:
                continue
            seen_groups.add(group)
            srcs: list[Source]
            if child in system_kind:
                kind = system_kind[child]
                srcs = SYSTEM_SOURCES.get((site, kind)) or DEFAULT_SYSTEM_SOURCES[kind]
            else:
                srcs = BUYER_SOURCES.get(site, {}).get(child) or (
                    [(SELF, 1.0)] if child.startswith("ROV-") else DEFAULT_SOURCES[child]
                )
            links[group] = resolve(site, srcs)
            for supplier, _, _ in links[group]:
                if (supplier, child) not in producers:
                    producers[(supplier, child)] = None
                    pending.append((supplier, child))
    # every buyer override must be used (catches a misplaced override)
    for buyer, parts in BUYER_SOURCES.items():
        for part in parts:
            assert (buyer, part) in links, f"unused sourcing override {buyer} {part}"
    for (buyer, part), srcs in PROJECT_INPUT_SOURCES.items():
        assert (buyer, part) not in links
        links[(buyer, part)] = resolve(buyer, srcs)
        for supplier, _, _ in links[(buyer, part)]:
            producers.setdefault((supplier, part), None)
    for site, part in EXTRA_PRODUCTION:
        producers.setdefault((site, part), None)

    # ---------------------------------------------------------- demand (base and plan years)
    demand: dict[tuple[str, int], tuple[float, str]] = {}
    for vid, site in vehicle_site.items():
        for year in BASE_YEARS:
            units, src = OEM_OUTPUT[site][year]
            split = MODEL_SPLIT[vid]
            text = src if split == 1.0 else f"{src}; split over models: estimate"
            demand[(vid, year)] = (round(units * split), text)
        base = demand[(vid, BASE_YEARS[-1])][0]
        for k, year in enumerate(PLAN_YEARS, start=1):
            growth = CLASS_GROWTH[vehicle_class[vid]]
            demand[(vid, year)] = (round(base * growth**k), f"estimate ({(growth - 1):.0%} a year after 2025)")

    # ---------------------------------------------------------- derived need per node and group
    nodes_by_part: dict[str, list[str]] = defaultdict(list)
    for site, part in producers:
        nodes_by_part[part].append(site)
    groups_by_part: dict[str, list[tuple[str, list[tuple[str, float, bool]]]]] = defaultdict(list)
    for (buyer, part), resolved in links.items():
        groups_by_part[part].append((buyer, resolved))

    def derive(year: int) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
        """Output x of every node and need of every (buyer, part) group: x = A x + d, solved
        by one pass over parts in topological order (parents before children)."""
        x: dict[tuple[str, str], float] = defaultdict(float)  # node output [units/yr]
        need: dict[tuple[str, str], float] = defaultdict(float)  # group need [units/yr]
        for vid, site in vehicle_site.items():
            x[(site, vid)] += demand[(vid, year)][0]
        for part in order:
            for buyer, group_links in groups_by_part[part]:  # complete: every parent came earlier
                for supplier, share, _ in group_links:
                    x[(supplier, part)] += share * need[(buyer, part)]
            for site in nodes_by_part[part]:
                xj = x[(site, part)]
                for child, q in bom.get(part, ()):
                    if (site, child) in links:
                        need[(site, child)] += q * xj
        return x, need

    peak_x: dict[tuple[str, str], float] = defaultdict(float)
    need_2024: dict[tuple[str, str], float] = {}
    for year in BASE_YEARS:
        x, need = derive(year)
        for node, units in x.items():
            peak_x[node] = max(peak_x[node], units)
        if year == 2024:
            need_2024 = dict(need)
    total_part_need: dict[str, float] = defaultdict(float)
    for (_, part), v in peak_x.items():
        if part not in vehicle_site:
            total_part_need[part] += v

    # ---------------------------------------------------------- production
    production = []
    for site, part in producers:
        country = site_country[site]
        if part in vehicle_site:
            cap, pool, src = VEHICLE_CAPACITY[part]
            production.append(
                {
                    "site": site,
                    "part": part,
                    "capacity": float(cap),
                    "unit_value": None,
                    "time_to_recover": float(SITE_TTR.get(site, TTR_BY_LEVEL[0])),
                    "pool": pool,
                    "source": src,
                }
            )
            continue
        if (site, part) in EXPLICIT_CAPACITY:
            cap, src = EXPLICIT_CAPACITY[(site, part)]
        else:
            default = HEADROOM_DOMESTIC if country in UNION else HEADROOM_FOREIGN
            headroom, src = SITE_HEADROOM.get(site, (default, EST))
            floor = 0.3 * total_part_need.get(part, 0.0)  # alternatives can cover ~30 % of the group's need
            cap = _nice_ceil(max(headroom * peak_x.get((site, part), 0.0), floor)) or 1_000.0
            src = f"{src}; capacity sized from derived need 2023–25 × headroom {headroom:g} (estimate)"
        factor = PRICE_FACTOR[country]
        production.append(
            {
                "site": site,
                "part": part,
                "capacity": float(cap),
                "unit_value": None if factor == 1.0 else round(part_value[part] * factor, 2),
                "time_to_recover": float(SITE_TTR.get(site, TTR_BY_LEVEL[min(level[part], len(TTR_BY_LEVEL) - 1)])),
                "pool": None,
                "source": src if factor == 1.0 else f"{src}; price × {factor:g} (estimate)",
            }
        )
    pools = [{"site": s, "pool": p, "capacity": float(c), "source": src} for (s, p), (c, src) in CAPACITY_POOLS.items()]

    # ---------------------------------------------------------- supply-link rows
    link_rows = []
    for (buyer, part), resolved in links.items():
        for supplier, share, qualified in resolved:
            if supplier == buyer:
                lead, src = 0.0, "in-house (estimate)"
            else:
                sc, bc = site_country[supplier], site_country[buyer]
                lead = 1.0 if sc == bc else float(LEAD_WEEKS[sc])
                src = _link_source(buyer, part, supplier)
            if (buyer, part) in PROJECT_INPUT_SOURCES:
                src = "estimate (pre-contracted input of a project host site)"
            link_rows.append(
                {
                    "buyer": buyer,
                    "part": part,
                    "supplier": supplier,
                    "share": share,
                    "lead_time": lead,
                    "qualified": qualified,
                    "source": src,
                }
            )

    # ---------------------------------------------------------- inventory
    inventory = []
    for vid, site in vehicle_site.items():
        units = round(VEHICLE_STOCK_WEEKS * demand[(vid, 2024)][0] / 52)
        inventory.append(
            {
                "site": site,
                "part": vid,
                "units": float(units),
                "source": f"estimate ({VEHICLE_STOCK_WEEKS:g} weeks of 2024 output)",
            }
        )
    for (buyer, part), resolved in links.items():
        if part_category[part] not in STOCKED_CATEGORIES or (buyer, part) in producers:
            continue
        weekly = need_2024.get((buyer, part), 0.0) / 52
        imported = any(site_country[s] not in UNION and share > 0 for s, share, _ in resolved)
        weeks = IMPORT_STOCK_WEEKS if imported else DOMESTIC_STOCK_WEEKS
        if weekly > 0:
            inventory.append(
                {
                    "site": buyer,
                    "part": part,
                    "units": float(math.ceil(weeks * weekly)),
                    "source": f"estimate ({weeks:g} weeks of supply)",
                }
            )

    # ---------------------------------------------------------- demand rows
    demand_rows = []
    for (vid, year), (units, src) in demand.items():
        demand_rows.append(
            {
                "site": vehicle_site[vid],
                "part": vid,
                "year": year,
                "units": float(units),
                "margin": round(MARGIN_SHARE * part_value[vid], -3),
                "source": f"{src}; margin {MARGIN_SHARE:.0%} of price (estimate)",
            }
        )

    # ---------------------------------------------------------- projects
    projects = [
        {
            "id": pid,
            "name": name,
            "name_local": local,
            "host_site": host,
            "capex": capex,
            "opex": opex,
            "start": start,
            "mrl": mrl,
            "status": status,
            "max_scale": scale,
            "source": src,
        }
        for pid, name, local, host, capex, opex, start, mrl, status, scale, src in PROJECTS
    ]
    partners = [{"project": p, "organization": o, "role": r} for p, o, r in PROJECT_PARTNERS]
    outputs = [
        {"project": p, "part": part, "capacity": float(c), "unit_value": None, "source": src}
        for p, part, c, src in PROJECT_OUTPUTS
    ]
    rampup = [
        {"project": p, "year": y, "fraction": f}
        for p, fr in PROJECT_RAMPUP.items()
        for y, f in zip(RAMPUP_YEARS, fr, strict=True)
    ]
    milestones = [{"project": p, "name": n, "due": due, "done": done} for p, n, due, done in MILESTONES]
    substitutes = [
        {"project": p, "buyer": b, "part": part, "supplier": s}
        for p, subs in PROJECT_SUBSTITUTES.items()
        for b, part, s in subs
    ]

    # ---------------------------------------------------------- scenarios
    scenarios = [{"name": n, "description": d, "year": y, "weight": w} for n, d, y, w in SCENARIOS]
    disruptions = [
        {"scenario": s, "target_kind": k, "target": t, "severity": sev, "duration": dur, "recovery": r}
        for s, k, t, sev, dur, r in DISRUPTIONS
    ]
    demand_changes = [
        {"scenario": "passenger-cars+10%", "site": vehicle_site[v], "part": v, "factor": PASSENGER_CAR_FACTOR}
        for v in vehicle_site
        if vehicle_class[v] == "car"
    ]
    scenario_projects = [{"scenario": s, "project": p} for s, p in SCENARIO_PROJECTS]

    frames = {
        "countries": countries,
        "country_groups": country_groups,
        "organizations": _rows("organizations", orgs),
        "sites": _rows("sites", sites),
        "parts": _rows("parts", part_rows),
        "bom": _rows("bom", bom_rows),
        "production": _rows("production", production),
        "capacity_pools": _rows("capacity_pools", pools),
        "inventory": _rows("inventory", inventory),
        "supply_links": _rows("supply_links", link_rows),
        "demand": _rows("demand", demand_rows),
        "projects": _rows("projects", projects),
        "project_partners": _rows("project_partners", partners),
        "project_outputs": _rows("project_outputs", outputs),
        "project_rampup": _rows("project_rampup", rampup),
        "milestones": _rows("milestones", milestones),
        "project_substitutes": _rows("project_substitutes", substitutes),
        "scenarios": _rows("scenarios", scenarios),
        "disruptions": _rows("disruptions", disruptions),
        "demand_changes": _rows("demand_changes", demand_changes),
        "scenario_projects": _rows("scenario_projects", scenario_projects),
    }
    ds = Dataset.from_frames(NAME, frames, programme_size=PROGRAMME_SIZE)
    return check(ds)
