/**
 * The connection settings (common/connection.ts): Temporal's environment configuration, and a clear
 * one-line error for each setting that cannot work, naming the setting and what to do.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectClient, connectWorker, DEFAULT_ADDRESS, parseAddress, temporalSettings } from '../../common/connection';
import { TemporalConnectionError } from '../../common/connection-problems';

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

  it('an address that is not host:port is named as malformed, with the form it takes, before anything connects', () => {
    const form = 'an address takes the form host:port';
    expect(error({ TEMPORAL_ADDRESS: ':::' })).to.equal(
      `TEMPORAL_ADDRESS ":::" is malformed: ${form} (an IPv6 address goes in brackets: [::1]:7233), ` +
        'e.g. 127.0.0.1:7233 or temporal.example.com:7233.',
    );
    expect(error({ TEMPORAL_ADDRESS: 'host:notaport' })).to.equal(
      `TEMPORAL_ADDRESS "host:notaport" is malformed: ${form}, e.g. 127.0.0.1:7233 or temporal.example.com:7233.`,
    );
    expect(error({ TEMPORAL_ADDRESS: 'http://x:7233' })).to.contain(`is malformed: ${form} (without "http://")`);
    for (const bad of ['localhost', 'x:0', 'x:65536', '::1:7233', 'x:7233/path', 'a b:7233']) {
      expect(error({ TEMPORAL_ADDRESS: bad }), bad).to.contain(`TEMPORAL_ADDRESS ${JSON.stringify(bad)} is malformed`);
    }
    for (const good of ['127.0.0.1:7233', 'localhost:7233', '[::1]:7233', 'temporal_frontend:7233', 'a.b-c.d:1']) {
      expect(parseAddress(good), good).to.not.equal(undefined);
      expect(temporalSettings({ TEMPORAL_ADDRESS: good }).address).to.equal(good);
    }
    // From a profile: the profile and its file are named.
    const profileFile = path.join(dir, 'address.toml');
    fs.writeFileSync(profileFile, '[profile.default]\naddress = "http://h:7233"\n');
    expect(error({ TEMPORAL_CONFIG_FILE: profileFile })).to.match(
      new RegExp(`^the address "http://h:7233" \\(profile "default" in ${profileFile}\\) is malformed`),
    );
  });

  it('a profile file that is not valid TOML is named, with the line and column', () => {
    const broken = path.join(dir, 'broken.toml');
    fs.writeFileSync(broken, '[profile.default]\naddress = "127.0.0.1:7233"\nnamespace = default\n');
    expect(error({ TEMPORAL_CONFIG_FILE: broken })).to.equal(
      `TEMPORAL_CONFIG_FILE ${broken} is not valid TOML at line 3, column 13 (invalid value): fix that line or unset TEMPORAL_CONFIG_FILE.`,
    );
  });

  it('an API key turns TLS on, and TEMPORAL_TLS=false turns it off again', () => {
    expect(temporalSettings({ TEMPORAL_API_KEY: 'k' })).to.include({
      tlsBecause: 'api-key',
      apiKeyFrom: 'TEMPORAL_API_KEY',
    });
    expect(temporalSettings({ TEMPORAL_API_KEY: 'k' }).connectionOptions).to.include({ apiKey: 'k', tls: true });
    const off = temporalSettings({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' });
    expect(off.connectionOptions).to.include({ apiKey: 'k', tls: false });
    expect(off.tlsBecause).to.equal(undefined);
    expect(temporalSettings({ TEMPORAL_TLS: 'true' }).tlsBecause).to.equal('configured');
  });

  it('TLS on against a server that does not speak it (a plain dev server): one line, at once, for worker and client', async () => {
    // What a plain gRPC server is: HTTP/2 without TLS.
    const plain = http2.createServer();
    const port = await listenLocally(plain);
    try {
      const warnings = await warningsDuring(async () => {
        const cases = [
          {
            env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_API_KEY: 'secret-api-key-1234' },
            message:
              `TEMPORAL_API_KEY is set, and an API key turns TLS on, but the server at 127.0.0.1:${port} does not speak ` +
              'TLS: set TEMPORAL_TLS=false to send the key without TLS, or unset the key.',
          },
          {
            env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_TLS: 'true' },
            message:
              `TLS is on (TEMPORAL_TLS or the profile's tls settings), but the server at 127.0.0.1:${port} does not ` +
              'speak TLS: set TEMPORAL_TLS=false, or point TEMPORAL_ADDRESS at a server that does.',
          },
        ];
        for (const { env, message } of cases) {
          for (const connect of [connectWorker, connectClient] as const) {
            const started = Date.now();
            const err = await connect(temporalSettings(env)).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err, connect.name).to.be.instanceOf(TemporalConnectionError);
            expect((err as Error).message, connect.name).to.equal(message);
            expect((err as Error).message).to.not.contain('secret-api-key-1234');
            expect(Date.now() - started, connect.name).to.be.below(5_000);
          }
        }
      });
      expect(warnings, 'no Node warning (e.g. DEP0123, a TLS server name set to an IP address)').to.deep.equal([]);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('TLS to an IP address: no Node warning about the TLS server name (DEP0123), and a server that is not Temporal fails fast', async () => {
    // A throwaway self-signed certificate for 127.0.0.1 (tests only), served over HTTP/2 like a TLS gRPC server.
    const fixtures = path.resolve(__dirname, '../fixtures/tls');
    const server = http2.createSecureServer({
      key: fs.readFileSync(path.join(fixtures, 'server.key')),
      cert: fs.readFileSync(path.join(fixtures, 'server.pem')),
    });
    server.on('stream', (stream) => stream.respond({ ':status': 404 }, { endStream: true }));
    const port = await listenLocally(server);
    try {
      const warnings = await warningsDuring(async () => {
        const settings = temporalSettings({
          TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
          TEMPORAL_TLS: 'true',
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(fixtures, 'server.pem'),
        });
        const err = await connectClient(settings).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(TemporalConnectionError);
        expect((err as Error).message).to.contain(`cannot reach Temporal at 127.0.0.1:${port}`);
      });
      expect(warnings).to.deep.equal([]);
    } finally {
      server.close();
    }
  });
});

/** Starts `server` on a free port of 127.0.0.1; that port. */
async function listenLocally(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** The Node warnings this process emits while `body` runs, and one tick after (so a late one counts too). */
async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
    return warnings;
  } finally {
    process.off('warning', onWarning);
  }
}
