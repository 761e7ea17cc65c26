"""Typed ARM errors and every error message the emulator emits (one place, like moto's constants)."""

from __future__ import annotations

from typing import Any

# Message templates, shaped after real ARM answers.
MSG_AUTH_MISSING = "Authentication failed. The 'Authorization' header is missing."
MSG_AUTH_INVALID = "Authentication failed. The access token is invalid."
MSG_RESOURCE_NOT_FOUND = "The Resource '{type}/{name}' under resource group '{rg}' was not found."
MSG_RG_NOT_FOUND = "Resource group '{rg}' could not be found."
MSG_PARENT_NOT_FOUND = "Parent resource '{parent}' was not found."
MSG_NO_ROUTE = "No registered resource provider found for path '{path}'."
MSG_NO_ACTION = "The action '{action}' is not supported on resource type '{type}'."
MSG_METHOD_NOT_ALLOWED = "The HTTP method '{method}' is not supported for '{path}'."
MSG_INVALID_JSON = "The request content was invalid and could not be deserialized: '{detail}'."
MSG_INVALID_CONTENT = "The request content was invalid: {detail}"
MSG_REQUIRED = "The property '{path}' is required."
MSG_WRONG_TYPE = "The property '{path}' has an invalid value; expected {expected}."
MSG_BAD_ENUM = "The value '{value}' of property '{path}' is not valid. Allowed values: {allowed}."
MSG_LOCATION_MISMATCH = "The location '{given}' does not match the existing location '{existing}'."
MSG_THROTTLED = "Number of requests for subscription '{sub}' and operation '{op}' exceeded the limit."
MSG_PRECONDITION = "The condition specified using HTTP conditional header(s) is not met for '{id}'."
MSG_ANOTHER_OPERATION = "Another operation ({kind}) is in progress on '{id}'. Retry later."
MSG_INVALID_REFERENCE = "Resource '{ref}' referenced by '{id}' was not found."
MSG_RULE_PRIORITY = "Security rule '{rule}' has invalid priority {priority}; allowed 100-4096."
MSG_VNET_ALREADY_LINKED = "Virtual network '{vnet}' is already linked to this zone."
MSG_VAULT_NAME_INVALID = "The vault name '{name}' is invalid."
MSG_PURGE_PROTECTED = "Vault '{name}' has purge protection enabled and cannot be purged."
MSG_CONTAINER_NAME_INVALID = "The specified resource name '{name}' is not valid."
MSG_DAILY_CAP = "dailyQuotaGb must be -1 (no cap) or positive; got {value}."
MSG_KEY_NAME = "keyName must be key1 or key2, not '{name}'."
MSG_GROUP_SHORT_NAME = "groupShortName '{name}' is longer than 12 characters."
MSG_SCOPE_NOT_FOUND = "The scope '{scope}' was not found."
MSG_INVALID_SETTINGS = "Invalid settings: {detail}"
MSG_NO_EMULATOR_ENDPOINT = "No emulator endpoint {method} {path}."
MSG_CANCELED = "The operation was canceled by a later request."
MSG_UNEXPECTED = "The emulator failed to process the request (see its stderr)."
MSG_INTERNAL = "An internal server error occurred (injected fault)."
MSG_UNAVAILABLE = "The service is temporarily unavailable (injected fault)."
MSG_OPERATION_FAILED = "The operation failed with error code '{code}' (injected fault)."
MSG_OPERATION_NOT_FOUND = "The operation '{op}' was not found."
MSG_QUOTA_EXCEEDED = (
    "Operation could not be completed as it results in exceeding approved {family} quota. "
    "Location: {location}, Current Limit: {limit}, Current Usage: {usage}, Additional Required: {need}."
)
MSG_SKU_NOT_AVAILABLE = "The requested VM size '{sku}' is not available in location '{location}'."
MSG_ROLE_ASSIGNMENT_EXISTS = "The role assignment already exists."
MSG_PRINCIPAL_NOT_FOUND = (
    "Principal {principal} does not exist in the directory {tenant}. Check that you have the correct principal ID."
    " If you are creating this principal and then immediately assigning a role, this error might be related to"
    " a replication delay. In this case, set the role assignment principalType property to a value, such as"
    " ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype"
)
MSG_ROLE_DEFINITION_NOT_FOUND = "The role definition '{id}' does not exist."
MSG_PRINCIPAL_MISSING = "The property 'principalId' is required."
MSG_FIC_CONCURRENT = (
    "Too many Federated Identity Credentials are written concurrently for the managed identity '{identity}'."
)
MSG_VAULT_SOFT_DELETED = (
    "Vault name '{name}' is already in use by a soft-deleted vault. Purge it or recover it before reuse."
)
MSG_VAULT_NAME_TAKEN = "The vault name '{name}' is already in use."
MSG_DELETED_VAULT_NOT_FOUND = "The deleted vault '{name}' was not found in location '{location}'."
MSG_STORAGE_NAME_INVALID = (
    "{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
    "characters in length and use numbers and lower-case letters only."
)
MSG_STORAGE_NAME_TAKEN = "The storage account named {name} is already taken."
MSG_SUBNET_PREFIX = "Subnet '{subnet}' is not valid because its IP address range is outside the VNet."
MSG_SUBNET_OVERLAP = "Subnet '{subnet}' overlaps with subnet '{other}' in the same virtual network."
MSG_NSG_PRIORITY = "Security rule '{rule}' conflicts with rule '{other}': same priority and direction."
MSG_INVALID_CIDR = "The address prefix '{prefix}' is not a valid CIDR."
MSG_POLICY_DEFINITION_NOT_FOUND = "The policy definition '{id}' could not be found."
MSG_RETENTION_RANGE = "retentionInDays must be between 30 and 730 (or 7 for the free tier); got {value}."
MSG_IN_USE = "The resource '{id}' is in use by '{user}' and cannot be deleted."
MSG_SUBNET_IN_USE = (
    "Subnet {subnet} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all "
    "the resources within the subnet. See aka.ms/deletesubnet."
)
MSG_NESTED_RESOURCES = (
    "Cannot delete resource while nested resources exist. Some existing nested resource IDs include: "
    "'{nested}'. Please delete all nested resources before deleting this resource."
)
MSG_PROPERTY_CHANGE = "Changing property '{field}' is not allowed."

# Messages of operations that end Failed with these codes (injected final-state faults use them unless
# the rule carries its own message), shaped after the real services' answers.
OPERATION_ERROR_MESSAGES = {
    "InternalServerError": "An internal server error occurred while processing the operation. Please retry.",
    "InternalOperationError": "An internal operation error occurred. Please retry the operation.",
    "QuotaExceeded": (
        "Operation could not be completed as it results in exceeding approved quota. Please request a "
        "quota increase: https://aka.ms/quotaincrease"
    ),
    "OverconstrainedAllocationRequest": (
        "Allocation failed. VM(s) with the following constraints cannot be allocated, because the "
        "condition is too restrictive. Please remove some constraints and try again."
    ),
    "AllocationFailed": (
        "Allocation failed. We do not have sufficient capacity for the requested VM size in this region."
    ),
    "ZonalAllocationFailed": (
        "Allocation failed. We do not have sufficient capacity for the requested VM size in this zone."
    ),
    "SkuNotAvailable": "The requested VM size is currently not available in this location.",
}


def operation_error_message(code: str) -> str:
    return OPERATION_ERROR_MESSAGES.get(code, MSG_OPERATION_FAILED.format(code=code))


class ArmError(Exception):
    """An error answered as an ARM error body: {"error": {"code", "message", "details"}}."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        target: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}
        self.target = target

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            err["target"] = self.target
        if self.details:
            err["details"] = self.details
        return {"error": err}


def not_found(type_name: str, name: str, rg: str = "") -> ArmError:
    code = "ResourceNotFound"
    return ArmError(404, code, MSG_RESOURCE_NOT_FOUND.format(type=type_name, name=name, rg=rg))


def rg_not_found(rg: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", MSG_RG_NOT_FOUND.format(rg=rg))


def bad_request(code: str, message: str, details: list[dict[str, Any]] | None = None) -> ArmError:
    return ArmError(400, code, message, details)


def conflict(code: str, message: str) -> ArmError:
    return ArmError(409, code, message)


def property_change_not_allowed(field: str) -> ArmError:
    """400 PropertyChangeNotAllowed, as AKS (and other RPs) refuse an in-place change."""
    return ArmError(400, "PropertyChangeNotAllowed", MSG_PROPERTY_CHANGE.format(field=field), target=field)


class QuotaExceeded(ArmError):
    """Raised by quota accounting; the AKS provider may turn it into a failed LRO."""

    def __init__(self, message: str) -> None:
        super().__init__(409, "QuotaExceeded", message)
