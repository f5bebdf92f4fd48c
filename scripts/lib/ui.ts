/**
 * Where the Temporal Web UI is, so every printed link points at the real one: TEMPORAL_UI_URL when
 * set; the UI `npm run server` recorded for that address (.temporal/server.json); the dev server's
 * default (gRPC port + 1000) when something answers there; otherwise nothing (no link beats a wrong one).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

const INFO_FILE = path.join(REPO_ROOT, '.temporal', 'server.json');

export interface ServerInfo {
  address: string;
  uiUrl: string;
  pid: number;
}

export function writeServerInfo(info: ServerInfo): void {
  fs.mkdirSync(path.dirname(INFO_FILE), { recursive: true });
  fs.writeFileSync(INFO_FILE, JSON.stringify(info, null, 2));
}

export function removeServerInfo(): void {
  fs.rmSync(INFO_FILE, { force: true });
}

function answers(url: string, timeoutMs = 800): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}

/** The Web UI for the server at `address`, or undefined when there is none to be found. */
export async function webUiUrl(address: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.TEMPORAL_UI_URL) return env.TEMPORAL_UI_URL.replace(/\/$/, '');
  try {
    const info = JSON.parse(fs.readFileSync(INFO_FILE, 'utf8')) as ServerInfo;
    const same = (a: string) => a.replace(/^localhost:/, '127.0.0.1:');
    if (same(info.address) === same(address) && (await answers(info.uiUrl))) return info.uiUrl;
  } catch {
    // no record
  }
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  if (!Number.isInteger(port)) return undefined;
  const guess = `http://${host === '127.0.0.1' ? 'localhost' : host}:${port + 1000}`;
  return (await answers(guess)) ? guess : undefined;
}

/** A link to one workflow in the Web UI. */
export function workflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
