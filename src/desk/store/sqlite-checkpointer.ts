// Worker thread that checkpoints the SQLite WAL through its own connection, so
// the fsyncs of a checkpoint never stall the desk's event loop (a PASSIVE
// checkpoint runs beside writers; durability comes from the WAL itself).
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    /* busy: next time */
  }
};
const timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
parentPort!.postMessage('ready');
