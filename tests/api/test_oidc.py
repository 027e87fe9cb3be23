"""Externally issued JWTs (OIDC access tokens) verified against a configured key file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import LiveServer


def _keys(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": "test-key", "use": "sig", "alg": "RS256"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return private, path


def _token(private: rsa.RSAPrivateKey, **claims: object) -> str:
    body = {"sub": "alice", "iss": "https://idp.example.org", "aud": "dbp",
            "exp": int(time.time()) + 300, "dbp_role": "authority", "dbp_org": "msa", **claims}
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": "test-key"})


@pytest.fixture
def oidc(server_factory, tmp_path: Path) -> tuple[LiveServer, rsa.RSAPrivateKey]:
    private, jwks = _keys(tmp_path)
    live = server_factory(jwt_key_file=jwks, jwt_issuer="https://idp.example.org",
                          jwt_audience="dbp")
    return live, private


def test_a_valid_jwt_authenticates_with_its_role(oidc) -> None:
    live, private = oidc
    response = live.client(_token(private)).get("/audit")
    assert response.status_code == 200  # authority may read the audit trail
    researcher = live.client(_token(private, dbp_role="researcher")).get("/audit")
    assert researcher.status_code == 403


@pytest.mark.parametrize("claims, reason", [
    ({"exp": int(time.time()) - 10}, "expired"),
    ({"aud": "someone-else"}, "audience"),
    ({"iss": "https://evil.example.org"}, "issuer"),
    ({"dbp_role": "emperor"}, "role"),
])
def test_invalid_jwts_are_401(oidc, claims: dict, reason: str) -> None:
    live, private = oidc
    response = live.client(_token(private, **claims)).get("/audit")
    assert response.status_code == 401, reason
    assert "Traceback" not in response.text


def test_a_jwt_signed_by_another_key_or_with_hmac_is_refused(oidc, tmp_path: Path) -> None:
    live, _ = oidc
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert live.client(_token(other)).get("/audit").status_code == 401
    public_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    # The classic key-confusion forgery: HS256 with the public key as the HMAC secret.
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "test-key"}).encode())
    payload = b64(json.dumps({"sub": "x", "exp": int(time.time()) + 60,
                              "dbp_role": "admin"}).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{b64(signature)}"
    assert live.client(forged).get("/audit").status_code == 401
