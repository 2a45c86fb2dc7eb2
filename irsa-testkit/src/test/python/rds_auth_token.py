#!/usr/bin/env python3
"""Prints an RDS IAM authentication token signed by botocore's own generate_db_auth_token, as one JSON line.

  rds_auth_token.py HOST PORT USER REGION  -> {"token": ..., "botocore": ...}

Credentials come from the environment (IRSA_TEST_ACCESS_KEY_ID, IRSA_TEST_SECRET_ACCESS_KEY, IRSA_TEST_SESSION_TOKEN).
The token is printed because the test verifies it; it is signed with throw-away emulator credentials.
"""
import json
import os
import sys

import botocore
import botocore.session


def main():
    host, port, user, region = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    client = botocore.session.get_session().create_client(
        'rds',
        region_name=region,
        aws_access_key_id=os.environ['IRSA_TEST_ACCESS_KEY_ID'],
        aws_secret_access_key=os.environ['IRSA_TEST_SECRET_ACCESS_KEY'],
        aws_session_token=os.environ['IRSA_TEST_SESSION_TOKEN'],
    )
    token = client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)
    print(json.dumps({'token': token, 'botocore': botocore.__version__}))


if __name__ == '__main__':
    main()
