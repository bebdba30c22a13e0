"""The web app (`activation ui`) on the sample, DuckDB only: its routes through Flask's test client, then the
same app in headless Chromium (Playwright driving Debian's /usr/bin/chromium): build a segment by clicking
and check its size against SQL, save and reopen it, look a customer up, open a sync run; screenshots are
checked not to be blank.

The app runs on a copy of the project (saving a segment writes segments/ and compiles its model there), with
one extra sync to a fake webhook receiver that rejects two records, over the session's DuckDB build.
Expected values are computed here with SQL on the built marts, not by the app.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from activation.errors import ConfigurationError
from activation.ui import make_server, resolve_token
from activation.ui.app import create_app
from tests.activation.fakes.webhook import SECRET, FakeWebhookReceiver
from tests.conftest import PROJECT_DIR, Warehouse, skip_or_fail

pytestmark = pytest.mark.parametrize("sample_warehouse", ["duckdb"], indirect=True)

CHROMIUM = Path("/usr/bin/chromium")
UI_SYNC = "ui_vip_webhook"
SECRET_ENV = "CDP_UI_TEST_WEBHOOK_SECRET"
COPY_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "target",
    "logs",
    "__pycache__",
    "*.duckdb*",
    ".pytest_cache",
    ".ruff_cache",
    "benchmarks",
)
# Where the README's screenshot is written when CDP_UI_UPDATE_DOCS=1 (committed under docs/).
DOCS_SCREENSHOT = PROJECT_DIR / "docs" / "ui-segment-builder.png"


def ui_sync_yaml(url: str) -> str:
    return f"""version: 2
exposures:
  - name: {UI_SYNC}
    type: application
    owner: {{name: UI tests}}
    depends_on: [ref('seg_high_value_loyal')]
    config:
      meta:
        activation:
          destination: {{type: webhook, url: "{url}", secret_env: {SECRET_ENV}, consent_channel: email}}
          mode: mirror
          identifiers: {{email: email}}
          fields: {{first_name: first_name}}
"""


@dataclass
class Ui:
    warehouse: Warehouse
    project_dir: Path
    app: Any
    receiver: FakeWebhookReceiver
    url: str

    def csrf(self) -> str:
        page = self.app.test_client().get("/segments/new").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def sql(self, sql: str) -> list[tuple]:
        return self.warehouse.query(sql)

    def sendable_vip_keys(self) -> list[str]:
        rows = self.sql(
            "select members.customer_id from main_segments.seg_high_value_loyal as members "
            "inner join main_marts.dim_customers as customers on members.customer_id = customers.customer_id "
            "where not members.is_holdout and customers.has_email_consent and not customers.is_erased "
            "and members.email is not null order by members.customer_id"
        )
        return [row[0] for row in rows]


@pytest.fixture(scope="module")
def ui(sample_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ui]:
    scratch = tmp_path_factory.mktemp("ui")
    project_dir = scratch / "project"
    shutil.copytree(PROJECT_DIR, project_dir, ignore=COPY_IGNORED)
    receiver = FakeWebhookReceiver()
    (project_dir / "models" / "ui_test").mkdir()
    (project_dir / "models" / "ui_test" / "_ui_test__syncs.yml").write_text(ui_sync_yaml(receiver.url))
    with pytest.MonkeyPatch.context() as patch, receiver.server:
        for name, value in sample_warehouse.env.items():
            patch.setenv(name, value)
        patch.setenv("DBT_TARGET_PATH", str(scratch / "target"))
        # The session build's parse, reused: dbt then re-parses only the files that differ (the extra sync),
        # not the whole project (half a minute on two cores).
        (scratch / "target").mkdir()
        session_parse = Path(sample_warehouse.env["DBT_TARGET_PATH"]) / "partial_parse.msgpack"
        if session_parse.is_file():
            shutil.copy2(session_parse, scratch / "target" / "partial_parse.msgpack")
        patch.setenv("DBT_LOG_PATH", str(scratch / "logs"))
        patch.setenv(SECRET_ENV, SECRET)
        # Two of the segment's members are refused by the receiver: the sync page must show why.
        keys = Ui(sample_warehouse, project_dir, None, receiver, "").sendable_vip_keys()
        receiver.rejected_keys.update({keys[0]: False, keys[1]: True})
        app = create_app(project_dir, "duckdb")
        server = make_server(app, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Ui(sample_warehouse, project_dir, app, receiver, f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def ui_run(ui: Ui) -> str:
    """One run of the UI's sync, started with the app's own "run now" (a form POST)."""
    response = ui.app.test_client().post(f"/syncs/{UI_SYNC}/run", data={"csrf_token": ui.csrf()})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return response.headers["Location"].rsplit("/", 1)[1]


def preview(ui: Ui, definition: dict) -> dict:
    response = ui.app.test_client().post(
        "/api/segments/preview", json={"definition": definition}, headers={"X-CSRF-Token": ui.csrf()}
    )
    assert response.status_code == 200
    return response.get_json()


def read_definition(path: Path) -> dict:
    from activation.segments.definitions import _DefinitionLoader

    content = yaml.load(path.read_text(encoding="utf-8"), Loader=_DefinitionLoader)
    content["description"] = content["description"].strip()
    return content


def eligible_count(ui: Ui, where: str, channel: str = "email") -> int:
    """Customers matching `where` on dim_customers minus what every segment suppresses (segment_suppressions
    as built): the size a segment without holdout must show."""
    return int(
        ui.sql(
            "select count(*) from main_marts.dim_customers as customers "
            "inner join main_segments.segment_suppressions as suppressions "
            "on customers.customer_id = suppressions.customer_id "
            f"where ({where}) and not suppressions.is_erased and suppressions.has_{channel}_consent "
            "and not suppressions.is_internal_account and not suppressions.is_globally_suppressed"
        )[0][0]
    )


# ------------------------------------------------------------------------------------------- routes


def test_builder_lists_come_from_the_customer_360_schema(ui: Ui) -> None:
    page = ui.app.test_client().get("/segments/new").get_data(as_text=True)
    catalog = json.loads(re.search(r'id="catalog-data">(.*?)</script>', page, re.S).group(1))
    built = {
        name: kind
        for name, kind in ui.sql(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main_marts' and table_name = 'dim_customers'"
        )
    }
    traits = {trait["name"]: trait["type"] for trait in catalog["traits"]}
    assert traits and set(traits) <= set(built)
    assert traits["order_count"] == "number" and traits["lifecycle_stage"] == "string"
    assert traits["last_order_date"] == "date" and traits["has_email_consent"] == "boolean"
    assert {"churn_risk", "lead_score"} <= {item["name"] for item in catalog["predictions"]}
    assert set(catalog["channels"]) == {"email", "sms", "phone", "ads_personalisation"}
    assert "high_value_loyal" in catalog["segments"]
    assert {"orders", "web_sessions"} <= set(catalog["behaviours"])
    assert "within last" in catalog["operators"]["date"]


def test_preview_of_a_saved_segment_matches_its_built_model(ui: Ui) -> None:
    definition = read_definition(ui.project_dir / "segments" / "high_value_loyal.yml")
    result = preview(ui, definition)
    assert result["ok"], result
    ((members, holdout),) = ui.sql(
        "select count(*), sum(case when is_holdout then 1 else 0 end) from main_segments.segment_members "
        "where segment_name = 'high_value_loyal'"
    )
    assert (result["member_count"], result["holdout_count"]) == (members, holdout)
    # The sample masks what the definition outputs that is personal (email, first and last name).
    assert set(result["masked_columns"]) == {"email", "first_name", "last_name"}
    position = result["sample"]["columns"].index("email")
    emails = [row[position] for row in result["sample"]["rows"] if row[position] is not None]
    assert emails and all(email.endswith("***") for email in emails)


def test_preview_of_a_draft_counts_what_sql_counts(ui: Ui) -> None:
    definition = {
        "name": "ui_draft",
        "description": "Draft.",
        "owner": "tests",
        "channel": "sms",
        "conditions": {
            "all": [
                {"trait": "order_count", "operator": ">=", "value": 2},
                {"not": {"trait": "lifecycle_stage", "operator": "in", "value": ["churned", "dormant"]}},
            ]
        },
    }
    result = preview(ui, definition)
    assert result["ok"], result
    expected = eligible_count(
        ui, "customers.order_count >= 2 and customers.lifecycle_stage not in ('churned', 'dormant')", "sms"
    )
    assert result["member_count"] == expected > 0
    assert result["holdout_count"] == 0


def test_problems_carry_the_field_path_the_builder_shows_them_at(ui: Ui) -> None:
    definition = {
        "name": "ui_bad",
        "description": "Bad.",
        "owner": "tests",
        "channel": "emial",
        "conditions": {
            "all": [
                {"trait": "order_count", "operator": ">=", "value": "three"},
                {"trait": "order_cuont", "operator": ">=", "value": 3},
                {"performed": "orders", "within": "soon"},
            ]
        },
    }
    result = preview(ui, definition)
    assert not result["ok"]
    problems = {problem["path"]: problem["message"] for problem in result["problems"]}
    assert "expected a number" in problems["conditions.all[0].value"]
    assert "did you mean order_count" in problems["conditions.all[1].trait"]
    assert "conditions.all[2].within" in problems
    assert "did you mean email" in problems["channel"]


def test_save_writes_the_file_a_person_would_and_reopens_it(ui: Ui) -> None:
    client = ui.app.test_client()
    headers = {"X-CSRF-Token": ui.csrf()}
    definition = {
        "name": "ui_saved",
        "description": "Repeat buyers who opted in to SMS, for a test of the web app's save.",
        "owner": "tests@example.com",
        "channel": "sms",
        "holdout_percent": 5,
        "conditions": {
            "all": [
                {"trait": "order_count", "operator": ">=", "value": 2},
                {"did_not_perform": "orders", "within": "30 days"},
            ]
        },
        "output": ["phone_e164", "first_name"],
    }
    saved = client.post("/api/segments/save", json={"definition": definition}, headers=headers).get_json()
    assert saved["ok"], saved
    path = ui.project_dir / "segments" / "ui_saved.yml"
    assert (
        path.read_text()
        == saved["yaml"]
        == (
            "name: ui_saved\n"
            "description: >\n"
            "  Repeat buyers who opted in to SMS, for a test of the web app's save.\n"
            "owner: tests@example.com\n"
            "channel: sms\n"
            "holdout_percent: 5\n"
            "conditions:\n"
            "  all:\n"
            '    - {trait: order_count, operator: ">=", value: 2}\n'
            "    - did_not_perform: orders\n"
            "      within: 30 days\n"
            "output: [phone_e164, first_name]\n"
        )
    )
    # `activation segments compile` ran: the dbt model exists.
    assert (ui.project_dir / "models" / "segments" / "audiences" / "seg_ui_saved.sql").is_file()
    page = client.get(saved["edit_url"]).get_data(as_text=True)
    reopened = json.loads(re.search(r'id="definition-data">(.*?)</script>', page, re.S).group(1))
    assert reopened == definition
    # Saving a new draft under an existing name is refused; re-saving a starter unchanged keeps its bytes.
    again = client.post("/api/segments/save", json={"definition": definition}, headers=headers).get_json()
    assert not again["ok"] and "already exists" in again["problems"][0]["message"]
    churn = ui.project_dir / "segments" / "churn_risk.yml"
    before = churn.read_bytes()
    resaved = client.post(
        "/api/segments/save",
        json={"definition": read_definition(churn), "replaces": "churn_risk"},
        headers=headers,
    ).get_json()
    assert resaved["ok"] and churn.read_bytes() == before


def test_posts_need_the_csrf_token_and_the_same_origin(ui: Ui) -> None:
    client = ui.app.test_client()
    body = {"definition": {"name": "x"}}
    assert client.post("/api/segments/preview", json=body).status_code == 403
    assert (
        client.post("/api/segments/preview", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    )
    cross_site = {"X-CSRF-Token": ui.csrf(), "Origin": "https://evil.example"}
    assert client.post("/api/segments/preview", json=body, headers=cross_site).status_code == 403
    assert client.post(f"/syncs/{UI_SYNC}/run").status_code == 403
    response = client.get("/segments/new")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_token_guards_every_page_when_one_is_set(ui: Ui, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "a-long-enough-test-token-1234"
    app = create_app(ui.project_dir, "duckdb", token=token)
    client = app.test_client()
    assert client.get("/customers").status_code == 302
    assert client.post("/api/segments/preview", json={}).status_code == 401
    assert client.post("/login", data={"token": "wrong"}).status_code == 200
    assert client.get("/customers").status_code == 302
    logged_in = client.post("/login?next=/customers", data={"token": token})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == "/customers"
    cookie = logged_in.headers["Set-Cookie"]
    assert token not in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/customers").status_code == 200
    bearer = app.test_client().get("/customers", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    # Off loopback the token is required, and read only from the environment.
    monkeypatch.delenv("CDP_UI_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="CDP_UI_TOKEN"):
        resolve_token("0.0.0.0", "CDP_UI_TOKEN")
    assert resolve_token("127.0.0.1", "CDP_UI_TOKEN") is None
    monkeypatch.setenv("CDP_UI_TOKEN", token)
    assert resolve_token("0.0.0.0", "CDP_UI_TOKEN") == token


def a_merged_customer(ui: Ui) -> tuple[str, str, str]:
    """A customer with an e-mail whose records were merged by a probabilistic match: id, e-mail, rule."""
    ((customer_id, email, rule),) = ui.sql(
        "select customers.customer_id, customers.email_normalized, min(links.rule_name) "
        "from main_marts.dim_customers as customers inner join main_marts.fct_identity_links as links "
        "on customers.customer_id = links.customer_id "
        "where links.edge_type = 'probabilistic_match' and customers.email_normalized is not null "
        "group by customers.customer_id, customers.email_normalized order by customers.customer_id limit 1"
    )
    return customer_id, email, rule


def test_customer_lookup_finds_by_email_and_explains_the_merge(ui: Ui) -> None:
    customer_id, email, rule = a_merged_customer(ui)
    client = ui.app.test_client()
    results = client.get("/customers", query_string={"q": email.upper()}).get_data(as_text=True)
    assert f"/customers/{customer_id}" in results
    assert email not in results  # masked by default
    page = client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert email not in page
    assert rule in page and "probabilistic_match" in page
    (links,) = ui.sql(
        f"select count(*) from main_marts.fct_identity_links where customer_id = '{customer_id}'"
    )[0]
    assert page.count("<tr><td>") >= links
    (channels,) = ui.sql(
        f"select count(*) from main_marts.dim_customer_consents where customer_id = '{customer_id}'"
    )[0]
    consent_table = re.search(r'id="consents">(.*?)</table>', page, re.S).group(1)
    assert consent_table.count("<tr><td>") == channels
    assert client.get("/customers/cus_does_not_exist").status_code == 404


def test_sync_plan_run_and_rejections(ui: Ui, ui_run: str) -> None:
    client = ui.app.test_client()
    sendable = ui.sendable_vip_keys()
    run = client.get(f"/syncs/runs/{ui_run}").get_data(as_text=True)
    assert 'id="run-status">partial<' in run
    added = re.search(r'data-counter="rows_added">([\d,]+)<', run).group(1)
    rejected = re.search(r'data-counter="rows_rejected">([\d,]+)<', run).group(1)
    assert (int(added.replace(",", "")), int(rejected)) == (len(sendable) - 2, 2)
    assert run.count("refused by the receiver") == 2 and sendable[0] in run
    # The receiver holds what the run says it added; the customer page names the destination.
    assert len(ui.receiver.held) == len(sendable) - 2
    delivered = sendable[2]
    assert UI_SYNC in client.get(f"/customers/{delivered}").get_data(as_text=True)
    # A plan afterwards: the retryable rejection is due again, the permanent one waits until its record
    # changes, nothing else changed; nothing is sent.
    requests_before = len(ui.receiver.server.requests)
    plan = client.post(f"/syncs/{UI_SYNC}/plan", data={"csrf_token": ui.csrf()}).get_data(as_text=True)
    assert "nothing was sent" in plan
    counts = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td class=\"num\">([\d,]+)</td></tr>", plan)
    assert counts == [("added", "add", "1"), ("added", "skip_rejected", "1")], counts
    assert len(ui.receiver.server.requests) == requests_before
    listing = client.get("/syncs").get_data(as_text=True)
    assert f"/syncs/runs/{ui_run}" in listing


def test_dashboard_charts_the_kpi_marts(ui: Ui) -> None:
    page = ui.app.test_client().get("/dashboard").get_data(as_text=True)
    assert page.count("<svg") >= 5 and 'class="error"' not in page
    ((revenue, currency),) = ui.sql("select sum(revenue), max(reporting_currency) from main_marts.kpi_daily")
    assert f"total {revenue:,.2f} {currency}" in page
    for channel in ("google_ads", "meta", "tiktok"):
        assert channel in page
    for segment in ("high_value_loyal", "churn_risk"):
        assert segment in page
    assert "heat-9" in page  # month 0 of a cohort: 100 % retained


# ------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_or_fail(
            f"no Chromium at {CHROMIUM} (python3 run.py test installs it as root: apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, ui: Ui) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=ui.url)
    context.set_default_timeout(60_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def assert_not_blank(browser: Any, png: bytes) -> None:
    """The screenshot has content: many distinct colours and a spread of brightness (a blank or error page
    has a handful). Decoded by the browser itself (a canvas), so no imaging library is needed."""
    probe = browser.new_page()
    try:
        stats = probe.evaluate(
            """async (data) => {
                const image = new Image();
                image.src = "data:image/png;base64," + data;
                await image.decode();
                const canvas = document.createElement("canvas");
                canvas.width = image.width; canvas.height = image.height;
                const context = canvas.getContext("2d");
                context.drawImage(image, 0, 0);
                const pixels = context.getImageData(0, 0, image.width, image.height).data;
                const colours = new Set();
                let sum = 0, squares = 0, count = 0;
                for (let index = 0; index < pixels.length; index += 4 * 7) {
                    const [red, green, blue] = [pixels[index], pixels[index + 1], pixels[index + 2]];
                    const luminance = 0.299 * red + 0.587 * green + 0.114 * blue;
                    sum += luminance; squares += luminance * luminance; count += 1;
                    colours.add((red << 16) | (green << 8) | blue);
                }
                const mean = sum / count;
                return {variance: squares / count - mean * mean, colours: colours.size, width: image.width};
            }""",
            base64.b64encode(png).decode(),
        )
    finally:
        probe.close()
    assert stats["width"] >= 1000 and stats["variance"] > 200 and stats["colours"] > 50, stats


def screenshot(browser: Any, page: Any, directory: Path, name: str) -> bytes:
    png = page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
    assert_not_blank(browser, png)
    return png


def wait_for_size(page: Any) -> int:
    """The size the builder shows once its last edit is counted."""
    page.wait_for_function(
        "() => { const node = document.getElementById('audience-size');"
        " return node.dataset.count !== '' && !node.classList.contains('stale'); }",
        timeout=90_000,
    )
    return int(page.get_attribute("#audience-size", "data-count"))


def test_browser_builds_a_segment_by_clicking_saves_and_reopens_it(
    ui: Ui, browser: Any, page: Any, tmp_path: Path
) -> None:
    # Counted before the browser works: the test's read-only connection and the app's must not overlap.
    expected = eligible_count(
        ui,
        "customers.order_count >= 3 and "
        "(customers.lifecycle_stage in ('active', 'new') or customers.total_revenue > 1000)",
    )
    page.goto("/segments")
    page.click("#new-segment")
    page.fill("#field-name", "ui_clicked")
    page.fill("#field-description", "Built by clicking in the browser test.")
    page.fill("#field-owner", "tests@example.com")
    page.select_option("#field-channel", "email")
    page.click("#conditions .add-trait")
    leaf = page.locator("#conditions .leaf").nth(0)
    leaf.locator(".leaf-column").select_option("order_count")
    leaf.locator(".leaf-operator").select_option(">=")
    leaf.locator(".leaf-value").fill("3")
    page.click("#conditions .add-group")
    group = page.locator("#conditions .group .group").nth(0)
    group.locator(".add-trait").first.click()
    inner = group.locator(".leaf").nth(0)
    inner.locator(".leaf-column").select_option("lifecycle_stage")
    inner.locator(".leaf-operator").select_option("in")
    inner.locator(".leaf-value").fill("active, new")
    group.locator(".add-trait").first.click()
    second = group.locator(".leaf").nth(1)
    second.locator(".leaf-column").select_option("total_revenue")
    second.locator(".leaf-operator").select_option(">")
    second.locator(".leaf-value").fill("1000")
    page.select_option("#output-add", "email")
    shown = wait_for_size(page)
    assert shown == expected > 0
    assert page.locator("#sample-table tbody tr").count() == min(10, expected)
    assert "***" in page.inner_text("#sample-table")  # e-mails masked
    builder_png = screenshot(browser, page, tmp_path, "builder")
    if os.environ.get("CDP_UI_UPDATE_DOCS") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        DOCS_SCREENSHOT.write_bytes(builder_png)

    # A mistake shows next to its field, and clears when fixed.
    leaf.locator(".leaf-value").fill("three")
    page.wait_for_selector('.field-error[data-problem-path="conditions.all[0].value"]')
    leaf.locator(".leaf-value").fill("3")
    assert wait_for_size(page) == expected

    page.click("#save")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('saved')")
    saved = ui.project_dir / "segments" / "ui_clicked.yml"
    assert saved.read_text() == (
        "name: ui_clicked\n"
        "description: Built by clicking in the browser test.\n"
        "owner: tests@example.com\n"
        "channel: email\n"
        "conditions:\n"
        "  all:\n"
        '    - {trait: order_count, operator: ">=", value: 3}\n'
        "    - any:\n"
        "        - {trait: lifecycle_stage, operator: in, value: [active, new]}\n"
        '        - {trait: total_revenue, operator: ">", value: 1000}\n'
        "output: [email]\n"
    )

    page.goto("/segments")
    page.click("text=ui_clicked")
    assert page.input_value("#field-name") == "ui_clicked"
    assert page.locator("#conditions .leaf").count() == 3
    assert page.locator("#conditions .leaf-value").nth(1).input_value() == "active, new"
    assert wait_for_size(page) == expected


def test_browser_looks_a_customer_up(ui: Ui, browser: Any, page: Any, tmp_path: Path) -> None:
    customer_id, email, rule = a_merged_customer(ui)
    page.goto("/customers")
    page.fill("input[name=q]", email)
    page.press("input[name=q]", "Enter")
    page.click(f"a[href='/customers/{customer_id}']")
    assert page.inner_text("#customer-id") == customer_id
    assert rule in page.inner_text("#identity-links")
    assert page.locator("#golden-record tbody tr").count() >= 6
    assert email not in page.content()
    screenshot(browser, page, tmp_path, "customer")


def test_browser_opens_a_sync_run(ui: Ui, ui_run: str, browser: Any, page: Any, tmp_path: Path) -> None:
    page.goto("/syncs")
    page.click(f"#sync-{UI_SYNC} a.run-link")
    assert page.inner_text("#run-status") == "partial"
    assert page.locator("#run-outcomes tbody tr").count() == 2
    screenshot(browser, page, tmp_path, "sync_run")
    page.goto("/dashboard")
    assert page.locator("#dashboard svg").count() >= 5
    screenshot(browser, page, tmp_path, "dashboard")
