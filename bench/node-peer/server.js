// The users service written the usual Node.js way (Express + node-postgres), as the peer bench/run
// compares zintrust-host against. Same table (ecommerce_users.users, made by the host's migration),
// same routes, same api-key check, same JSON shapes and error codes as services/ecommerce/users.
//   PORT, DATABASE_URL, SERVICE_API_KEY, DB_POOL_MAX, DB_POOL_IDLE_TIMEOUT_MS,
//   DB_POOL_CONNECTION_TIMEOUT_MS (node-postgres semantics: the host's pool copies them)
'use strict';

const crypto = require('crypto');
const express = require('express');
const { Pool, types } = require('pg');

// Keep what the host returns: bigint ids as JSON numbers, timestamps as PostgreSQL's text.
types.setTypeParser(20, (v) => Number(v));
types.setTypeParser(1184, (v) => v);
types.setTypeParser(1114, (v) => v);

const env = (name, fallback) => (process.env[name] === undefined ? fallback : process.env[name]);
const pool = new Pool({
  connectionString: env('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/zintrust'),
  max: Number(env('DB_POOL_MAX', '20')),
  idleTimeoutMillis: Number(env('DB_POOL_IDLE_TIMEOUT_MS', '30000')),
  connectionTimeoutMillis: Number(env('DB_POOL_CONNECTION_TIMEOUT_MS', '2000')),
});
const TABLE = 'ecommerce_users.users';

const keys = env('SERVICE_API_KEY', '').split(',').filter((k) => k.length > 0).map((k) => Buffer.from(k));
if (keys.length === 0) {
  console.error('SERVICE_API_KEY is required');
  process.exit(2);
}

function fail(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function keyMatches(presented) {
  const p = Buffer.from(presented);
  let ok = false;
  for (const k of keys) {
    // timingSafeEqual needs equal lengths; compare against itself to keep the time flat.
    if (k.length === p.length) ok = crypto.timingSafeEqual(k, p) || ok;
    else crypto.timingSafeEqual(p, p);
  }
  return ok;
}

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ limit: '1mb' }));

app.get('/health', (req, res) => res.json({ service: 'users', status: 'healthy' }));

app.use((req, res, next) => {
  let key = req.get('x-api-key');
  const auth = req.get('authorization');
  if (!key && auth && auth.startsWith('Bearer ')) key = auth.slice(7);
  if (!key) return fail(res, 401, 'missing_credentials', 'an API key is required');
  if (!keyMatches(key)) return fail(res, 401, 'invalid_credentials', 'the API key is not valid');
  return next();
});

const toApi = (row) => ({
  id: row.id, name: row.name, email: row.email, createdAt: row.created_at, updatedAt: row.updated_at,
});

function dbError(res, e) {
  if (e.code === '23505') return fail(res, 409, 'email_taken', 'email is already registered');
  if (/timeout/i.test(e.message || '')) {
    res.set('Retry-After', '1');
    return fail(res, 503, 'database_unavailable', e.message);
  }
  return fail(res, 500, 'internal_error', 'internal error');
}

app.get('/users/:id', async (req, res) => {
  const id = Number(req.params.id);
  if (!/^[0-9]+$/.test(req.params.id) || !Number.isSafeInteger(id) || id <= 0) {
    return fail(res, 400, 'bad_request', `id must be a positive integer, got '${req.params.id}'`);
  }
  try {
    const r = await pool.query(`SELECT * FROM ${TABLE} WHERE id = $1 LIMIT 1`, [id]);
    if (r.rows.length === 0) return fail(res, 404, 'not_found', `user ${id} not found`);
    return res.json(toApi(r.rows[0]));
  } catch (e) {
    return dbError(res, e);
  }
});

function requiredString(body, key, maxLength) {
  const v = body[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength) {
    throw Object.assign(new Error(`'${key}' must be a non-empty string of at most ${maxLength} characters`),
      { validation: true });
  }
  return v;
}

app.post('/users', async (req, res) => {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return fail(res, 400, 'invalid_json', 'request body must be a JSON object');
  }
  let name;
  let email;
  try {
    name = requiredString(body, 'name', 200);
    email = requiredString(body, 'email', 320);
  } catch (e) {
    return fail(res, 422, 'validation_failed', e.message);
  }
  try {
    const r = await pool.query(`INSERT INTO ${TABLE} (name, email) VALUES ($1, $2) RETURNING *`, [name, email]);
    const row = r.rows[0];
    return res.status(201).set('Location', `/users/${row.id}`).json(toApi(row));
  } catch (e) {
    return dbError(res, e);
  }
});

app.use((err, req, res, next) => {  // eslint-disable-line no-unused-vars
  if (err.type === 'entity.parse.failed') return fail(res, 400, 'invalid_json', 'request body is not valid JSON');
  return fail(res, 500, 'internal_error', 'internal error');
});

const port = Number(env('PORT', '3101'));
const server = app.listen(port, '127.0.0.1', () => console.log(`node-peer users on 127.0.0.1:${port}`));
server.keepAliveTimeout = 5000;
const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
