import { renderCommand } from './render-command.js';
import { launchdLabel, RESTART_DELAY_SECONDS, serviceKey, type TunnelSpec } from './spec.js';

export interface LaunchdOptions {
  /** Where launchd writes ssh's stdout and stderr (launchd keeps no journal). */
  logPath?: string;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text as XML character data; characters XML 1.0 cannot carry at all are refused. */
export function xmlEscape(text: string): string {
  if (/[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(text)) throw new RangeError(`not representable in XML: ${JSON.stringify(text)}`);
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

const string = (value: string): string => `<string>${xmlEscape(value)}</string>`;

/**
 * A LaunchAgent: RunAtLoad starts it at login, KeepAlive restarts ssh whenever it exits, no more often
 * than every ThrottleInterval seconds.
 */
export function renderLaunchdPlist(spec: TunnelSpec, options: LaunchdOptions = {}): string {
  const { argv } = renderCommand(spec);
  const { logPath } = options;
  const logs = logPath === undefined ? [] : ['StandardOutPath', 'StandardErrorPath'].flatMap((key) => [`\t<key>${key}</key>`, `\t${string(logPath)}`]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by tunnel-config host-setup -->',
    '<plist version="1.0">',
    '<dict>',
    '\t<key>Label</key>',
    `\t${string(launchdLabel(serviceKey(spec)))}`,
    '\t<key>ProgramArguments</key>',
    '\t<array>',
    ...argv.map((arg) => `\t\t${string(arg)}`),
    '\t</array>',
    '\t<key>RunAtLoad</key>',
    '\t<true/>',
    '\t<key>KeepAlive</key>',
    '\t<true/>',
    '\t<key>ThrottleInterval</key>',
    `\t<integer>${RESTART_DELAY_SECONDS}</integer>`,
    ...logs,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
