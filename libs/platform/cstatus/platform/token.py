"""`python -m cstatus.platform.token --role status:admin --tenant acme`: print a development JWT."""

from __future__ import annotations

import argparse

from cstatus.platform.http.auth import ROLES, issue_dev_token
from cstatus.platform.settings import AuthSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a development JWT (HS256).")
    parser.add_argument("--role", action="append", default=[], choices=sorted(ROLES))
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="seconds until it expires")
    args = parser.parse_args(argv)
    settings = AuthSettings()
    if settings.env == "production":
        parser.error("development tokens are not issued with CSTATUS_ENV=production")
    print(
        issue_dev_token(
            settings.jwt_secret.get_secret_value(),
            tenant=args.tenant,
            roles=args.role or ["status:admin"],
            subject=args.subject,
            ttl_s=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
