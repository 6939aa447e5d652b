import { chrootSocketDir } from './layout.js';
import type { ServerPlan } from './plan.js';

/** What to do on the hidden hosts and the clients once the jumphost is set up; plain text, no colour. */
export function renderInstructions(plan: ServerPlan): string {
  const { layout } = plan;
  const perHost = plan.mode === 'per-host';
  const hosts = plan.hosts.length > 0 ? plan.hosts : [{ name: 'NAME', account: layout.sharedAccount, bindPath: `${plan.socketDir}/NAME.sock` }];
  const width = Math.max(...hosts.map((host) => host.name.length));
  const tunnels = hosts.map(
    (host) => `  ${`${host.name}:`.padEnd(width + 1)} ssh -N -R ${host.bindPath}:localhost:22 -o ExitOnForwardFailure=yes -o ServerAliveInterval=10 ${host.account}@JUMPHOST`,
  );
  const given = plan.keyFiles.flatMap((file) => file.entries.filter((entry) => entry.keys.length > 0).map((entry) => entry.host));
  const missing = plan.keyFiles.flatMap((file) => file.entries.filter((entry) => entry.keys.length === 0).map((entry) => entry.host));
  const keyFile = perHost ? `${layout.authorizedKeysDir}/${layout.hostAccountPrefix}NAME` : `${layout.authorizedKeysDir}/${layout.sharedAccount}`;
  const keyState = [given.length > 0 ? `added: ${given.join(' ')}` : '', missing.length > 0 ? `still to add: ${missing.join(' ')}` : ''].filter((part) => part !== '');
  const client = plan.clientUsers[0] ?? 'USER';
  const clients = plan.clientUsers.length > 0 ? plan.clientUsers.join(', ') : `an account you add with usermod --append --groups ${layout.clientsGroup} USER`;
  const names = plan.hosts.length > 0 ? plan.hosts.map((host) => host.name).join(' ') : 'NAME ...';
  return [
    'Next steps',
    '',
    'On each hidden host, keep its reverse tunnel to the jumphost open:',
    ...tunnels,
    perHost
      ? `tunnel-config host-setup writes this as a service: give it --socket-dir ${chrootSocketDir} (the host binds inside its chroot) and the user ${layout.hostAccountPrefix}NAME.`
      : `tunnel-config host-setup writes this as a service: give it --socket-dir ${plan.socketDir} and the user ${layout.sharedAccount}.`,
    `The key that ssh uses goes in ${keyFile}${keyState.length > 0 ? ` (${keyState.join('; ')})` : ''}.`,
    '',
    `On each client, logged in to the jumphost as ${clients}, in ~/.ssh/config:`,
    `  Host ${names}`,
    `    ProxyCommand tunnel-config proxy --jump ${client}@JUMPHOST --socket-dir ${plan.socketDir} -- %h`,
    '',
    'Check the jumphost at any time with the same server-setup options and --check.',
    ...(perHost
      ? [
          `To retire a host NAME: userdel ${layout.hostAccountPrefix}NAME; rm -r ${layout.hostsDir}/${layout.hostAccountPrefix}NAME ${keyFile} ${plan.socketDir}/NAME.sock`,
          `Moving from shared mode: once every host uses its own account, userdel ${layout.sharedAccount} (and its keys file).`,
        ]
      : [
          `Coming from the seed recipe: sshd now reads ${keyFile}, not ~${layout.sharedAccount}/.ssh/authorized_keys; give those keys with --key,`,
          'or copy them there, each line starting with restrict,port-forwarding.',
        ]),
  ].join('\n') + '\n';
}
