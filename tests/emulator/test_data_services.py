"""Key Vault, Storage and Log Analytics through their management SDKs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

TENANT = "72f988bf-0000-4000-8000-00000000cafe"


def _vault(**props: Any) -> dict[str, Any]:
    return {
        "location": LOC,
        "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}, **props},
    }


def test_key_vault_soft_delete_and_purge(make_client: Callable[..., Any], rg: str) -> None:
    kv: KeyVaultManagementClient = make_client(KeyVaultManagementClient)
    vault = kv.vaults.begin_create_or_update(rg, "kv-one", _vault()).result()
    assert vault.properties.vault_uri == "https://kv-one.vault.azure.net/"
    assert vault.properties.provisioning_state == "Succeeded"
    assert vault.properties.enable_soft_delete is True
    assert [v.name for v in kv.vaults.list_by_resource_group(rg)] == ["kv-one"]
    assert [v.name for v in kv.vaults.list()] == ["kv-one"]
    secret = kv.secrets.create_or_update(rg, "kv-one", "s1", {"properties": {"value": "hunter2"}})
    assert secret.properties.secret_uri.endswith("/secrets/s1") and secret.properties.value is None
    assert kv.secrets.get(rg, "kv-one", "s1").name == "s1"
    assert [s.name for s in kv.secrets.list(rg, "kv-one")] == ["s1"]
    patched = kv.vaults.update(
        rg, "kv-one", {"properties": {"enablePurgeProtection": False}, "tags": {"t": "1"}}
    )
    assert patched.tags == {"t": "1"} and kv.vaults.get(rg, "kv-one").tags == {"t": "1"}
    kv.vaults.delete(rg, "kv-one")
    deleted = kv.vaults.get_deleted("kv-one", LOC)
    assert deleted.properties.vault_id.endswith("/vaults/kv-one")
    assert [d.name for d in kv.vaults.list_deleted()] == ["kv-one"]
    with pytest.raises(ResourceExistsError) as exc:
        kv.vaults.begin_create_or_update(rg, "kv-one", _vault())
    assert exc.value.error.code == "ConflictError"
    kv.vaults.begin_purge_deleted("kv-one", LOC).result()
    with pytest.raises(ResourceNotFoundError):
        kv.vaults.get_deleted("kv-one", LOC)
    kv.vaults.begin_create_or_update(rg, "kv-one", _vault()).result()


def test_key_vault_soft_deleted_by_rg_delete(make_client: Callable[..., Any], rg: str) -> None:
    kv: KeyVaultManagementClient = make_client(KeyVaultManagementClient)
    res: ResourceManagementClient = make_client(ResourceManagementClient)
    kv.vaults.begin_create_or_update(rg, "kv-two", _vault()).result()
    res.resource_groups.begin_delete(rg).result()
    assert kv.vaults.get_deleted("kv-two", LOC).name == "kv-two"


def test_key_vault_recover(make_client: Callable[..., Any], rg: str) -> None:
    kv: KeyVaultManagementClient = make_client(KeyVaultManagementClient)
    kv.vaults.begin_create_or_update(rg, "kv-three", _vault()).result()
    kv.vaults.delete(rg, "kv-three")
    kv.vaults.begin_create_or_update(rg, "kv-three", _vault(createMode="recover")).result()
    with pytest.raises(ResourceNotFoundError):
        kv.vaults.get_deleted("kv-three", LOC)


def test_storage_account_lifecycle(make_client: Callable[..., Any], rg: str) -> None:
    st: StorageManagementClient = make_client(StorageManagementClient)
    check = st.storage_accounts.check_name_availability(
        {"name": "stdemo1", "type": "Microsoft.Storage/storageAccounts"}
    )
    assert check.name_available is True
    body = {"location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
    acct = st.storage_accounts.begin_create(rg, "stdemo1", body).result()
    assert acct.provisioning_state == "Succeeded"
    assert acct.primary_endpoints.blob == "https://stdemo1.blob.core.windows.net/"
    again = st.storage_accounts.begin_create(rg, "stdemo1", {**body, "tags": {"a": "b"}}).result()
    assert again.tags == {"a": "b"}
    taken = st.storage_accounts.check_name_availability(
        {"name": "stdemo1", "type": "Microsoft.Storage/storageAccounts"}
    )
    assert taken.name_available is False and taken.reason == "AlreadyExists"
    keys = st.storage_accounts.list_keys(rg, "stdemo1")["keys"]  # `.keys` is the Mapping method
    assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["value"]
    st.blob_containers.create(rg, "stdemo1", "tfstate", {"properties": {}})
    assert [c.name for c in st.blob_containers.list(rg, "stdemo1")] == ["tfstate"]
    assert st.blob_containers.get(rg, "stdemo1", "tfstate").public_access == "None"
    updated = st.blob_containers.update(rg, "stdemo1", "tfstate", {"properties": {"metadata": {"a": "b"}}})
    assert updated.metadata == {"a": "b"}
    assert st.storage_accounts.update(rg, "stdemo1", {"tags": {"c": "d"}}).tags == {"c": "d"}
    assert [a.name for a in st.storage_accounts.list()] == ["stdemo1"]
    st.blob_containers.delete(rg, "stdemo1", "tfstate")
    st.storage_accounts.delete(rg, "stdemo1")
    with pytest.raises(ResourceNotFoundError):
        st.storage_accounts.get_properties(rg, "stdemo1")


def test_storage_rules(make_client: Callable[..., Any], rg: str) -> None:
    st: StorageManagementClient = make_client(StorageManagementClient)
    body = {"location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
    with pytest.raises(HttpResponseError) as exc:
        st.storage_accounts.begin_create(rg, "Bad_Name", body)
    assert exc.value.error.code == "AccountNameInvalid"
    with pytest.raises(HttpResponseError) as exc:
        st.storage_accounts.begin_create(rg, "okname", {**body, "sku": {"name": "Nope"}})
    assert exc.value.error.code == "InvalidRequestContent"


def test_log_analytics_workspace(make_client: Callable[..., Any], rg: str) -> None:
    la: LogAnalyticsManagementClient = make_client(LogAnalyticsManagementClient)
    body = {
        "location": LOC,
        "properties": {
            "sku": {"name": "PerGB2018"},
            "retentionInDays": 30,
            "workspaceCapping": {"dailyQuotaGb": 1},
        },
    }
    ws = la.workspaces.begin_create_or_update(rg, "law1", body).result()
    assert ws.provisioning_state == "Succeeded" and ws.customer_id
    assert ws.workspace_capping.daily_quota_gb == 1 and ws.retention_in_days == 30
    keys = la.shared_keys.get_shared_keys(rg, "law1")
    assert keys.primary_shared_key
    bad = {"location": LOC, "properties": {"retentionInDays": 5000}}
    with pytest.raises(HttpResponseError) as exc:
        la.workspaces.begin_create_or_update(rg, "law2", bad)
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidParameter"
    assert la.workspaces.update(rg, "law1", {"tags": {"x": "1"}}).tags == {"x": "1"}
    assert [w.name for w in la.workspaces.list()] == ["law1"]
    la.workspaces.begin_delete(rg, "law1").result()
    with pytest.raises(ResourceNotFoundError):
        la.workspaces.get(rg, "law1")
    assert SUB
