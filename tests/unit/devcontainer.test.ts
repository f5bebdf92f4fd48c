/**
 * The dev container (VS Code, Codespaces) sets a learner up the way the README does: its post-create
 * commands are the README's install and the kit's own Temporal CLI provisioning, its Node.js is one the
 * kit supports, and it forwards the ports `npm run server` listens on.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('.devcontainer', () => {
  const config = JSON.parse(read('.devcontainer/devcontainer.json')) as {
    image: string;
    postCreateCommand: string;
    forwardPorts: number[];
  };
  const readme = read('README.md');
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };

  it("runs the README's setup commands, and only commands the README shows", () => {
    const commands = config.postCreateCommand.split('&&').map((c) => c.trim());
    expect(commands[0]).to.equal('npm install');
    // The README's "Set up and run" block starts with the same install command.
    const setup = /## Set up and run[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(setup.split('\n')[0].trim()).to.equal('npm install');
    for (const command of commands) {
      expect(readme, `README shows ${command}`).to.include(command);
      const script = /^npm run (\S+)/.exec(command)?.[1];
      if (script) expect(pkg.scripts, `package.json has the script ${script}`).to.have.property(script);
    }
  });

  it('uses a Node.js version the kit supports', () => {
    const major = Number(/typescript-node:\d+-(\d+)-/.exec(config.image)?.[1]);
    const minimum = Number(/>=(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(major).to.be.at.least(minimum);
    expect([22, 24, 26]).to.include(major);
  });

  it('forwards the ports of npm run server (gRPC and the Web UI)', () => {
    const server = read('scripts/server.ts');
    const grpc = Number(/args\.port \?\? (\d+)/.exec(server)?.[1]);
    const ui = Number(/args\['ui-port'\] \?\? (\d+)/.exec(server)?.[1]);
    expect(config.forwardPorts).to.include.members([grpc, ui]);
  });
});
