import pg from 'pg';
import { Redis } from 'ioredis';

/** Creates a database of our own on a real server; tests never touch databases they did not make. */
export async function createTestDatabase(serverUrl: string, name: string): Promise<{ name: string; url: string }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropTestDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^bb_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}: not one of ours`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes only the keys under our run's prefix. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix.startsWith('bbtest:')) throw new Error(`refusing to delete keys under ${prefix}`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
