import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '#libs/config';

/** What runs the read statements: the primary (PrismaService) or the replica (ReplicaService), interchangeably. */
export interface Reader {
  prepared<T extends object>(name: string, text: string, values: unknown[]): Promise<T[]>;
}

/**
 * A node-postgres pool under the process's database limits. The primary and the replica both take theirs from here,
 * so a replica never gets looser timeouts or a bigger pool than the primary (README, "Limits").
 */
export function createPool(connectionString: string, config: AppConfig, logName: string): pg.Pool {
  const { dbConnectMs, dbStatementMs } = config.timeouts;
  const pool = new pg.Pool({
    connectionString,
    max: config.limits.dbPoolSize,
    // An unreachable server or a full pool fails the request instead of queueing it forever.
    connectionTimeoutMillis: dbConnectMs,
    // The server cancels a statement that runs too long (a pull read of someone following thousands, say) ...
    statement_timeout: dbStatementMs,
    idle_in_transaction_session_timeout: dbStatementMs * 2,
    // ... and the client stops waiting for a server that answers nothing at all (frozen, or the network gone).
    query_timeout: dbStatementMs + 1000,
  });
  // A connection that breaks while idle in the pool is an outage to ride out, not a crash (pg re-emits it here).
  pool.on('error', (error) => new Logger(logName).warn(`idle connection lost: ${error.message}`));
  return pool;
}
