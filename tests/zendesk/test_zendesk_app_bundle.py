"""The ZAF sidebar bundle is complete and packagable (zcli's manifest shape, B3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "zendesk_app"


def test_manifest_declares_a_flexible_ticket_sidebar_with_a_secure_secret() -> None:
    """The manifest names the sidebar location, framework 2.0 and a secure app_secret setting."""
    manifest = json.loads((APP / "manifest.json").read_text(encoding="utf-8"))
    sidebar = manifest["location"]["support"]["ticket_sidebar"]
    assert sidebar == {"url": "assets/iframe.html", "flexible": True}
    assert manifest["frameworkVersion"] == "2.0"
    params = {p["name"]: p for p in manifest["parameters"]}
    assert params["app_secret"]["secure"] is True and params["backend_url"]["type"] == "url"
    assert manifest["domainWhitelist"]


def test_translations_cover_the_app_and_its_settings() -> None:
    """en.json names the app and labels every parameter."""
    manifest = json.loads((APP / "manifest.json").read_text(encoding="utf-8"))
    app = json.loads((APP / "translations" / "en.json").read_text(encoding="utf-8"))["app"]
    assert app["name"] and app["short_description"]
    for param in manifest["parameters"]:
        assert app["parameters"][param["name"]]["label"]


def test_assets_load_nothing_but_the_zaf_sdk_from_outside() -> None:
    """No external CDN: the only remote script is Zendesk's own ZAF SDK; logos are present."""
    html = (APP / "assets" / "iframe.html").read_text(encoding="utf-8")
    remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert remote == ["https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"]
    for name in ("app.js", "app.css", "logo.png", "logo-small.png"):
        assert (APP / "assets" / name).is_file()
    script = (APP / "assets" / "app.js").read_text(encoding="utf-8")
    assert "{{setting.app_secret}}" in script and "secure: true" in script


def test_lock_button_label_matches_its_translation() -> None:
    """The manual lock button and its hint say what en.json says."""
    strings = json.loads((APP / "translations" / "en.json").read_text(encoding="utf-8"))["sidebar"]
    html = (APP / "assets" / "iframe.html").read_text(encoding="utf-8")
    assert (
        f'<button id="lock-ticket" type="button" class="danger">{strings["lock_button"]}<' in html
    )
    assert f'<p class="hint">{strings["lock_hint"]}</p>' in html
