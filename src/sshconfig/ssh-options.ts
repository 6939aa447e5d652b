import { quoteForMessage } from '../ssh/hostname.js';

/**
 * `--ssh-option 'Keyword value'`: one more line for the hidden hosts' Host section. Checked here as text
 * (a keyword ssh_config has, nothing that changes how the file is read, nothing that undoes the recipe);
 * the command also asks the installed ssh about the value (`ssh -G -o`).
 */

/** The keep-alive lines every set gets, unless an option sets that keyword itself. */
export const DEFAULT_HOST_OPTIONS: readonly string[] = ['ServerAliveInterval 10', 'ServerAliveCountMax 3'];

/** ssh_config's client keywords (OpenSSH 10), spelled as ssh_config(5) spells them. */
const KEYWORDS = `AddKeysToAgent AddressFamily BatchMode BindAddress BindInterface CanonicalDomains CanonicalizeFallbackLocal
CanonicalizeHostname CanonicalizeMaxDots CanonicalizePermittedCNAMEs CASignatureAlgorithms CertificateFile ChannelTimeout
CheckHostIP Ciphers ClearAllForwardings Compression ConnectionAttempts ConnectTimeout ControlMaster ControlPath
ControlPersist DynamicForward EnableEscapeCommandline EnableSSHKeysign EscapeChar ExitOnForwardFailure FingerprintHash
ForkAfterAuthentication ForwardAgent ForwardX11 ForwardX11Timeout ForwardX11Trusted GatewayPorts GlobalKnownHostsFile
GSSAPIAuthentication GSSAPIDelegateCredentials HashKnownHosts Host HostbasedAcceptedAlgorithms HostbasedAuthentication
HostKeyAlgorithms HostKeyAlias HostName IdentitiesOnly IdentityAgent IdentityFile IgnoreUnknown Include IPQoS
KbdInteractiveAuthentication KbdInteractiveDevices KexAlgorithms KnownHostsCommand LocalCommand LocalForward LogLevel
LogVerbose MACs Match NoHostAuthenticationForLocalhost NumberOfPasswordPrompts ObscureKeystrokeTiming
PasswordAuthentication PermitLocalCommand PermitRemoteOpen PKCS11Provider Port PreferredAuthentications ProxyCommand
ProxyJump ProxyUseFdpass PubkeyAcceptedAlgorithms PubkeyAuthentication RefuseConnection RekeyLimit RemoteCommand
RemoteForward RequestTTY RequiredRSASize RevokedHostKeys SecurityKeyProvider SendEnv ServerAliveCountMax
ServerAliveInterval SessionType SetEnv StdinNull StreamLocalBindMask StreamLocalBindUnlink StrictHostKeyChecking
SyslogFacility Tag TCPKeepAlive Tunnel TunnelDevice UpdateHostKeys User UserKnownHostsFile VerifyHostKeyDNS VisualHostKey
XAuthLocation`.split(/\s+/);

const CANONICAL = new Map(KEYWORDS.map((keyword) => [keyword.toLowerCase(), keyword]));

/** Keywords whose every line counts; for the others ssh uses the first and ignores the rest. */
const REPEATABLE = new Set(['certificatefile', 'dynamicforward', 'identityfile', 'localforward', 'remoteforward', 'sendenv', 'setenv']);

export const isRepeatable = (keyword: string): boolean => REPEATABLE.has(keyword.toLowerCase());

const REFUSED: Record<string, string> = {
  host: 'would start a Host section of its own',
  match: 'would start a Match section of its own',
  include: 'would read another file into the hosts\' section',
  proxycommand: 'is what tunnel-config sets: the hosts are reached through the jumphost',
  proxyjump: 'is what tunnel-config sets: the hosts are reached through the jumphost',
  proxyusefdpass: 'would make ssh expect a descriptor the proxy does not pass',
  hostname: 'would change the name the proxy looks up on the jumphost (%h)',
  canonicalizehostname: 'would change the name the proxy looks up on the jumphost (%h)',
  canonicaldomains: 'would change the name the proxy looks up on the jumphost (%h)',
  user: 'is set with --user',
  ignoreunknown: 'would hide a mistyped option',
};

/** Values that would stop ssh from checking the hidden hosts' own keys, which is what keeps the tunnel safe. */
const WEAKENING: Record<string, readonly string[]> = {
  stricthostkeychecking: ['no', 'off', 'false'],
  userknownhostsfile: ['/dev/null', 'none'],
};

/** `Keyword value…` or `Keyword=value…` as one line: keyword and value, blanks collapsed. */
function splitOption(option: string): { keyword: string; value: string } | undefined {
  const match = /^([A-Za-z][A-Za-z0-9]*)(?:[ \t]*=[ \t]*|[ \t]+)(\S.*)$/.exec(option.trim());
  if (!match) return undefined;
  return { keyword: match[1] ?? '', value: (match[2] ?? '').replace(/[ \t]+/g, ' ').trimEnd() };
}

/** Why `option` may not go into the hosts' section, or undefined when it may. */
export function sshOptionProblem(option: string): string | undefined {
  if (option.trim() === '') return 'is empty';
  if (/[\r\n]/.test(option)) return 'may not contain a line break';
  if (/[\0-\x08\x0a-\x1f\x7f]/.test(option)) return 'may not contain control characters';
  if (/[^\x00-\x7f]/.test(option)) return 'may contain only ASCII characters';
  for (const c of ['#', '"', "'", '\\', ';']) if (option.includes(c)) return `may not contain ${c === '"' ? "'\"'" : `"${c}"`}`;
  const split = splitOption(option);
  if (!split) return 'must be a keyword and its value, e.g. "ForwardAgent yes"';
  const keyword = split.keyword.toLowerCase();
  const canonical = CANONICAL.get(keyword);
  if (!canonical) return `has ${quoteForMessage(split.keyword)}, which is not an ssh_config keyword (see man ssh_config)`;
  const refused = REFUSED[keyword];
  if (refused) return `${canonical} ${refused}`;
  if (WEAKENING[keyword]?.includes(split.value.toLowerCase())) return `${canonical} ${split.value} would stop ssh from checking host keys`;
  return undefined;
}

/** The option as written into the block: the keyword as ssh_config(5) spells it, one blank between words. */
export function normaliseSshOption(option: string): string {
  const split = splitOption(option);
  if (!split) return option;
  return `${CANONICAL.get(split.keyword.toLowerCase()) ?? split.keyword} ${split.value}`;
}

/** The keyword of a normalised option, lowercased. */
export const sshOptionKeyword = (option: string): string => (splitOption(option)?.keyword ?? '').toLowerCase();

/** Why a whole list of options may not be written: the first bad one, or a keyword given twice that ssh would read once. */
export function sshOptionListProblem(options: readonly string[]): string | undefined {
  const seen = new Map<string, string>();
  const lines = new Set<string>();
  for (const option of options) {
    const problem = sshOptionProblem(option);
    if (problem) return `${quoteForMessage(option)} ${problem}`;
    const keyword = sshOptionKeyword(option);
    const earlier = seen.get(keyword);
    if (lines.has(normaliseSshOption(option))) return `${quoteForMessage(option)} is given twice`;
    if (earlier !== undefined && !REPEATABLE.has(keyword)) return `${quoteForMessage(option)}: ${CANONICAL.get(keyword)} is given twice, and ssh uses only the first (${quoteForMessage(earlier)})`;
    if (DEFAULT_HOST_OPTIONS.includes(normaliseSshOption(option))) return `${quoteForMessage(option)} is written anyway`;
    seen.set(keyword, option);
    lines.add(normaliseSshOption(option));
  }
  return undefined;
}

/** Options as typed in one answer: separated by ";" (a value may have blanks and commas). */
export const splitSshOptions = (answer: string): string[] =>
  answer
    .split(';')
    .map((option) => option.trim())
    .filter((option) => option !== '');

/** Options as they are written: normalised, without the ones every set gets anyway. */
export const writtenSshOptions = (options: readonly string[]): string[] =>
  options.map(normaliseSshOption).filter((option) => !DEFAULT_HOST_OPTIONS.includes(option));
