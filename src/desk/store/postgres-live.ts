// LISTEN/NOTIFY relay for live updates between API replicas on one PostgreSQL
// database. One dedicated connection listens; notifications are sent through
// the pool. A lost listening connection is re-opened (notifications sent while
// it was down are missed: the dashboard is refetched on reconnect by clients).
import pg from 'pg';
import type { LiveRelay } from './desk-store.ts';

const CHANNEL = 'failover_drill_desk_live';
// PostgreSQL's NOTIFY payload limit is 8000 bytes.
const MAX_PAYLOAD = 7900;

export async function openPostgresLiveRelay(connectionString: string, send: (channel: string, payload: string) => Promise<void>): Promise<LiveRelay> {
  const handlers: ((payload: string) => void)[] = [];
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload) for (const h of handlers) h(n.payload);
    });
    const reconnect = () => {
      if (closed || client !== c) return;
      client = null;
      retry = setTimeout(() => {
        retry = null;
        connect().catch(reconnect);
      }, 1000);
      retry.unref();
    };
    c.on('error', reconnect);
    c.on('end', reconnect);
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };
  await connect();

  return {
    async send(payload) {
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new RangeError('live event too large for NOTIFY');
      await send(CHANNEL, payload);
    },
    onMessage(fn) {
      handlers.push(fn);
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
