/**
 * OpenSSH's sshd tells the client, in SSH_MSG_DEBUG, which options an authorized_keys line grants:
 * "FILE:LINE: key options: agent-forwarding port-forwarding pty ...". When port-forwarding is missing
 * (a `restrict` or `no-port-forwarding` key), stream-local channels are refused for that reason.
 */
export function restrictionFromServerDebug(text: string): string | undefined {
  const match = /^(.*?): key options:\s*(.*)$/.exec(text);
  if (!match) return undefined;
  const [, where, granted = ''] = match;
  if (granted.split(/\s+/).includes('port-forwarding')) return undefined;
  return `the authorized_keys line that let you in (${where}) does not permit forwarding ("restrict" or "no-port-forwarding"); add "port-forwarding" to its options`;
}
