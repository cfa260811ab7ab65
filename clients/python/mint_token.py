#!/usr/bin/env python3
"""Mints an HS256 JWT for a Switchboard gateway whose key is SWITCHBOARD_JWT_SECRET(_FILE): standard library only.

Usage: mint_token.py --secret-file FILE (or SWITCHBOARD_JWT_SECRET in the environment) [--sub NAME] [--ttl SECONDS]
Prints the token. It carries sub, iat and exp (the gateway refuses tokens older than SWITCHBOARD_JWT_MAX_AGE_SECONDS,
a day by default), so mint a fresh one for each run of a service, or keep --ttl within that age.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(secret, sub, ttl, now=None):
    now = int(time.time()) if now is None else now
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = b64url(json.dumps({"sub": sub, "iat": now, "exp": now + ttl}, separators=(",", ":")).encode())
    signing_input = (header + "." + claims).encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return header + "." + claims + "." + b64url(signature)


def main():
    parser = argparse.ArgumentParser(description="mint an HS256 JWT for a Switchboard gateway")
    parser.add_argument("--secret-file", default=os.environ.get("SWITCHBOARD_JWT_SECRET_FILE"))
    parser.add_argument("--sub", default="bridge-service")
    parser.add_argument("--ttl", type=int, default=3600)
    args = parser.parse_args()
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as f:
            secret = f.read().strip()  # as the gateway reads the file
    else:
        secret = os.environ.get("SWITCHBOARD_JWT_SECRET")
    if not secret:
        print("no key: pass --secret-file or set SWITCHBOARD_JWT_SECRET(_FILE)", file=sys.stderr)
        return 2
    print(mint(secret, args.sub, args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
