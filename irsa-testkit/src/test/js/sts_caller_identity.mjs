// Signs STS GetCallerIdentity with the AWS SDK for JavaScript v3 and prints the outcome as one JSON line.
// Used by dev.irsa.testkit.OtherClientsInteropTest (opt-in). Run from a directory whose node_modules holds
// @aws-sdk/client-sts:  node sts_caller_identity.mjs call ENDPOINT REGION
// Credentials come from IRSA_TEST_ACCESS_KEY_ID / IRSA_TEST_SECRET_ACCESS_KEY / IRSA_TEST_SESSION_TOKEN, so they
// do not show in process listings; nothing secret is printed.
import { createRequire } from 'node:module';
import path from 'node:path';

// Resolve the SDK from the working directory, not from this script's location under src/test/js.
const require = createRequire(path.join(process.cwd(), 'noop.js'));
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');

const [, , mode, endpoint, region] = process.argv;
if (mode !== 'call') {
  throw new Error(`unknown mode ${mode}`);
}
const client = new STSClient({
  endpoint,
  region,
  maxAttempts: 1,
  credentials: {
    accessKeyId: process.env.IRSA_TEST_ACCESS_KEY_ID,
    secretAccessKey: process.env.IRSA_TEST_SECRET_ACCESS_KEY,
    sessionToken: process.env.IRSA_TEST_SESSION_TOKEN,
  },
});
let out;
try {
  const r = await client.send(new GetCallerIdentityCommand({}));
  out = { Arn: r.Arn, Account: r.Account, UserId: r.UserId };
} catch (e) {
  out = { error: { Code: e.name, Message: e.message } };
}
console.log(JSON.stringify(out));
