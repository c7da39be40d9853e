/**
 * Local stand-in for Neon's serverless SQL-over-HTTP endpoint.
 *
 * Speaks the protocol `@neondatabase/serverless` 1.x uses when a query goes
 * through `neon()` (see DESIGN.md §6): POST a JSON body `{query, params}` or
 * `{queries:[...]}` (a transaction batch), answer with Postgres *text* values
 * plus field metadata so the driver can parse types itself. Postgres errors
 * come back as HTTP 400 with every error field, which is what lets the driver
 * surface `err.code` / `err.constraint`.
 *
 * Two backends share one `pg.Pool` code path: an embedded PGlite (through its
 * node-postgres adapter; one connection, so the pool has max 1 and every
 * request, including whole transactions, is serialised by the pool's queue)
 * or a real PostgreSQL when a connection string is given.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { closeServer, debugFor, listen, PayloadTooLarge, readBody, sendJson } from './http.ts';
import { FaultInjector, FAULT_KINDS, type FaultRates, type Outcome } from './faults.ts';

export interface NeonHttpOptions {
  /** 0 (default) picks a random free port. */
  port?: number;
  /** Defaults to 127.0.0.1; the plane never listens on public interfaces. */
  host?: string;
  /** Real PostgreSQL connection string; when absent an embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
  /**
   * Fault injection (dev/faults.ts). `separate: true` (tests) opens a second listener on
   * `port` (0 = random) in front of the same database, so only what is pointed at it sees faults;
   * `separate: false` (the bench's whole stack) injects on the main listener itself. Either way the
   * faulty listener serves the control API at /__faults.
   */
  faults?: { separate: boolean; port?: number; rates?: Partial<FaultRates>; armed?: FaultRates; seed?: number; delayMs?: number };
}

export interface NeonHttpServer {
  /** The endpoint to give `neonConfig.fetchEndpoint`, e.g. http://127.0.0.1:4444/sql */
  url: string;
  backend: 'pglite' | 'postgres';
  /** With `faults`: the SQL endpoint that injects them (the same as `url` when not separate). */
  faultUrl?: string;
  /** With `faults`: the injector, for in-process callers (others use the control API). */
  faults?: FaultInjector;
  close(): Promise<void>;
}

/** Neon caps request bodies too; 10 MiB is plenty for any sane query. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const SQL_PATH = '/sql';
const FAULTS_PATH = '/__faults';
/** Marks the plane's health probe (dev/plane.ts). */
export const PROBE_HEADER = 'x-bb-plane-probe';

/** Every field of a Postgres ErrorResponse the driver copies onto NeonDbError. */
const ERROR_FIELDS = [
  'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where',
  'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine',
] as const;

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

type Param = string | number | boolean | null | Param[] | { [k: string]: unknown };

interface QueryData {
  query: string;
  params: Param[];
}

interface FieldOut {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: 'text';
}

interface ResultOut {
  command: string;
  rowCount: number | null;
  rows: unknown[];
  fields: FieldOut[];
  rowAsArray: boolean;
}

/** Headers that shape one request's execution. */
interface RequestMode {
  arrayMode: boolean;
  isolation?: string;
  readOnly: boolean;
  deferrable: boolean;
}

/** The slice of `pg.PoolClient` we use, plus the tx status pg exposes untyped. */
type Client = pg.PoolClient & { getTransactionStatus?: () => string | null };

/** A failure the HTTP layer turns into a 400 with a Neon-style JSON error body. */
class BadRequest extends Error {}

// ---------------------------------------------------------------------------
// Backends

interface SqlBackend {
  kind: 'pglite' | 'postgres';
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Never parse anything server-side: the driver receives Postgres text output
 * and applies its own parsers, exactly like it does against real Neon.
 */
const rawTextTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

async function openPostgres(databaseUrl: string): Promise<SqlBackend> {
  const pool = new pg.Pool({ connectionString: databaseUrl, types: rawTextTypes, max: 10 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => debug('pool error', err.message));
  const client = await pool.connect(); // fail fast on a bad URL
  client.release();
  return { kind: 'postgres', pool, close: () => pool.end() };
}

async function openPglite(dataDir: string | undefined): Promise<SqlBackend> {
  // Loaded lazily so a real-Postgres plane never pays for the WASM bundle.
  const [{ PGlite }, { btree_gist }, { createPgConfig }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/node-postgres'),
  ]);
  let dir: string | undefined;
  if (dataDir !== undefined) {
    dir = resolve(dataDir);
    await mkdir(dirname(dir), { recursive: true });
  }
  // Loading the bundle is what makes `CREATE EXTENSION btree_gist` work.
  const pglite = await PGlite.create({ dataDir: dir, extensions: { btree_gist } });
  const config = createPgConfig(pglite);
  const pool = new pg.Pool({
    connection: config.connection,
    user: config.user,
    password: config.password,
    database: config.database,
    host: config.host,
    port: config.port,
    types: rawTextTypes,
    // PGlite is a single session: one client, queued, kept forever.
    max: 1,
    idleTimeoutMillis: 0,
  } as pg.PoolConfig);
  pool.on('error', (err) => debug('pglite pool error', err.message));
  return {
    kind: 'pglite',
    pool,
    close: async () => {
      await pool.end();
      if (!pglite.closed) await pglite.close();
    },
  };
}

// ---------------------------------------------------------------------------
// Query execution

function toResult(res: pg.QueryArrayResult, arrayMode: boolean): ResultOut {
  const fields: FieldOut[] = res.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: 'text',
  }));
  const rows = arrayMode
    ? res.rows
    : res.rows.map((row) => Object.fromEntries(row.map((v, i) => [fields[i]?.name ?? `?column?${i}`, v])));
  return { command: res.command, rowCount: res.rowCount, rows, fields, rowAsArray: arrayMode };
}

/**
 * `queryMode: 'extended'` forces one statement per request, as on Neon, even
 * when there are no parameters (pg would otherwise use the simple protocol).
 */
async function runOne(client: Client, q: QueryData, arrayMode: boolean): Promise<ResultOut> {
  const res = await client.query<unknown[]>({
    text: q.query,
    values: q.params,
    rowMode: 'array',
    queryMode: 'extended',
  } as pg.QueryArrayConfig);
  return toResult(res, arrayMode);
}

/** A session must never leak an open transaction into the next request. */
async function resetSession(client: Client): Promise<void> {
  const status = client.getTransactionStatus?.();
  if (status === 'T' || status === 'E') await client.query('ROLLBACK');
}

function beginStatement(mode: RequestMode): string {
  const parts = ['BEGIN'];
  if (mode.isolation) parts.push(`ISOLATION LEVEL ${mode.isolation}`);
  if (mode.readOnly) parts.push('READ ONLY');
  if (mode.deferrable) parts.push('DEFERRABLE');
  return parts.join(' ');
}

async function runBatch(client: Client, queries: QueryData[], mode: RequestMode): Promise<ResultOut[]> {
  await client.query(beginStatement(mode));
  try {
    const results: ResultOut[] = [];
    for (const q of queries) results.push(await runOne(client, q, mode.arrayMode));
    await client.query('COMMIT');
    return results;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function execute(backend: SqlBackend, body: unknown, mode: RequestMode): Promise<unknown> {
  const work = parseBody(body);
  const client = (await backend.pool.connect()) as Client;
  let broken: Error | undefined;
  try {
    if (Array.isArray(work)) return { results: await runBatch(client, work, mode) };
    return await runOne(client, work, mode.arrayMode);
  } finally {
    try {
      await resetSession(client);
    } catch (err) {
      broken = err as Error; // the session is unusable; let the pool drop it
    }
    client.release(broken);
  }
}

// ---------------------------------------------------------------------------
// Request parsing

function parseQueryData(value: unknown, where: string): QueryData {
  if (typeof value !== 'object' || value === null) throw new BadRequest(`${where}: expected an object`);
  const { query, params } = value as { query?: unknown; params?: unknown };
  if (typeof query !== 'string') throw new BadRequest(`${where}: "query" must be a string`);
  if (params !== undefined && params !== null && !Array.isArray(params)) {
    throw new BadRequest(`${where}: "params" must be an array`);
  }
  return { query, params: (params ?? []) as Param[] };
}

function parseBody(body: unknown): QueryData | QueryData[] {
  if (typeof body === 'object' && body !== null && 'queries' in body) {
    const { queries } = body as { queries: unknown };
    if (!Array.isArray(queries)) throw new BadRequest('"queries" must be an array');
    return queries.map((q, i) => parseQueryData(q, `queries[${i}]`));
  }
  return parseQueryData(body, 'body');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function parseMode(req: IncomingMessage): RequestMode {
  // The driver always sends `Neon-Array-Mode: true`; object rows are for other clients.
  const arrayMode = header(req, 'Neon-Array-Mode')?.toLowerCase() === 'true';
  const iso = header(req, 'Neon-Batch-Isolation-Level');
  const isolation = iso === undefined ? undefined : ISOLATION_LEVELS[iso];
  if (iso !== undefined && isolation === undefined) {
    throw new BadRequest(`invalid Neon-Batch-Isolation-Level: ${iso}`);
  }
  return {
    arrayMode,
    isolation,
    readOnly: header(req, 'Neon-Batch-Read-Only')?.toLowerCase() === 'true',
    deferrable: header(req, 'Neon-Batch-Deferrable')?.toLowerCase() === 'true',
  };
}

// ---------------------------------------------------------------------------
// HTTP

/** Postgres errors carry the driver's fields; anything else is a 500 text error. */
function errorBody(err: unknown): Record<string, unknown> | undefined {
  if (!(err instanceof Error) || typeof (err as { code?: unknown }).code !== 'string') return undefined;
  if (!('severity' in err)) return undefined; // a Node/socket error, not a Postgres one
  const fields = err as unknown as Record<string, unknown>;
  const body: Record<string, unknown> = { message: err.message };
  for (const key of ERROR_FIELDS) if (fields[key] !== undefined) body[key] = fields[key];
  return body;
}

const debug = debugFor('neon-http');

async function handle(backend: SqlBackend, req: IncomingMessage, res: ServerResponse, faults?: FaultInjector): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (faults && (path === FAULTS_PATH || path === `${FAULTS_PATH}/reset`)) {
    await control(faults, path, req, res);
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendJson(res, 405, { message: `method ${req.method} not allowed; POST ${SQL_PATH}` });
    return;
  }
  if (path !== SQL_PATH) {
    sendJson(res, 404, { message: `not found: POST ${SQL_PATH}` });
    return;
  }
  // `Neon-Connection-String` names the production database; locally there is one.
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof PayloadTooLarge) {
      sendJson(res, 413, { message: `request body exceeds ${MAX_BODY_BYTES} bytes` });
      res.once('finish', () => req.destroy());
    } else {
      req.destroy();
    }
    return;
  }
  try {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequest('request body is not valid JSON');
    }
    const mode = parseMode(req);
    // The plane's own health probe is never faulted: `npm start` would stop the stack on it.
    const outcome: Outcome = faults && header(req, PROBE_HEADER) !== '1' ? faults.draw(raw.toString('utf8')) : 'pass';
    if (outcome !== 'pass') debug('injecting', outcome);
    if (outcome === 'error_before') {
      sendJson(res, 503, { message: 'injected fault: service unavailable (statement not run)' });
      return;
    }
    if (outcome === 'reset_before') {
      req.socket.destroy();
      return;
    }
    if (outcome === 'delay') await new Promise((r) => setTimeout(r, faults!.config.delayMs));
    let reply: unknown;
    try {
      reply = await execute(backend, body, mode);
    } finally {
      // After the statement, whatever its result: committed (or refused) with the answer lost.
      if (outcome === 'error_after') sendJson(res, 503, { message: 'injected fault: service unavailable (statement run)' });
      if (outcome === 'reset_after') req.socket.destroy();
    }
    if (outcome === 'error_after' || outcome === 'reset_after') return;
    debug('ok', JSON.stringify(body).slice(0, 200));
    // A delayed request's client has usually given up and closed the socket by now.
    if (!req.socket.destroyed) sendJson(res, 200, reply);
  } catch (err) {
    if (res.headersSent || req.socket.destroyed) return;
    if (err instanceof BadRequest) {
      sendJson(res, 400, { message: err.message, code: '08P01' });
      return;
    }
    const pgError = errorBody(err);
    if (pgError) {
      debug('postgres error', pgError.code, pgError.message);
      sendJson(res, 400, pgError);
      return;
    }
    debug('internal error', err);
    sendJson(res, 500, { message: err instanceof Error ? err.message : String(err) });
  }
}

/** The control API of a faulty listener: read, change or reset what it injects. */
async function control(faults: FaultInjector, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && path === FAULTS_PATH) {
    sendJson(res, 200, { config: faults.config, counters: faults.counters() });
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', path === FAULTS_PATH ? 'GET, POST' : 'POST');
    sendJson(res, 405, { message: `method ${req.method} not allowed` });
    return;
  }
  if (path === `${FAULTS_PATH}/reset`) {
    faults.reset();
    sendJson(res, 200, { config: faults.config, counters: faults.counters() });
    return;
  }
  try {
    const raw = (await readBody(req, 64 * 1024)).toString('utf8');
    const change = (raw.trim() === '' ? {} : JSON.parse(raw)) as { rates?: Record<string, unknown>; seed?: number; delayMs?: number; arm?: boolean; limit?: number | null; match?: string | null };
    if (typeof change !== 'object' || change === null) throw new RangeError('expected a JSON object');
    const config = faults.configure({
      ...(change.rates !== undefined ? { rates: change.rates as Partial<FaultRates> } : {}),
      ...(change.seed !== undefined ? { seed: change.seed } : {}),
      ...(change.delayMs !== undefined ? { delayMs: change.delayMs } : {}),
      ...(change.arm !== undefined ? { arm: change.arm } : {}),
      ...(change.limit !== undefined ? { limit: change.limit } : {}),
      ...(change.match !== undefined ? { match: change.match } : {}),
    });
    sendJson(res, 200, { config, counters: faults.counters(), kinds: FAULT_KINDS });
  } catch (err) {
    sendJson(res, 400, { message: err instanceof Error ? err.message : String(err) });
  }
}

function serve(backend: SqlBackend, faults?: FaultInjector) {
  const server = createServer((req, res) => {
    handle(backend, req, res, faults).catch((err: unknown) => {
      debug('unhandled', err);
      sendJson(res, 500, { message: 'internal error' });
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

export async function startNeonHttp(opts: NeonHttpOptions = {}): Promise<NeonHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  const backend = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir);
  const injector = opts.faults
    ? new FaultInjector({
        ...(opts.faults.rates ? { rates: opts.faults.rates } : {}),
        ...(opts.faults.armed ? { armed: opts.faults.armed } : {}),
        ...(opts.faults.seed !== undefined ? { seed: opts.faults.seed } : {}),
        ...(opts.faults.delayMs !== undefined ? { delayMs: opts.faults.delayMs } : {}),
      })
    : undefined;
  const separate = opts.faults?.separate === true;
  const server = serve(backend, separate ? undefined : injector);
  const faultServer = separate ? serve(backend, injector) : undefined;
  let address: AddressInfo;
  let faultAddress: AddressInfo | undefined;
  try {
    address = await listen(server, opts.port ?? 0, host);
    if (faultServer) faultAddress = await listen(faultServer, opts.faults?.port ?? 0, host);
  } catch (err) {
    if (server.listening) await closeServer(server);
    await backend.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const url = `http://${host}:${address.port}${SQL_PATH}`;
  return {
    url,
    backend: backend.kind,
    ...(injector ? { faults: injector, faultUrl: faultAddress ? `http://${host}:${faultAddress.port}${SQL_PATH}` : url } : {}),
    close: () => {
      closing ??= Promise.all([closeServer(server), faultServer ? closeServer(faultServer) : undefined]).then(() => backend.close());
      return closing;
    },
  };
}
