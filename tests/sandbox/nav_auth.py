"""tests/sandbox/nav_auth.py - authentication for the NAV sandbox.

Basic (user + web service access key), NTLM (the server side of the
handshake, NTLMv2 responses checked; Python's hashlib lacks MD4 under
OpenSSL 3, so a small MD4 is here) and OAuth 2.0 client credentials with a
token endpoint shaped like Microsoft Entra's."""

import base64
import hashlib
import hmac
import json
import os
import struct
import time
import uuid


# ---------------------------------------------------------------- MD4 (RFC 1320)
def _rotl(x, n):
    x &= 0xFFFFFFFF
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def md4(data):
    msg = bytearray(data)
    n = len(msg) * 8
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", n & 0xFFFFFFFFFFFFFFFF)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476

    def f(x, y, z):
        return (x & y) | (~x & z)

    def g(x, y, z):
        return (x & y) | (x & z) | (y & z)

    def h(x, y, z):
        return x ^ y ^ z
    for off in range(0, len(msg), 64):
        X = struct.unpack("<16I", bytes(msg[off:off + 64]))
        aa, bb, cc, dd = a, b, c, d
        for i in (0, 4, 8, 12):
            a = _rotl(a + f(b, c, d) + X[i], 3)
            d = _rotl(d + f(a, b, c) + X[i + 1], 7)
            c = _rotl(c + f(d, a, b) + X[i + 2], 11)
            b = _rotl(b + f(c, d, a) + X[i + 3], 19)
        for i in (0, 1, 2, 3):
            a = _rotl(a + g(b, c, d) + X[i] + 0x5A827999, 3)
            d = _rotl(d + g(a, b, c) + X[i + 4] + 0x5A827999, 5)
            c = _rotl(c + g(d, a, b) + X[i + 8] + 0x5A827999, 9)
            b = _rotl(b + g(c, d, a) + X[i + 12] + 0x5A827999, 13)
        for i in (0, 2, 1, 3):
            a = _rotl(a + h(b, c, d) + X[i] + 0x6ED9EBA1, 3)
            d = _rotl(d + h(a, b, c) + X[i + 8] + 0x6ED9EBA1, 9)
            c = _rotl(c + h(d, a, b) + X[i + 4] + 0x6ED9EBA1, 11)
            b = _rotl(b + h(c, d, a) + X[i + 12] + 0x6ED9EBA1, 15)
        a, b, c, d = ((a + aa) & 0xFFFFFFFF, (b + bb) & 0xFFFFFFFF,
                      (c + cc) & 0xFFFFFFFF, (d + dd) & 0xFFFFFFFF)
    return struct.pack("<4I", a, b, c, d)


assert md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"

# ---------------------------------------------------------------- NTLM
NTLM_SIG = b"NTLMSSP\x00"
NEG_UNICODE, NEG_OEM, REQ_TARGET, NEG_NTLM = 0x1, 0x2, 0x4, 0x200
NEG_ALWAYS_SIGN, TARGET_DOMAIN, NEG_ESS = 0x8000, 0x10000, 0x80000
NEG_TARGET_INFO, NEG_128, NEG_56 = 0x800000, 0x20000000, 0x80000000


def nt_hash(password):
    return md4(password.encode("utf-16-le"))


def ntowf_v2(password, user, domain):
    return hmac.new(nt_hash(password), (user.upper() + domain).encode("utf-16-le"),
                    hashlib.md5).digest()


def _secbuf(data, off):
    return struct.pack("<HHI", len(data), len(data), off)


def ntlm_type2(challenge, domain="NAVSANDBOX", host="NAVSRV"):
    """The server's CHALLENGE_MESSAGE, with target info so clients answer NTLMv2."""
    def av(i, s):
        b = s.encode("utf-16-le")
        return struct.pack("<HH", i, len(b)) + b
    ts = int((time.time() + 11644473600) * 10000000)
    info = (av(2, domain) + av(1, host) + av(4, domain.lower() + ".local")
            + av(3, host.lower() + "." + domain.lower() + ".local")
            + struct.pack("<HHQ", 7, 8, ts) + struct.pack("<HH", 0, 0))
    target = domain.encode("utf-16-le")
    # extended session security: curl then answers with a full NTLMv2 response
    flags = (NEG_UNICODE | REQ_TARGET | NEG_NTLM | NEG_ALWAYS_SIGN | TARGET_DOMAIN | NEG_ESS
             | NEG_TARGET_INFO | NEG_128 | NEG_56)
    off = 48
    return (NTLM_SIG + struct.pack("<I", 2) + _secbuf(target, off) + struct.pack("<I", flags)
            + challenge + b"\x00" * 8 + _secbuf(info, off + len(target)) + target + info)


def _field(msg, pos):
    ln, _, off = struct.unpack_from("<HHI", msg, pos)
    if off + ln > len(msg):
        raise ValueError("security buffer out of the message")
    return msg[off:off + ln]


def ntlm_parse(b64):
    """-> (type, message bytes); ValueError when it is not NTLMSSP."""
    msg = base64.b64decode(b64.strip(), validate=True)
    if len(msg) < 12 or msg[:8] != NTLM_SIG:
        raise ValueError("not an NTLMSSP message")
    return struct.unpack_from("<I", msg, 8)[0], msg


def ntlm_check_type3(msg, challenge, users):
    """users: {(DOMAIN, user) lower-cased: password}.  -> 'DOMAIN\\user' or raises
    ValueError with the reason."""
    if len(msg) < 64:
        raise ValueError("type 3 message too short")
    flags = struct.unpack_from("<I", msg, 60)[0]
    nt = _field(msg, 20)
    dom_b, user_b = _field(msg, 28), _field(msg, 36)
    enc = "utf-16-le" if flags & NEG_UNICODE else "latin-1"
    domain, user = dom_b.decode(enc), user_b.decode(enc)
    pw = users.get((domain.lower(), user.lower()))
    if pw is None:
        raise ValueError("unknown user %s\\%s" % (domain, user))
    if len(nt) <= 24:
        raise ValueError("NTLMv1 response refused (the sandbox wants NTLMv2)")
    proof, blob = nt[:16], nt[16:]
    want = hmac.new(ntowf_v2(pw, user, domain), challenge + blob, hashlib.md5).digest()
    if not hmac.compare_digest(proof, want):
        raise ValueError("wrong password for %s\\%s" % (domain, user))
    return "%s\\%s" % (domain, user)


# ---------------------------------------------------------------- OAuth
BC_SCOPE = "https://api.businesscentral.dynamics.com/.default"


def entra_error(status, error, code, desc):
    body = {"error": error, "error_description": "AADSTS%d: %s Trace ID: %s "
            "Correlation ID: %s Timestamp: %s" % (code, desc, uuid.uuid4(), uuid.uuid4(),
                                                  time.strftime("%Y-%m-%d %H:%M:%SZ",
                                                                time.gmtime())),
            "error_codes": [code], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ",
                                                              time.gmtime()),
            "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4())}
    return status, body


class Tokens:
    """Issued bearer tokens: token -> (client_id, expiry as time.time())."""

    def __init__(self, clients, ttl):
        self.clients = clients      # client_id -> secret
        self.ttl = ttl
        self.issued = {}
        self.count = 0

    def token_request(self, form, basic):
        """form: parsed x-www-form-urlencoded dict; basic: (id, secret) from an
        Authorization: Basic header or None.  -> (status, JSON body)."""
        if form.get("grant_type") != "client_credentials":
            return entra_error(400, "unsupported_grant_type", 70003,
                               "The app requested an unsupported grant type '%s'."
                               % form.get("grant_type", ""))
        cid = form.get("client_id") or (basic[0] if basic else None)
        secret = form.get("client_secret") or (basic[1] if basic else None)
        if not cid:
            return entra_error(400, "invalid_request", 900144,
                               "The request body must contain the following parameter: "
                               "'client_id'.")
        if cid not in self.clients:
            return entra_error(400, "unauthorized_client", 700016,
                               "Application with identifier '%s' was not found in the "
                               "directory 'NAV Sandbox'." % cid)
        if not secret:
            return entra_error(401, "invalid_client", 7000216,
                               "'client_assertion', 'client_secret' or 'request' is "
                               "required for the 'client_credentials' grant type.")
        if not hmac.compare_digest(secret.encode(), self.clients[cid].encode()):
            return entra_error(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being "
                               "sent in the request is the client secret value, not the "
                               "client secret ID, for a secret added to app '%s'." % cid)
        scope = form.get("scope", "")
        if not scope.endswith("/.default"):
            return entra_error(400, "invalid_scope", 1002012,
                               "The provided value for scope %s is not valid. Client "
                               "credential flows must have a scope value with /.default "
                               "suffixed to the resource identifier (application ID URI)."
                               % scope)
        self.count += 1
        tok = "eyJ0eXAiOiJKV1QifQ." + base64.urlsafe_b64encode(os.urandom(24)).decode() \
            .rstrip("=") + ".%d" % self.count
        self.issued[tok] = (cid, time.time() + self.ttl)
        return 200, {"token_type": "Bearer", "expires_in": self.ttl,
                     "ext_expires_in": self.ttl, "access_token": tok}

    def check(self, tok):
        """-> (client_id, None) or (None, why)."""
        it = self.issued.get(tok)
        if it is None:
            return None, "invalid_token"
        if time.time() >= it[1]:
            return None, "expired"
        return it[0], None


def json_dumps(o):
    return json.dumps(o, ensure_ascii=False)
