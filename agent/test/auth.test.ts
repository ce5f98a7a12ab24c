// Who may talk to a bound agent: the gateway's assertion for this binding (gateway and public
// modes), the client's own JWE credential for the bound user (direct mode). Public mode
// offers read-only tools only. Two users' data never mix.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, SignJWT, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode } from '@warmgate/proto';
import { ensureStore, signAssertion } from '@warmgate/contract';
import {
  bindRequest,
  connectAs,
  connectMcp,
  startContainer,
  type Container,
} from './support/container.js';
import { storeFile, storeLog } from './support/store-git.js';
import { call, ok } from './support/tool-result.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['publicKey'];

let root: string;
let store: string;
const containers: Container[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-auth-'));
  store = await ensureStore(join(root, 'store'));
});

afterAll(async () => {
  await Promise.all(containers.map((c) => c.stop()));
  await rm(root, { recursive: true, force: true });
});

async function container(env: NodeJS.ProcessEnv = {}): Promise<Container> {
  const c = await startContainer(env);
  containers.push(c);
  return c;
}

/** An MCP initialize with the given headers; resolves with the HTTP status. */
async function initializeStatus(c: Container, headers: Record<string, string>) {
  const response = await fetch(c.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '0' },
      },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('gateway mode', () => {
  let c: Container;
  let request: ReturnType<typeof bindRequest>;
  beforeAll(async () => {
    c = await container();
    request = bindRequest({ userId: 'gina', store });
    await c.lifecycle.bind(request);
  });

  it('serves a valid assertion for the bound user and binding', async () => {
    const token = await signAssertion(request.assertionKey, {
      userId: 'gina',
      bindingId: request.bindingId,
    });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': token })).toBe(200);
  });

  it('refuses a missing, foreign, expired or over-long assertion', async () => {
    const sign = (key: Uint8Array, claims: Parameters<typeof signAssertion>[1]) =>
      signAssertion(key, claims);
    const otherKey = new Uint8Array(32).fill(99);
    expect(await initializeStatus(c, {})).toBe(401);
    // Another binding's key (a replayed bind credential) does not verify.
    const foreignKey = await sign(otherKey, { userId: 'gina', bindingId: request.bindingId });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': foreignKey })).toBe(401);
    const otherBinding = await sign(request.assertionKey, { userId: 'gina', bindingId: 'b-x' });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': otherBinding })).toBe(401);
    const otherUser = await sign(request.assertionKey, {
      userId: 'mallory',
      bindingId: request.bindingId,
    });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': otherUser })).toBe(403);
    const expired = await sign(request.assertionKey, {
      userId: 'gina',
      bindingId: request.bindingId,
      now: Date.now() - 10 * 60_000,
    });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': expired })).toBe(401);
    const { SignJWT: Sign } = await import('jose');
    const longLived = await new Sign({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('gina')
      .setAudience(request.bindingId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(request.assertionKey);
    expect(await initializeStatus(c, { 'x-warmgate-assertion': longLived })).toBe(401);
    expect(await initializeStatus(c, { 'x-warmgate-assertion': 'not.a.jwt' })).toBe(401);
  });
});

describe('public mode', () => {
  it('offers read-only tools only, and pushes nothing', async () => {
    const c = await container();
    const request = bindRequest({ userId: 'anon-1234', store, mode: AuthMode.PUBLIC });
    const bound = await c.lifecycle.bind(request);
    expect(bound.created).toBe(true);
    const client = await connectAs(c, request);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    for (const tool of tools) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
    const names = tools.map((t) => t.name);
    expect(names).toContain('indicator_compute');
    expect(names).not.toContain('indicator_save');
    expect(names).not.toContain('conversation_append');
    const refused = await call(client, 'system_prompt_set', { text: 'hi' });
    expect(refused.isError).toBe(true);
    // The sidecar refuses it before the agent sees it.
    expect(refused.text).toMatch(/^PERMISSION_DENIED: tool system_prompt_set writes/);
    expect(await ok(client, 'profile_get')).toMatchObject({ riskTolerance: 'medium' });
    await client.close();
    await expect(storeLog(store, 'anon-1234')).rejects.toThrow(); // no repository was made
  });
});

describe('direct mode', () => {
  let c: Container;
  let request: ReturnType<typeof bindRequest>;
  let agentPublic: Key;
  let issuerPrivate: Key;
  let strangerPrivate: Key;

  const innerToken = (key: Key, sub: string, alg = 'ES256') =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid: 'issuer-1' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  const jwe = async (inner: string, sub: string, key = agentPublic) =>
    new CompactEncrypt(new TextEncoder().encode(inner))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', sub, cty: 'JWT' })
      .encrypt(key);

  beforeAll(async () => {
    const agentKeys = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const issuer = await generateKeyPair('ES256', { extractable: true });
    const stranger = await generateKeyPair('ES256', { extractable: true });
    agentPublic = agentKeys.publicKey;
    issuerPrivate = issuer.privateKey;
    strangerPrivate = stranger.privateKey;
    const jwk = { ...(await exportJWK(issuer.publicKey)), kid: 'issuer-1', alg: 'ES256' };
    c = await container({
      WARMGATE_AGENT_JWE_PRIVATE_KEY: await exportPKCS8(agentKeys.privateKey),
      WARMGATE_DIRECT_ISSUER_KEYS: JSON.stringify({ keys: [jwk] }),
    });
    request = bindRequest({ userId: 'dana', store, mode: AuthMode.DIRECT });
    await c.lifecycle.bind(request);
  });

  it('serves the bound user with a valid credential', async () => {
    const credential = await jwe(await innerToken(issuerPrivate, 'dana'), 'dana');
    const client = await connectMcp(c.mcpUrl, { 'x-warmgate-credential': credential });
    await ok(client, 'workspace_set_chart', { symbol: 'DANAUSD' });
    await client.close();
    expect(JSON.parse(await storeFile(store, 'dana', 'workspace.json')).symbol).toBe('DANAUSD');
  });

  it('refuses forged and mismatched credentials', async () => {
    const header = (credential: string) => ({ 'x-warmgate-credential': credential });
    // Another user's valid credential, with a forged routing hint for dana.
    const otherUser = await jwe(await innerToken(issuerPrivate, 'eve'), 'dana');
    expect(await initializeStatus(c, header(otherUser))).toBe(403);
    // Signed by a key the agent does not trust.
    const forged = await jwe(await innerToken(strangerPrivate, 'dana'), 'dana');
    expect(await initializeStatus(c, header(forged))).toBe(401);
    // Encrypted to someone else's key.
    const elsewhere = (await generateKeyPair('RSA-OAEP-256')).publicKey;
    const wrongKey = await jwe(await innerToken(issuerPrivate, 'dana'), 'dana', elsewhere);
    expect(await initializeStatus(c, header(wrongKey))).toBe(401);
    // A bare JWT (not encrypted), and nothing at all.
    expect(await initializeStatus(c, header(await innerToken(issuerPrivate, 'dana')))).toBe(401);
    expect(await initializeStatus(c, {})).toBe(401);
    // The gateway's assertion is not a direct-mode credential.
    const assertion = await signAssertion(request.assertionKey, {
      userId: 'dana',
      bindingId: request.bindingId,
    });
    expect(await initializeStatus(c, { 'x-warmgate-assertion': assertion })).toBe(401);
  });
});

describe('isolation', () => {
  it("never mixes two users' data", async () => {
    const [a, b] = await Promise.all([container(), container()]);
    const ra = bindRequest({ userId: 'ann', store });
    const rb = bindRequest({ userId: 'ben', store });
    await Promise.all([a.lifecycle.bind(ra), b.lifecycle.bind(rb)]);
    const [ca, cb] = await Promise.all([connectAs(a, ra), connectAs(b, rb)]);
    await Promise.all([
      ok(ca, 'system_prompt_set', { text: 'ann only' }),
      ok(cb, 'system_prompt_set', { text: 'ben only' }),
      ok(ca, 'indicator_save', { name: 'anns', spec: { indicator: 'sma', period: 5 } }),
    ]);
    expect(await ok(cb, 'system_prompt_get')).toEqual({ text: 'ben only\n' });
    expect((await call(cb, 'indicator_get', { name: 'anns' })).isError).toBe(true);
    expect(await storeFile(store, 'ann', 'system-prompt.md')).toBe('ann only\n');
    expect(await storeFile(store, 'ben', 'system-prompt.md')).toBe('ben only\n');
    // Ann's assertion does not open Ben's agent.
    const annOnBen = await signAssertion(ra.assertionKey, {
      userId: 'ann',
      bindingId: ra.bindingId,
    });
    expect(await initializeStatus(b, { 'x-warmgate-assertion': annOnBen })).toBe(401);
    await Promise.all([ca.close(), cb.close()]);
  });
});
