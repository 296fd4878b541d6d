// A real OpenID Connect provider on loopback for Dossier's sign-in tests: the certified
// `oidc-provider` package, one confidential client, a few accounts, and a login without passwords.
// Started by crates/dossier/tests/common/oidc.rs; by hand:
//
//   node tests/oidc/provider.mjs --port 4000 --redirect-uri http://127.0.0.1:8080/login/oidc/callback
//
// Options (each also an environment variable):
//   --port N              OIDC_PORT           0 (any free port)
//   --host H              OIDC_HOST           127.0.0.1: the issuer's host (`localhost` makes the
//                                             provider another site than 127.0.0.1 for a browser);
//                                             it always listens on 127.0.0.1
//   --client-id ID        OIDC_CLIENT_ID      dossier
//   --client-secret S     OIDC_CLIENT_SECRET  dossier-test-secret
//   --redirect-uri URI    OIDC_REDIRECT_URI   http://127.0.0.1:8080/login/oidc/callback
//   --claims-in-id-token  OIDC_CLAIMS_IN_ID_TOKEN=1: put the e-mail and role claims in the ID token
//                         too (by default, as many providers do for the code flow, the ID token
//                         has `sub` only and the rest comes from the user-info endpoint)
//   --accounts JSON       OIDC_ACCOUNTS       accounts as {id: {claims…}}, replacing the built-in ones
//
// Once listening it prints one line of JSON, {"issuer": …, "port": …}, and runs until it is sent
// SIGTERM or its standard input closes (the test that started it is gone).
//
// The login: the provider's interaction page (/interaction/<uid>) lists the accounts as buttons;
// `?login=<id>` on that URL signs the account in at once (for tests driving it with HTTP alone).
// Consent is given at once. PKCE is required of every client.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    'claims-in-id-token': { type: 'boolean' },
    accounts: { type: 'string' },
  },
});
const env = process.env;
const port = Number(args.port ?? env.OIDC_PORT ?? 0);
const host = args.host ?? env.OIDC_HOST ?? '127.0.0.1';
const clientId = args['client-id'] ?? env.OIDC_CLIENT_ID ?? 'dossier';
const clientSecret = args['client-secret'] ?? env.OIDC_CLIENT_SECRET ?? 'dossier-test-secret';
const redirectUri =
  args['redirect-uri'] ?? env.OIDC_REDIRECT_URI ?? 'http://127.0.0.1:8080/login/oidc/callback';
const claimsInIdToken = args['claims-in-id-token'] || env.OIDC_CLAIMS_IN_ID_TOKEN === '1';

/** The built-in accounts: the bank's staff, one unverified address, one of another company. */
const BUILT_IN = {
  ana: { email: 'ana@bank.test', email_verified: true, name: 'Ana Admin', dossier_role: 'admin' },
  quinn: {
    email: 'Quinn@Bank.test',
    email_verified: true,
    name: 'Quinn Qualified',
    dossier_role: 'qualified_reviewer',
    groups: ['staff', 'qualified_reviewer'],
  },
  rey: { email: 'rey@bank.test', email_verified: true, name: 'Rey Reviewer' },
  una: { email: 'una@bank.test', email_verified: false, name: 'Una Unverified' },
  olga: { email: 'olga@elsewhere.test', email_verified: true, name: 'Olga Outsider' },
  nobody: { email: 'nobody@bank.test', email_verified: true, name: 'No Account' },
  dee: { email: 'dee@bank.test', email_verified: true, name: 'Dee Deactivated' },
};
const accounts = JSON.parse(args.accounts ?? env.OIDC_ACCOUNTS ?? 'null') ?? BUILT_IN;
// Every claim an account has besides these is offered with the `profile` scope.
const extraClaims = [
  ...new Set(Object.values(accounts).flatMap((claims) => Object.keys(claims))),
].filter((c) => !['sub', 'email', 'email_verified', 'name'].includes(c));

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  format: 'jwk',
});

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const actualPort = server.address().port;
const issuer = `http://${host}:${actualPort}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey, kid: `test-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', ...extraClaims],
  },
  conformIdTokenClaims: !claimsInIdToken,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  renderError(ctx, out) {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
  },
});
provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The interactions: a login chooser (or `?login=`), and consent given at once. */
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    let login = ctx.query.login;
    if (ctx.method === 'POST') {
      const body = await new Promise((resolve) => {
        let text = '';
        ctx.req.setEncoding('utf8');
        ctx.req.on('data', (chunk) => (text += chunk));
        ctx.req.on('end', () => resolve(text));
      });
      login = new URLSearchParams(body).get('login');
    }
    if (!login) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = `<!doctype html><html lang="en"><meta charset="utf-8">
<title>Test provider: sign in</title>
<main><h1>Sign in to the test provider</h1>
<form method="post" action="/interaction/${escape(details.uid)}">
${Object.entries(accounts)
  .map(([id, c]) => `<button type="submit" name="login" value="${escape(id)}">${escape(c.email ?? id)}</button>`)
  .join('\n')}
</form></main></html>`;
      return;
    }
    if (!accounts[login]) {
      ctx.status = 400;
      ctx.body = `no account ${login}\n`;
      return;
    }
    result = { login: { accountId: login } };
  } else if (details.prompt.name === 'consent') {
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.status = 400;
    ctx.body = `unexpected prompt ${details.prompt.name}\n`;
    return;
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: false,
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);
// Standard output says only that; the package's notices go with the errors.
console.log = console.info = console.error;

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
