/**
 * The connection settings (common/connection.ts): Temporal's environment configuration, and a clear
 * one-line error for each setting that cannot work, naming the setting and what to do.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  connectClient,
  connectWorker,
  DEFAULT_ADDRESS,
  temporalSettings,
  TemporalConnectionError,
} from '../../common/connection';

describe('connection settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-conn-'));
  const file = path.join(dir, 'temporal.toml');
  fs.writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "127.0.0.1:7299"',
      'namespace = "from-file"',
      '',
      '[profile.cloud]',
      'address = "my-ns.a1b2c.tmprl.cloud:7233"',
      'namespace = "my-ns.a1b2c"',
      'api_key = "not-a-real-key"',
      '',
      '[profile.mtls]',
      'address = "temporal.example.internal:7233"',
      '[profile.mtls.tls]',
      `client_cert_path = "${path.join(dir, 'missing.pem')}"`,
      `client_key_path = "${path.join(dir, 'missing.key')}"`,
      '',
    ].join('\n'),
  );
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function error(env: NodeJS.ProcessEnv): string {
    try {
      temporalSettings(env);
    } catch (err) {
      expect(err).to.be.instanceOf(TemporalConnectionError);
      const message = (err as Error).message;
      expect(message.split('\n'), 'one line').to.have.length(1);
      return message;
    }
    throw new Error('expected the settings to be refused');
  }

  it('with nothing set: the local dev server, namespace default', () => {
    expect(temporalSettings({})).to.include({ address: DEFAULT_ADDRESS, namespace: 'default' });
  });

  it('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; an empty variable counts as unset', () => {
    expect(temporalSettings({ TEMPORAL_ADDRESS: '10.0.0.5:7233', TEMPORAL_NAMESPACE: 'orders' })).to.include({
      address: '10.0.0.5:7233',
      namespace: 'orders',
    });
    expect(temporalSettings({ TEMPORAL_ADDRESS: '' }).address).to.equal(DEFAULT_ADDRESS);
  });

  it('a profile file: its default profile, a named profile, and environment variables over the file', () => {
    expect(temporalSettings({ TEMPORAL_CONFIG_FILE: file })).to.include({
      address: '127.0.0.1:7299',
      namespace: 'from-file',
    });
    const cloud = temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud).to.include({ address: 'my-ns.a1b2c.tmprl.cloud:7233', namespace: 'my-ns.a1b2c' });
    // An API key turns TLS on.
    expect(cloud.connectionOptions).to.include({ apiKey: 'not-a-real-key', tls: true });
    expect(temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_ADDRESS: '127.0.0.1:7400' }).address).to.equal(
      '127.0.0.1:7400',
    );
  });

  it('a config file that does not exist is named', () => {
    expect(error({ TEMPORAL_CONFIG_FILE: path.join(dir, 'nope.toml') })).to.equal(
      `TEMPORAL_CONFIG_FILE points to ${path.join(dir, 'nope.toml')}, which does not exist: fix the path or unset it.`,
    );
  });

  it('a profile that is not in the file is named', () => {
    expect(error({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).to.equal(
      `TEMPORAL_PROFILE "staging" is not in ${file}: add a [profile.staging] section or pick another profile.`,
    );
  });

  it('a certificate file that does not exist is named, from the profile or from the environment', () => {
    expect(error({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' })).to.equal(
      `the Temporal profile "mtls" names ${path.join(dir, 'missing.pem')}, which does not exist: fix the path in ${file}.`,
    );
    expect(error({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/such/cert.pem' })).to.equal(
      'TEMPORAL_TLS_CLIENT_CERT_PATH points to /no/such/cert.pem, which does not exist: fix the path or unset it.',
    );
  });

  it('an address where nothing listens: worker and client fail at once, naming the address and `npm run server`', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const settings = temporalSettings({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    // "connection refused", not "no answer within 5 s": the refusal is reported as soon as it happens.
    for (const connect of [connectWorker, connectClient] as const) {
      let message = '';
      try {
        await connect(settings);
      } catch (err) {
        expect(err).to.be.instanceOf(TemporalConnectionError);
        message = (err as Error).message;
      }
      expect(message).to.equal(
        `cannot reach Temporal at 127.0.0.1:${port} (connection refused; settings from TEMPORAL_ADDRESS). ` +
          'Start a local server with `npm run server` in another terminal, or point TEMPORAL_ADDRESS at yours.',
      );
    }
  });
});
