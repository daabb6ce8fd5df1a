// The memory.get floor (harness/floor.ts) in a process of its own, as the workers rows run our
// server: `node --import tsx bench/harness/floor-process.ts <database url>` prints its URL.
import postgres from 'postgres';
import type { Sql } from '../../db/connect.js';
import { startFloorServer } from './floor.js';

const sql = postgres(process.argv[2]!, { max: 10, onnotice: () => {} });
const floor = await startFloorServer(sql as unknown as Sql);
process.stdout.write(`${floor.url}\n`);
process.on('SIGTERM', () => void floor.close().then(() => sql.end()).then(() => process.exit(0)));
