# ruff: noqa: RUF001 - the translations are in Cyrillic and use typographic apostrophes
"""Makes `seed_data/translations.json`: country names and capitals from CLDR (through Babel),
fields of work, menu labels, the pages' texts and the image's description written by hand
(see `seed_data/SOURCES.md`).

    python -m api.content.translations.cldr > seed_data/translations.json

A capital is translated where CLDR has it: as the exemplar city of an IANA time zone whose
English exemplar city is the capital's English name (Vienna is Europe/Vienna's). Capitals that
name no zone (Astana, Bern, Ankara, Ottawa, Canberra, Rabat, ...) keep their English name, and
their answers say so in `fallback`.
"""

import json
import sys
import zoneinfo
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import get_timezone_location

from api.config import PROJECT_ROOT
from api.content.images.service import TRANSLATABLE as IMAGES
from api.content.pages.service import TRANSLATABLE as PAGES
from api.content.spec import Translatable
from api.content.translations.page_texts import PAGE_TEXTS
from api.locales import LANGUAGES, SOURCE

SEED_DIR = PROJECT_ROOT / "seed_data"
TARGETS = [lang for lang in LANGUAGES if lang != SOURCE]
# Zones whose English exemplar city is spelt otherwise than the capital in the seed.
ZONE_ALIASES = {"Tirana": "Europe/Tirane"}

# The 23 fields of work: fr, de, it, ru, es.
TOPICS: dict[str, tuple[str, str, str, str, str]] = {
    "arms-control": ("Maîtrise des armements", "Rüstungskontrolle", "Controllo degli armamenti",
                     "Контроль над вооружениями", "Control de armamentos"),
    "border-management": ("Gestion des frontières", "Grenzmanagement",
                          "Gestione delle frontiere", "Управление границами",
                          "Gestión de fronteras"),
    "combating-trafficking-in-human-beings": (
        "Lutte contre la traite des êtres humains", "Bekämpfung des Menschenhandels",
        "Lotta alla tratta di esseri umani", "Борьба с торговлей людьми",
        "Lucha contra la trata de personas"),
    "conflict-prevention-and-resolution": (
        "Prévention et règlement des conflits", "Konfliktverhütung und -beilegung",
        "Prevenzione e risoluzione dei conflitti", "Предотвращение и урегулирование конфликтов",
        "Prevención y resolución de conflictos"),
    "countering-terrorism": ("Lutte contre le terrorisme", "Terrorismusbekämpfung",
                             "Lotta al terrorismo", "Борьба с терроризмом",
                             "Lucha contra el terrorismo"),
    "cyber-ict-security": ("Cybersécurité et sécurité des TIC", "Cyber- und IKT-Sicherheit",
                           "Sicurezza informatica e delle TIC",
                           "Кибербезопасность и безопасность ИКТ",
                           "Ciberseguridad y seguridad de las TIC"),
    "democratization": ("Démocratisation", "Demokratisierung", "Democratizzazione",
                        "Демократизация", "Democratización"),
    "economic-activities": ("Activités économiques", "Wirtschaftliche Aktivitäten",
                            "Attività economiche", "Экономическая деятельность",
                            "Actividades económicas"),
    "education": ("Éducation", "Bildung", "Istruzione", "Образование", "Educación"),
    "elections": ("Élections", "Wahlen", "Elezioni", "Выборы", "Elecciones"),
    "environmental-activities": ("Activités environnementales", "Umweltaktivitäten",
                                 "Attività ambientali", "Природоохранная деятельность",
                                 "Actividades medioambientales"),
    "gender-equality": ("Égalité des sexes", "Gleichstellung der Geschlechter",
                        "Parità di genere", "Гендерное равенство", "Igualdad de género"),
    "good-governance": ("Bonne gouvernance", "Gute Regierungsführung", "Buon governo",
                        "Надлежащее управление", "Buena gobernanza"),
    "human-rights": ("Droits de l’homme", "Menschenrechte", "Diritti umani", "Права человека",
                     "Derechos humanos"),
    "media-freedom-and-development": (
        "Liberté et développement des médias", "Medienfreiheit und Medienentwicklung",
        "Libertà e sviluppo dei media", "Свобода и развитие СМИ",
        "Libertad y desarrollo de los medios de comunicación"),
    "migration": ("Migrations", "Migration", "Migrazione", "Миграция", "Migración"),
    "national-minority-issues": (
        "Questions relatives aux minorités nationales", "Fragen nationaler Minderheiten",
        "Questioni relative alle minoranze nazionali", "Вопросы национальных меньшинств",
        "Cuestiones relativas a las minorías nacionales"),
    "policing": ("Activités de police", "Polizeiarbeit", "Attività di polizia",
                 "Полицейская деятельность", "Actividades policiales"),
    "reform-and-co-operation-in-the-security-sector": (
        "Réforme et coopération dans le secteur de la sécurité",
        "Reform und Zusammenarbeit im Sicherheitssektor",
        "Riforma e cooperazione nel settore della sicurezza",
        "Реформа и сотрудничество в секторе безопасности",
        "Reforma y cooperación en el sector de la seguridad"),
    "roma-and-sinti": ("Roms et Sintis", "Roma und Sinti", "Rom e Sinti", "Рома и синти",
                       "Romaníes y sinti"),
    "rule-of-law": ("État de droit", "Rechtsstaatlichkeit", "Stato di diritto",
                    "Верховенство права", "Estado de derecho"),
    "tolerance-and-non-discrimination": (
        "Tolérance et non-discrimination", "Toleranz und Nichtdiskriminierung",
        "Tolleranza e non discriminazione", "Толерантность и недискриминация",
        "Tolerancia y no discriminación"),
    "youth": ("Jeunesse", "Jugend", "Giovani", "Молодежь", "Juventud"),
}  # fmt: skip

# Labels of the navigation that name no item of the API (those that do take its name).
MENU_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    "Our work": ("Notre action", "Unsere Arbeit", "Il nostro lavoro", "Наша работа",
                 "Nuestro trabajo"),
    "Countries": ("Pays", "Länder", "Paesi", "Страны", "Países"),
    "Structures and institutions": ("Structures et institutions", "Strukturen und Institutionen",
                                    "Strutture e istituzioni", "Структуры и институты",
                                    "Estructuras e instituciones"),
    "About us": ("Qui sommes-nous", "Über uns", "Chi siamo", "О нас", "Quiénes somos"),
    "Impact": ("Impact", "Wirkung", "Impatto", "Результаты", "Impacto"),
    "News": ("Actualités", "Nachrichten", "Notizie", "Новости", "Noticias"),
    "Events": ("Événements", "Veranstaltungen", "Eventi", "Мероприятия", "Eventos"),
    "Resources": ("Ressources", "Ressourcen", "Risorse", "Ресурсы", "Recursos"),
    "Fields of work": ("Domaines d’action", "Arbeitsbereiche", "Settori di attività",
                       "Направления деятельности", "Ámbitos de trabajo"),
    "Field operations": ("Opérations de terrain", "Feldoperationen", "Operazioni sul terreno",
                         "Полевые операции", "Operaciones sobre el terreno"),
    "Participating States": ("États participants", "Teilnehmerstaaten", "Stati partecipanti",
                             "Государства-участники", "Estados participantes"),
    "All Participating States": ("Tous les États participants", "Alle Teilnehmerstaaten",
                                 "Tutti gli Stati partecipanti", "Все государства-участники",
                                 "Todos los Estados participantes"),
    "Partners for Co-operation": ("Partenaires pour la coopération", "Kooperationspartner",
                                  "Partner per la cooperazione", "Партнеры по сотрудничеству",
                                  "Socios para la cooperación"),
    "Asian Partners for Co-operation": (
        "Partenaires asiatiques pour la coopération", "Asiatische Kooperationspartner",
        "Partner asiatici per la cooperazione", "Азиатские партнеры по сотрудничеству",
        "Socios asiáticos para la cooperación"),
    "Mediterranean Partners for Co-operation": (
        "Partenaires méditerranéens pour la coopération", "Kooperationspartner im Mittelmeerraum",
        "Partner mediterranei per la cooperazione",
        "Средиземноморские партнеры по сотрудничеству",
        "Socios mediterráneos para la cooperación"),
    "Closed field activities": ("Activités de terrain achevées", "Abgeschlossene Feldaktivitäten",
                                "Attività sul terreno concluse",
                                "Завершенная деятельность на местах",
                                "Actividades sobre el terreno concluidas"),
    "Institutions": ("Institutions", "Institutionen", "Istituzioni", "Институты",
                     "Instituciones"),
    "Leadership": ("Direction", "Leitung", "Direzione", "Руководство", "Dirección"),
    "Chairpersonship": ("Présidence", "Vorsitz", "Presidenza", "Председательство",
                        "Presidencia"),
    "Our history": ("Notre histoire", "Unsere Geschichte", "La nostra storia", "Наша история",
                    "Nuestra historia"),
    "Contacts": ("Contacts", "Kontakt", "Contatti", "Контакты", "Contactos"),
    "Vacancies": ("Postes vacants", "Stellenangebote", "Posti vacanti", "Вакансии", "Vacantes"),
    "Employment": ("Emploi", "Beschäftigung", "Impiego", "Трудоустройство", "Empleo"),
    "Press": ("Presse", "Presse", "Stampa", "Пресса", "Prensa"),
    "Social media": ("Réseaux sociaux", "Soziale Medien", "Social media", "Социальные сети",
                     "Redes sociales"),
    "Terms of Use": ("Conditions d’utilisation", "Nutzungsbedingungen", "Condizioni d’uso",
                     "Условия использования", "Condiciones de uso"),
    "Public documents": ("Documents publics", "Öffentliche Dokumente", "Documenti pubblici",
                         "Публичные документы", "Documentos públicos"),
    "Procurement": ("Achats", "Beschaffung", "Appalti", "Закупки", "Adquisiciones"),
    "Subscribe for updates": ("S’abonner aux actualités", "Neuigkeiten abonnieren",
                              "Iscriviti agli aggiornamenti", "Подписаться на обновления",
                              "Suscribirse a las novedades"),
}  # fmt: skip


def _capital_zones() -> dict[str, str]:
    """English exemplar city → IANA zone, for every zone CLDR names a city for."""
    zones: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        try:
            city = get_timezone_location(zone, "en", return_city=True)
        except (LookupError, ValueError):
            continue
        zones.setdefault(city, zone)
    return zones | ZONE_ALIASES


# The texts of a page's blocks, by key (a query block's `parameters` and an item reference hold
# none of these keys): each is translated; everything else of a block is kept as it is.
BLOCK_TEXTS = frozenset(
    {"text", "subtitle", "kicker", "caption", "attribution", "label", "description", "title"}
)


def _translated(value: Any, lang: str) -> Any:
    """A page's blocks (or any part of them) with every text in `lang`: from `PAGE_TEXTS`, or
    from `MENU_LABELS` for a label the navigation has too. A text found in neither is an error,
    so that no English is left in a translated page."""
    if isinstance(value, list):
        return [_translated(each, lang) for each in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _text(each, lang) if key in BLOCK_TEXTS and isinstance(each, str)
        else _translated(each, lang)
        for key, each in value.items()
    }  # fmt: skip


def _text(english: str, lang: str) -> str:
    found = PAGE_TEXTS.get(english) or MENU_LABELS.get(english)
    if found is None:
        raise KeyError(f"no translation of {english!r} in PAGE_TEXTS or MENU_LABELS")
    return found[TARGETS.index(lang)]


def _written(path: Path, translatable: Translatable) -> dict[str, dict[str, dict[str, Any]]]:
    """{slug: {lang: {field: text}}} of a seed file's records: each of the kind's text fields
    that has a text, and each structured one (a page's body) translated block by block."""
    records = json.loads(path.read_text(encoding="utf-8"))
    plain = [field for field in translatable.fields if field not in translatable.structured]
    return {
        record["slug"]: {
            lang: {field: _text(record[field], lang) for field in plain if record.get(field)}
            | {field: _translated(record[field], lang) for field in translatable.structured}
            for lang in TARGETS
        }
        for record in records
    }


def build(seed_dir: Path = SEED_DIR) -> dict[str, Any]:
    countries = [
        *json.loads((seed_dir / "states.json").read_text(encoding="utf-8")),
        *json.loads((seed_dir / "partners.json").read_text(encoding="utf-8")),
    ]
    zones = _capital_zones()
    locales = {lang: Locale(lang) for lang in TARGETS}
    country_texts: dict[str, dict[str, dict[str, str]]] = {}
    for country in countries:
        zone = zones.get(country["capital"]["name"])
        texts: dict[str, dict[str, str]] = {}
        for lang, locale in locales.items():
            texts[lang] = {"name": locale.territories[country["iso_alpha2"]]}
            if zone is not None:
                texts[lang]["capital"] = get_timezone_location(zone, lang, return_city=True)
        country_texts[country["iso_alpha2"]] = texts
    topics = {slug: dict(zip(TARGETS, names, strict=True)) for slug, names in TOPICS.items()}
    return {
        "items": {
            "country": country_texts,
            "topic": {
                slug: {lang: {"name": n} for lang, n in t.items()} for slug, t in topics.items()
            },
            "page": _written(seed_dir / "pages.json", PAGES),
            "image": _written(seed_dir / "images.json", IMAGES),
        },
        "menu_labels": {
            label: dict(zip(TARGETS, names, strict=True)) for label, names in MENU_LABELS.items()
        },
    }


def render(seed_dir: Path = SEED_DIR) -> str:
    return json.dumps(build(seed_dir), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
