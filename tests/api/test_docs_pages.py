"""The interactive docs load every asset from the server itself: they work without reaching a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_docs_pages_and_every_asset_they_name_are_served_locally(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css|png))["']""", html.text)
        assert assets, page
        assert all(asset.startswith("/docs-assets/") for asset in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
    assert "/docs" not in client.get("/openapi.json").json()["paths"]
