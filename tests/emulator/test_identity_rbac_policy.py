from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource.policy import PolicyClient

NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
PRIVILEGED = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"


@pytest.fixture
def msi(make_client: Callable[..., Any]) -> ManagedServiceIdentityClient:
    client: ManagedServiceIdentityClient = make_client(ManagedServiceIdentityClient)
    return client


def _fic(subject: str) -> dict[str, Any]:
    return {
        "properties": {
            "issuer": "https://oidc.local/issuer",
            "subject": subject,
            "audiences": ["api://AzureADTokenExchange"],
        }
    }


def test_identity_and_fic_lifecycle(msi: ManagedServiceIdentityClient, rg: str) -> None:
    ident = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC})
    assert ident.principal_id and ident.client_id and ident.tenant_id
    again = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC, "tags": {"x": "y"}})
    assert again.principal_id == ident.principal_id and again.tags == {"x": "y"}
    assert [i.name for i in msi.user_assigned_identities.list_by_resource_group(rg)] == ["id1"]
    assert msi.user_assigned_identities.update(rg, "id1", {"tags": {"p": "q"}}).tags == {"p": "q"}
    assert msi.user_assigned_identities.get(rg, "id1").client_id == ident.client_id
    assert [i.name for i in msi.user_assigned_identities.list_by_subscription()] == ["id1"]
    fic = msi.federated_identity_credentials.create_or_update(
        rg, "id1", "f1", _fic("system:serviceaccount:a:b")
    )
    assert fic.subject == "system:serviceaccount:a:b"
    msi.federated_identity_credentials.create_or_update(rg, "id1", "f2", _fic("system:serviceaccount:a:c"))
    assert [f.name for f in msi.federated_identity_credentials.list(rg, "id1")] == ["f1", "f2"]
    msi.federated_identity_credentials.delete(rg, "id1", "f2")
    msi.user_assigned_identities.delete(rg, "id1")
    with pytest.raises(ResourceNotFoundError):
        msi.federated_identity_credentials.get(rg, "id1", "f1")


def test_fic_missing_required_field(msi: ManagedServiceIdentityClient, rg: str) -> None:
    msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC})
    with pytest.raises(HttpResponseError) as exc:
        msi.federated_identity_credentials.create_or_update(rg, "id1", "f1", {"properties": {"issuer": "x"}})
    assert exc.value.status_code == 400 and exc.value.error.code == "BadRequest"


def test_concurrent_fic_writes_conflict(msi: ManagedServiceIdentityClient, rg: str) -> None:
    msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC})
    errors: list[str] = []

    def write(i: int) -> None:
        try:
            msi.federated_identity_credentials.create_or_update(rg, "id1", f"f{i}", _fic(f"s{i}"))
        except ResourceExistsError as exc:
            errors.append(exc.error.code if exc.error else "")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors and set(errors) == {"ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"}


def test_role_assignments(make_client: Callable[..., Any], rg: str) -> None:
    auth: AuthorizationManagementClient = make_client(AuthorizationManagementClient)
    scope = f"/subscriptions/{SUB}/resourceGroups/{rg}"
    role = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
    body = {
        "properties": {"roleDefinitionId": role, "principalId": "p-1", "principalType": "ServicePrincipal"}
    }
    ra = auth.role_assignments.create(scope, "11111111-1111-1111-1111-111111111111", body)
    assert ra.scope == scope and ra.principal_type == "ServicePrincipal"
    with pytest.raises(ResourceExistsError) as exc:
        auth.role_assignments.create(scope, "22222222-2222-2222-2222-222222222222", body)
    assert exc.value.error.code == "RoleAssignmentExists"
    assert [r.name for r in auth.role_assignments.list_for_scope(scope)] == [
        "11111111-1111-1111-1111-111111111111"
    ]
    got = auth.role_assignments.get(scope, "11111111-1111-1111-1111-111111111111")
    assert got.principal_id == "p-1" and got.role_definition_id == role
    found = list(auth.role_definitions.list(scope, filter="roleName eq 'Network Contributor'"))
    assert found[0].name == NETWORK_CONTRIBUTOR
    assert auth.role_definitions.get(scope, "b24988ac-6180-42a0-ab88-20f7382dd24c").role_name == "Contributor"
    bad = {
        "properties": {
            "roleDefinitionId": role.replace(NETWORK_CONTRIBUTOR, "0" * 8 + "-0000-0000-0000-" + "0" * 12),
            "principalId": "p",
        }
    }
    with pytest.raises(HttpResponseError) as exc2:
        auth.role_assignments.create(scope, "33333333-3333-3333-3333-333333333333", bad)
    assert exc2.value.error.code == "RoleDefinitionDoesNotExist"
    auth.role_assignments.delete(scope, "11111111-1111-1111-1111-111111111111")
    assert list(auth.role_assignments.list_for_scope(scope)) == []


def test_policy_assignment_201_on_create_and_update(make_client: Callable[..., Any], rg: str) -> None:
    policy: PolicyClient = make_client(PolicyClient)
    scope = f"/subscriptions/{SUB}/resourceGroups/{rg}"
    created = policy.policy_assignments.create(
        scope, "no-priv", {"properties": {"policyDefinitionId": PRIVILEGED}}
    )
    assert created.scope == scope and created.enforcement_mode == "Default"
    updated = policy.policy_assignments.create(
        scope,
        "no-priv",
        {"properties": {"policyDefinitionId": PRIVILEGED, "enforcementMode": "DoNotEnforce"}},
    )
    assert updated.enforcement_mode == "DoNotEnforce"
    assert [p.name for p in policy.policy_assignments.list_for_resource_group(rg)] == ["no-priv"]
    assert policy.policy_assignments.get(scope, "no-priv").enforcement_mode == "DoNotEnforce"
    assert (
        policy.policy_assignments.update(scope, "no-priv", {"properties": {"description": "d"}}).description
        == "d"
    )
    assert (
        policy.policy_definitions.get_built_in("95edb821-ddaf-4404-9732-666045e056b4").policy_type
        == "BuiltIn"
    )
    with pytest.raises(ResourceNotFoundError) as exc:
        policy.policy_assignments.create(
            scope, "x", {"properties": {"policyDefinitionId": PRIVILEGED[:-3] + "000"}}
        )
    assert exc.value.error.code == "PolicyDefinitionNotFound"
    policy.policy_assignments.delete(scope, "no-priv")


def test_role_assignment_filters(make_client: Callable[..., Any], rg: str) -> None:
    auth: AuthorizationManagementClient = make_client(AuthorizationManagementClient)
    sub_scope = f"/subscriptions/{SUB}"
    rg_scope = f"{sub_scope}/resourceGroups/{rg}"
    role = f"{sub_scope}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
    for scope, name, principal in (
        (sub_scope, "a" * 8, "p-1"),
        (rg_scope, "b" * 8, "p-1"),
        (rg_scope, "c" * 8, "p-2"),
    ):
        auth.role_assignments.create(
            scope, name, {"properties": {"roleDefinitionId": role, "principalId": principal}}
        )
    by_principal = auth.role_assignments.list_for_subscription(filter="principalId eq 'p-1'")
    assert sorted(r.name for r in by_principal) == ["a" * 8, "b" * 8]
    at_scope = auth.role_assignments.list_for_scope(sub_scope, filter="atScope()")
    assert [r.name for r in at_scope] == ["a" * 8]
