// The bench asks its server process (and that process its cluster workers) for CPU used.
interface Peer {
  on(event: 'message', f: (m: { cpuUs?: number }) => void): unknown;
  off(event: 'message', f: (m: { cpuUs?: number }) => void): unknown;
  send(m: { cpu: true }): unknown;
}

/** CPU time (user + system, µs) the peer reports when asked. */
export function askCpuUs(peer: Peer): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: { cpuUs?: number }) => {
      if (typeof m.cpuUs !== 'number') return;
      peer.off('message', on);
      resolve(m.cpuUs);
    };
    peer.on('message', on);
    peer.send({ cpu: true });
  });
}
