"""Open Badges 3.0 credentials signed by the Centre, and the status list that says which of
them no longer hold.

A credential is a W3C Verifiable Credential 2.0 of type `OpenBadgeCredential`, secured as a
VC-JWT (JOSE compact serialisation, alg EdDSA on an Ed25519 key, signed by joserfc). Apps
build the credential's content (`open_badge`), this module signs it (`sign`) and checks one
handed back (`verify`). No cryptography is written here: joserfc signs and verifies.

Keys (README, "Signed credentials"): the private key comes from CREDENTIAL_SIGNING_KEY (a
PEM) or CREDENTIAL_SIGNING_KEY_FILE (a path), never from the repository. Its public half and
those of retired keys (CREDENTIAL_RETIRED_KEYS_FILE: PEM public keys, one after another) are
published as a JWKS, so credentials signed before a rotation keep verifying. A key's `kid` is
its RFC 7638 thumbprint.

Status: every signed credential or certificate gets a place in one W3C Bitstring Status List
(statusPurpose "message", 2 bits an entry: valid, suspended, lapsed, revoked; one entry keeps
the credential within the Open Badges 3.0 schema, which allows one `credentialStatus`). The
services that change a source's status call `record_status` in their own transaction; the
published list is computed from those rows whenever it is asked for.
"""

import base64
import contextlib
import datetime
import gzip
import hashlib
import json
import secrets
import uuid
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from .models import CredentialStatusEntry
from .site import site_url

# Open Badges 3.0 names EdDSA; joserfc warns that RFC 9864 prefers "Ed25519", which most
# credential verifiers do not know yet.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")

ALGORITHM = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
ISSUER_NAME = "Anna Freud Centre"
MEDIA_TYPE = "application/vc+jwt"

State = CredentialStatusEntry.State
# Bits per entry and their meaning, as published in the list itself.
STATUS_SIZE = 2
STATUS_MESSAGES = [{"status": hex(state.value), "message": state.label.lower()} for state in State]
# Entries in the published list (it grows by this much when needed): 2 x 131,072 bits, more
# than the 16 KB the specification asks as a minimum for group privacy.
STATUS_LIST_LENGTH = 131_072


class SigningKeyMissing(Exception):
    """No signing key is configured: credentials cannot be issued (verification still works)."""


# Keys ------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _import_private(pem):
    key = OKPKey.import_key(pem)
    if not key.is_private or key.as_dict(private=False).get("crv") != "Ed25519":
        raise SigningKeyMissing("The credential signing key must be an Ed25519 private key (PEM).")
    thumbprint = key.thumbprint()
    return OKPKey.import_key(pem, {"kid": thumbprint, "use": "sig", "alg": ALGORITHM})


def _signing_pem():
    pem = settings.CREDENTIAL_SIGNING_KEY
    if not pem and settings.CREDENTIAL_SIGNING_KEY_FILE:
        pem = Path(settings.CREDENTIAL_SIGNING_KEY_FILE).read_text()
    return pem.strip() if pem else ""


def signing_key():
    pem = _signing_pem()
    if not pem:
        raise SigningKeyMissing("No credential signing key is configured (CREDENTIAL_SIGNING_KEY).")
    return _import_private(pem)


def can_sign():
    try:
        signing_key()
    except SigningKeyMissing:
        return False
    return True


@lru_cache(maxsize=8)
def _import_public_keys(text):
    keys = []
    for block in text.split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" not in block:
            continue
        pem = block[block.index("-----BEGIN PUBLIC KEY-----") :] + "-----END PUBLIC KEY-----\n"
        key = OKPKey.import_key(pem)
        keys.append(OKPKey.import_key(pem, {"kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM}))
    return tuple(keys)


def retired_keys():
    path = settings.CREDENTIAL_RETIRED_KEYS_FILE
    return list(_import_public_keys(Path(path).read_text())) if path else []


def published_keys():
    """The public keys credentials may be signed with: the current one, then retired ones."""
    keys = []
    with contextlib.suppress(SigningKeyMissing):
        keys.append(OKPKey.import_key(signing_key().as_dict(private=False)))
    seen = {key.kid for key in keys}
    for key in retired_keys():
        if key.kid not in seen:
            keys.append(key)
            seen.add(key.kid)
    return keys


def jwks():
    return {"keys": [key.as_dict(private=False) for key in published_keys()]}


# Addresses ------------------------------------------------------------------------------


def absolute_url(path):
    return f"{settings.SITE_URL or site_url()}{path}"


def issuer_id():
    return absolute_url(reverse("credentials:issuer"))


def status_list_url():
    return absolute_url(reverse("credentials:status_list"))


def issuer_profile():
    """The Centre as an Open Badges 3.0 Profile."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": absolute_url("/"),
        "description": "Trains and accredits practitioners, supervisors and trainers in Dynamic Interpersonal Therapy (DIT).",
    }


# Credentials ----------------------------------------------------------------------------


def _as_datetime(day):
    if isinstance(day, datetime.datetime):
        return day.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return f"{day.isoformat()}T00:00:00Z"


def _status_entry(source, state):
    source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
    entry, _ = CredentialStatusEntry.objects.get_or_create(
        source_type=source_type, source_id=str(source.pk), defaults={"state": state}
    )
    return entry


def record_status(source, state):
    """Called by the service that changes `source`'s status, inside its transaction: the
    source's place in the status list (if it was ever signed) now says `state`."""
    source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
    CredentialStatusEntry.objects.filter(source_type=source_type, source_id=str(source.pk)).exclude(state=state).update(
        state=state, updated_at=timezone.now()
    )


def achievement(*, achievement_id, name, description, criteria, achievement_type):
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": {"narrative": criteria},
        "achievementType": achievement_type,
        "creator": {"id": issuer_id(), "type": ["Profile"], "name": ISSUER_NAME},
    }


def open_badge(*, source, state, holder_name, holder_email, name, description, achievement, valid_from):
    """The unsigned OpenBadgeCredential for `source` (a held credential, a certificate)
    whose current status is `state`; gives the source its place in the status list."""
    entry = _status_entry(source, state)
    salt = secrets.token_hex(8)
    email_hash = hashlib.sha256(f"{holder_email.lower()}{salt}".encode()).hexdigest()
    list_url = status_list_url()
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": description,
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": ISSUER_NAME, "url": absolute_url("/")},
        "validFrom": _as_datetime(valid_from),
        "awardedDate": _as_datetime(valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": holder_name,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": f"sha256${email_hash}",
                    "salt": salt,
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{list_url}#{entry.pk}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": str(entry.pk),
            "statusSize": STATUS_SIZE,
            "statusMessage": STATUS_MESSAGES,
            "statusListCredential": list_url,
        },
        "credentialSchema": [OB_SCHEMA],
    }


def _claims(credential):
    """The VC-JWT registered claims Open Badges 3.0 asks for, beside the credential itself."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["nbf"] = int(datetime.datetime.fromisoformat(credential["validFrom"]).timestamp())
    claims["iat"] = int(timezone.now().timestamp())
    if credential.get("validUntil"):
        claims["exp"] = int(datetime.datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def sign(credential):
    """The credential as a compact VC-JWT signed with the current key."""
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, _claims(credential), key, algorithms=[ALGORITHM])


# Status list ----------------------------------------------------------------------------


def encoded_list():
    """The status list's bitstring: each entry's state in STATUS_SIZE bits, most significant
    first from the left, GZIP-compressed, base64url without padding, multibase prefix "u"."""
    changed = list(CredentialStatusEntry.objects.exclude(state=State.VALID).values_list("pk", "state"))
    highest = max((index for index, _ in changed), default=0)
    length = STATUS_LIST_LENGTH * (highest // STATUS_LIST_LENGTH + 1)
    bits = bytearray(length * STATUS_SIZE // 8)
    for index, state in changed:
        for offset in range(STATUS_SIZE):
            if state >> (STATUS_SIZE - 1 - offset) & 1:
                position = index * STATUS_SIZE + offset
                bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def read_status(encoded, index):
    """The state at `index` in an encoded list (the reverse of `encoded_list`)."""
    data = encoded[1:] if encoded.startswith("u") else encoded
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    state = 0
    for offset in range(STATUS_SIZE):
        position = index * STATUS_SIZE + offset
        state = state << 1 | (bits[position // 8] >> (7 - position % 8) & 1)
    return State(state)


def status_list_credential():
    url = status_list_url()
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _as_datetime(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "statusSize": STATUS_SIZE,
            "statusMessage": STATUS_MESSAGES,
            "encodedList": encoded_list(),
        },
    }


def signed_status_list():
    credential = status_list_credential()
    key = signing_key()
    claims = dict(credential, iss=credential["issuer"], jti=credential["id"], iat=int(timezone.now().timestamp()))
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=[ALGORITHM])


# Verification -------------------------------------------------------------------------------

VALID = "valid"
REVOKED = "revoked"
SUSPENDED = "suspended"
LAPSED = "lapsed"
EXPIRED = "expired"
NOT_OURS = "not_ours"
UNREADABLE = "unreadable"

STATE_OUTCOMES = {State.VALID: VALID, State.SUSPENDED: SUSPENDED, State.LAPSED: LAPSED, State.REVOKED: REVOKED}


@dataclass
class Verdict:
    outcome: str
    reason: str
    credential: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return self.outcome == VALID

    @property
    def title(self):
        return OUTCOME_TITLES[self.outcome]

    @property
    def tone(self):
        """The Bootstrap alert colour of the answer."""
        return "success" if self.is_valid else "warning" if self.outcome in (NOT_OURS, UNREADABLE) else "danger"


OUTCOME_TITLES = {
    VALID: "Valid.",
    REVOKED: "Revoked.",
    SUSPENDED: "Suspended.",
    LAPSED: "Lapsed.",
    EXPIRED: "Expired.",
    NOT_OURS: "Not issued by the Centre.",
    UNREADABLE: "Not issued by the Centre.",
}


def _token_from(text):
    text = (text or "").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        # An enveloped credential, or a JSON file that carries the JWT.
        for name in ("jwt", "credential", "id"):
            value = data.get(name) if isinstance(data, dict) else None
            if isinstance(value, str) and value.count(".") == 2:
                return value.removeprefix("data:application/vc+jwt,")
        return None
    return text if text.count(".") == 2 else None


def verify(text):
    """Whether `text` (a VC-JWT, pasted or uploaded) is a credential the Centre issued and
    still stands: signature against the published keys, issuer, expiry, then the status list."""
    token = _token_from(text)
    if token is None:
        return Verdict(UNREADABLE, "This is not a signed credential (a VC-JWT) the portal can read.")
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError):
        return Verdict(UNREADABLE, "This is not a signed credential (a VC-JWT) the portal can read.")
    if header.get("alg") != ALGORITHM:
        return Verdict(NOT_OURS, "It is not signed the way the Centre signs its credentials.")
    keys = [key for key in published_keys() if key.kid == header.get("kid")]
    if not keys:
        return Verdict(NOT_OURS, "It is not signed with any of the Centre's keys.")
    try:
        claims = jwt.decode(token, keys[0], algorithms=[ALGORITHM]).claims
    except (JoseError, ValueError):
        return Verdict(NOT_OURS, "Its signature does not match: it was changed after the Centre signed it.")
    issuer = claims.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims.get("iss") != issuer_id() or issuer != issuer_id():
        return Verdict(NOT_OURS, "It does not name the Centre as its issuer.")
    now = timezone.now().timestamp()
    if claims.get("exp") is not None and claims["exp"] < now:
        return Verdict(EXPIRED, "It has expired.", claims)
    status = claims.get("credentialStatus") or {}
    if status.get("statusListCredential") != status_list_url():
        return Verdict(NOT_OURS, "It does not use the Centre's status list.", claims)
    try:
        index = int(status.get("statusListIndex"))
        entry = CredentialStatusEntry.objects.get(pk=index)
    except (TypeError, ValueError, CredentialStatusEntry.DoesNotExist):
        return Verdict(NOT_OURS, "The Centre's status list has no such entry.", claims)
    outcome = STATE_OUTCOMES[State(entry.state)]
    reasons = {
        VALID: "Signed by the Centre, and it stands today.",
        SUSPENDED: "Signed by the Centre, but the credential is suspended.",
        LAPSED: "Signed by the Centre, but the credential has lapsed.",
        REVOKED: "Signed by the Centre, but it has been revoked.",
    }
    return Verdict(outcome, reasons[outcome], claims)
