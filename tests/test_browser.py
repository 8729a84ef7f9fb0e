"""The example home page (examples/homepage) and the API's own docs, in a real headless browser.

The test serves the API from a subprocess on a fresh SQLite database (migrated and seeded by the
CLI), serves examples/homepage with `python -m http.server` on another port (another origin, so
every API call is a cross-origin one), and drives Debian's Chromium with selenium. The browser's
host resolver fails every name but 127.0.0.1, and the performance log must show that no request
tried to leave the machine: the page and the docs must work offline.

It needs /usr/bin/chromium and /usr/bin/chromedriver (`apt-get install chromium
chromium-driver`) and skips without them, unless REQUIRE_BROWSER=1 (CI) makes that a failure.
It does not use the database fixtures, so it runs once, not once per backend. Screenshots go to
build/screenshots/.
"""

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx2 as httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from api.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
WHY_MISSING = (
    f"needs headless Chromium: {', '.join(MISSING)} missing "
    "(apt-get install chromium chromium-driver); REQUIRE_BROWSER=1 makes this a failure"
)
pytestmark = [
    pytest.mark.skipif(bool(MISSING) and not REQUIRE_BROWSER, reason=WHY_MISSING),
    pytest.mark.serial,
]

HOMEPAGE = PROJECT_ROOT / "examples" / "homepage"
SEED = PROJECT_ROOT / "seed_data"
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Every host name but 127.0.0.1 fails to resolve: nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1280,1000",
]
WAIT_S = 30
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


# ---- processes ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until `url` answers 200; fail with the process's log if it dies or never does."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"waited {WAIT_S} s for {url}:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API in a subprocess, on a temporary SQLite database migrated and seeded by the CLI."""
    directory = tmp_path_factory.mktemp("browser-api")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'content.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
        "ACCESS_LOG": "false",
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    for command in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "api", command], env=env, cwd=PROJECT_ROOT,
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/readyz", process, log)
        yield base
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """examples/homepage served by `python -m http.server`, on an origin of its own."""
    port = _free_port()
    log = tmp_path_factory.mktemp("browser-page") / "http.server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(HOMEPAGE)],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/index.html", process, log)
        yield base
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium driven by Debian's chromedriver (Selenium Manager never runs)."""
    if MISSING:
        pytest.fail(WHY_MISSING)
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    log = tmp_path_factory.mktemp("browser") / "chromedriver.log"
    service = Service(str(CHROMEDRIVER), log_output=str(log))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(WAIT_S)
        yield driver
    finally:
        driver.quit()


# ---- what the browser did -----------------------------------------------------------------------


@dataclass
class Traffic:
    """What the browser logged since the last look: console messages, requests and responses."""

    console: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # URLs, in order
    responses: list[dict[str, Any]] = field(default_factory=list)  # CDP Network.Response objects
    blocked: dict[str, str] = field(default_factory=dict)  # URL: why the browser refused it

    @property
    def severe(self) -> list[str]:
        return [entry["message"] for entry in self.console if entry["level"] == "SEVERE"]

    @property
    def off_machine(self) -> list[str]:
        """Requests for anything but 127.0.0.1 that the browser did not refuse itself (a URL its
        Content-Security-Policy forbids never leaves it); data:, blob: and about: stay local."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and urlsplit(url).hostname != "127.0.0.1"
            and self.blocked.get(url) != "csp"
        ]


def _traffic(driver: webdriver.Chrome) -> Traffic:
    """Drain the browser's logs (each read empties them)."""
    # get_log is untyped in selenium: each entry is a dict (level, message, timestamp, …).
    traffic = Traffic(console=driver.get_log("browser"))  # type: ignore[no-untyped-call]
    urls: dict[str, str] = {}
    for entry in driver.get_log("performance"):  # type: ignore[no-untyped-call]
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            traffic.requests.append(params["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            traffic.requests.append(params["url"])
        elif message["method"] == "Network.responseReceived":
            traffic.responses.append(params["response"])
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            traffic.blocked[urls.get(params["requestId"], "")] = params["blockedReason"]
    return traffic


def _wait(driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], Any], what: str) -> Any:
    return WebDriverWait(driver, WAIT_S).until(condition, f"waited {WAIT_S} s for {what}")


def _screenshot(driver: webdriver.Chrome, name: str, *, whole_page: bool = True) -> Path:
    """A screenshot of the whole page (or of the window) in build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    if not whole_page:
        assert driver.save_screenshot(str(path))
        return path
    size = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _text(element: WebElement) -> str:
    """All the text in an element, shown or hidden (a closed sub-navigation, say)."""
    return " ".join(str(element.get_attribute("textContent")).split())


# ---- what the page should show, from seed_data/ ----------------------------------------------


def _seed(name: str) -> Any:
    return json.loads((SEED / name).read_text(encoding="utf-8"))


def _menu(slug: str) -> list[dict[str, Any]]:
    menu = next(m for m in _seed("menus.json") if m["slug"] == slug)
    return menu["nodes"]  # type: ignore[no-any-return]


def _day(value: date) -> str:
    """As the page shows dates: 8 February 2026."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _range(starts: date, ends: date) -> str:
    if starts == ends:
        return _day(starts)
    if (starts.year, starts.month) == (ends.year, ends.month):
        return f"{starts.day} - {_day(ends)}"
    if starts.year == ends.year:
        return f"{starts.day} {MONTHS[starts.month - 1]} - {_day(ends)}"
    return f"{_day(starts)} - {_day(ends)}"


def _country_names() -> dict[str, str]:
    return {c["iso_alpha2"]: c["name"] for c in [*_seed("states.json"), *_seed("partners.json")]}


def _expected_news(types: set[str], limit: int) -> list[tuple[str, str, str]]:
    """(title, date, location) of the newest `limit` news of these types, newest first."""
    names = _country_names()
    items = sorted(
        (n for n in _seed("news.json") if n["type"] in types),
        key=lambda n: n["published_at"],
        reverse=True,
    )[:limit]
    expected = []
    for item in items:
        published = datetime.fromisoformat(item["published_at"]).astimezone(UTC).date()
        where = item["location"] or {}
        parts = [where.get("venue"), where.get("city"), names.get(where.get("country", ""))]
        expected.append((item["title"], _day(published), ", ".join(p for p in parts if p)))
    return expected


def _expected_events() -> tuple[str, list[tuple[str, str, str]]]:
    """The events section's lead and its (title, dates, status), as the page picks them today."""
    today = datetime.now(UTC).date()
    events = []
    for event in _seed("events.json"):
        starts, ends = date.fromisoformat(event["starts_on"]), date.fromisoformat(event["ends_on"])
        status = "upcoming" if starts > today else "ongoing" if ends >= today else "past"
        events.append((starts, ends, event["slug"], event["title"], status))
    current = sorted(e for e in events if e[4] != "past")[:6]
    if current:
        lead, shown = "Upcoming meetings and conferences", current
    else:
        lead = "No upcoming or ongoing events at the moment. Recent events:"
        shown = sorted((e for e in events if e[4] == "past"), key=lambda e: (e[1], e[2]))
        shown = list(reversed(shown))[:3]
    return lead, [(title, _range(s, e), status) for s, e, _, title, status in shown]


# ---- the tests ----------------------------------------------------------------------------------


def _load_homepage(driver: webdriver.Chrome, page: str, api: str) -> Traffic:
    _traffic(driver)  # forget what earlier tests left in the logs
    driver.get(f"{page}/?api={quote(api, safe=':/')}")
    _wait(
        driver,
        lambda d: d.execute_script("return document.body.dataset.state") != "loading",
        "the home page to load its content",
    )
    return _traffic(driver)


def test_the_homepage_example_renders_the_seeded_content_from_the_api(
    browser: webdriver.Chrome, api_server: str, page_server: str
) -> None:
    driver = browser
    traffic = _load_homepage(driver, page_server, api_server)
    state = driver.execute_script("return document.body.dataset.state")
    errors = driver.find_element(By.ID, "errors")
    assert state == "ready", _text(errors)
    assert not errors.is_displayed()
    assert driver.find_element(By.ID, "api-base").text == api_server

    # The main navigation: its top-level labels, each sub-navigation closed until asked for.
    main_menu = _menu("main")
    nav = driver.find_element(By.ID, "main-nav")
    top_level = [
        e.text for e in nav.find_elements(By.CSS_SELECTOR, ".nav-list > li > :first-child")
    ]
    assert top_level == [item["label"] for item in main_menu]
    first = main_menu[0]
    group, leaf = first["children"][0], first["children"][0]["children"][0]
    panel = nav.find_element(By.CSS_SELECTOR, "#subnav-0")
    assert not panel.is_displayed()
    assert group["label"] in _text(panel)
    assert leaf["label"] in _text(panel)
    # Opening one shows its groups and their links; another one replaces it; Escape closes it.
    toggle = nav.find_element(By.XPATH, f".//button[normalize-space()='{first['label']}']")
    toggle.click()
    assert panel.is_displayed()
    assert toggle.get_attribute("aria-expanded") == "true"
    shown = panel.text
    assert group["label"] in shown
    assert leaf["label"] in shown
    assert all(child["label"] in shown for child in first["children"])
    _screenshot(driver, "homepage-navigation.png")
    second = next(item for item in main_menu[1:] if item.get("children"))
    nav.find_element(By.XPATH, f".//button[normalize-space()='{second['label']}']").click()
    assert not panel.is_displayed()
    assert second["children"][0]["label"] in nav.text
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not any(p.is_displayed() for p in nav.find_elements(By.CSS_SELECTOR, ".subnav"))

    # Every section of the page `home`, in its order, from the API alone.
    page = httpx.get(f"{api_server}/api/v1/pages/home?expand=1", timeout=10).json()["data"]
    site = httpx.get(f"{api_server}/api/v1/site", timeout=10).json()["data"]
    content = driver.find_element(By.ID, "content")
    headings = [b for b in page["body"] if b["type"] == "heading"]
    shown_headings = [e.text for e in content.find_elements(By.CSS_SELECTOR, ".block-heading")]
    assert shown_headings == [h["text"] for h in headings]
    assert [s.get_attribute("id") for s in content.find_elements(By.CSS_SELECTOR, "section")] == [
        "hero",
        *(h["anchor"] for h in headings if h["level"] == 2),
    ]
    assert driver.find_element(By.ID, "brand-name").text == site["name"]
    assert driver.find_element(By.ID, "brand-mark").text == site["short_name"]
    hero = driver.find_element(By.ID, "hero").text
    assert "the world’s largest regional security organization" in hero
    assert "About us" in hero

    # Highlights: the editors' stories in their order; the latest news with dates and places.
    def shown_news(selector: str) -> list[tuple[str, str, str]]:
        found = []
        for item in driver.find_elements(By.CSS_SELECTOR, selector):
            title = item.find_element(By.CSS_SELECTOR, "h3").text
            facts = {
                e.get_attribute("class"): e.text
                for e in item.find_elements(By.CSS_SELECTOR, ".fact")
            }
            found.append(
                (
                    title,
                    facts.get("fact date", "").removeprefix("Date "),
                    facts.get("fact location", "").removeprefix("Location "),
                )
            )
        return found

    stories = list(reversed(_expected_news({"story"}, 5)))  # the page lists them oldest first
    assert shown_news("#highlights .card") == [(t, d, "") for t, d, _ in stories]
    expected_news = _expected_news({"news-item", "press-release"}, 4)
    assert shown_news("#news-and-activities .news-item") == expected_news
    assert "Location Tajikistan" in driver.find_element(By.ID, "news-and-activities").text
    newsroom = driver.find_element(By.CSS_SELECTOR, ".newsroom").text
    assert newsroom.splitlines() == [
        "Newsroom",
        *(f"{a['network']} {a['handle']}" for a in site["social"]),
    ]

    # Events: what is on now or coming up, as the page's query asks for them today.
    _, expected_events = _expected_events()
    current = [e for e in expected_events if e[2] != "past"][:4]
    events = driver.find_elements(By.CSS_SELECTOR, "#events .event")
    assert [
        (
            e.find_element(By.CSS_SELECTOR, "h3").text,
            e.find_element(By.CSS_SELECTOR, ".fact.date").text.removeprefix("Date "),
            e.get_attribute("data-status"),
        )
        for e in events
    ] == current
    if not current:
        assert "Nothing to show at the moment." in driver.find_element(By.ID, "events").text
    assert "All events" in driver.find_element(By.ID, "events").text

    # The region map: alt text, credit, a srcset per format, and the browser loaded it.
    image = httpx.get(f"{api_server}/api/v1/images/osce-region-map", timeout=10).json()["data"]
    figure = driver.find_element(By.CSS_SELECTOR, "#our-mission figure")
    img = figure.find_element(By.TAG_NAME, "img")
    assert img.get_attribute("alt") == image["alt"]
    assert image["credit"] in figure.text
    types = [e.get_attribute("type") for e in figure.find_elements(By.TAG_NAME, "source")]
    assert types == [s["type"] for s in image["sources"] if s["type"] != "image/jpeg"]
    assert "1280w" in img.get_attribute("srcset")
    driver.execute_script("arguments[0].scrollIntoView()", img)
    _wait(
        driver,
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", img
        ),
        "the map to load",
    )

    # Join our team! with its two external links; the Contents link to the sections.
    team = driver.find_element(By.ID, "join-our-team")
    assert [a.get_attribute("href") for a in team.find_elements(By.CSS_SELECTOR, "a.cta")] == [
        "https://jobs.osce.org/",
        "https://vacancies.osce.org/",
    ]
    contents = driver.find_elements(By.CSS_SELECTOR, "nav.contents a")
    anchors = [a.get_attribute("href").rpartition("#")[2] for a in contents]
    assert [a.text for a in contents] == [
        "Our mission", "Highlights", "News and activities", "Events", "History", "Join our team!",
        "Resources",
    ]  # fmt: skip
    assert all(driver.find_elements(By.ID, anchor) for anchor in anchors)

    # Nothing of the page is written in the example itself.
    for name in ("index.html", "app.js"):
        source = (HOMEPAGE / name).read_text()
        for text in ("largest regional security organization", "Highlights", "Join our team"):
            assert text not in source, (name, text)

    # The footer, social and meta menus, with the social links going where the seed says.
    for nav_id, slug in [("footer-nav", "footer"), ("footer-secondary-nav", "footer-secondary"),
                         ("social-nav", "social"), ("meta-nav", "meta")]:  # fmt: skip
        links = driver.find_element(By.ID, nav_id).find_elements(By.CSS_SELECTOR, "li > *")
        assert [e.text for e in links] == [item["label"] for item in _menu(slug)], nav_id
    social = driver.find_elements(By.CSS_SELECTOR, "#social-nav a")
    assert [a.get_attribute("href") for a in social] == [i["url"] for i in _menu("social")]

    # Nothing went wrong, nothing left the machine, and the API answered every call across
    # origins (a simple CORS request: no preflight).
    assert traffic.severe == []
    assert traffic.off_machine == []
    api_calls = [url for url in traffic.requests if url.startswith(f"{api_server}/api/v1/")]
    menus = ("main", "meta", "footer", "social", "footer-secondary")
    assert {
        f"{api_server}/api/v1/{path}"
        for path in ("site", "pages/home?expand=1", *(f"menus/{m}" for m in menus))
    } <= set(api_calls)
    api_responses = [r for r in traffic.responses if r["url"].startswith(f"{api_server}/")]
    assert {r["status"] for r in api_responses} == {200}
    for response in api_responses:
        headers = {k.lower(): v for k, v in response["headers"].items()}
        assert headers.get("access-control-allow-origin") == "*", response["url"]
    ActionChains(driver).move_to_element(driver.find_element(By.ID, "hero")).perform()
    driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    assert _screenshot(driver, "homepage.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ("closed-port", "Could not reach"),
        ("javascript:alert(1)", "must be an http or https URL"),
    ],
)
def test_the_homepage_example_says_so_when_the_api_cannot_be_used(
    browser: webdriver.Chrome, page_server: str, api: str, message: str
) -> None:
    if api == "closed-port":
        api = f"http://127.0.0.1:{_free_port()}"
    traffic = _load_homepage(browser, page_server, api)
    assert browser.execute_script("return document.body.dataset.state") == "error"
    errors = browser.find_element(By.ID, "errors")
    assert errors.is_displayed()
    assert message in errors.text
    assert traffic.off_machine == []


def _open_operation(driver: webdriver.Chrome, path: str) -> WebElement:
    operation = driver.find_element(
        By.XPATH,
        f"//div[contains(@class, 'opblock-get')][.//*[@data-path='{path}']]",
    )
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    return operation


def test_swagger_ui_and_redoc_work_offline_and_try_it_out_reaches_this_server(
    browser: webdriver.Chrome, api_server: str
) -> None:
    driver = browser
    _traffic(driver)

    # Swagger UI: the operations render from the server's own assets and document.
    driver.get(f"{api_server}/docs")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"), "Swagger UI")
    assert "OSCE Content API" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
    _screenshot(driver, "docs.png")

    # Try it out: GET /api/v1/topics, executed by the browser against this very server.
    operation = _open_operation(driver, "/api/v1/topics")
    try_it_out = _wait(
        driver, lambda d: operation.find_elements(By.CSS_SELECTOR, ".try-out__btn"), "Try it out"
    )[0]
    try_it_out.click()
    operation.find_element(By.CSS_SELECTOR, ".execute").click()
    status = _wait(
        driver,
        lambda d: operation.find_elements(
            By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status"
        ),
        "the live response",
    )[0]
    assert status.text.split()[0] == "200", operation.text
    request_url = operation.find_element(By.CSS_SELECTOR, ".request-url pre").text
    # The OpenAPI document's servers (if any) must not send Try it out to another host.
    assert request_url.split("?")[0] == f"{api_server}/api/v1/topics", request_url
    live = operation.find_element(By.CSS_SELECTOR, ".live-responses-table tbody").text
    assert "arms-control" in live
    driver.execute_script("arguments[0].scrollIntoView()", status)
    driver.execute_script("window.scrollBy(0, -300)")
    _screenshot(driver, "docs-try-it-out.png", whole_page=False)
    swagger = _traffic(driver)

    # ReDoc: the API's title and the side menu of operations.
    driver.get(f"{api_server}/redoc")
    _wait(
        driver,
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, ".api-info h1")
            and d.find_elements(By.CSS_SELECTOR, ".menu-content li[data-item-id]")
        ),
        "ReDoc",
    )
    assert "OSCE Content API" in driver.find_element(By.CSS_SELECTOR, ".api-info h1").text
    menu = driver.find_element(By.CSS_SELECTOR, ".menu-content").text.lower()
    assert all(tag in menu for tag in ("states", "news", "events", "menus")), menu
    _screenshot(driver, "redoc.png", whole_page=False)
    redoc = _traffic(driver)

    # The bundle ReDoc ships links Redocly's logo from a CDN; api/docs.py serves it without.
    assert not any("cdn.redoc.ly" in url for url in redoc.requests)
    for name, traffic in [("Swagger UI", swagger), ("ReDoc", redoc)]:
        assert traffic.severe == [], name
        assert traffic.off_machine == [], name
        assert f"{api_server}/api/v1/openapi.json" in traffic.requests, name
    assert request_url in swagger.requests


def test_the_browser_cannot_reach_anything_but_this_machine(browser: webdriver.Chrome) -> None:
    """The guard the other tests rely on: a name that is not 127.0.0.1 does not resolve."""
    _traffic(browser)
    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
        browser.get("http://example.com/")
    _traffic(browser)
