"""Optional verification of externally issued JSON Web Tokens (an OIDC provider's access tokens).

Configured with a local key file - a PEM public key or a JWKS document (as an identity provider
publishes it at its ``jwks_uri``) - so nothing is fetched at request time. The role and the
organisation come from configurable claims; the signature, expiry, and (when configured) issuer
and audience are checked by PyJWT. Symmetric algorithms are refused: a public-key deployment
must not accept tokens signed with the public key as an HMAC secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt

from graph_service.services.access import InvalidToken, Principal, Role

ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]


class JwtVerifier:
    def __init__(self, key_file: Path, *, issuer: str | None = None, audience: str | None = None,
                 role_claim: str = "dbp_role", organisation_claim: str = "dbp_org") -> None:
        text = key_file.read_text(encoding="utf-8")
        self._keys: dict[str | None, Any] = {}
        if text.lstrip().startswith("{"):
            for key in jwt.PyJWKSet.from_dict(json.loads(text)).keys:
                self._keys[key.key_id] = key.key
        else:
            self._keys[None] = text
        self.issuer = issuer
        self.audience = audience
        self.role_claim = role_claim
        self.organisation_claim = organisation_claim

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2 and not token.startswith("dbp_")

    def _key_for(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        if kid in self._keys:
            return self._keys[kid]
        if None in self._keys:
            return self._keys[None]
        if len(self._keys) == 1:
            return next(iter(self._keys.values()))
        raise InvalidToken("token signed with an unknown key")

    def authenticate(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._key_for(token), algorithms=ASYMMETRIC, audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("expired token") from None
        except jwt.PyJWTError as exc:
            # PyJWT's messages name the failed check (signature, audience...), not secrets.
            raise InvalidToken(f"invalid token: {exc}") from None
        try:
            role = Role(str(claims.get(self.role_claim, "public")))
        except ValueError:
            raise InvalidToken(f"unknown role in claim {self.role_claim!r}") from None
        organisation = claims.get(self.organisation_claim)
        return Principal(id=f"jwt-{claims['sub']}"[:128], role=role,
                         organisation=str(organisation) if organisation else None)
