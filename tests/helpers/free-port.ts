import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port the kernel hands out on its own (listen(0), and the source port of outgoing connections). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const FIRST = 10_000;
const EPHEMERAL_LOW = ephemeralLow();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port that was free a moment ago (for processes that need their port on the command
 * line, or a hub started after a spoke that already points at it).
 *
 * Picked below the kernel's ephemeral range, not with listen(0): a port from that range is also
 * the kernel's pick for the source port of any outgoing connection — another test process's, or
 * the connecting socket's own when it connects to a port nobody listens on yet (TCP
 * self-connect) — so a server started on it a moment later could find it taken (EADDRINUSE, seen
 * in CI on a loaded machine). Below the range only another explicit pick can collide, and each
 * pick is checked.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = FIRST + Math.floor(Math.random() * (EPHEMERAL_LOW - FIRST));
    if (await canListen(port)) return port;
  }
}
