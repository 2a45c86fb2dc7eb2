#!/usr/bin/env python3
"""Signs STS GetCallerIdentity with botocore's own SigV4 and prints the outcome as one JSON line.

Used by dev.irsa.testkit.BotocoreInteropTest to check the emulator accepts a client other than the Java SDK.

  sts_caller_identity.py call ENDPOINT REGION     -> {"Arn": ..., "Account": ..., "UserId": ...}
                                                     or {"error": {"Code": ..., "Message": ...}}
  sts_caller_identity.py presign ENDPOINT REGION  -> {"url": ...} (a presigned GET, as EKS auth tokens use)

Credentials come from the environment (IRSA_TEST_ACCESS_KEY_ID, IRSA_TEST_SECRET_ACCESS_KEY,
IRSA_TEST_SESSION_TOKEN) rather than arguments, so they do not show in process listings. Nothing secret is printed.
"""
import json
import os
import sys

import botocore
import botocore.config
import botocore.exceptions
import botocore.session


def main():
    mode, endpoint, region = sys.argv[1], sys.argv[2], sys.argv[3]
    client = botocore.session.get_session().create_client(
        'sts',
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=os.environ['IRSA_TEST_ACCESS_KEY_ID'],
        aws_secret_access_key=os.environ['IRSA_TEST_SECRET_ACCESS_KEY'],
        aws_session_token=os.environ['IRSA_TEST_SESSION_TOKEN'],
        config=botocore.config.Config(retries={'max_attempts': 0}),
    )
    if mode == 'presign':
        # HttpMethod='GET' as EKS token generators (aws eks get-token) use it; without it botocore signs POST.
        url = client.generate_presigned_url('get_caller_identity', ExpiresIn=60, HttpMethod='GET')
        print(json.dumps({'url': url,
                          'botocore': botocore.__version__}))
        return
    try:
        r = client.get_caller_identity()
        out = {k: r[k] for k in ('Arn', 'Account', 'UserId')}
    except botocore.exceptions.ClientError as e:
        out = {'error': {'Code': e.response['Error'].get('Code'), 'Message': e.response['Error'].get('Message')}}
    out['botocore'] = botocore.__version__
    print(json.dumps(out))


if __name__ == '__main__':
    main()
