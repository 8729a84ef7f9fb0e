# ruff: noqa: RUF001 - the translations are in Cyrillic and use typographic apostrophes
"""The texts of the seed's pages and image, translated by hand for this project (see
`seed_data/SOURCES.md`): fr, de, it, ru, es, following the terms of the OSCE's own pages in
those languages where we know them. Labels that are also menu labels are in `cldr.MENU_LABELS`."""

# English text: (fr, de, it, ru, es)
PAGE_TEXTS: dict[str, tuple[str, str, str, str, str]] = {
    "Organization for Security and Co-operation in Europe": (
        "Organisation pour la sécurité et la coopération en Europe",
        "Organisation für Sicherheit und Zusammenarbeit in Europa",
        "Organizzazione per la sicurezza e la cooperazione in Europa",
        "Организация по безопасности и сотрудничеству в Европе",
        "Organización para la Seguridad y la Cooperación en Europa"),
    ("With 57 States from Europe, Central Asia and America, the Organization for Security and "
     "Co-operation in Europe (OSCE) is the world’s largest regional security organization."): (
        ("Avec 57 États d’Europe, d’Asie centrale et d’Amérique, l’Organisation pour la "
         "sécurité et la coopération en Europe (OSCE) est la plus grande organisation "
         "régionale de sécurité au monde."),
        ("Mit 57 Staaten aus Europa, Zentralasien und Amerika ist die Organisation für "
         "Sicherheit und Zusammenarbeit in Europa (OSZE) die größte regionale "
         "Sicherheitsorganisation der Welt."),
        ("Con 57 Stati dell’Europa, dell’Asia centrale e dell’America, l’Organizzazione per la "
         "sicurezza e la cooperazione in Europa (OSCE) è la più grande organizzazione "
         "regionale per la sicurezza al mondo."),
        ("Организация по безопасности и сотрудничеству в Европе (ОБСЕ), объединяющая 57 "
         "государств Европы, Центральной Азии и Америки, является крупнейшей в мире "
         "региональной организацией по безопасности."),
        ("Con 57 Estados de Europa, Asia Central y América, la Organización para la Seguridad "
         "y la Cooperación en Europa (OSCE) es la mayor organización regional de seguridad del "
         "mundo.")),
    "OSCE: Organization for Security and Co-operation in Europe": (
        "OSCE : Organisation pour la sécurité et la coopération en Europe",
        "OSZE: Organisation für Sicherheit und Zusammenarbeit in Europa",
        "OSCE: Organizzazione per la sicurezza e la cooperazione in Europa",
        "ОБСЕ: Организация по безопасности и сотрудничеству в Европе",
        "OSCE: Organización para la Seguridad y la Cooperación en Europa"),
    ("We work for stability, peace and democracy through an engaged political dialogue, shared "
     "values and joint action."): (
        ("Nous œuvrons pour la stabilité, la paix et la démocratie par un dialogue politique "
         "engagé, des valeurs communes et une action conjointe."),
        ("Wir setzen uns durch engagierten politischen Dialog, gemeinsame Werte und "
         "gemeinsames Handeln für Stabilität, Frieden und Demokratie ein."),
        ("Lavoriamo per la stabilità, la pace e la democrazia attraverso un dialogo politico "
         "attivo, valori condivisi e un’azione comune."),
        ("Мы работаем во имя стабильности, мира и демократии посредством активного "
         "политического диалога, общих ценностей и совместных действий."),
        ("Trabajamos por la estabilidad, la paz y la democracia mediante un diálogo político "
         "comprometido, valores compartidos y una acción conjunta.")),
    "Our mission": (
        "Notre mission", "Unsere Mission", "La nostra missione", "Наша миссия", "Nuestra misión"),
    "Shared values and joint action": (
        "Valeurs communes et action conjointe", "Gemeinsame Werte und gemeinsames Handeln",
        "Valori condivisi e azione comune", "Общие ценности и совместные действия",
        "Valores compartidos y acción conjunta"),
    ("The OSCE is a regional security organization whose 57 participating States span the "
     "geographical area from Vancouver to Vladivostok. All participating States have equal "
     "status and decisions are made by consensus. One of our Organization’s most distinct "
     "characteristics is its comprehensive and co-operative approach to security."): (
        ("L’OSCE est une organisation régionale de sécurité dont les 57 États participants "
         "couvrent l’espace géographique qui s’étend de Vancouver à Vladivostok. Tous les "
         "États participants jouissent d’un statut égal et les décisions sont prises par "
         "consensus. L’une des caractéristiques les plus distinctives de notre Organisation "
         "est son approche globale et coopérative de la sécurité."),
        ("Die OSZE ist eine regionale Sicherheitsorganisation, deren 57 Teilnehmerstaaten den "
         "geografischen Raum von Vancouver bis Wladiwostok umspannen. Alle Teilnehmerstaaten "
         "sind gleichberechtigt, und Entscheidungen werden im Konsens getroffen. Eines der "
         "prägendsten Merkmale unserer Organisation ist ihr umfassender und kooperativer "
         "Sicherheitsansatz."),
        ("L’OSCE è un’organizzazione regionale per la sicurezza i cui 57 Stati partecipanti "
         "coprono l’area geografica che va da Vancouver a Vladivostok. Tutti gli Stati "
         "partecipanti godono di pari status e le decisioni sono adottate per consenso. Uno "
         "dei tratti più distintivi della nostra Organizzazione è il suo approccio globale e "
         "cooperativo alla sicurezza."),
        ("ОБСЕ — региональная организация по безопасности, 57 государств-участников которой "
         "охватывают географическое пространство от Ванкувера до Владивостока. Все "
         "государства-участники обладают равным статусом, а решения принимаются на основе "
         "консенсуса. Одна из самых отличительных черт нашей Организации — всеобъемлющий и "
         "основанный на сотрудничестве подход к безопасности."),
        ("La OSCE es una organización regional de seguridad cuyos 57 Estados participantes "
         "abarcan el área geográfica que se extiende desde Vancouver hasta Vladivostok. Todos "
         "los Estados participantes tienen el mismo estatus y las decisiones se toman por "
         "consenso. Una de las características más distintivas de nuestra Organización es su "
         "enfoque integral y cooperativo de la seguridad.")),
    "Our approach to security": (
        "Notre approche de la sécurité", "Unser Sicherheitsansatz",
        "Il nostro approccio alla sicurezza", "Наш подход к безопасности",
        "Nuestro enfoque de la seguridad"),
    "Highlights": ("Temps forts", "Im Blickpunkt", "In evidenza", "Главное", "Destacados"),
    "Latest key activities from across the OSCE region": (
        "Dernières activités marquantes dans l’ensemble de la région de l’OSCE",
        "Die wichtigsten aktuellen Aktivitäten im gesamten OSZE-Raum",
        "Le ultime attività di rilievo in tutta la regione dell’OSCE",
        "Последние ключевые мероприятия во всем регионе ОБСЕ",
        "Últimas actividades destacadas en toda la región de la OSCE"),
    "News and activities": (
        "Actualités et activités", "Nachrichten und Aktivitäten", "Notizie e attività",
        "Новости и деятельность", "Noticias y actividades"),
    "Latest news and press releases": (
        "Dernières actualités et communiqués de presse",
        "Aktuelle Nachrichten und Pressemitteilungen", "Ultime notizie e comunicati stampa",
        "Последние новости и пресс-релизы", "Últimas noticias y comunicados de prensa"),
    "Newsroom": (
        "Salle de presse", "Pressezentrum", "Sala stampa", "Пресс-центр", "Sala de prensa"),
    "Upcoming meetings and conferences": (
        "Réunions et conférences à venir", "Bevorstehende Sitzungen und Konferenzen",
        "Prossime riunioni e conferenze", "Предстоящие совещания и конференции",
        "Próximas reuniones y conferencias"),
    "All events": (
        "Tous les événements", "Alle Veranstaltungen", "Tutti gli eventi", "Все мероприятия",
        "Todos los eventos"),
    "Meetings and conferences": (
        "Réunions et conférences", "Sitzungen und Konferenzen", "Riunioni e conferenze",
        "Совещания и конференции", "Reuniones y conferencias"),
    "From the 1970s to today": (
        "Des années 1970 à aujourd’hui", "Von den 1970er-Jahren bis heute",
        "Dagli anni Settanta a oggi", "С 1970-х годов до наших дней",
        "Desde la década de 1970 hasta hoy"),
    "Trace our roots": (
        "Découvrez nos origines", "Entdecken Sie unsere Wurzeln", "Scopri le nostre origini",
        "Узнайте о наших истоках", "Conozca nuestros orígenes"),
    ("The OSCE traces its origins to the détente phase of the early 1970s, when the Conference "
     "on Security and Co-operation in Europe (CSCE) was created to serve as a multilateral "
     "forum for dialogue and negotiation between East and West."): (
        ("L’OSCE trouve ses origines dans la période de détente du début des années 1970, "
         "lorsque la Conférence sur la sécurité et la coopération en Europe (CSCE) a été créée "
         "pour servir de forum multilatéral de dialogue et de négociation entre l’Est et "
         "l’Ouest."),
        ("Die OSZE geht auf die Entspannungsphase Anfang der 1970er-Jahre zurück, als die "
         "Konferenz über Sicherheit und Zusammenarbeit in Europa (KSZE) als multilaterales "
         "Forum für Dialog und Verhandlungen zwischen Ost und West ins Leben gerufen wurde."),
        ("L’OSCE affonda le sue radici nella fase di distensione dei primi anni Settanta, "
         "quando la Conferenza sulla sicurezza e la cooperazione in Europa (CSCE) fu istituita "
         "come forum multilaterale di dialogo e negoziato tra Est e Ovest."),
        ("ОБСЕ берет свое начало в период разрядки начала 1970-х годов, когда было создано "
         "Совещание по безопасности и сотрудничеству в Европе (СБСЕ), призванное служить "
         "многосторонним форумом для диалога и переговоров между Востоком и Западом."),
        ("La OSCE tiene su origen en la fase de distensión de principios de la década de 1970, "
         "cuando se creó la Conferencia sobre la Seguridad y la Cooperación en Europa (CSCE) "
         "como foro multilateral de diálogo y negociación entre el Este y el Oeste.")),
    "Join our team!": (
        "Rejoignez notre équipe !", "Werden Sie Teil unseres Teams!",
        "Entra a far parte della nostra squadra!", "Присоединяйтесь к нашей команде!",
        "¡Únase a nuestro equipo!"),
    ("Be a positive force for change and apply for open positions, or sign up for a job alert "
     "on our recruitment portal."): (
        ("Soyez une force de changement positif et postulez aux postes à pourvoir, ou "
         "inscrivez-vous aux alertes emploi sur notre portail de recrutement."),
        ("Seien Sie eine treibende Kraft für positiven Wandel und bewerben Sie sich auf offene "
         "Stellen oder melden Sie sich in unserem Karriereportal für Stellenbenachrichtigungen "
         "an."),
        ("Sii una forza positiva per il cambiamento e candidati alle posizioni aperte, oppure "
         "iscriviti agli avvisi di lavoro sul nostro portale di reclutamento."),
        ("Станьте силой позитивных перемен: откликнитесь на открытые вакансии или подпишитесь "
         "на уведомления о вакансиях на нашем портале по подбору персонала."),
        ("Sea una fuerza positiva de cambio y presente su candidatura a los puestos vacantes o "
         "suscríbase a las alertas de empleo en nuestro portal de contratación.")),
    "Working for the OSCE": (
        "Travailler pour l’OSCE", "Arbeiten für die OSZE", "Lavorare per l’OSCE", "Работа в ОБСЕ",
        "Trabajar para la OSCE"),
    ("We offer a comprehensive onboarding programme and a range of learning and development "
     "opportunities"): (
        ("Nous proposons un programme d’intégration complet et un large éventail de "
         "possibilités de formation et de développement"),
        ("Wir bieten ein umfassendes Einarbeitungsprogramm und vielfältige Lern- und "
         "Entwicklungsmöglichkeiten"),
        ("Offriamo un programma di inserimento completo e numerose opportunità di formazione e "
         "crescita professionale"),
        ("Мы предлагаем всестороннюю программу адаптации и широкий спектр возможностей для "
         "обучения и развития"),
        ("Ofrecemos un completo programa de incorporación y diversas oportunidades de "
         "aprendizaje y desarrollo")),
    "Contents": ("Sommaire", "Inhalt", "Indice", "Содержание", "Contenido"),
    "History": ("Histoire", "Geschichte", "Storia", "История", "Historia"),
    ("Map of the OSCE region: dots at the capitals of the 57 participating States, from "
     "Washington and Ottawa to Astana and Ulaanbaatar, and of the 11 Partners for Co-operation "
     "in Asia and the Mediterranean."): (
        ("Carte de la région de l’OSCE : des points marquent les capitales des 57 États "
         "participants, de Washington et Ottawa à Astana et Oulan-Bator, et des 11 Partenaires "
         "pour la coopération d’Asie et de la Méditerranée."),
        ("Karte des OSZE-Raums: Punkte markieren die Hauptstädte der 57 Teilnehmerstaaten, von "
         "Washington und Ottawa bis Astana und Ulaanbaatar, sowie der 11 Kooperationspartner "
         "in Asien und im Mittelmeerraum."),
        ("Mappa della regione dell’OSCE: i punti indicano le capitali dei 57 Stati "
         "partecipanti, da Washington e Ottawa ad Astana e Ulan Bator, e degli 11 Partner per "
         "la cooperazione in Asia e nel Mediterraneo."),
        ("Карта региона ОБСЕ: точками отмечены столицы 57 государств-участников — от "
         "Вашингтона и Оттавы до Астаны и Улан-Батора, — а также 11 партнеров по "
         "сотрудничеству в Азии и Средиземноморье."),
        ("Mapa de la región de la OSCE: los puntos señalan las capitales de los 57 Estados "
         "participantes, desde Washington y Ottawa hasta Astaná y Ulán Bator, y de los 11 "
         "Socios para la cooperación de Asia y el Mediterráneo.")),
    "The OSCE region with participating States and Partners for Co-operation": (
        "La région de l’OSCE avec les États participants et les Partenaires pour la coopération",
        "Der OSZE-Raum mit den Teilnehmerstaaten und Kooperationspartnern",
        "La regione dell’OSCE con gli Stati partecipanti e i Partner per la cooperazione",
        "Регион ОБСЕ с государствами-участниками и партнерами по сотрудничеству",
        "La región de la OSCE con los Estados participantes y los Socios para la cooperación"),
}  # fmt: skip
