# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One connector per source. Each turns the vendor's API into pages of plain
device (or licence) dicts, shaped alike whatever the vendor:

``external_id, org_ref, org_name, name, serial, manufacturer, model, os_name,
os_version, type_code, last_seen (naive UTC), site, contact_email,
contact_name, sku_id, sku_part_number, sku_name``

Field sources per vendor: ../../../shared/reference/rmm-and-graph-apis.md
(sections 1, 2, 3, 7) and this addon's tests/fixtures/README.md."""

import csv
import os
from datetime import UTC, datetime
from urllib.parse import quote

from .http import ApiKeyAuth, ConnectorError, HttpClient, OAuthToken

JUNK_SERIALS = {
    "",
    "0",
    "none",
    "n/a",
    "default string",
    "to be filled by o.e.m.",
    "system serial number",
    "not specified",
    "123456789",
}


def clean_serial(value):
    value = (value or "").strip()
    return "" if value.lower() in JUNK_SERIALS else value


def to_utc(value):
    """ISO-8601 text, epoch seconds or epoch milliseconds → naive UTC."""
    if value in (None, "", 0):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(int(seconds), UTC).replace(tzinfo=None)
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit():
        return to_utc(float(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def blank(**values):
    record = dict.fromkeys(
        (
            "external_id org_ref org_name name serial manufacturer model os_name "
            "os_version type_code last_seen site contact_email contact_name sku_id "
            "sku_part_number sku_name"
        ).split(),
        None,
    )
    record.update(values)
    return record


class Connector:
    """Base: ``organisations()`` lists the vendor's clients as
    ``(ref, name)``; ``pages(org_refs)`` yields lists of records (all
    organisations when ``org_refs`` is None)."""

    default_page_size = 1000

    def __init__(self, config, sleep=None):
        self.config = config
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = HttpClient(
            config["base_url"],
            timeout=config.get("timeout") or 30,
            max_retries=config.get("max_retries", 4),
            **kwargs,
        )
        self.page_size = config.get("page_size") or self.default_page_size
        self.http.auth = self.make_auth()

    def make_auth(self):
        raise NotImplementedError

    def organisations(self):
        raise NotImplementedError

    def pages(self, org_refs=None):
        raise NotImplementedError

    def expect_list(self, data, url, key=None):
        items = data.get(key) if key and isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ConnectorError(
                "Unexpected answer: a list was expected", status=200, url=url,
                body=str(data),
            )  # fmt: skip
        return items


class TacticalConnector(Connector):
    """Tactical RMM: ``/clients/`` (with sites), then ``/agents/?site=`` per
    site; unpaginated arrays, ``X-API-KEY``. One page per site."""

    def make_auth(self):
        return ApiKeyAuth("X-API-KEY", self.config["api_key"])

    def _clients(self):
        return self.expect_list(self.http.get_json("/clients/"), "/clients/")

    def organisations(self):
        return [(str(c["id"]), c.get("name") or "") for c in self._clients()]

    def pages(self, org_refs=None):
        for client in self._clients():
            ref = str(client["id"])
            if org_refs is not None and ref not in org_refs:
                continue
            for site in client.get("sites") or []:
                url = f"/agents/?site={site['id']}"
                agents = self.expect_list(self.http.get_json(url), url)
                yield [self.record(agent, client, site) for agent in agents]

    @staticmethod
    def record(agent, client, site):
        make_model = (agent.get("make_model") or "").strip()
        if make_model.lower() == "unknown make/model":
            make_model = ""
        return blank(
            external_id=agent["agent_id"],
            org_ref=str(client["id"]),
            org_name=client.get("name"),
            name=agent.get("hostname") or agent["agent_id"],
            serial=clean_serial(agent.get("serial_number")),
            model=make_model or None,
            os_name=agent.get("operating_system"),
            type_code=agent.get("monitoring_type"),
            last_seen=to_utc(agent.get("last_seen")),
            site=site.get("name"),
        )


class NinjaOneConnector(Connector):
    """NinjaOne v2: OAuth client credentials; organisations, locations and
    ``devices-detailed`` in keyset pages (``after`` = last id, a short page
    ends the list)."""

    def make_auth(self):
        token_url = self.config.get("token_url") or self.http.url("/ws/oauth/token")
        return OAuthToken(
            self.http,
            token_url,
            {
                "grant_type": "client_credentials",
                "client_id": self.config["oauth_client_id"],
                "client_secret": self.config["api_secret"],
                "scope": "monitoring management",
            },
        )

    @property
    def prefix(self):
        return "/" + (self.config.get("path_prefix") or "/v2").strip("/")

    def _keyset(self, path, params=None):
        after = None
        while True:
            query = dict(params or {}, pageSize=self.page_size)
            if after is not None:
                query["after"] = after
            url = f"{self.prefix}/{path}"
            page = self.expect_list(self.http.get_json(url, params=query), url)
            yield page
            if len(page) < self.page_size or not page:
                return
            after = max(item["id"] for item in page)

    def organisations(self):
        return [
            (str(org["id"]), org.get("name") or "")
            for page in self._keyset("organizations")
            for org in page
        ]

    def pages(self, org_refs=None):
        names = dict(self.organisations())
        locations = {
            loc["id"]: loc.get("name")
            for page in self._keyset("locations")
            for loc in page
        }
        if org_refs is None:
            filters = [None]
        else:
            filters = [f"org = {ref}" for ref in sorted(org_refs)]
        for df in filters:
            params = {"df": df} if df else {}
            for page in self._keyset("devices-detailed", params):
                yield [self.record(d, names, locations) for d in page]

    @staticmethod
    def record(device, names, locations):
        system = device.get("system") or {}
        os_info = device.get("os") or {}
        org = str(device.get("organizationId"))
        return blank(
            external_id=str(device["id"]),
            org_ref=org,
            org_name=names.get(org),
            name=device.get("systemName")
            or device.get("displayName")
            or device.get("dnsName")
            or str(device["id"]),
            serial=clean_serial(
                system.get("serialNumber") or system.get("biosSerialNumber")
            ),
            manufacturer=system.get("manufacturer"),
            model=system.get("model"),
            os_name=os_info.get("name"),
            os_version=" ".join(
                str(v)
                for v in (os_info.get("releaseId"), os_info.get("buildNumber"))
                if v
            )
            or None,
            type_code=device.get("nodeClass"),
            last_seen=to_utc(device.get("lastContact")),
            site=locations.get(device.get("locationId")),
        )


class DattoConnector(Connector):
    """Datto RMM v2: password grant with Basic ``public-client:public``;
    sites are the clients; pages follow ``pageDetails.nextPageUrl``."""

    default_page_size = 250

    def make_auth(self):
        token_url = self.config.get("token_url") or self.http.url("/auth/oauth/token")
        return OAuthToken(
            self.http,
            token_url,
            {
                "grant_type": "password",
                "username": self.config["api_key"],
                "password": self.config["api_secret"],
            },
            basic=("public-client", "public"),
        )

    def _paged(self, url, key):
        params = {"page": 0, "max": self.page_size}
        while url:
            data = self.http.get_json(url, params=params)
            yield self.expect_list(data, url, key)
            url = ((data or {}).get("pageDetails") or {}).get("nextPageUrl")
            params = None  # the next URL carries its own query

    def organisations(self):
        return [
            (site["uid"], site.get("name") or "")
            for page in self._paged("/api/v2/account/sites", "sites")
            for site in page
        ]

    def pages(self, org_refs=None):
        if org_refs is None:
            urls = ["/api/v2/account/devices"]
        else:
            urls = [f"/api/v2/site/{quote(ref)}/devices" for ref in sorted(org_refs)]
        for url in urls:
            for page in self._paged(url, "devices"):
                yield [self.record(d) for d in page if not d.get("deleted")]

    @staticmethod
    def record(device):
        device_type = device.get("deviceType") or {}
        return blank(
            external_id=device["uid"],
            org_ref=device.get("siteUid"),
            org_name=device.get("siteName"),
            name=device.get("hostname") or device["uid"],
            serial=clean_serial(device.get("serialNumber")),
            os_name=device.get("operatingSystem"),
            type_code=device_type.get("category") or device.get("deviceClass"),
            last_seen=to_utc(device.get("lastSeen")),
            site=device.get("siteName"),
        )


def load_sku_names():
    path = os.path.join(os.path.dirname(__file__), "m365_sku_names.csv")
    with open(path, encoding="utf-8") as handle:
        return {row["GUID"].lower(): row for row in csv.DictReader(handle)}


class GraphConnector(Connector):
    """Microsoft 365 through Microsoft Graph, one client tenant per source:
    ``subscribedSkus`` for SKU names, then licensed users with their
    ``assignedLicenses``; one record per user and SKU."""

    default_page_size = 999
    sku_names = None

    def make_auth(self):
        tenant = self.config["tenant_id"]
        token_url = self.config.get("token_url") or (
            f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
        )
        return OAuthToken(
            self.http,
            token_url,
            {
                "grant_type": "client_credentials",
                "client_id": self.config["oauth_client_id"],
                "client_secret": self.config["api_secret"],
                "scope": "https://graph.microsoft.com/.default",
            },
        )

    def organisations(self):
        tenant = self.config["tenant_id"]
        return [(tenant, self.config.get("tenant_name") or tenant)]

    def skus(self):
        data = self.http.get_json(
            "/v1.0/subscribedSkus", params={"$select": "skuId,skuPartNumber"}
        )
        items = self.expect_list(data, "/v1.0/subscribedSkus", "value")
        return {item["skuId"].lower(): item.get("skuPartNumber") for item in items}

    def pages(self, org_refs=None):
        tenant = self.config["tenant_id"]
        if org_refs is not None and tenant not in org_refs:
            return
        if GraphConnector.sku_names is None:
            GraphConnector.sku_names = load_sku_names()
        parts = self.skus()
        url = "/v1.0/users"
        params = {
            "$select": "id,userPrincipalName,mail,displayName,accountEnabled,"
            "assignedLicenses",
            "$top": self.page_size,
            "$filter": "assignedLicenses/$count ne 0",
            "$count": "true",
        }
        while url:
            data = self.http.get_json(
                url, params=params, headers={"ConsistencyLevel": "eventual"}
            )
            users = self.expect_list(data, url, "value")
            yield [
                self.record(user, lic, tenant, parts)
                for user in users
                for lic in user.get("assignedLicenses") or []
            ]
            url = data.get("@odata.nextLink")
            params = None

    def record(self, user, lic, tenant, parts):
        sku = lic["skuId"].lower()
        part = parts.get(sku) or sku
        known = self.sku_names.get(sku)
        sku_name = known["Product_Display_Name"] if known else part
        person = user.get("displayName") or user.get("userPrincipalName")
        return blank(
            external_id=f"{user['id']}/{sku}",
            org_ref=tenant,
            name=f"{sku_name}: {person}",
            type_code="m365_license",
            contact_email=(user.get("mail") or user.get("userPrincipalName") or "")
            .strip()
            .lower()
            or None,
            contact_name=person,
            sku_id=sku,
            sku_part_number=part,
            sku_name=sku_name,
        )


CONNECTORS = {
    "tactical": TacticalConnector,
    "ninjaone": NinjaOneConnector,
    "datto": DattoConnector,
    "graph": GraphConnector,
}
