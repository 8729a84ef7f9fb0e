"""`/api/v1/menus`: the page's navigation trees (main, meta, footers, social links)."""

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.content.menus.models import MenuNode, MenuPublic, MenuSummaryPublic
from tests.factories import make_field_operation

URL = "/api/v1/menus"
FINLAND = "Finland \u2013 OSCE Chairpersonship 2025"

# The page's main navigation, verbatim: labels in page order, with the screen-reader text of the
# buttons that open each sub-navigation.
PAGE_MAIN_NAVIGATION = (
    "Our work Toggle sub-navigation for Fields of work Toggle sub-navigation for Arms control "
    "Border management Combating trafficking in human beings Conflict prevention and resolution "
    "Countering terrorism Cyber/ICT Security Democratization Economic activities Education "
    "Elections Environmental activities Gender equality Good governance Human rights Media "
    "freedom and development Migration National minority issues Policing Reform and "
    "co-operation in the security sector Roma and Sinti Rule of law Tolerance and "
    "non-discrimination Youth Field operations Projects Meetings and conferences Toggle "
    "sub-navigation for Summit meetings Review Conferences Ministerial Council meetings Plenary "
    "meetings of the Permanent Council Plenary Meetings of the Forum for Security Co-operation "
    "Security Review Conferences Annual Implementation Assessment Meetings Economic and "
    "Environmental Forum Economic and Environmental Dimension Implementation Meetings Human "
    "rights meetings Media conferences Cyber/ICT security conferences Conference of the "
    "Alliance against Trafficking in Persons Gender equality conferences Annual OSCE "
    "Mediterranean conferences Annual OSCE Asian conferences Partnerships Toggle sub-navigation "
    "for NATO Other partners Regional organizations outside OSCE area The Council of Europe The "
    "European Union United Nations Countries Toggle sub-navigation for All Participating States "
    "Toggle sub-navigation for Albania Andorra Armenia Austria Azerbaijan Belgium Belarus "
    "Bosnia and Herzegovina Bulgaria Canada Croatia Cyprus Czechia Denmark Estonia Finland \u2013 "
    "OSCE Chairpersonship 2025 France Georgia Germany Greece Holy See Hungary Iceland Ireland "
    "Italy Kazakhstan Kyrgyzstan Latvia Liechtenstein Lithuania Luxembourg Malta Moldova Monaco "
    "Mongolia Montenegro The Netherlands North Macedonia Norway Poland Portugal Romania Russian "
    "Federation San Marino Serbia Slovakia Slovenia Spain Sweden Switzerland Tajikistan Türkiye "
    "Turkmenistan Ukraine United Kingdom United States of America Uzbekistan Asian Partners for "
    "Co-operation Toggle sub-navigation for Afghanistan Australia Japan Republic of Korea "
    "Thailand Mediterranean Partners for Co-operation Toggle sub-navigation for Algeria Egypt "
    "Israel Jordan Morocco Tunisia Structures and institutions Toggle sub-navigation for "
    "Chairpersonship Toggle sub-navigation for Chairperson-in-Office Chairperson-in-Office "
    "Representatives Secretariat Toggle sub-navigation for Secretary General Office of the "
    "Secretary General Conflict Prevention Centre Transnational Threats Department Office of "
    "the Special Representative and Co-ordinator for Combating Trafficking in Human Beings "
    "Office of the Co-ordinator of OSCE Economic and Environmental Activities Gender Issues "
    "Programme Opportunities for Youth Department of Human Resources Department of Management "
    "and Finance Office of Internal Oversight Documentation Centre in Prague Institutions "
    "Toggle sub-navigation for Office for Democratic Institutions and Human Rights High "
    "Commissioner on National Minorities Representative on Freedom of the Media Field "
    "operations Toggle sub-navigation for Presence in Albania Centre in Ashgabat Programme "
    "Office in Astana Programme Office in Bishkek Mission to Bosnia and Herzegovina Programme "
    "Office in Dushanbe Mission in Kosovo Mission to Moldova Mission to Montenegro Mission to "
    "Serbia Mission to Skopje Project Co-ordinator in Uzbekistan Closed field activities "
    "Parliamentary Assembly Court of Conciliation and Arbitration Toggle sub-navigation for "
    "About the Court The Court's work Organizational structure About us Toggle sub-navigation "
    "for Participating States Partners for Co-operation Toggle sub-navigation for Asian "
    "Partners for Co-operation Mediterranean Partners for Co-operation Chair Toggle "
    "sub-navigation for Chairpersonship Chairperson-in-Office Troika Decision-making bodies "
    "Toggle sub-navigation for Summit Ministerial Council Permanent Council Forum for Security "
    "Co-operation Leadership Our history Our principles Toggle sub-navigation for Our approach "
    "to security Principles and commitments Mechanisms and procedures Key instruments Status "
    "under international law Decision-making in the OSCE Finance and administration Toggle "
    "sub-navigation for Funding and budget Procurement Internal oversight Employment Toggle "
    "sub-navigation for Working for the OSCE Vacancies Regulatory framework Networks and "
    "research Toggle sub-navigation for Networks Research Public documents Visiting groups"
)

TOGGLE = "Toggle sub-navigation for "
STATE_LABELS = [
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belgium", "Belarus",
    "Bosnia and Herzegovina", "Bulgaria", "Canada", "Croatia", "Cyprus", "Czechia", "Denmark",
    "Estonia", FINLAND, "France", "Georgia", "Germany", "Greece", "Holy See", "Hungary",
    "Iceland", "Ireland", "Italy", "Kazakhstan", "Kyrgyzstan", "Latvia", "Liechtenstein",
    "Lithuania", "Luxembourg", "Malta", "Moldova", "Monaco", "Mongolia", "Montenegro",
    "The Netherlands", "North Macedonia", "Norway", "Poland", "Portugal", "Romania",
    "Russian Federation", "San Marino", "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden",
    "Switzerland", "Tajikistan", "Türkiye", "Turkmenistan", "Ukraine", "United Kingdom",
    "United States of America", "Uzbekistan",
]  # fmt: skip
ASIAN = ["Afghanistan", "Australia", "Japan", "Republic of Korea", "Thailand"]
MEDITERRANEAN = ["Algeria", "Egypt", "Israel", "Jordan", "Morocco", "Tunisia"]
COLLECTIONS = {
    "state": "states",
    "partner": "partners",
    "field-operation": "field-operations",
    "topic": "topics",
    "institution": "institutions",
}


def _menu(client: TestClient, slug: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{URL}/{slug}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def _walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every node, depth first, in page order."""
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def _child(nodes: list[dict[str, Any]], *labels: str) -> dict[str, Any]:
    """The node at this path of labels."""
    node: dict[str, Any] = {"children": nodes}
    for label in labels:
        matches = [n for n in node["children"] if n["label"] == label]
        assert len(matches) == 1, (label, [n["label"] for n in node["children"]])
        node = matches[0]
    return node


def _labels(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["label"] for n in nodes]


# --- the list of menus -------------------------------------------------------------------------


def test_menus_list_the_five_menus_in_page_order(client: TestClient) -> None:
    body = client.get(URL).json()
    assert body["meta"] == {"total": 5, "total_exact": True, "limit": 20, "offset": 0}
    assert body["data"] == [
        {"slug": "main", "name": "Main navigation", "href": "/api/v1/menus/main"},
        {"slug": "meta", "name": "Meta navigation", "href": "/api/v1/menus/meta"},
        {"slug": "footer", "name": "Footer", "href": "/api/v1/menus/footer"},
        {"slug": "footer-secondary", "name": "Secondary footer",
         "href": "/api/v1/menus/footer-secondary"},
        {"slug": "social", "name": "Social media", "href": "/api/v1/menus/social"},
    ]  # fmt: skip
    for item in body["data"]:
        assert MenuSummaryPublic.model_validate(item).model_dump(mode="json") == item
        menu = client.get(item["href"]).json()["data"]
        assert (menu["slug"], menu["name"]) == (item["slug"], item["name"])


def test_menus_list_pages(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 2, "offset": 2}).json()
    assert [m["slug"] for m in body["data"]] == ["footer", "footer-secondary"]
    assert body["links"]["next"] is not None
    assert body["links"]["prev"] is not None


@pytest.mark.parametrize("slug", ["main", "meta", "footer", "footer-secondary", "social"])
def test_every_menu_matches_its_public_model(client: TestClient, slug: str) -> None:
    data = _menu(client, slug)
    assert MenuPublic.model_validate(data).model_dump(mode="json") == data
    assert data["slug"] == slug
    for node in _walk(data["items"]):
        assert node["has_children"] == bool(node["children"])
        # A node is either a site path or an external URL, never both.
        assert node["external"] == (node["url"] is not None) == (node["path"] is None)


# --- the main navigation, checked against the page ---------------------------------------------


def test_main_menu_holds_every_label_of_the_pages_navigation_in_page_order(
    client: TestClient,
) -> None:
    labels = [n["label"] for n in _walk(_menu(client, "main")["items"])]
    assert " ".join(labels) == PAGE_MAIN_NAVIGATION.replace(TOGGLE, "")


def test_main_menu_top_level(client: TestClient) -> None:
    items = _menu(client, "main")["items"]
    assert _labels(items) == ["Our work", "Countries", "Structures and institutions", "About us"]
    assert [n["path"] for n in items] == [
        "/our-work",
        "/countries",
        "/structures-and-institutions",
        "/about-us",
    ]
    assert all(n["has_children"] and not n["external"] for n in items)


def test_countries_lists_all_57_participating_states_linked_to_states(
    client: TestClient,
) -> None:
    items = _menu(client, "main")["items"]
    countries = _child(items, "Countries")
    assert _labels(countries["children"]) == [
        "All Participating States",
        "Asian Partners for Co-operation",
        "Mediterranean Partners for Co-operation",
    ]
    states = _child(items, "Countries", "All Participating States")["children"]
    assert len(states) == 57
    assert _labels(states) == STATE_LABELS
    assert all(n["resource"]["type"] == "state" for n in states)
    assert all(n["resource"]["href"] == f"/api/v1/states/{n['resource']['slug']}" for n in states)
    listed = client.get("/api/v1/states", params={"limit": 100}).json()["data"]
    assert sorted(n["resource"]["slug"] for n in states) == sorted(s["slug"] for s in listed)


def test_finland_holds_the_2025_chairpersonship_label_and_points_to_finland(
    client: TestClient,
) -> None:
    node = _child(_menu(client, "main")["items"], "Countries", "All Participating States", FINLAND)
    assert node == {
        "label": FINLAND,
        "path": "/participating-states/finland",
        "url": None,
        "external": False,
        "resource": {"type": "state", "slug": "finland", "href": "/api/v1/states/finland"},
        "has_children": False,
        "children": [],
    }
    state = client.get(node["resource"]["href"]).json()["data"]
    assert state["name"] == "Finland"
    assert 2025 in state["chairpersonship_years"]


@pytest.mark.parametrize(
    ("label", "names", "group"),
    [
        ("Asian Partners for Co-operation", ASIAN, "asian"),
        ("Mediterranean Partners for Co-operation", MEDITERRANEAN, "mediterranean"),
    ],
)
def test_partner_lists_link_to_the_partners_of_their_group(
    client: TestClient, label: str, names: list[str], group: str
) -> None:
    nodes = _child(_menu(client, "main")["items"], "Countries", label)["children"]
    assert _labels(nodes) == names
    assert all(n["resource"]["type"] == "partner" for n in nodes)
    partners = client.get("/api/v1/partners", params={"group": group}).json()["data"]
    assert [n["resource"]["slug"] for n in nodes] == [p["slug"] for p in partners]
    assert [p["name"] for p in partners] == names


def test_fields_of_work_link_to_the_topics_in_page_order(client: TestClient) -> None:
    nodes = _child(_menu(client, "main")["items"], "Our work", "Fields of work")["children"]
    topics = client.get("/api/v1/topics", params={"limit": 100}).json()["data"]
    assert len(nodes) == 23
    assert [(n["label"], n["resource"]["slug"]) for n in nodes] == [
        (t["name"], t["slug"]) for t in topics
    ]
    assert all(n["resource"]["type"] == "topic" for n in nodes)


def test_field_operations_menu_links_the_active_operations(client: TestClient) -> None:
    nodes = _child(
        _menu(client, "main")["items"], "Structures and institutions", "Field operations"
    )["children"]
    linked = [n for n in nodes if n["resource"]]
    assert all(n["resource"]["type"] == "field-operation" for n in linked)
    active = client.get("/api/v1/field-operations", params={"status": "active"}).json()["data"]
    assert sorted((n["label"], n["resource"]["slug"]) for n in linked) == sorted(
        (o["name"], o["slug"]) for o in active
    )
    closed = nodes[-1]
    assert (closed["label"], closed["resource"], closed["path"]) == (
        "Closed field activities",
        None,
        "/closed-field-activities",
    )


def test_every_resource_link_answers_with_that_resource(client: TestClient) -> None:
    resources = [n["resource"] for n in _walk(_menu(client, "main")["items"]) if n["resource"]]
    kinds = Counter(resource["type"] for resource in resources)
    assert kinds == {"state": 57, "partner": 11, "field-operation": 12, "topic": 23,
                     "institution": 8}  # fmt: skip
    for resource in resources:
        collection = COLLECTIONS[resource["type"]]
        assert resource["href"] == f"/api/v1/{collection}/{resource['slug']}"
        response = client.get(resource["href"])
        assert response.status_code == 200, resource
        assert response.json()["data"]["slug"] == resource["slug"]


def test_nodes_without_sub_navigation_have_no_children(client: TestClient) -> None:
    items = _menu(client, "main")["items"]
    for path in [("Our work", "Projects"), ("Our work", "Field operations"),
                 ("About us", "Leadership"), ("About us", "Visiting groups")]:  # fmt: skip
        node = _child(items, *path)
        assert (node["has_children"], node["children"]) == (False, []), path


def test_employment_links_to_the_external_jobs_and_vacancies_portals(client: TestClient) -> None:
    employment = _child(_menu(client, "main")["items"], "About us", "Employment")
    assert _labels(employment["children"]) == [
        "Working for the OSCE",
        "Vacancies",
        "Regulatory framework",
    ]
    hosts: dict[str, str | None] = {}
    for node in employment["children"][:2]:
        assert node["external"] is True
        assert node["path"] is None
        assert node["resource"] is None
        url = urlsplit(node["url"])
        assert url.scheme == "https"
        hosts[node["label"]] = url.hostname
    assert hosts == {"Working for the OSCE": "jobs.osce.org", "Vacancies": "vacancies.osce.org"}
    regulatory = employment["children"][2]
    assert (regulatory["external"], regulatory["url"]) == (False, None)
    assert regulatory["path"] == "/regulatory-framework"


# --- the other menus ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "labels"),
    [
        ("meta", ["Impact", "News", "Events", "Resources"]),
        ("footer", ["Contacts", "Employment", "Subscribe for updates", "Social media", "Press",
                    "Partnerships"]),
        ("footer-secondary", ["Terms of Use", "Procurement", "About this website",
                              "Report wrongdoing", "Feedback"]),
    ],
)  # fmt: skip
def test_flat_menus_hold_the_pages_links_in_order(
    client: TestClient, slug: str, labels: list[str]
) -> None:
    items = _menu(client, slug)["items"]
    assert _labels(items) == labels
    for node in items:
        assert node["external"] is False
        assert node["url"] is None
        assert node["path"].startswith("/")
        assert (node["has_children"], node["children"]) == (False, [])


def test_social_menu_holds_external_links(client: TestClient) -> None:
    items = _menu(client, "social")["items"]
    assert _labels(items) == ["X", "LinkedIn", "Facebook", "Instagram"]
    hosts: list[str | None] = []
    for node in items:
        assert node["external"] is True
        assert node["path"] is None
        assert node["resource"] is None
        assert node["has_children"] is False
        url = urlsplit(node["url"])
        assert url.scheme == "https"
        hosts.append(url.hostname)
    assert hosts == ["x.com", "www.linkedin.com", "www.facebook.com", "www.instagram.com"]


def test_menu_is_addressed_case_insensitively(client: TestClient) -> None:
    assert _menu(client, "MAIN")["slug"] == "main"


# --- depth -------------------------------------------------------------------------------------


def test_depth_1_returns_the_top_level_and_says_there_is_more(client: TestClient) -> None:
    items = _menu(client, "main", depth=1)["items"]
    assert _labels(items) == ["Our work", "Countries", "Structures and institutions", "About us"]
    assert all(n["children"] == [] and n["has_children"] is True for n in items)


def test_depth_2_cuts_below_the_second_level(client: TestClient) -> None:
    data = _menu(client, "main", depth=2)
    assert MenuPublic.model_validate(data).model_dump(mode="json") == data
    items = data["items"]
    countries = _child(items, "Countries")["children"]
    assert _labels(countries) == [
        "All Participating States",
        "Asian Partners for Co-operation",
        "Mediterranean Partners for Co-operation",
    ]
    assert all(n["children"] == [] and n["has_children"] is True for n in countries)
    projects = _child(items, "Our work", "Projects")
    assert (projects["has_children"], projects["children"]) == (False, [])
    assert max(len(_path) for _path in _depths(items)) == 2


def _depths(nodes: list[dict[str, Any]], above: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for node in nodes:
        path = (*above, node["label"])
        yield path
        yield from _depths(node["children"], path)


@pytest.mark.parametrize("depth", [3, 10])
def test_depth_at_least_the_trees_height_returns_the_whole_tree(
    client: TestClient, depth: int
) -> None:
    whole = _menu(client, "main")
    assert max(len(p) for p in _depths(whole["items"])) == 3
    assert _menu(client, "main", depth=depth) == whole


def test_depth_on_a_flat_menu_changes_nothing(client: TestClient) -> None:
    assert _menu(client, "social", depth=1) == _menu(client, "social")


# --- drafts ------------------------------------------------------------------------------------


def test_draft_nodes_never_appear(client: TestClient, session: Session) -> None:
    node = session.exec(select(MenuNode).where(MenuNode.label == "Projects")).one()
    node.publication_status = "draft"  # type: ignore[assignment]
    session.add(node)
    session.commit()
    our_work = _child(_menu(client, "main")["items"], "Our work")
    assert _labels(our_work["children"]) == [
        "Fields of work",
        "Field operations",
        "Meetings and conferences",
        "Partnerships",
    ]


def test_draft_field_operations_do_not_change_the_menus(
    client: TestClient, session: Session
) -> None:
    before = _menu(client, "main")
    make_field_operation(session, slug="draft-operation", draft=True)
    assert _menu(client, "main") == before


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("depth=0", "depth"),
        ("depth=11", "depth"),
        ("depth=-1", "depth"),
        ("depth=two", "depth"),
        ("depth=1.5", "depth"),
        ("limit=5", "limit"),
        ("fields=label", "fields"),
        ("lang=pt", "lang"),
    ],
)
def test_menu_rejects_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"{URL}/main?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize(("query", "parameter"), [("depth=1", "depth"), ("sort=name", "sort")])
def test_menus_list_rejects_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize("slug", ["header", "sidebar", "albania"])
def test_unknown_menu_is_404_problem(client: TestClient, slug: str) -> None:
    response = client.get(f"{URL}/{slug}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
