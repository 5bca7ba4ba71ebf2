"""A scim2-client over httpx (the library's own network engine needs httpx2, which we do not install)."""

from __future__ import annotations

from typing import Any

import httpx
from scim2_client.client import BaseSyncSCIMClient, RawResponse
from scim2_client.errors import RequestNetworkException


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client sending its requests with an httpx.Client (base URL: the SCIM root)."""

    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        try:
            url = self.client.build_request("GET", endpoint).url
        except httpx.InvalidURL:
            return False
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and url.raw_path.startswith(
            base.raw_path)

    def _parse_json(self, response: RawResponse) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as error:
            raise RequestNetworkException() from error
